/**
 * docker-compose.yml (and docker-compose.instances.yml), parsed, and what its container commands are on this
 * machine: the healthchecks run in the tests against real servers configured as compose configures them
 * (compose-prosody.test.ts).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, type Tags, YAMLSeq } from "yaml";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface ComposeService {
  build?: string;
  hostname?: string;
  extends?: { file?: string; service: string };
  environment?: Record<string, string>;
  env_file?: unknown;
  healthcheck?: { test: string[] };
  ports?: string[];
  networks?: unknown;
  depends_on?: Record<string, { condition: string }>;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  networks?: unknown;
}

/**
 * Compose's merge tags (Compose 2.24.4+): `!override` replaces a list of the file or service it is merged onto
 * instead of adding to it, `!reset` removes a setting. Read here as the value they carry.
 */
const COMPOSE_TAGS: Tags = [
  { tag: "!override", collection: "seq", nodeClass: YAMLSeq, default: false, resolve: (seq: unknown) => seq },
  { tag: "!reset", default: false, resolve: () => null },
];

/** A compose file of this repository: docker-compose.yml, or an overlay such as docker-compose.instances.yml. */
export function readCompose(file = "docker-compose.yml"): ComposeFile {
  return parse(readFileSync(join(ROOT, file), "utf8"), { customTags: COMPOSE_TAGS }) as ComposeFile;
}

/**
 * Where each image puts the files its healthcheck runs (the COPY lines of its Dockerfile, checked in
 * compose-files.test.ts), as the argv to run here instead.
 */
const ON_THIS_MACHINE: Record<string, (argv: string[]) => string[]> = {
  "/usr/local/lib/xmpp-invite-bot-redis/healthcheck.sh": () => ["sh", join(ROOT, "docker/redis/healthcheck.sh")],
  "/usr/local/bin/prosody-healthcheck": () => ["bash", join(ROOT, "docker/prosody/healthcheck.sh")],
  // The bot's image runs dist/ (tsconfig.build.json: src/ → dist/); here the same file from src/.
  node: (argv) => {
    if (argv[1] !== "dist/healthcheck.js") throw new Error(`unexpected bot healthcheck ${argv.join(" ")}`);
    return [join(ROOT, "node_modules/.bin/tsx"), join(ROOT, "src/healthcheck.ts")];
  },
};

/** The healthcheck of `service` in docker-compose.yml, as a command for this machine. */
export function healthcheckCommand(service: string): string[] {
  const test = readCompose().services[service]?.healthcheck?.test;
  if (test === undefined || test[0] !== "CMD") throw new Error(`${service} has no ["CMD", ...] healthcheck`);
  const argv = test.slice(1);
  const local = ON_THIS_MACHINE[argv[0] ?? ""];
  if (local === undefined)
    throw new Error(`no local equivalent of ${argv.join(" ")}: update test/helpers/compose-file.ts`);
  return local(argv);
}
