/**
 * The module's Redis URL may name the host instead of giving its address, on the event loop's connection
 * (a name is resolved asynchronously, without blocking Prosody) as on prosodyctl's (docs/prosody.md).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inviteFromProsodyctl } from "../helpers/ibr-client.js";
import { uniqueName } from "../helpers/names.js";
import { commandLineInviteArgs } from "../helpers/prosody-server.js";
import { recordWith, writeRawRecord } from "../helpers/raw-records.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";

let world: Scenario;

beforeAll(async () => {
  world = await startScenario({ inviteModule: true, prosodyRedisHost: "localhost" });
});

afterAll(async () => {
  await world?.stop();
});

describe("invites_redis_url with host localhost", () => {
  it("registers with an invite (Redis over the event loop) and makes invites with prosodyctl", async () => {
    const token = await writeRawRecord(world.redis, recordWith());
    const attempt = await world.registerWithInvite(token, uniqueName("local"));
    expect(attempt.preauth.attrs.type).toBe("result");
    expect(attempt.register.attrs.type).toBe("result");

    const output = await world.servers.prosody.prosodyctl(...commandLineInviteArgs("localhost"));
    const made = await world.registerWithInvite(inviteFromProsodyctl(output).token, uniqueName("cli"));
    expect(made.register.attrs.type).toBe("result");
  });
});
