import { MemoryConsoleStore } from "../../../src/storage/memory-console.js";
import { consoleStoreContract } from "../../helpers/console-store-contract.js";

let nowMs = Date.UTC(2026, 10, 27);
const store = new MemoryConsoleStore(() => nowMs);

consoleStoreContract("The memory console store", () => ({
  store,
  advanceMs: async (ms) => {
    nowMs += ms;
  },
}));
