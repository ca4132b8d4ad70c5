/**
 * The CircleForgery of the circle contract (circle-forgery-contract.ts) in Redis: raw writes to the keys of
 * docs/storage.md, "Circles", as someone with write access to Redis but without the signing key could make them
 * (and, for rotation, a membership signed with the test servers' old key).
 */
import type { Circle } from "../../src/circles/circle.js";
import { memberTag, signCircle } from "../../src/storage/circle-record.js";
import { circleKey, circleMembersKey, circlesKey } from "../../src/storage/keys.js";
import type { CircleForgery } from "./circle-forgery-contract.js";
import type { RawRedis } from "./scenario.js";
import { TEST_OLD_SIGNING_KEY, TEST_SIGNING_KEYS } from "./signing.js";

/** A key the bot does not have. */
const FORGER = { current: "a-forgers-key-0123456789abcdef", old: [] };
/** Where a signed value could be copied from. */
const OTHER_HOST = "other.example";

export function redisCircleForgery(raw: () => RawRedis, host: string): CircleForgery {
  const writeRecord = async (id: string, value: string) => {
    await raw().set(circleKey(host, id), value);
    await raw().sAdd(circlesKey(host), id);
  };
  const setMember = async (id: string, jid: string, tag: string) => {
    await raw().hSet(circleMembersKey(host, id), jid, tag);
  };
  return {
    record: (circle: Circle) => writeRecord(circle.id, signCircle(FORGER, host, circle)),
    async copyRecord(from, to) {
      await writeRecord(to, (await raw().get(circleKey(host, from))) ?? "");
    },
    otherHostRecord: (circle) => writeRecord(circle.id, signCircle(TEST_SIGNING_KEYS, OTHER_HOST, circle)),
    member: (id, jid) => setMember(id, jid, memberTag(FORGER.current, host, id, jid)),
    async copyMember(from, to, jid) {
      await setMember(to, jid, (await raw().hGet(circleMembersKey(host, from), jid)) ?? "");
    },
    otherHostMember: (id, jid) => setMember(id, jid, memberTag(TEST_SIGNING_KEYS.current, OTHER_HOST, id, jid)),
    async indexOnly(id) {
      await raw().sAdd(circlesKey(host), id);
    },
    async wrongTypes(id) {
      await raw().del([circleKey(host, id), circleMembersKey(host, id)]);
      await raw().sAdd(circleKey(host, id), "not a record");
      await raw().sAdd(circleMembersKey(host, id), "not members");
    },
    oldKeyMember: (id, jid) => setMember(id, jid, memberTag(TEST_OLD_SIGNING_KEY, host, id, jid)),
  };
}
