/** Last-resort synchronous cleanup when the test worker exits without running afterAll. */

const tasks = new Set<() => void>();
let installed = false;

/** Runs `task` (synchronously) if the process exits while it is registered; returns the unregister function. */
export function onProcessExit(task: () => void): () => void {
  if (!installed) {
    installed = true;
    process.once("exit", () => {
      // Newest first, like `defer`: servers are killed before their directories are removed.
      for (const run of [...tasks].reverse()) {
        try {
          run();
        } catch {
          // best effort: keep cleaning up the rest
        }
      }
    });
  }
  tasks.add(task);
  return () => tasks.delete(task);
}
