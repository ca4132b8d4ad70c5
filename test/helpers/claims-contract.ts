/**
 * The InviteClaims contract (src/invites/store.ts: the bot as registration hook, docs/servers.md), run against
 * every implementation — Redis today (the memory store has no claims) — with a "backend away" group.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { inviteId } from "../../src/invites/pending.js";
import {
  type ClaimedInvite,
  type ClaimOutcome,
  type InviteClaims,
  type InviteStore,
  type RelationsStore,
  StoreUnavailableError,
  type StreamEntry,
} from "../../src/invites/store.js";
import { tokenHash } from "../../src/invites/token.js";
import { type BackendAway, rejection, timed } from "./backend-away.js";
import { accountInvite } from "./contract-invites.js";
import { pollUntil } from "./poll.js";

export interface ClaimsSubject {
  claims: InviteClaims;
  /** The same backend's claims as another bot process has them: it settles none of `claims`' claims itself. */
  otherProcess: InviteClaims;
  /** The same backend's invites and who-invited-whom. */
  invites: InviteStore;
  relations: RelationsStore;
  /** The use events recorded since the last call, oldest first. */
  newUses(): Promise<readonly StreamEntry[]>;
  host: string;
}

function claimed(outcome: ClaimOutcome): ClaimedInvite {
  if (!outcome.ok) throw new Error(`the claim was refused: ${outcome.reason}`);
  return outcome.claim;
}

let names = 0;
const newInvitee = (host: string) => `claimed${process.pid}x${++names}@${host}`;

