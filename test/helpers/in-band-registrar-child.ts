/**
 * Runs the bot's in-band registrar (src/registration/in-band.ts) once, in a process of its own, and prints its result
 * as one JSON line: started by in-band-registrar-process.ts with NODE_EXTRA_CA_CERTS, which Node reads only at start,
 * so that the registrar trusts a test server's self-signed certificate exactly as the bot would in production.
 */
import { createLogger } from "../../src/logger.js";
import { InBandRegistrar } from "../../src/registration/in-band.js";
import type { RegistrationRequest } from "../../src/registration/registrar.js";

interface ChildInput {
  service: string;
  domain: string;
  signingKey: string;
  request: RegistrationRequest;
}

const input = JSON.parse(process.env.REGISTRAR_INPUT ?? "{}") as ChildInput;
const logs: string[] = [];
const registrar = new InBandRegistrar({
  service: input.service,
  domain: input.domain,
  timeoutMs: 10_000,
  signingKey: input.signingKey,
  log: createLogger("debug", { write: (line: string) => logs.push(line) }),
});
const result = await registrar.register(input.request);
process.stdout.write(`${JSON.stringify({ result, logs: logs.join("") })}\n`);
