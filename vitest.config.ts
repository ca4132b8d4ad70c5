import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

/** What both projects had as one: a test may take 30 s, a hook (a server starting) 60 s. */
const TIMEOUTS = { testTimeout: 30_000, hookTimeout: 60_000 } as const;

export default defineConfig({
  test: {
    // Files at once: at least 2, though Vitest's default is one fewer than the cores (1 on this project's 2-core CI
    // machine). An integration file mostly waits for its servers: 2 at once on 2 cores take the suite from 12 to 6–7
    // minutes with the cores half busy. 4 took it to 4–5 minutes, and starved the processes of the tests that time a
    // deadline (a bot's Redis timeout inside Prosody's wait for the bot). `--maxWorkers=N` overrides it.
    maxWorkers: Math.max(2, availableParallelism()),
    projects: [
      {
        // No servers: `npm run test:unit` (vitest run --project unit), a few seconds. The files share one module
        // graph per worker (isolate: false), which halves the time on 2 cores: unit tests mock no modules and
        // restore any fake timers. `npx vitest run --project unit --isolate` runs each file in a fresh one.
        test: { name: "unit", include: ["test/unit/**/*.test.ts"], isolate: false, ...TIMEOUTS },
      },
      {
        // Private Prosody, Redis, ejabberd and Chromium per file (test/helpers/).
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts", "test/browser/**/*.test.ts"],
          ...TIMEOUTS,
        },
      },
    ],
  },
});