export function inviteClaimsContract(
  name: string,
  subject: () => ClaimsSubject,
  { away = [] }: { readonly away?: readonly BackendAway[] } = {},
): void {
  describe(`${name} follows the InviteClaims contract`, () => {
    const usesOf = async (token: string) => (await subject().invites.findByToken(token))?.used;
    const saved = async (options: Parameters<typeof accountInvite>[1] = {}) => {
      const invite = accountInvite(subject().host, options);
      await subject().invites.save(invite);
      return invite;
    };

    // Uses recorded by an earlier test are not this test's.
    beforeEach(async () => {
      await subject().newUses();
    });

    it("takes the one use of a single-use invite: the record as stored; then the invite is gone", async () => {
      const { claims, invites } = subject();
      const invite = await saved();
      const before = await invites.findByToken(invite.token);
      const claim = claimed(await claims.claim(invite.token));
      expect({ hash: claim.hash, id: claim.id, record: claim.record }).toEqual({
        hash: tokenHash(invite.token),
        id: inviteId(invite.token),
        record: before?.record,
      });
      expect(await claims.claim(invite.token)).toEqual({ ok: false, reason: "gone" });
      expect(await invites.findByToken(invite.token)).toBeUndefined();
      await claim.keep();
      expect(await claims.claim(invite.token)).toEqual({ ok: false, reason: "gone" });
    });

    it("finds a made-up, an expired and a removed invite gone", async () => {
      const { claims, invites } = subject();
      expect(await claims.claim("madeUpTokenAAAAAAAAAAAAA")).toEqual({ ok: false, reason: "gone" });
      const expiring = await saved({ ttlSeconds: 1 });
      const removed = await saved();
      await invites.remove(await invites.findById(inviteId(removed.token)));
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect(await claims.claim(expiring.token)).toEqual({ ok: false, reason: "gone" });
      expect(await claims.claim(removed.token)).toEqual({ ok: false, reason: "gone" });
    });

    it("gives a use back once, however often asked: the invite works again as before", async () => {
      const { claims } = subject();
      const single = await saved();
      const first = claimed(await claims.claim(single.token));
      await first.giveBack();
      await first.giveBack();
      expect(await usesOf(single.token)).toBe(0);
      claimed(await claims.claim(single.token));
      const counted = await saved({ maxUses: 3 });
      const one = claimed(await claims.claim(counted.token));
      claimed(await claims.claim(counted.token));
      expect(await usesOf(counted.token)).toBe(2);
      await one.giveBack();
      await one.giveBack();
      expect(await usesOf(counted.token)).toBe(1);
    });

    it("lets racers take exactly a counted invite's uses, and gives its last one back whole", async () => {
      const { claims } = subject();
      const invite = await saved({ maxUses: 3 });
      const outcomes = await Promise.all(Array.from({ length: 12 }, () => claims.claim(invite.token)));
      const won = outcomes.flatMap((outcome) => (outcome.ok ? [outcome.claim] : []));
      expect(won).toHaveLength(3);
      for (const lost of outcomes.filter((outcome) => !outcome.ok)) expect(["gone", "used-up"]).toContain(lost.reason);
      expect(await usesOf(invite.token)).toBeUndefined();
      await won[2]?.giveBack();
      expect(await usesOf(invite.token)).toBe(2);
      claimed(await claims.claim(invite.token));
    });

    it("takes nothing from a reusable invite without a cap", async () => {
      const { claims } = subject();
      const invite = await saved({ uncounted: true });
      for (let i = 0; i < 3; i++) await claimed(await claims.claim(invite.token)).keep();
      expect(await usesOf(invite.token)).toBe(0);
    });

    it("records a registration's use when its claim is kept, once; without a purpose or given back, nothing", async () => {
      const { claims, relations, newUses, host } = subject();
      const invite = await saved();
      const invitee = newInvitee(host);
      const claim = claimed(await claims.claim(invite.token, { kind: "registered", invitee }));
      await claim.keep();
      await claim.keep();
      const [use, ...more] = await newUses();
      expect(more).toEqual([]);
      expect(use?.signed).toBe(true);
      expect(use?.fields).toMatchObject({ kind: "registered", inviter: `admin@${host}`, invitee, invite: claim.id });
      expect(await relations.whoInvited(invitee)).toBe(`admin@${host}`);
      await claimed(await claims.claim((await saved()).token)).keep();
      const back = await saved();
      await claimed(await claims.claim(back.token, { kind: "registered", invitee: newInvitee(host) })).giveBack();
      expect(await newUses()).toEqual([]);
    });

    it("records a use the bot reports (recordUse), signed, with who invited whom", async () => {
      const { claims, relations, newUses, host } = subject();
      const invitee = newInvitee(host);
      const event = {
        kind: "subscribed" as const,
        inviter: `alice@${host}`,
        invitee,
        invite: "abcdEFGH",
        at: 1_790_000_000,
        rooms: ["lounge@conference.example.net", "chess@rooms.example.net"],
      };
      await claims.recordUse(event);
      const [use, ...more] = await newUses();
      expect(more).toEqual([]);
      expect(use?.signed).toBe(true);
      expect(use?.fields).toMatchObject({
        ...event,
        at: String(event.at),
        rooms: "lounge@conference.example.net chess@rooms.example.net",
      });
      expect(await relations.whoInvited(invitee)).toBe(`alice@${host}`);
    });

    it("records a kept claim's kind and the record's group chats outside circles (valid ones, each once)", async () => {
      const { claims, invites, newUses, host } = subject();
      const invite = accountInvite(host);
      const rooms = ["Lounge@Conference.Example.net", "not a room", `someone@${host}`, "lounge@conference.example.net"];
      await invites.save({ ...invite, additional_data: { ...invite.additional_data, rooms } });
      const invitee = newInvitee(host);
      await claimed(await claims.claim(invite.token, { kind: "joined", invitee })).keep();
      const plain = await saved();
      await claimed(await claims.claim(plain.token, { kind: "registered", invitee: newInvitee(host) })).keep();
      const [joined, registered, ...more] = await newUses();
      expect(more).toEqual([]);
      expect(joined?.signed).toBe(true);
      expect(joined?.fields).toMatchObject({ kind: "joined", invitee, rooms: "lounge@conference.example.net" });
      expect(registered?.signed).toBe(true);
      expect(registered?.fields.rooms).toBeUndefined();
    });

    describe("a registration's claim no process settled (it stopped)", () => {
      let invitee: string;
      let token: string;
      beforeEach(async () => {
        invitee = newInvitee(subject().host);
        token = (await saved()).token;
        claimed(await subject().claims.claim(token, { kind: "registered", invitee }));
      });

      const foundByOther = async () => {
        const found = (await subject().otherProcess.unsettled(0)).filter((use) => use.invitee === invitee);
        expect(found.map(({ id, invitee }) => ({ id, invitee }))).toEqual([{ id: inviteId(token), invitee }]);
        return found[0] as NonNullable<(typeof found)[0]>;
      };

      it("is found by another process once old enough, never by its own", async () => {
        const { claims, otherProcess } = subject();
        expect((await claims.unsettled(0)).some((use) => use.invitee === invitee)).toBe(false);
        expect((await otherProcess.unsettled(60_000)).some((use) => use.invitee === invitee)).toBe(false);
        await foundByOther();
      });

      it("is recorded once when kept (the account exists), then no longer found", async () => {
        const found = await foundByOther();
        await found.keep();
        await found.keep();
        expect((await subject().newUses()).map((use) => use.fields.invitee)).toEqual([invitee]);
        expect((await subject().otherProcess.unsettled(0)).some((use) => use.invitee === invitee)).toBe(false);
      });

      it("gives the use back when given back (no such account): the invite works again", async () => {
        const found = await foundByOther();
        await found.giveBack();
        expect(await usesOf(token)).toBe(0);
        expect(await subject().newUses()).toEqual([]);
        expect((await subject().otherProcess.unsettled(0)).some((use) => use.invitee === invitee)).toBe(false);
      });
    });

    for (const backend of away) {
      describe(`backend away: ${backend.name}`, () => {
        afterEach(async () => {
          await backend.leave();
        });

        it("refuses claims, records and the sweep with StoreUnavailableError in time; the invite is untouched", async () => {
          const { claims } = subject();
          const invite = await saved();
          await backend.enter();
          for (const call of [
            (): Promise<unknown> => claims.claim(invite.token),
            () =>
              claims.recordUse({
                kind: "registered",
                inviter: undefined,
                invitee: "x@y",
                invite: "x",
                at: 1,
                rooms: [],
              }),
            () => claims.unsettled(0),
          ]) {
            const { ms, outcome } = await timed(call);
            expect(rejection(outcome)).toBeInstanceOf(StoreUnavailableError);
            expect(ms).toBeLessThanOrEqual(backend.failsWithinMs);
          }
          await backend.leave();
          expect(await usesOf(invite.token)).toBe(0);
        });

        it("gives back and records what it could not while away, once the backend is back (once each)", async () => {
          const { claims, host } = subject();
          const [back, kept] = [await saved(), await saved()];
          const invitee = newInvitee(host);
          const toGiveBack = claimed(await claims.claim(back.token));
          const toKeep = claimed(await claims.claim(kept.token, { kind: "registered", invitee }));
          await backend.enter();
          await toGiveBack.giveBack();
          await toKeep.keep();
          await backend.leave();
          await pollUntil(
            async () => (await usesOf(back.token)) === 0,
            10_000,
            () => new Error("not given back"),
          );
          const recorded: StreamEntry[] = [];
          const seen = async () => recorded.push(...(await subject().newUses())) > 0;
          await pollUntil(seen, 10_000, () => new Error("the use was never recorded"), 200);
          await new Promise((resolve) => setTimeout(resolve, 1_200)); // a retry round (every second) records nothing more
          await seen();
          expect(recorded.map((use) => use.fields.invitee)).toEqual([invitee]);
          expect(await usesOf(back.token)).toBe(0);
        });
      });
    }
  });
}
