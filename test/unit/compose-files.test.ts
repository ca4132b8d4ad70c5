/**
 * What docker-compose's files promise, read as text (no Docker engine runs here; the Prosody entrypoint and
 * config themselves run in test/integration/compose-prosody.test.ts, the stack in `npm run test:compose`).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ROOT, readCompose } from "../helpers/compose-file.js";

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

  it("pin no network or address, which would collide with another network, a second stack or a second bot", () => {
    for (const file of ["docker-compose.yml", "docker-compose.instances.yml"]) {
      const compose = readCompose(file);
      expect(compose.networks, file).toBeUndefined();
      for (const service of Object.values(compose.services)) expect(service.networks, file).toBeUndefined();
      expect(read(file), file).not.toMatch(/ipv[46]_address/u);
    }
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

/** docker/prosody/prosody.cfg.lua run by Lua, as Prosody loads it: the `invites_bot_jid` it sets for `env`. */
function botJidOfProsodyConfig(env: Record<string, string>): string {
  const script = `VirtualHost = function() end; dofile(os.getenv("CONFIG")); io.write(tostring(invites_bot_jid))`;
  return execFileSync("lua5.4", ["-e", script], {
    env: {
      PATH: process.env.PATH ?? "",
      CONFIG: `${ROOT}docker/prosody/prosody.cfg.lua`,
      XMPP_DOMAIN: "chat.example.org",
      REDIS_PROSODY_PASSWORD: "x",
      ...env,
    },
    encoding: "utf8",
  });
}

describe("two bot instances (docker-compose.instances.yml)", () => {
  const { services } = readCompose();
  const overlay = readCompose("docker-compose.instances.yml").services;

  it("leave the bot's resource unset, so each container has its own from its host name", () => {
    expect(services.bot?.environment?.XMPP_RESOURCE).toBe(["$", "{XMPP_RESOURCE:-}"].join(""));
    expect(services.prosody?.environment?.XMPP_RESOURCE).toBe(services.bot?.environment?.XMPP_RESOURCE);
    expect(services.bot?.hostname).toBe("bot");
  });

  it("give Prosody the bot's bare JID, or its full JID when .env sets XMPP_RESOURCE", () => {
    expect(botJidOfProsodyConfig({})).toBe("invites@chat.example.org");
    expect(botJidOfProsodyConfig({ XMPP_RESOURCE: "" })).toBe("invites@chat.example.org");
    expect(botJidOfProsodyConfig({ XMPP_USERNAME: "bot", XMPP_RESOURCE: "invites" })).toBe(
      "bot@chat.example.org/invites",
    );
  });

  it("add a second bot with every setting of the first but its host name and its port on the host", () => {
    expect(Object.keys(overlay)).toEqual(["bot-2"]);
    const second = overlay["bot-2"];
    expect(second?.extends).toEqual({ file: "docker-compose.yml", service: "bot" });
    expect(Object.keys(second ?? {}).sort()).toEqual(["extends", "hostname", "ports"]);
    expect(second?.hostname).not.toBe(services.bot?.hostname);
    // Replaced, not added to the first bot's (Compose merges lists of an extended service).
    expect(read("docker-compose.instances.yml")).toMatch(/^ {4}ports: !override$/mu);
  });

  it("publish each bot's web port on the host's loopback, each on a port of its own", () => {
    const published = [services.bot?.ports, overlay["bot-2"]?.ports].map((ports) => {
      expect(ports).toHaveLength(1);
      const match = /^127\.0\.0\.1:\$\{(\w+):-(\d+)\}:8080$/u.exec(ports?.[0] ?? "");
      expect(match, ports?.[0]).not.toBeNull();
      return { variable: match?.[1], port: match?.[2] };
    });
    expect(published).toEqual([
      { variable: "WEB_PORT", port: "8080" },
      { variable: "WEB_PORT_2", port: "8081" },
    ]);
    const example = read(".env.example");
    expect(example).toContain("#WEB_PORT=8080");
    expect(example).toContain("#WEB_PORT_2=8081");
  });

  it("are described in the README and docs/instances.md", () => {
    const readme = read("README.md");
    expect(readme).toContain("### Two bot instances");
    expect(readme).toContain("docker-compose.instances.yml");
    expect(read("docs/instances.md")).toContain("docker-compose.instances.yml");
  });
});
