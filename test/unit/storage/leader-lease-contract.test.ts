import { MemoryLeaderLease } from "../../../src/storage/memory-leader.js";
import { leaderLeaseContract } from "../../helpers/leader-lease-contract.js";

let nowMs = 1_000;
let lease = new MemoryLeaderLease(() => nowMs);

leaderLeaseContract("The memory leader lease", () => ({
  lease,
  // One store, as two instances on one backend share it.
  sibling: lease,
  expire: async (ttlMs) => {
    nowMs += ttlMs;
  },
  clear: async () => {
    lease = new MemoryLeaderLease(() => nowMs);
  },
}));
