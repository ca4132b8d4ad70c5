/** The Registrar contract for the XEP-0133 AdminRegistrar on ejabberd (the bot as registration hook, issue 12). */
import { afterAll, beforeAll } from "vitest";
import { EjabberdApiContacts } from "../../../src/registration/contacts.js";
import { type AdminRegistrarWorld, adminRegistrarWorld, notAnsweringIn } from "../../helpers/admin-registrar-world.js";
import { type EjabberdServer, startEjabberd } from "../../helpers/ejabberd-server.js";
import { type RedisServer, startRedis } from "../../helpers/redis-server.js";
import { registrarContract } from "../../helpers/registrar-contract.js";

let ejabberd: EjabberdServer;
let redis: RedisServer;
let world: AdminRegistrarWorld;

beforeAll(async () => {
  [ejabberd, redis] = await Promise.all([startEjabberd({ admins: ["bot@localhost"], api: true }), startRedis()]);
  await ejabberd.register("bot", "bot-password");
  world = await adminRegistrarWorld({
    port: ejabberd.port,
    domain: "localhost",
    redisUrl: redis.botUrl,
    contacts: new EjabberdApiContacts(ejabberd.apiUrl, "bot@localhost", "bot-password"),
    addAccount: (name, password) => ejabberd.register(name, password),
  });
});

afterAll(async () => {
  await world?.stop();
  await Promise.allSettled([ejabberd?.stop(), redis?.stop()]);
});

registrarContract("AdminRegistrar (XEP-0133) on ejabberd", () => world.subject, {
  away: [notAnsweringIn(() => world)],
});
