/** The Registrar contract for in-band registration with the token (XEP-0401 + XEP-0077) on Prosody with our module. */
import { afterAll, beforeAll } from "vitest";
import { createLogger } from "../../../src/logger.js";
import { InBandRegistrar } from "../../../src/registration/in-band.js";
import type { RedisBackend } from "../../../src/storage/redis-backend.js";
import { xmppNotAnswering } from "../../helpers/backend-away.js";
import { readyRedisBackend } from "../../helpers/contract-backends.js";
import { registrarContract } from "../../helpers/registrar-contract.js";
import { startServers, type TestServers } from "../../helpers/servers.js";
import { TEST_SIGNING_KEY } from "../../helpers/signing.js";
import { startXmppProxy, type XmppProxy } from "../../helpers/xmpp-proxy.js";
import { canLogIn } from "../../helpers/xmpp-user.js";

/** The whole exchange's deadline here (10 s in the app). */
const DEADLINE_MS = 2_000;
const log = createLogger("silent");
let servers: TestServers;
let proxy: XmppProxy;
let backend: RedisBackend;
let registrar: InBandRegistrar;

beforeAll(async () => {
  servers = await startServers({}, { inviteModule: true });
  proxy = await startXmppProxy(servers.prosody.port);
  backend = await readyRedisBackend(servers.redisUrl, "localhost", 1_000);
  // The registrar reaches Prosody through the proxy, which can stop its answers; the tests' own logins go direct.
  registrar = new InBandRegistrar({
    service: proxy.service,
    domain: "localhost",
    timeoutMs: DEADLINE_MS,
    signingKey: TEST_SIGNING_KEY,
    log,
  });
});

afterAll(async () => {
  await backend?.stop();
  await proxy?.stop();
  await servers?.stop();
});

registrarContract(
  "InBandRegistrar on Prosody with our module",
  () => ({
    registrar,
    domain: "localhost",
    save: (invite) => backend.invites.save(invite),
    addAccount: (name, password) => servers.prosody.register(name, "localhost", password),
    canLogIn: (name, password) => canLogIn(servers.service, `${name}@localhost`, password),
  }),
  { away: [xmppNotAnswering(() => proxy, /<stream:stream/u, DEADLINE_MS)] },
);
