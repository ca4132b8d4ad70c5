import { MemoryInviteStore, memoryBackend } from "../../../src/storage/memory-store.js";
import { hitCounterContract } from "../../helpers/hit-counter-contract.js";

let nowMs = Date.UTC(2026, 10, 27);
const counter = memoryBackend(new MemoryInviteStore(() => nowMs)).hits;

hitCounterContract("The memory backend's hit counter", () => ({
  counter,
  advanceMs: async (ms) => {
    nowMs += ms;
  },
}));
