/**
 * Runs the demo in its own session, so that Ctrl-C reaches only this process.
 *
 * Why: the harness spawns Prosody and Redis in the caller's process group, so a
 * Ctrl-C in the terminal would also hit both servers at once, and they would shut
 * down under the bot before it could say goodbye. Here the terminal's SIGINT (and
 * SIGTERM) is turned into one SIGTERM for the demo, which then stops in order: bot
 * (unavailable presence), Prosody and Redis, temporary data. If this process dies
 * without a signal (closed terminal, SIGKILL), the IPC channel closes and the demo
 * stops itself.
 */
import { spawn } from "node:child_process";
import { constants } from "node:os";

/** Set in the demo's own process; the demo checks it to know that it is supervised. */
export const SUPERVISED_ENV = "XMPP_INVITE_BOT_DEMO_SUPERVISED";

/** Signals that arrive this soon after the first are echoes (npm, tsx and the terminal all forward Ctrl-C). */
const ECHO_WINDOW_MS = 2_000;

/** Starts this very script (same node flags, e.g. tsx's loader) detached; resolves with its exit code. */
export function superviseDemo(): Promise<number> {
  const [script, ...args] = process.argv.slice(1);
  if (script === undefined) return Promise.resolve(1);
  const child = spawn(process.execPath, [...process.execArgv, script, ...args], {
    detached: true,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    env: { ...process.env, [SUPERVISED_ENV]: "1" },
  });

  let firstSignalAt: number | undefined;
  const forward = (signal: NodeJS.Signals): void => {
    const now = Date.now();
    if (firstSignalAt === undefined) {
      firstSignalAt = now;
      child.kill("SIGTERM");
    } else if (now - firstSignalAt > ECHO_WINDOW_MS) {
      // A second, deliberate Ctrl-C: the demo exits at once (the harness still kills both servers).
      child.kill(signal);
    }
  };
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);

  return new Promise((resolve) => {
    child.once("error", (error) => {
      console.error(`Could not start the demo: ${error.message}`);
      resolve(1);
    });
    child.once("exit", (code, signal) => {
      resolve(code ?? 128 + (signal === null ? 0 : constants.signals[signal]));
    });
  });
}

/** In the supervised demo: calls `stop` once the supervisor is gone (its IPC channel closed). */
export function onSupervisorGone(stop: () => void): void {
  if (!process.connected) return;
  process.once("disconnect", stop);
  // The channel must not keep the demo alive by itself.
  process.channel?.unref();
}
