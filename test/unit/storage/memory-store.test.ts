import { MemoryInviteStore } from "../../../src/storage/memory-store.js";
import { inviteStoreContract } from "../../helpers/store-contract.js";

let nowMs = Date.UTC(2026, 10, 27);
const store = new MemoryInviteStore("example.org", () => nowMs);

inviteStoreContract("MemoryInviteStore", () => ({
  store,
  now: () => Math.floor(nowMs / 1000),
  advance: async (seconds) => {
    nowMs += seconds * 1000;
  },
}));
