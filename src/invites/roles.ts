/**
 * Roles on join (Prosody 13's `additional_data.roles`, docs/circles.md): the role a new account gets. Prosody 13
 * has these built in; Prosody 0.12 has no roles, and the bot sets none where our module does not say it can.
 */

/** Prosody 13's built-in roles an invite may give, the default first. */
export const JOIN_ROLES = ["prosody:registered", "prosody:guest", "prosody:member", "prosody:admin"] as const;
export type JoinRole = (typeof JOIN_ROLES)[number];

/** How the roles read in forms and chat (Snikket's words for the first two). */
export const ROLE_LABELS: Readonly<Record<JoinRole, string>> = {
  "prosody:registered": "Normal",
  "prosody:guest": "Limited",
  "prosody:member": "Member",
  "prosody:admin": "Administrator",
};

/** Words a person may type for a role in chat (`invite account as guest`). */
export const ROLE_WORDS: Readonly<Record<string, JoinRole>> = {
  normal: "prosody:registered",
  registered: "prosody:registered",
  limited: "prosody:guest",
  guest: "prosody:guest",
  member: "prosody:member",
  admin: "prosody:admin",
  administrator: "prosody:admin",
};

export function isJoinRole(text: string): text is JoinRole {
  return (JOIN_ROLES as readonly string[]).includes(text);
}

/** Whether the server sets the role an invite names when the account is made (our module on Prosody 13). */
export interface RoleSupport {
  rolesOnJoin(): boolean;
}
