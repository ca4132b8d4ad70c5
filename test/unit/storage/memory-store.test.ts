import { MemoryInviteStore } from "../../../src/storage/memory-store.js";
import { tokenHash } from "../../../src/storage/record.js";
import { quotaTreeContract } from "../../helpers/quota-tree-contract.js";
import { inviteStatsContract } from "../../helpers/stats-contract.js";
import { inviteStoreContract, quotaStoreContract, relationsStoreContract } from "../../helpers/store-contract.js";

let nowMs = Date.UTC(2026, 10, 27);
let store = new MemoryInviteStore(() => nowMs);

inviteStoreContract("MemoryInviteStore", () => ({
  store,
  now: () => Math.floor(nowMs / 1000),
  advance: async (seconds) => {
    nowMs += seconds * 1000;
  },
  clear: async () => {
    store = new MemoryInviteStore(() => nowMs);
  },
  takeUse: async (token) => {
    store.takeUse(tokenHash(token));
  },
}));

quotaStoreContract("MemoryInviteStore", () => ({
  store,
  invites: store,
  markJoined: async (account, atSeconds) => store.recordUse("admin@example.org", account, atSeconds),
  nowMs: () => nowMs,
  advanceMs: async (ms) => {
    nowMs += ms;
  },
}));

quotaTreeContract("MemoryInviteStore", () => ({
  store,
  invites: store,
  recordRegistration: async (inviter, invitee, atSeconds) => store.recordUse(inviter, invitee, atSeconds),
  nowMs: () => nowMs,
}));

relationsStoreContract("MemoryInviteStore", () => ({
  store,
  recordUse: async (inviter, invitee) => store.recordUse(inviter, invitee),
  markJoined: async (account, atSeconds) => store.recordUse("admin@example.org", account, atSeconds),
}));

inviteStatsContract("MemoryInviteStore", () => ({
  store,
  stats: store.stats,
  now: () => Math.floor(nowMs / 1000),
  clear: async () => {
    store = new MemoryInviteStore(() => nowMs);
  },
  takeUse: async (token) => {
    store.takeUse(tokenHash(token));
  },
}));
