/** createApp (src/app.ts) on a storage backend other than Redis: built without I/O, the service on its ports. */
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { inviteId } from "../../src/invites/pending.js";
import { actorFor } from "../../src/invites/permissions.js";
import { createLogger } from "../../src/logger.js";
import { MemoryInviteStore, memoryBackend } from "../../src/storage/memory-store.js";
import { TEST_SIGNING_KEY } from "../helpers/signing.js";

const config = loadConfig({
  XMPP_DOMAIN: "example.org",
  XMPP_USERNAME: "invites",
  XMPP_PASSWORD: "secret",
  INVITE_SIGNING_KEY: TEST_SIGNING_KEY,
  ADMIN_JIDS: "admin@example.org",
});

describe("createApp with the memory backend", () => {
  it("keeps the invites the service creates in the backend's store", async () => {
    const store = new MemoryInviteStore();
    const storage = memoryBackend(store);
    const app = createApp(config, { storage, log: createLogger("silent") });
    expect(app.storage).toBe(storage);
    const admin = actorFor("admin@example.org", app.service.policy);
    const { invite } = await app.service.createAccountInvite(admin, "admin@example.org/desk");
    expect((await store.findByToken(invite.token))?.record.jid).toBe("example.org");
    expect(await app.store.findByToken(invite.token)).toEqual(await store.findByToken(invite.token));
  });

  it("hands out the events of its parts on app.events, from before start()", async () => {
    const app = createApp(config, { storage: memoryBackend(new MemoryInviteStore()), log: createLogger("silent") });
    const seen: string[] = [];
    app.events.onEach(({ name, detail }) => seen.push(`${name} ${JSON.stringify(detail)}`));
    const admin = actorFor("admin@example.org", app.service.policy);
    const { invite } = await app.service.createAccountInvite(admin, "admin@example.org/desk");
    expect(seen).toEqual([
      `invite-created ${JSON.stringify({ id: inviteId(invite.token), kind: "account", type: "register", by: "admin@example.org" })}`,
    ]);
  });
});
