import { describe, expect, it } from "vitest";
import type { EjabberdApiCall } from "../../../src/registration/ejabberd-api.js";
import { ejabberdBanControl } from "../../../src/registration/ejabberd-ban.js";
import { FakeAccounts } from "../../helpers/fake-accounts.js";

/** ejabberd's API as a map of command → answer; every call kept. */
function fakeApi(answers: Record<string, Response | Error>) {
  const calls: { command: string; args: object }[] = [];
  const call: EjabberdApiCall = async (command, args) => {
    calls.push({ command, args });
    const answer = answers[command] ?? new Response("unknown command", { status: 404 });
    if (answer instanceof Error) throw answer;
    return answer.clone();
  };
  return { call, calls };
}

describe("ejabberd's ban through its HTTP API", () => {
  it("bans with ban_account, its reason kept, and unbans with unban_account", async () => {
    const { call, calls } = fakeApi({ ban_account: new Response("0"), unban_account: new Response("0") });
    const control = ejabberdBanControl(call, new FakeAccounts());
    expect(await control.support()).toEqual({ way: "ban", enable: true });
    expect(await control.block("bob@example.org", "ban")).toEqual({ ok: true });
    expect(await control.enable("bob@example.org")).toEqual({ ok: true });
    expect(calls).toEqual([
      {
        command: "ban_account",
        args: {
          user: "bob",
          host: "example.org",
          reason: "Stopped by an administrator through the invite bot (its invite tree)",
        },
      },
      { command: "unban_account", args: { user: "bob", host: "example.org" } },
    ]);
  });

  it("says what ejabberd refused, and what to do: allow it, or reopen with a reset link before 24.06", async () => {
    const { call } = fakeApi({
      ban_account: new Response('{"status":"error","message":"not allowed"}', { status: 403 }),
    });
    const control = ejabberdBanControl(call, new FakeAccounts());
    expect(await control.block("bob@example.org", "ban")).toEqual({
      ok: false,
      why: `ejabberd's API refused ban_account (HTTP 403: {"status":"error","message":"not allowed"}); the bot needs it in api_permissions`,
    });
    expect(await control.enable("bob@example.org")).toEqual({
      ok: false,
      why: "ejabberd's API refused unban_account (HTTP 404: unknown command); ejabberd 24.06 and later have it; on an older one a password reset link (reset user@domain) reopens the account",
    });
  });

  it("counts no answer as that account's failure, and leaves deleting to XEP-0133", async () => {
    const { call } = fakeApi({ ban_account: new Error("The operation was aborted due to timeout") });
    const xep0133 = new FakeAccounts();
    const control = ejabberdBanControl(call, xep0133);
    expect(await control.block("bob@example.org", "ban")).toEqual({
      ok: false,
      why: "ejabberd's API did not answer ban_account: The operation was aborted due to timeout",
    });
    expect(await control.remove("carol@example.org")).toEqual({ ok: true });
    expect(xep0133.calls).toEqual(["remove carol@example.org"]);
  });
});
