/** What createApp (src/app.ts) takes besides the configuration, and the app it returns. */
import type { Client } from "@xmpp/client";
import type { CircleService } from "../circles/service.js";
import type { EventSource } from "../events.js";
import type { Clock } from "../invites/expiry.js";
import type { InviteService } from "../invites/service.js";
import type { InviteStore, QuotaStore, RelationsStore } from "../invites/store.js";
import type { RandomSource } from "../invites/token.js";
import type { Logger } from "../logger.js";
import type { StorageBackend } from "../storage/backend.js";
import type { WebApp, WebAppDeps } from "../web/web-app.js";
import type { AppEvents } from "./events.js";
import type { LeaderRole } from "./leadership.js";

export interface AppDeps {
  readonly log?: Logger;
  /** The storage backend (src/storage/backend.ts): Redis at REDIS_URL unless given. */
  readonly storage?: StorageBackend;
  readonly clock?: Clock;
  readonly random?: RandomSource;
  /** For the web pages: other data files, registrar or limits (tests). */
  readonly web?: Partial<Omit<WebAppDeps, "invites" | "hits" | "log">>;
  /** Called when the bot cannot go on at all (e.g. an invite store layout it does not know); main exits. */
  readonly onFatal?: (error: Error) => void;
  /** Use notices per recipient and window before a summary (src/notifications/consumer.ts); tests shorten it. */
  readonly noticeCap?: { readonly perWindow: number; readonly windowMs: number };
  /** How long the bot's claims may stay unsettled before its sweep settles them (unsettled-sweep.ts); tests shorten it. */
  readonly settleAfterMs?: number;
}

export interface App {
  readonly xmpp: Client;
  readonly service: InviteService;
  /** The circles (docs/circles.md). */
  readonly circles: CircleService;
  /** The invites, quota and relations ports as the service uses them. */
  readonly store: InviteStore & QuotaStore & RelationsStore;
  /** Every port of the storage backend. */
  readonly storage: StorageBackend;
  /** The invite web pages, when WEB_LISTEN is set. */
  readonly web: WebApp | undefined;
  /** What happens in the bot, as typed events (src/app/events.ts): listen before start() to miss none. */
  readonly events: EventSource<AppEvents>;
  /** Whether this instance leads the others on the same store (docs/instances.md). */
  role(): LeaderRole;
  /** Where the web pages listen (host:port) once started. */
  readonly webAddress: string | undefined;
  /** Where /healthz and /metrics listen (host:port) once started; undefined with OPS_LISTEN=off. */
  readonly opsAddress: string | undefined;
  /** Connects to Redis and XMPP; resolves once the first XMPP attempt is over (reconnects go on). */
  start(): Promise<void>;
  /** Unavailable presence, stream close, Redis close. */
  stop(): Promise<void>;
}
