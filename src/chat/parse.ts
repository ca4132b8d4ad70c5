/**
 * Chat text as a keyword: trimmed, case-insensitive, runs of white space
 * collapsed, so "  Invite   ACCOUNT " reads as "invite account".
 */
export function normaliseChatText(body: string): string {
  return body.trim().replace(/\s+/gu, " ").toLowerCase();
}
