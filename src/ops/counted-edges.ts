/**
 * The metrics the app's events do not carry, taken at the edges that see them: the public web server's answers (an
 * onResponse hook) and the registrar's results (a registrar that counts, around the one the web pages use).
 */
import type { FastifyInstance } from "fastify";
import type { Registrar, RegistrationResult } from "../registration/registrar.js";
import type { OpsMetrics } from "./metrics.js";

/** Counts every answer of `server` by status; call before the server is ready (Fastify adds hooks until then). */
export function countWebRequests(server: FastifyInstance, metrics: Pick<OpsMetrics, "webResponse">): void {
  server.addHook("onResponse", async (_request, reply) => {
    metrics.webResponse(reply.statusCode);
  });
}

/** `registrar`, counting each result by action and outcome (ok, the refusal's reason, or error). */
export function countRegistrations(registrar: Registrar, metrics: Pick<OpsMetrics, "registration">): Registrar {
  const counted =
    (action: "register" | "reset-password", run: Registrar["register"]): Registrar["register"] =>
    async (request) => {
      let result: RegistrationResult;
      try {
        result = await run(request);
      } catch (error) {
        // The web pages answer it as an internal error.
        metrics.registration(action, "error");
        throw error;
      }
      metrics.registration(action, result.ok ? "ok" : result.reason);
      return result;
    };
  return {
    register: counted("register", (request) => registrar.register(request)),
    resetPassword: counted("reset-password", (request) => registrar.resetPassword(request)),
  };
}
