/**
 * INVITE_ROLE_POLICY (README, "Users' invites"): the policy per Prosody 13 role, e.g.
 *   INVITE_ROLE_POLICY=prosody:member=quota:50,pending:20,age:0; prosody:guest=default
 * `ROLE=none` refuses the role invites, `ROLE=default` holds it to the default limits, and `ROLE=key:value,…` to the
 * default limits with these in their place. Guests may not invite unless the variable names prosody:guest.
 */
import type { RoleLimits, RolePolicy } from "../invites/role-policy.js";
import type { Reader } from "./reader.js";

const MAX_SECONDS = 366 * 86_400;

/** Each key of a role's limits: its field, and its range (as the default's variable takes it). */
const KEYS: Readonly<Record<string, { field: keyof RoleLimits; min: number; max: number }>> = {
  quota: { field: "quota", min: 1, max: 100_000 },
  period: { field: "quotaPeriodSeconds", min: 60, max: MAX_SECONDS },
  pending: { field: "maxPending", min: 1, max: 100_000 },
  ttl: { field: "userMaxTtlSeconds", min: 60, max: MAX_SECONDS },
  uses: { field: "userMaxUses", min: 1, max: 100 },
  age: { field: "minAccountAgeSeconds", min: 0, max: MAX_SECONDS },
  tree: { field: "treeMax", min: 1, max: 1_000_000 },
  pace: { field: "chainPaceSeconds", min: 0, max: MAX_SECONDS },
};

/** Prosody's limited accounts (Snikket's "Limited") may not invite anyone, as Prosody 13's own permissions have it. */
export const DEFAULT_ROLE_POLICIES: ReadonlyMap<string, RolePolicy> = new Map([["prosody:guest", { invites: false }]]);

export function readRolePolicies(reader: Reader): ReadonlyMap<string, RolePolicy> {
  const policies = new Map(DEFAULT_ROLE_POLICIES);
  const text = reader.optional("INVITE_ROLE_POLICY");
  if (text === undefined) return policies;
  for (const entry of text.split(";").map((each) => each.trim())) {
    if (entry === "") continue;
    const at = entry.indexOf("=");
    const role = entry.slice(0, at).trim();
    const rules = entry.slice(at + 1).trim();
    if (at <= 0 || rules === "") {
      reader.problems.push(`INVITE_ROLE_POLICY: "${entry}" is not ROLE=none, ROLE=default or ROLE=key:value,…`);
      continue;
    }
    const policy = policyOf(reader, role, rules);
    if (policy !== undefined) policies.set(role, policy);
  }
  return policies;
}

function policyOf(reader: Reader, role: string, rules: string): RolePolicy | undefined {
  if (rules === "none") return { invites: false };
  if (rules === "default") return { invites: true, limits: {} };
  const limits: Record<string, number> = {};
  for (const pair of rules.split(",").map((each) => each.trim())) {
    const [key = "", value = ""] = pair.split(":").map((each) => each.trim());
    const known = KEYS[key];
    const number = /^\d+$/u.test(value) ? Number(value) : Number.NaN;
    if (known === undefined) {
      reader.problems.push(
        `INVITE_ROLE_POLICY: ${role} has "${pair}"; each limit is one of ${Object.keys(KEYS).join(", ")}, as key:number`,
      );
      return undefined;
    }
    if (!(number >= known.min && number <= known.max)) {
      reader.problems.push(
        `INVITE_ROLE_POLICY: ${role}'s ${key} must be from ${known.min} to ${known.max}, got "${value}"`,
      );
      return undefined;
    }
    limits[known.field] = number;
  }
  return { invites: true, limits: limits as RoleLimits };
}
