/**
 * Registration with an invite token, exactly as an XEP-0401 client does it: an unauthenticated c2s stream to
 * XMPP_SERVICE (STARTTLS where offered, the certificate verified as for the bot's own login),
 * `<preauth xmlns='urn:xmpp:pars:0' token='…'/>` (XEP-0401 §4, XEP-0445 §3), then a XEP-0077 §3.1 registration.
 * The preauth carries the bot's relay proof (src/registration/relay-proof.ts): our Prosody module then spares the
 * bot's address its per-address limit on invite checks (Prosody's own mod_invites_register reads only the token).
 * The server does the rest: on Prosody our module claims the invite atomically, binds it to its username, counts
 * reusable invites and makes inviter and invitee mutual contacts. A password reset link is the same, with the
 * account's existing name (Prosody's `allow_reset`).
 *
 * Built from xmpp.js's own parts without SASL or resource binding: the same transports, DNS lookup and STARTTLS
 * as the bot's connection.
 */

import { Client } from "@xmpp/client-core";
import { Deferred } from "@xmpp/events";
import iqCallerPlugin from "@xmpp/iq/caller.js";
import middlewarePlugin from "@xmpp/middleware";
import resolvePlugin from "@xmpp/resolve";
import starttlsPlugin from "@xmpp/starttls";
import streamFeaturesPlugin from "@xmpp/stream-features";
import tcpPlugin from "@xmpp/tcp";
import tlsPlugin from "@xmpp/tls";
import websocketPlugin from "@xmpp/websocket";
import { type Element, xml } from "@xmpp/xml";
import type { UsernameRule } from "../invites/username.js";
import { type Logger, redactToken } from "../logger.js";
import { mayAuthenticate } from "../xmpp/credentials.js";
import { NS } from "../xmpp/namespaces.js";
import { accountOn } from "./account-jid.js";
import { startDeadline } from "./deadline.js";
import { failureOf, type StanzaErrorLike } from "./in-band-answers.js";
import type { Registrar, RegistrationRequest, RegistrationResult } from "./registrar.js";
import { relayElement } from "./relay-proof.js";

export interface InBandRegistrarOptions {
  /** Where to connect, as XMPP_SERVICE (or the bare domain, looked up like a client does). */
  readonly service: string;
  readonly domain: string;
  /** For the whole exchange, from connecting to the registration's answer. */
  readonly timeoutMs: number;
  /** The current INVITE_SIGNING_KEY, for the relay proof (Prosody accepts its current and old keys). */
  readonly signingKey: string;
  readonly log: Logger;
  /** The username rule new accounts follow (src/invites/username.ts); checked before the server is asked. */
  readonly usernameRule?: UsernameRule;
}

function isStanzaError(error: unknown): error is Error & StanzaErrorLike {
  return error instanceof Error && error.name === "StanzaError";
}

/**
 * What "too many" means once the bot proves its relaying: our module no longer holds the bot to its per-address
 * limit, so the limit for all clients together was reached, or the module could not verify the proof. Prosody's own
 * registration throttle (mod_register_limits) is per address and knows nothing of the proof.
 */
const THROTTLED_HINT =
  "The server refused a web registration as one too many. With a relay proof it verifies, our Prosody module " +
  "holds the bot to the limit for all clients together only: either that limit (invites_redis_checks_per_second) " +
  "was reached, or Prosody could not verify the proof, and its invites_redis_signing_key (or one of " +
  "invites_redis_signing_keys_old) must be the bot's INVITE_SIGNING_KEY. If the text speaks of registrations from " +
  "this IP address, it is Prosody's min_seconds_between_registrations: see registration_allowlist (docs/web.md)";

export class InBandRegistrar implements Registrar {
  constructor(private readonly options: InBandRegistrarOptions) {}

  register(request: RegistrationRequest): Promise<RegistrationResult> {
    return this.#run(request, "registration");
  }

  resetPassword(request: RegistrationRequest): Promise<RegistrationResult> {
    return this.#run(request, "password reset");
  }

  async #run(request: RegistrationRequest, what: string): Promise<RegistrationResult> {
    const { service, domain, timeoutMs } = this.options;
    const log = this.options.log.child({ invite: redactToken(request.token) });
    // The one username rule (a reset link's account exists: no lookalike check), before any connection is made.
    const account = accountOn(domain, request.username, what === "registration" ? this.options.usernameRule : {});
    if (account === undefined) {
      log.info(`Web ${what} refused: the username rule does not allow the name`);
      return { ok: false, reason: "username-invalid" };
    }
    const entity = new Client({ service, domain, lang: "en", timeout: timeoutMs });
    tcpPlugin({ entity });
    tlsPlugin({ entity });
    websocketPlugin({ entity });
    resolvePlugin({ entity });
    const middleware = middlewarePlugin({ entity });
    const streamFeatures = streamFeaturesPlugin({ middleware });
    const iq = iqCallerPlugin({ middleware, entity });
    starttlsPlugin({ streamFeatures });
    // After STARTTLS (which restarts the stream and takes the first features), the features to register under.
    const ready = new Deferred<Element>();
    middleware.use((ctx, next) => (ctx.stanza.is("features", NS.streams) ? ready.resolve(ctx.stanza) : next()));
    entity.on("error", (error: Error) => ready.reject(error));
    entity.on("disconnect", () => ready.reject(new Error("the server closed the connection")));

    // One deadline for the whole exchange: connecting (which xmpp.js does not bound) and each answer.
    const deadline = startDeadline(timeoutMs);
    const within = deadline.within;
    ready.promise.catch(() => {});

    let step = "connecting";
    try {
      await within(entity.connect(service));
      step = "opening the stream";
      await within(entity.open({ domain, lang: "en" }));
      await within(ready.promise);
      if (!mayAuthenticate(entity)) {
        log.error("Not registering over an unencrypted connection: the server offered no TLS", { service });
        return { ok: false, reason: "unavailable" };
      }
      step = "checking the invite";
      await within(iq.request(xml("iq", { type: "set" }, this.#preauth(request.token))));
      step = what;
      const query = xml(
        "query",
        { xmlns: NS.register },
        xml("username", {}, account.name),
        xml("password", {}, request.password),
      );
      await within(iq.request(xml("iq", { type: "set" }, query)));
      log.info(`Web ${what} done`, { username: account.name });
      return { ok: true };
    } catch (error) {
      if (isStanzaError(error)) {
        const reason = failureOf(error);
        log.info(`Web ${what} refused by the server`, { step, condition: error.condition, text: error.text, reason });
        if (reason === "throttled") {
          log.warn(THROTTLED_HINT, { text: error.text });
        }
        return { ok: false, reason, ...(error.text ? { serverText: error.text } : {}) };
      }
      log.warn(`Web ${what} failed`, { step, service, error: (error as Error).message });
      return { ok: false, reason: "unavailable" };
    } finally {
      deadline.clear();
      ready.reject(new Error("done"));
      // The visitor gets the answer now; the stream closes behind it.
      void entity.stop().catch(() => {});
    }
  }

  /** XEP-0401 §4 preauth with the bot's relay proof for this token. */
  #preauth(token: string): Element {
    const { signingKey, domain } = this.options;
    return xml("preauth", { xmlns: NS.pars, token }, relayElement(signingKey, domain, token));
  }
}
