/**
 * The web's edge of the error catalogue (src/errors.ts): a code becomes its HTTP status and what the page says,
 * either a message page of its own or the registration form again with the message at its field. Pure.
 */
import { describeError, type ErrorCode, type ErrorParams, type FormField } from "../errors.js";
import type { PageContext } from "./page-context.js";
import type { Message } from "./pages/message-page.js";
import type { FormState } from "./pages/register-form.js";

/** A code shown on a page of its own: its status and message (`retryAfterSeconds` for the too-many page). */
export function errorMessage(code: ErrorCode, retryAfterSeconds = 0): { status: number; message: Message } {
  const { status, page } = describeError(code).http;
  if (!("message" in page)) throw new Error(`${code} is shown on the registration form, not on a page of its own`);
  switch (page.message) {
    case "too-many":
      return { status, message: { kind: "too-many", retryAfterSeconds } };
    case "error":
      return { status, message: { kind: "error", status } };
    default:
      return { status, message: { kind: page.message } };
  }
}

export interface FormRefusal {
  readonly status: number;
  readonly errors: FormState["errors"];
}

/**
 * A code shown on the registration form: its status and the form's errors, in the visitor's language. `details`
 * fills in the message (the bound username, the server's reason); `problems` are the message keys per field of a
 * code shown at `each` field (src/web/form-input.ts).
 */
export function formRefusal(
  ctx: PageContext,
  code: ErrorCode,
  details: Pick<ErrorParams, "username" | "reason"> = {},
  problems: Partial<Record<FormField, string>> = {},
): FormRefusal {
  const { status, page } = describeError(code).http;
  if ("message" in page) throw new Error(`${code} is shown on a page of its own, not on the registration form`);
  if (page.form === "each") {
    const errors: Partial<Record<FormField, string>> = {};
    for (const [field, key] of Object.entries(problems) as [FormField, string | undefined][]) {
      if (key !== undefined) errors[field] = ctx.t(key);
    }
    return { status, errors };
  }
  const { username, reason } = details;
  const key = reason !== undefined && page.keyWithReason !== undefined ? page.keyWithReason : page.key;
  const values = {
    ...page.values,
    ...(username === undefined ? {} : { username }),
    ...(reason === undefined ? {} : { reason }),
  };
  return { status, errors: { [page.form]: ctx.t(key, values) } };
}
