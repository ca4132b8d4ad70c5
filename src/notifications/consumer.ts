/**
 * Tells inviters (and admins) that their invite was used. Reads the Prosody
 * module's Redis stream with a consumer group, so each event is handled by one
 * bot instance and none is lost while the bot is offline: an entry is
 * acknowledged only after its messages went out, and entries left pending
 * (sending failed, or the bot stopped) are handled again first. At least once:
 * a bot killed between sending and acknowledging sends that one notice again.
 */
import type { Logger } from "../logger.js";
import { parseUseEvent, recipients, type UseEvent } from "./use-events.js";

/** The few stream commands we need, so the loop can be tested with a fake. */
export interface EventStream {
  /** Creates the group at the start of the stream if it does not exist. */
  ensureGroup(): Promise<void>;
  /** `pending` = this consumer's unacknowledged entries; otherwise new ones, waiting up to blockMs. */
  read(which: "pending" | "new", blockMs: number): Promise<Array<{ id: string; fields: Record<string, string> }>>;
  /** Acknowledges an entry: it will not be read again. */
  ack(id: string): Promise<void>;
  close(): Promise<void>;
}

export interface ConsumerOptions {
  readonly stream: EventStream;
  readonly send: (to: string, text: string) => Promise<void>;
  readonly isOnline: () => boolean;
  readonly admins: ReadonlySet<string>;
  readonly notifyAdmins: boolean;
  /** The bot's domain: inviters are its users (or admins). */
  readonly host: string;
  readonly log: Logger;
  readonly blockMs?: number;
  readonly retryMs?: number;
}

export class UseEventConsumer {
  readonly #options: ConsumerOptions;
  #running = false;
  #loop: Promise<void> | undefined;

  constructor(options: ConsumerOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#options.stream.close();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const { stream, log, isOnline } = this.#options;
    const blockMs = this.#options.blockMs ?? 5_000;
    let needPending = true;
    let failing = false;
    while (this.#running) {
      try {
        if (!isOnline()) {
          needPending = true; // whatever failed to send while offline is retried
          await sleep(this.#options.retryMs ?? 500);
          continue;
        }
        // Once per (re)start of reading: after a start, a Redis outage (which may have emptied it) or going offline.
        if (needPending) await stream.ensureGroup();
        const entries = await stream.read(needPending ? "pending" : "new", needPending ? 0 : blockMs);
        if (needPending && entries.length === 0) needPending = false;
        for (const entry of entries) {
          if (!this.#running) break;
          await this.#handle(entry.id, entry.fields);
        }
        if (failing) log.info("Handling invite use events again");
        failing = false;
      } catch (error) {
        if (!this.#running) break;
        // Once per outage, not once per retry.
        if (!failing) log.warn("Cannot handle invite use events; retrying", { error: (error as Error).message });
        failing = true;
        needPending = true;
        await sleep(this.#options.retryMs ?? 1_000);
      }
    }
  }

  async #handle(id: string, fields: Record<string, string>): Promise<void> {
    const { stream, send, admins, notifyAdmins, host, log } = this.#options;
    const event = parseUseEvent(id, fields);
    if (event === undefined) {
      log.warn("Ignoring a malformed entry in the use-event stream (not written by the Prosody module?)", { id });
    } else {
      for (const [to, text] of recipients(event, { admins, notifyAdmins, host })) await send(to, text);
      log.info("Told about a used invite", describe(event));
    }
    await stream.ack(id);
  }
}

function describe(event: UseEvent): Record<string, string | undefined> {
  return { kind: event.kind, inviter: event.inviter, invitee: event.invitee, invite: event.invite };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
