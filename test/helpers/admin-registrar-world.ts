/**
 * The XEP-0133 AdminRegistrar (src/registration/as-admin.ts) as the app builds it, for the Registrar contract on a
 * server without a registration hook of ours: the bot's own session (through an XMPP proxy, to make the server
 * stop answering), its claims in a private Redis, and the server's way of making contacts.
 */
import { createLogger } from "../../src/logger.js";
import { AdminRegistrar } from "../../src/registration/as-admin.js";
import type { ContactMaker } from "../../src/registration/contacts.js";
import { iqRequestOver } from "../../src/registration/ways.js";
import type { RedisBackend } from "../../src/storage/redis-backend.js";
import { type BackendAway, xmppNotAnswering } from "./backend-away.js";
import { readyRedisBackend } from "./contract-backends.js";
import type { RegistrarSubject } from "./registrar-contract.js";
import { startXmppProxy, type XmppProxy } from "./xmpp-proxy.js";
import { canLogIn, connectUser, type TestUser } from "./xmpp-user.js";

/** Each XEP-0133 exchange's deadline here (10 s in the app): what "not answering" takes to be told. */
export const ADMIN_DEADLINE_MS = 2_000;

export interface AdminRegistrarWorld {
  subject: RegistrarSubject;
  /** The bot's session stops getting answers to add-user and change-user-password. */
  away: BackendAway;
  stop(): Promise<void>;
}

/** The world's "not answering", for a contract defined before the world starts (in beforeAll). */
export function notAnsweringIn(world: () => AdminRegistrarWorld): BackendAway {
  return {
    name: "the XMPP server not answering",
    failsWithinMs: ADMIN_DEADLINE_MS + 1_000,
    enter: () => world().away.enter(),
    leave: async () => world()?.away.leave(),
  };
}

export async function adminRegistrarWorld(options: {
  /** The server's c2s port; bot@DOMAIN is one of its admins, with password "bot-password". */
  port: number;
  domain: string;
  redisUrl: string;
  contacts: ContactMaker;
  addAccount(name: string, password: string): Promise<void>;
}): Promise<AdminRegistrarWorld> {
  const { port, domain, redisUrl } = options;
  const direct = `xmpp://127.0.0.1:${port}`;
  const log = createLogger("silent");
  let backend: RedisBackend | undefined;
  let proxy: XmppProxy | undefined;
  let bot: TestUser | undefined;
  const stop = async () => {
    await bot?.stop();
    await proxy?.stop();
    await backend?.stop();
  };
  try {
    backend = await readyRedisBackend(redisUrl, domain, 1_000);
    const { invites, claims } = backend;
    proxy = await startXmppProxy(port);
    bot = await connectUser({ service: proxy.service, domain, username: "bot", password: "bot-password" });
    const registrar = new AdminRegistrar({
      domain,
      claims,
      request: iqRequestOver(bot.xmpp),
      contacts: options.contacts,
      log,
      timeoutMs: ADMIN_DEADLINE_MS,
    });
    const held = proxy;
    return {
      subject: {
        registrar,
        domain,
        save: (invite) => invites.save(invite),
        addAccount: options.addAccount,
        canLogIn: (name, password) => canLogIn(direct, `${name}@${domain}`, password),
      },
      away: xmppNotAnswering(() => held, /#(add-user|change-user-password)"/u, ADMIN_DEADLINE_MS),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
