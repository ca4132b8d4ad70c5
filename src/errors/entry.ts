/**
 * The columns of the error catalogue (src/errors.ts): what each edge makes of one code. Every code fills every
 * column, so an edge never has a vocabulary of its own (test/unit/errors.test.ts).
 */

export type StanzaErrorType = "auth" | "cancel" | "continue" | "modify" | "wait";

export interface ErrorParams {
  readonly host: string;
  /**
   * For the refusals of the users' invite policy (quota-exceeded, pending-invites-exceeded, account-too-new,
   * invite-tree-full, invite-chain-too-fast): when the next invite is possible, in words; none for a full tree that
   * waiting does not free.
   */
  readonly retryAt?: string;
  /**
   * For quota-exceeded: its rolling period, in words ("24 hours"); for account-too-new: the age an account needs; for
   * invite-chain-too-fast: the chain's pace.
   */
  readonly period?: string;
  /** For pending-invites-exceeded: how many may be pending at once; for invite-tree-full: the tree's budget. */
  readonly limit?: string;
  /** For store-unavailable: what did not happen ("no invite was created"); the default says nothing changed. */
  readonly notDone?: string;
  /** For username-not-allowed: why, in words (src/invites/username.ts); for password-refused: the server's words. */
  readonly reason?: string;
  /** For wrong-username: the only username the invite registers. */
  readonly username?: string;
  /** For the circle codes: the circle as the requester named it; for role-may-not-invite: the role, in words. */
  readonly name?: string;
}

/** The message pages (src/web/pages/message-page.ts) a code can be shown on. */
export type ErrorMessageKind = "invalid" | "not-found" | "too-many" | "unavailable" | "error";

/** Where the registration form (src/web/pages/register-form.ts) shows a message. */
export type FormField = "username" | "password" | "form";

/** What the web shows for a code. */
export type ErrorPage =
  /** A page that only says this: one of the message pages. */
  | { readonly message: ErrorMessageKind }
  /**
   * The registration form again, with the message `key` (data/locales) at `field`, filled in with `values` and the
   * params; `keyWithReason` instead when there is a reason in words.
   */
  | {
      readonly form: FormField;
      readonly key: string;
      readonly keyWithReason?: string;
      readonly values?: Readonly<Record<string, string>>;
    }
  /** The registration form again, each field with its own problem (src/web/form-input.ts). */
  | { readonly form: "each" };

export interface ErrorEntry {
  readonly stanza: { readonly type: StanzaErrorType; readonly condition: string };
  /** Text for the stanza error and the log. */
  readonly text: (params: ErrorParams) => string;
  /** What a person reads in chat. */
  readonly chat: (params: ErrorParams) => string;
  /** The HTTP status the web answers with, and the page it shows. */
  readonly http: { readonly status: number; readonly page: ErrorPage };
}

/** Words of a column: fixed, or made from the params. */
type Words = string | ((params: ErrorParams) => string);

/** The columns of an entry that are not words: the stanza error ("type condition"), HTTP status and page. */
export interface ErrorAnswer {
  readonly stanza: `${StanzaErrorType} ${string}`;
  readonly status: number;
  /** A message page's kind, or where the form shows the message. */
  readonly page: ErrorMessageKind | ErrorPage;
}

/** One row of the catalogue: how the edges answer, then the text for the stanza error and log, and the chat sentence. */
export function errorEntry(answer: ErrorAnswer, text: Words, chat: Words): ErrorEntry {
  const [type, condition] = answer.stanza.split(" ") as [StanzaErrorType, string];
  const { status, page } = answer;
  return {
    stanza: { type, condition },
    text: typeof text === "string" ? () => text : text,
    chat: typeof chat === "string" ? () => chat : chat,
    http: { status, page: typeof page === "string" ? { message: page } : page },
  };
}
