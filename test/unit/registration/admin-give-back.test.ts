import { type Element, xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import type { InviteRecord } from "../../../src/invites/record.js";
import type { ClaimOutcome, InviteClaims, UseEvent } from "../../../src/invites/store.js";
import { createLogger } from "../../../src/logger.js";
import type { IqRequest } from "../../../src/registration/admin-commands.js";
import { AdminRegistrar } from "../../../src/registration/as-admin.js";
import { NS } from "../../../src/xmpp/namespaces.js";

const COMMANDS = NS.commands;
const RECORD: InviteRecord = {
  type: "register",
  jid: "example.org",
  allow_registration: true,
  additional_data: { source: "admin@example.org/web" },
  created_at: 1_800_000_000,
  expires: 1_900_000_000,
  reusable: false,
};

/** One claim's fate: what the registrar did with the use. */
function claims(): InviteClaims & { done: string[]; uses: UseEvent[]; settled: Promise<void> } {
  const done: string[] = [];
  const uses: UseEvent[] = [];
  let settle: () => void = () => {};
  const settled = new Promise<void>((resolve) => {
    settle = resolve;
  });
  return {
    done,
    uses,
    settled,
    // As the Redis claims do: keeping a registration's claim records its use (its purpose says whose).
    claim: async (_token, purpose): Promise<ClaimOutcome> => ({
      ok: true,
      claim: {
        hash: "h",
        id: "abcdefgh",
        record: RECORD,
        giveBack: async () => {
          done.push("given back");
          settle();
        },
        keep: async () => {
          done.push("kept");
          if (purpose !== undefined) {
            uses.push({
              kind: purpose.kind,
              inviter: undefined,
              invitee: purpose.invitee,
              invite: "abcdefgh",
              at: 0,
              rooms: [],
            });
          }
          settle();
        },
      },
    }),
    unsettled: async () => [],
    recordUse: async (event) => {
      uses.push(event);
    },
  };
}

type Answer = (iq: Element) => Element | undefined;
const actionOf = (iq: Element) => iq.getChild("command", COMMANDS)?.attrs.action;
const nodeOf = (iq: Element) => iq.getChild("command", COMMANDS)?.attrs.node ?? "";
const reply = (iq: Element, status: string, ...children: Element[]) =>
  xml(
    "iq",
    { type: "result" },
    xml("command", { xmlns: COMMANDS, node: nodeOf(iq), status, sessionid: "s" }, ...children),
  );

function registrar(answer: Answer, store = claims()): { registrar: AdminRegistrar; store: typeof store } {
  const request: IqRequest = (iq) => {
    const answered = answer(iq);
    return answered === undefined ? new Promise(() => {}) : Promise.resolve(answered);
  };
  const registrar = new AdminRegistrar({
    domain: "example.org",
    claims: store,
    request,
    contacts: { makeMutual: async () => {} },
    log: createLogger("silent"),
    timeoutMs: 30,
  });
  return { registrar, store };
}

const visitor = { token: "t".repeat(24), username: "newbie", password: "newbie-password" };

describe("AdminRegistrar: every claimed use is kept or given back, once", () => {
  it("keeps the use when add-user completes, and records it", async () => {
    const { registrar: r, store } = registrar((iq) =>
      reply(iq, actionOf(iq) === "execute" ? "executing" : "completed"),
    );
    expect(await r.register(visitor)).toEqual({ ok: true });
    expect(store.done).toEqual(["kept"]);
    expect(store.uses.map((use) => use.invitee)).toEqual(["newbie@example.org"]);
  });

  it("gives it back on any refusal, e.g. Prosody's 'Failed to write data to disk'", async () => {
    const note = xml("note", { type: "error" }, "Failed to write data to disk");
    const { registrar: r, store } = registrar((iq) =>
      actionOf(iq) === "execute" ? reply(iq, "executing") : reply(iq, "completed", note),
    );
    expect(await r.register(visitor)).toMatchObject({ ok: false, reason: "unavailable" });
    expect(store.done).toEqual(["given back"]);
    expect(store.uses).toEqual([]);
  });

  it("gives it back when execute goes unanswered: complete was never sent", async () => {
    const { registrar: r, store } = registrar(() => undefined);
    expect(await r.register(visitor)).toMatchObject({ ok: false, reason: "unavailable" });
    expect(store.done).toEqual(["given back"]);
  });

  it("settles an unanswered complete by asking whether the account exists", async () => {
    let created = false;
    const { registrar: r, store } = registrar((iq) => {
      if (iq.getChild("query") !== undefined) {
        const item = xml("item", { node: "http://jabber.org/protocol/admin#user-stats" });
        return xml("iq", { type: "result" }, xml("query", {}, item));
      }
      if (actionOf(iq) === "execute") return reply(iq, "executing");
      if (nodeOf(iq).endsWith("#add-user")) {
        created = true; // the server did it, and its answer is lost
        return undefined;
      }
      return created
        ? reply(iq, "completed")
        : reply(iq, "completed", xml("note", { type: "error" }, "User does not exist"));
    });
    expect(await r.register(visitor)).toMatchObject({ ok: false, reason: "unavailable" });
    expect(store.done).toEqual([]);
    await store.settled;
    expect(store.done).toEqual(["kept"]);
    expect(store.uses).toHaveLength(1);
    expect(r.unsettled).toBe(0);
  });
});
