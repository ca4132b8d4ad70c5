/**
 * Tells inviters (and admins) that their invite was used. Reads the Prosody module's Redis stream with a consumer
 * group, so each event is handled by one bot instance and none is lost while the bot is offline: an entry is
 * acknowledged only after its messages went out, and entries left pending (sending failed, or the bot stopped) are
 * handled again first. At least once: a bot killed between sending and acknowledging sends that one notice again.
 * Entries another instance left unacknowledged for CLAIM_IDLE_MS (it stopped and never came back) are taken over
 * (stream-reader.ts), so every use is told even when the instance that read it is gone for good.
 *
 * Only entries whose signature verifies are told (docs/storage.md, "Use events"), and each recipient gets at most
 * NOTICES_PER_WINDOW notices a minute, then one summary: write access to Redis must not turn into a flood of
 * messages to one person.
 */

import { setTimeout as sleep } from "node:timers/promises";
import type { Circle } from "../circles/circle.js";
import { type EventSink, silentSink } from "../events.js";
import type { NotedUse } from "../invites/stats.js";
import type { EventStream, StreamEntry, UseEvent } from "../invites/store.js";
import type { Logger } from "../logger.js";
import { circleNames, type JoinedCircles } from "./joined-circles.js";
import { StreamReader } from "./stream-reader.js";
import { moreUsesNotice, parseUseEvent, recipients } from "./use-events.js";
import { WindowCap } from "./window-cap.js";

/** Notices one recipient gets in a window before the rest are summed up in one message. */
export const NOTICES_PER_WINDOW = 10;
export const NOTICE_WINDOW_MS = 60_000;
/** Entries ignored (unsigned, malformed) are logged once a minute per kind, with how many more there were. */
const IGNORED_LOG_WINDOW_MS = 60_000;

/** How long stop() waits for the reading loop's request under way. */
const LOOP_STOP_MS = 2_000;

export interface ConsumerOptions {
  readonly stream: EventStream;
  readonly send: (to: string, text: string) => Promise<void>;
  readonly isOnline: () => boolean;
  readonly admins: ReadonlySet<string>;
  readonly notifyAdmins: boolean;
  /** The bot's domain: inviters are its users (or admins). */
  readonly host: string;
  readonly log: Logger;
  readonly events?: EventSink<NotificationEvents>;
  /** The circles a newcomer joined, named in the notice (joined-circles.ts); none without it. */
  readonly joinedCircles?: JoinedCircles;
  /**
   * What else a newcomer gets before anyone is told: the group chats of their circles and the event's `rooms`
   * outside circles (src/rooms/room-welcome.ts); once per registration or join.
   */
  readonly welcome?: (jid: string, circles: readonly Circle[], rooms: readonly string[]) => Promise<void>;
  /** Logs the use for the admins' summary (src/invites/stats.ts), first: once per entry, however often it is read. */
  readonly noteUse?: (use: NotedUse) => Promise<void>;
  readonly blockMs?: number;
  /** CLAIM_IDLE_MS (stream-reader.ts) unless given (tests): when another instance's pending entries are taken over. */
  readonly claimIdleMs?: number;
  readonly retryMs?: number;
  /** NOTICES_PER_WINDOW and NOTICE_WINDOW_MS unless given (tests). */
  readonly noticeCap?: { readonly perWindow: number; readonly windowMs: number };
}

/** What the consumer emits (src/events.ts), once an entry is acknowledged. */
export interface NotificationEvents {
  /** A use event was handled: whom it told (none past their cap, or when nobody is to be told). */
  "use-handled": { readonly event: UseEvent; readonly told: readonly string[] };
  /** An entry was acknowledged without a message: its signature does not verify, or it is not a use event. */
  "use-event-ignored": { readonly id: string; readonly reason: "unsigned" | "malformed" };
}

const IGNORED = {
  unsigned:
    "Ignoring a use event whose signature does not verify (a forged entry, or one from a Prosody module older " +
    "than this bot: update prosody/)",
  malformed: "Ignoring a malformed entry in the use-event stream (not written by the Prosody module?)",
} as const;

export class UseEventConsumer {
  readonly #options: ConsumerOptions;
  #running = false;
  #loop: Promise<void> | undefined;
  readonly #notices: WindowCap;
  readonly #ignored: WindowCap;

