/** docs/security.md, the compose file and .env.example say what the ACL rules and the code actually are. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

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

  it("are what docker-compose.yml gives Redis, Prosody and the bot", () => {
    const compose = read("docker-compose.yml");
    expect(compose).toContain("/acl/write-acl.sh /data/users.acl");
    // Compose's own ${...} interpolation, not a template string.
    expect(compose).toContain(["redis://xmpp-invite-bot:$", "{REDIS_BOT_PASSWORD}@redis:6379"].join(""));
    expect(read("docker/prosody/prosody.cfg.lua")).toContain('"redis://prosody:" .. redis_password');
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
