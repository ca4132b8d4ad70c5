/**
 * Reading and checking a submitted registration form, before the server is asked. Pure. Missing, repeated or
 * odd fields are treated as mistakes to show, never as a crash.
 */
import { checkUsername, type UsernameProblem, type UsernameRule } from "../invites/username.js";
import type { InviteView } from "./invite-view.js";

/** Passwords are capped for sanity; the username's limits are the username rule's (src/invites/username.ts). */
export const MAX_PASSWORD_LENGTH = 1024;

export interface FormInput {
  readonly username: string;
  readonly password: string;
  readonly passwordAgain: string;
  readonly csrf: string | undefined;
  readonly app: string | undefined;
}

/** Message keys (data/locales) per field. */
export interface FormProblems {
  username?: string;
  password?: string;
  /** The name to register, folded as the server stores it (src/invites/username.ts), when it is allowed. */
  registers?: string;
}

const USERNAME_MESSAGES: Readonly<Record<UsernameProblem, string>> = {
  missing: "error.username_missing",
  "too-long": "error.username_too_long",
  "not-allowed": "error.username_invalid",
  lookalike: "error.username_lookalike",
};

function field(body: unknown, name: string): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === "string" ? value : undefined;
}

export function readForm(body: unknown): FormInput {
  return {
    // Leading and trailing spaces are never part of a name someone meant.
    username: (field(body, "username") ?? "").trim(),
    password: field(body, "password") ?? "",
    passwordAgain: field(body, "password_again") ?? "",
    csrf: field(body, "csrf"),
    app: field(body, "app"),
  };
}

/** The username to register: the invite's own when it is bound to one (a changed field is ignored). */
export function usernameFor(view: InviteView, input: FormInput): string {
  return view.username ?? input.username;
}

/**
 * What is wrong with the form, by the one username rule (folded first, then checked: "victim＠other.host" is
 * refused like any invalid name, before anything is claimed or asked of the server). A reset link's account
 * exists already, so its name is not judged against lookalikes.
 */
export function formProblems(view: InviteView, input: FormInput, rule: UsernameRule = {}): FormProblems {
  const problems: FormProblems = {};
  const checked = checkUsername(usernameFor(view, input), view.kind === "reset" ? {} : rule);
  if (checked.ok) problems.registers = checked.username;
  else problems.username = USERNAME_MESSAGES[checked.problem];
  if (input.password === "") problems.password = "error.password_missing";
  else if (input.password.length > MAX_PASSWORD_LENGTH) problems.password = "error.password_too_long";
  else if (input.password !== input.passwordAgain) problems.password = "error.password_mismatch";
  return problems;
}