  constructor(options: ConsumerOptions) {
    this.#options = options;
    const { log, send } = options;
    this.#notices = new WindowCap({
      perWindow: options.noticeCap?.perWindow ?? NOTICES_PER_WINDOW,
      windowMs: options.noticeCap?.windowMs ?? NOTICE_WINDOW_MS,
      onOverflow: (to, count) => {
        log.info("Summing up invite use notices", { to, count });
        // The entries are acknowledged already: a summary that cannot be sent is lost, and logged.
        send(to, moreUsesNotice(count)).catch((error: unknown) =>
          log.warn("Could not send a summary of invite use notices", { to, count, error: (error as Error).message }),
        );
      },
    });
    this.#ignored = new WindowCap({
      perWindow: 1,
      windowMs: IGNORED_LOG_WINDOW_MS,
      onOverflow: (kind, count) =>
        log.warn(`${IGNORED[kind as keyof typeof IGNORED]}: ${count} more in the last minute`),
    });
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#options.stream.close();
    // The loop may wait on a Redis that hangs (a read of pending entries, an XACK): stopping does not wait for it
    // longer than LOOP_STOP_MS; closing the store afterwards ends that wait.
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<"gave up">((resolve) => {
      timer = setTimeout(() => resolve("gave up"), LOOP_STOP_MS);
    });
    const ended = await Promise.race([this.#loop, waited]);
    clearTimeout(timer);
    if (ended === "gave up") {
      this.#options.log.warn("Stopping without waiting for Redis to answer the use events' last request");
    }
    // Before the XMPP stream closes: summaries held for the end of a window go out now.
    this.#notices.flush();
    this.#ignored.flush();
  }

  async #run(): Promise<void> {
    const { stream, log, isOnline } = this.#options;
    const reader = new StreamReader(stream, {
      blockMs: this.#options.blockMs ?? 5_000,
      ...(this.#options.claimIdleMs === undefined ? {} : { claimIdleMs: this.#options.claimIdleMs }),
    });
    let failing = false;
    while (this.#running) {
      try {
        if (!isOnline()) {
          reader.restart(); // whatever failed to send while offline is retried
          await sleep(this.#options.retryMs ?? 500);
          continue;
        }
        const { entries, claimed } = await reader.next();
        if (claimed > 0) log.info("Taking over invite uses another instance left unacknowledged", { count: claimed });
        for (const entry of entries) {
          if (!this.#running) break;
          await this.#handle(entry);
        }
        if (failing) log.info("Handling invite use events again");
        failing = false;
      } catch (error) {
        if (!this.#running) break;
        // Once per outage, not once per retry.
        if (!failing) log.warn("Cannot handle invite use events; retrying", { error: (error as Error).message });
        failing = true;
        reader.restart();
        await sleep(this.#options.retryMs ?? 1_000);
      }
    }
  }

  async #handle({ id, fields, signed }: StreamEntry): Promise<void> {
    const { stream, send, admins, notifyAdmins, host, events = silentSink<NotificationEvents>() } = this.#options;
    const event = signed ? parseUseEvent(id, fields, host) : undefined;
    if (event === undefined) {
      const reason = signed ? "malformed" : "unsigned";
      this.#ignore(reason, id);
      await stream.ack(id);
      events.emit("use-event-ignored", { id, reason });
      return;
    }
    // A store that does not answer leaves the entry pending, to be told whole when it does. A new account and an
    // existing one that joined through the link (kind joined) are both newcomers to the invite's circles and chats.
    await this.#options.noteUse?.({ entryId: id, invite: event.invite, at: event.at });
    const newcomer = event.kind !== "subscribed" && event.held === undefined; // held: no chats until approved
    const joined = newcomer ? ((await this.#options.joinedCircles?.(event.invitee)) ?? []) : [];
    if (newcomer) await this.#options.welcome?.(event.invitee, joined, event.rooms);
    const circles = circleNames(joined);
    const told: string[] = [];
    for (const [to, text] of recipients(event, { admins, notifyAdmins, host, circles })) {
      if (!this.#notices.admit(to)) continue;
      await send(to, text);
      told.push(to);
    }
    this.#options.log.info("Told about a used invite", { ...describe(event), told: told.join(",") });
    await stream.ack(id);
    events.emit("use-handled", { event, told });
  }

  /** Acknowledged without a message; logged once a minute per kind, then with how many more there were. */
  #ignore(kind: keyof typeof IGNORED, id: string): void {
    if (this.#ignored.admit(kind)) this.#options.log.warn(IGNORED[kind], { id });
  }
}

function describe(event: UseEvent): Record<string, string | undefined> {
  const rooms = event.rooms.length === 0 ? undefined : event.rooms.join(" ");
  return { kind: event.kind, inviter: event.inviter, invitee: event.invitee, invite: event.invite, rooms };
}
