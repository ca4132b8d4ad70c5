/** The Registrar contract for the XEP-0133 AdminRegistrar on Prosody without our module (mod_admin_adhoc). */
import { afterAll, beforeAll } from "vitest";
import { createLogger } from "../../../src/logger.js";
import { ClientSideContacts } from "../../../src/registration/contacts.js";
import { type AdminRegistrarWorld, adminRegistrarWorld, notAnsweringIn } from "../../helpers/admin-registrar-world.js";
import { registrarContract } from "../../helpers/registrar-contract.js";
import { startServers, type TestServers } from "../../helpers/servers.js";

let servers: TestServers;
let world: AdminRegistrarWorld;

beforeAll(async () => {
  servers = await startServers({ extraModules: ["admin_adhoc"], extraConfig: 'admins = { "bot@localhost" }' });
  await servers.prosody.register("bot", "localhost", "bot-password");
  world = await adminRegistrarWorld({
    port: servers.prosody.port,
    domain: "localhost",
    redisUrl: servers.redisUrl,
    // No HTTP API: the new account asks the inviter, who is told in chat (not here).
    contacts: new ClientSideContacts(servers.service, async () => {}, createLogger("silent")),
    addAccount: (name, password) => servers.prosody.register(name, "localhost", password),
  });
});

afterAll(async () => {
  await world?.stop();
  await servers?.stop();
});

registrarContract("AdminRegistrar (XEP-0133) on Prosody without our module", () => world.subject, {
  away: [notAnsweringIn(() => world)],
});
