/** TRUST_PROXY (docs/web.md, "Behind a reverse proxy"): whom the web server believes about a visitor's address. */
import { isIP } from "node:net";
import { FALSE_WORDS, type Reader, TRUE_WORDS } from "./reader.js";
import type { TrustProxy } from "./types.js";

/** More proxies than this in a row is a mistake, not a setup. */
const MAX_PROXY_HOPS = 10;

/** An IP address, or a CIDR range of them (`10.0.0.0/8`, `fd00::/8`), as proxy-addr reads them. */
function isAddressOrRange(entry: string): boolean {
  const [address = "", prefix, ...rest] = entry.split("/");
  const family = isIP(address);
  if (family === 0 || address.includes("%") || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/u.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

export function readTrustProxy(reader: Reader): TrustProxy {
  const value = reader.optional("TRUST_PROXY");
  if (value === undefined || FALSE_WORDS.includes(value.toLowerCase())) return false;
  // `true` is one proxy, the setup of every example in docs/web.md: never the client's own left-most entry.
  if (TRUE_WORDS.includes(value.toLowerCase())) return 1;
  if (/^\d+$/u.test(value)) {
    const hops = Number(value);
    if (hops <= MAX_PROXY_HOPS) return hops;
  } else {
    const entries = value.split(",").map((entry) => entry.trim());
    if (entries.every(isAddressOrRange)) return entries;
  }
  reader.problems.push(
    `TRUST_PROXY must be false, the number of proxies in front (1 to ${MAX_PROXY_HOPS}; true = 1), or their ` +
      `addresses (for example TRUST_PROXY=127.0.0.1 or TRUST_PROXY=10.0.0.0/8,fd00::/8), got "${value}"`,
  );
  return false;
}
