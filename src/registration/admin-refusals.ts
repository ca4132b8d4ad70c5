/** What a server's refusal of a XEP-0133 command means to a registration (both answer styles, admin-commands.ts). */
import type { Logger } from "../logger.js";
import type { AdminAnswer } from "./admin-commands.js";
import type { RegistrationFailure, RegistrationResult } from "./registrar.js";

/** What a server's refusal means (both XEP-0133 answer styles). */
export function adminFailureOf(answer: Exclude<AdminAnswer, { ok: true }>): RegistrationFailure {
  const text = answer.text ?? "";
  if (answer.condition === "conflict" || (answer.condition === "note" && /exist|already|taken|in use/iu.test(text))) {
    return "username-taken";
  }
  if (["jid-malformed", "not-acceptable", "bad-request"].includes(answer.condition)) return "username-invalid";
  if (answer.condition === "note" && /invalid|jid|username/iu.test(text)) return "username-invalid";
  if (answer.condition === "note" && /password/iu.test(text)) return "password-refused";
  return "unavailable";
}

/** The refusal as the registration's result (with the server's words for a refused password), logged. */
export function refusedRegistration(answer: Exclude<AdminAnswer, { ok: true }>, log: Logger): RegistrationResult {
  const reason = adminFailureOf(answer);
  log.info("The server refused the account", { condition: answer.condition, text: answer.text, reason });
  if (answer.condition === "forbidden" || answer.condition === "not-authorized") {
    log.error("The server does not let the bot run XEP-0133 admin commands: make its account a server admin", {
      text: answer.text,
    });
  }
  return {
    ok: false,
    reason,
    ...(answer.text === undefined || reason !== "password-refused" ? {} : { serverText: answer.text }),
  };
}
