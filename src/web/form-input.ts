/**
 * Reading and checking a submitted registration form, before the server is asked. Pure. Missing, repeated or
 * odd fields are treated as mistakes to show, never as a crash.
 */
import { isValidLocal, normaliseLocal } from "../jid.js";
import type { InviteView } from "./invite-view.js";
import { MAX_PASSWORD_LENGTH, MAX_USERNAME_BYTES } from "./pages/register-form.js";

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
}

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

export function formProblems(view: InviteView, input: FormInput): FormProblems {
  const problems: FormProblems = {};
  const username = usernameFor(view, input);
  if (username === "") problems.username = "error.username_missing";
  else if (Buffer.byteLength(username) > MAX_USERNAME_BYTES) problems.username = "error.username_too_long";
  else if (!isValidLocal(username) || normaliseLocal(username) === "" || /\p{Cc}/u.test(username))
    problems.username = "error.username_invalid";
  if (input.password === "") problems.password = "error.password_missing";
  else if (input.password.length > MAX_PASSWORD_LENGTH) problems.password = "error.password_too_long";
  else if (input.password !== input.passwordAgain) problems.password = "error.password_mismatch";
  return problems;
}
