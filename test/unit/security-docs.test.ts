/** docs/security.md, the compose file and .env.example say what the ACL rules and the code actually are. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readCompose } from "../helpers/compose-file.js";

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

describe("the Redis ACL users", () => {
  const rules = read("docker/redis/acl-rules.conf")
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.startsWith("#"));

  it("are the two users, each with its own key patterns and no blanket permission", () => {
    expect(rules.map((line) => line.split(" ")[0])).toEqual(["xmpp-invite-bot", "prosody"]);
    for (const line of rules) {
      expect(line).toContain("-@all");
      expect(line).not.toMatch(/\+@all|~\*(\s|$)|allkeys|allcommands|\+flushall|\+config|\+keys\b/u);
    }
  });

  it("are printed in docs/security.md exactly as the ACL file has them", () => {
    const docs = read("docs/security.md");
    for (const line of rules) expect(docs).toContain(line);
  });

  it("are what docker-compose.yml gives Redis, Prosody and the bot, each only its own password", () => {
    const { services } = readCompose();
    expect(services.redis?.build).toBe("./docker/redis");
    expect(read("docker/redis/entrypoint.sh")).toContain('"$here/write-acl.sh" /data/users.acl');
    expect(read("docker/redis/entrypoint.sh")).toContain("--aclfile /data/users.acl");
    // Compose's own ${...} interpolation, not a template string.
    expect(services.bot?.environment?.REDIS_URL).toBe(
      ["redis://xmpp-invite-bot:$", "{REDIS_BOT_PASSWORD:?set REDIS_BOT_PASSWORD in .env}@redis:6379"].join(""),
    );
    expect(Object.keys(services.bot?.environment ?? {})).not.toContain("REDIS_PROSODY_PASSWORD");
    expect(Object.keys(services.prosody?.environment ?? {})).not.toContain("REDIS_BOT_PASSWORD");
    expect(services.bot?.env_file).toBeUndefined();
    expect(read("docker/prosody/prosody.cfg.lua")).toContain('"redis://prosody:" .. redis_password');
  });

  it("leave the default user off and without a password, but with the rights an append-only file replay needs", () => {
    // Redis replays its append-only file as the default user and refuses every MULTI/EXEC in it that the
    // user may not run (test/integration/redis-restart.test.ts shows the invites surviving a restart).
    expect(read("docker/redis/write-acl.sh")).toContain('echo "user default off ~* &* +@all"');
    expect(read("docs/security.md")).toContain("user default off ~* &* +@all");
  });
});

describe(".env.example", () => {
  it("names every secret the layout needs", () => {
    const example = read(".env.example");
    for (const name of [
      "INVITE_SIGNING_KEY=",
      "#INVITE_SIGNING_KEYS_OLD=",
      "REDIS_BOT_PASSWORD=",
      "REDIS_PROSODY_PASSWORD=",
    ]) {
      expect(example).toContain(name);
    }
  });
});
