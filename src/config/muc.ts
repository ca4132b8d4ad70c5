/** MUC_SERVICE: where the bot creates circles' group chats named by a name alone (docs/circles.md). */
import { isValidDomain } from "../jid.js";
import type { Reader } from "./reader.js";

const EXAMPLE = "MUC_SERVICE=conference.example.org";

/** The group chat service's domain, lower case; undefined = found with XEP-0030 (src/rooms/muc-service.ts). */
export function readMucService(reader: Reader, domain: string): string | undefined {
  const value = reader.optional("MUC_SERVICE")?.toLowerCase();
  if (value === undefined) return undefined;
  const problem = value.includes("://")
    ? `MUC_SERVICE is a domain, not a URL: "${value}" (for example ${EXAMPLE})`
    : value.includes("@") || value.includes("/")
      ? `MUC_SERVICE is the group chat service's domain, not a room or an account: "${value}" (for example ${EXAMPLE})`
      : !isValidDomain(value)
        ? `MUC_SERVICE is not a domain name: "${value}" (for example ${EXAMPLE})`
        : value === domain
          ? `MUC_SERVICE is the group chat service (for example ${EXAMPLE}), not XMPP_DOMAIN itself, whose addresses are accounts`
          : undefined;
  if (problem === undefined) return value;
  reader.problems.push(problem);
  return undefined;
}
