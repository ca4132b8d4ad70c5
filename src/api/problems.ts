/**
 * Errors as RFC 9457 problem details (`application/problem+json`), from the one error catalogue (src/errors.ts):
 * the code gives the status and the words; the edge adds nothing of its own. Fastify's own refusals (a body too
 * large, not JSON) keep their status.
 */
import { STATUS_CODES } from "node:http";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { describeError, type ErrorCode, type ErrorEntry, type ErrorParams, InviteError } from "../errors.js";
import type { Logger } from "../logger.js";

export const PROBLEM_TYPE = "application/problem+json";

/** A code of the catalogue (the API's own refusals are in it too: src/errors/api-errors.ts). */
export type ProblemCode = ErrorCode;

const entryOf = (code: ProblemCode): ErrorEntry => describeError(code);

/** The request's own mistakes, beyond what its schema says: 400 with every problem in words (form-invalid). */
export class BodyProblems extends Error {
  /** `outcome` tells the client what did not happen (a list that was not read says so, not "nothing was created"). */
  constructor(
    readonly problems: readonly string[],
    readonly outcome = "nothing was created",
  ) {
    super(problems.join("; "));
    this.name = "BodyProblems";
  }
}

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
}

/** The problem for `code`; `detail` replaces the catalogue's words where the request's own problem says more. */
export function problemOf(code: ProblemCode, params: ErrorParams, detail?: string): Problem {
  const entry = entryOf(code);
  const { status } = entry.http;
  return {
    // RFC 9457 §3.1.1: a URI that names the kind of problem; a URN, as nothing is served there.
    type: `urn:xmpp-invite-bot:problem:${code}`,
    title: STATUS_CODES[status] ?? "Error",
    status,
    detail: detail ?? entry.text(params),
    code,
  };
}

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.code(problem.status).type(PROBLEM_TYPE).send(problem);
}

/** Each schema problem in words, naming the field: `body/uses must be integer`, `body has no field "lifetme"`. */
function validationWords(context: string | undefined, problems: NonNullable<FastifyError["validation"]>): string {
  return problems
    .map(({ instancePath, message, params }) => {
      const where = `${context ?? "request"}${instancePath}`;
      const unknown = (params as { additionalProperty?: unknown }).additionalProperty;
      return typeof unknown === "string"
        ? `${where} has no field "${unknown}"`
        : `${where} ${message ?? "is not valid"}`;
    })
    .join("; ");
}

/** Fastify's error handler for the API: validation → 400, coded errors → their status, the rest → 500. */
export function problemHandler(host: string, log: Logger) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    if (error instanceof InviteError) {
      const problem = problemOf(error.code, { host, ...error.params });
      if (problem.status >= 500) log.warn("API request failed", { route: request.routeOptions.url, code: error.code });
      return sendProblem(reply, problem);
    }
    if (error instanceof BodyProblems) {
      return sendProblem(reply, problemOf("form-invalid", { host }, `${error.message}; ${error.outcome}`));
    }
    if (error.validation !== undefined) {
      const detail = `${validationWords(error.validationContext, error.validation)}; nothing was created or changed`;
      return sendProblem(reply, problemOf("form-invalid", { host }, detail));
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      const status = error.statusCode;
      return sendProblem(reply, {
        type: "about:blank",
        title: STATUS_CODES[status] ?? "Error",
        status,
        detail: error.message,
        code: error.code ?? "request",
      });
    }
    log.error("API request failed", { route: request.routeOptions.url, error: error.message });
    return sendProblem(reply, problemOf("internal", { host }));
  };
}
