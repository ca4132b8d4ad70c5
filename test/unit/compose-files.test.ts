/**
 * What docker-compose's files promise, read as text (no Docker engine runs here; the Prosody entrypoint and
 * config themselves run in test/integration/compose-prosody.test.ts).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readCompose } from "../helpers/compose-file.js";

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

describe("self-hosting files", () => {
  it("keep certificates and private CAs out of git and out of the bot's image", () => {
    const ignored = read(".gitignore").split("\n");
    expect(ignored).toEqual(expect.arrayContaining(["certs/", "ca/", ".private-ca/", ".env"]));
    expect(read(".dockerignore").split("\n")).toEqual(expect.arrayContaining(["certs", "ca", ".private-ca", ".env"]));
  });

  it("give the bot its private CA read-only, and Prosody the certificates (Let's Encrypt's whole directory too)", () => {
    const compose = read("docker-compose.yml");
    expect(compose).toContain("- ./ca:/ca:ro");
    expect(compose).toContain(["- $", "{CERTS:-./certs}:/certs:ro"].join(""));
    expect(read(".env.example")).toContain("#NODE_EXTRA_CA_CERTS=/ca/ca.pem");
  });

  it("pass register-bot-account the bot's name and password from .env, not through a shell", () => {
    const compose = read("docker-compose.yml");
    expect(compose).toContain(["XMPP_PASSWORD: $", "{XMPP_PASSWORD:?set XMPP_PASSWORD in .env}"].join(""));
    expect(read("docker/prosody/Dockerfile")).toContain("/usr/local/bin/register-bot-account");
    const readme = read("README.md");
    expect(readme).toContain("docker compose exec -T prosody register-bot-account");
    expect(readme).toContain("docker compose exec prosody prosodyctl adduser admin@chat.example.org");
    expect(readme).not.toMatch(/set -a; \. \.\/\.env/u);
  });

  it("install the public CAs for federation in the Prosody image", () => {
    expect(read("docker/prosody/Dockerfile")).toMatch(/apt-get install -y prosody ca-certificates/u);
  });

  it("run the current Node.js LTS in the image, say which versions are supported, and test Debian 13's in CI", () => {
    const dockerfile = read("Dockerfile");
    expect(dockerfile.match(/^FROM node:(\d+)-/gmu)).toEqual(["FROM node:24-", "FROM node:24-"]);
    const engines = (JSON.parse(read("package.json")) as { engines: { node: string } }).engines.node;
    expect(engines).toBe("^20.19 || ^22.12 || >=24");
    expect(read(".ci/run")).toContain("NODE_LTS=24");
    expect(read(".ci/run")).toContain("NODE_DEBIAN13=20.19.2");
  });

  it("pass the bot each setting of the README's table, and nothing else from .env", () => {
    const documented = [...read("README.md").matchAll(/^\| `([A-Z0-9_]+)` /gmu)].map((match) => match[1]);
    expect(documented).toContain("XMPP_DOMAIN");
    const given = Object.keys(readCompose().services.bot?.environment ?? {});
    const inImage = [...read("Dockerfile").matchAll(/^ENV ([A-Z0-9_]+)=/gmu)].map((match) => match[1]);
    for (const name of documented) expect([...given, ...inImage], name).toContain(name);
    for (const name of given) expect([...documented, "NODE_EXTRA_CA_CERTS"], name).toContain(name);
  });

  it("pin no network or address, which would collide with another network or a second stack", () => {
    const compose = readCompose();
    expect(compose.networks).toBeUndefined();
    for (const service of Object.values(compose.services)) expect(service.networks).toBeUndefined();
    expect(read("docker/prosody/prosody.cfg.lua")).not.toMatch(/^invites_redis_checks_exempt/mu);
  });

  it("give every service a healthcheck, copied into its image, and start each after what it needs is healthy", () => {
    const { services } = readCompose();
    for (const [name, service] of Object.entries(services)) expect(service.healthcheck?.test[0], name).toBe("CMD");
    expect(read("docker/redis/Dockerfile")).toMatch(
      /^COPY .*healthcheck\.sh \/usr\/local\/lib\/xmpp-invite-bot-redis\/$/mu,
    );
    expect(read("docker/prosody/Dockerfile")).toContain("COPY healthcheck.sh /usr/local/bin/prosody-healthcheck");
    expect(read("Dockerfile")).toContain("ENV HEALTH_FILE=");
    expect(services.prosody?.depends_on).toEqual({ redis: { condition: "service_healthy" } });
    expect(services.bot?.depends_on).toEqual({
      prosody: { condition: "service_healthy" },
      redis: { condition: "service_healthy" },
    });
  });
});
