/**
 * When the supervisor restarts a component that died, like systemd's Restart=always with a
 * growing RestartSec: the first restart comes fast, each quick death doubles the wait up to a
 * cap, and a run that lasted `resetAfterMs` counts as healthy, so the next death starts over.
 */
export interface RestartPolicy {
  firstDelayMs: number
  maxDelayMs: number
  resetAfterMs: number
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {firstDelayMs: 100, maxDelayMs: 2_000, resetAfterMs: 10_000}

/** Given the deaths in a row so far and how long the last run lasted: the new count and the wait. */
export function nextRestart(
  failuresInARow: number,
  uptimeMs: number,
  policy: RestartPolicy = DEFAULT_RESTART_POLICY,
): {failuresInARow: number; delayMs: number} {
  const failures = uptimeMs >= policy.resetAfterMs ? 1 : failuresInARow + 1
  const delayMs = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** Math.min(failures - 1, 30))
  return {failuresInARow: failures, delayMs}
}
