/**
 * Failed-login accounting: at most `maxFailures` failures per key (a uid, a client address) in
 * a sliding `windowMs`; beyond that, logins for that key are refused until the oldest failure
 * leaves the window. Memory is bounded: at most `maxKeys` keys, expired ones pruned first, then
 * the oldest. A success forgets only the failures of the key it proves (the uid), so one valid
 * account cannot wash an address's record clean.
 */

export interface LoginLimits {
  maxFailures: number
  windowMs: number
  maxKeys: number
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {maxFailures: 5, windowMs: 60_000, maxKeys: 10_000}

export class LoginLimiter {
  #limits: LoginLimits
  #now: () => number
  /** key → times of its failures in the window, oldest first. */
  #failures = new Map<string, number[]>()

  constructor(limits: Partial<LoginLimits> = {}, now: () => number = Date.now) {
    this.#limits = {...DEFAULT_LOGIN_LIMITS, ...limits}
    this.#now = now
  }

  /** How long until any of `keys` may try again: 0 when all may now. */
  retryAfterMs(keys: string[]): number {
    const now = this.#now()
    let wait = 0
    for (const key of keys) {
      const times = this.#recent(key, now)
      if (times.length >= this.#limits.maxFailures) {
        wait = Math.max(wait, times[times.length - this.#limits.maxFailures] + this.#limits.windowMs - now)
      }
    }
    return wait
  }

  /**
   * Counts an attempt as a failure at once, before its credentials are checked, so concurrent
   * attempts cannot outrun the limit; `forgive` takes it back when the attempt succeeded.
   */
  charge(keys: string[]): {forgive(): void} {
    const now = this.#now()
    for (const key of keys) {
      const times = this.#recent(key, now)
      times.push(now)
      // Only the last maxFailures matter for the decision.
      if (times.length > this.#limits.maxFailures) times.splice(0, times.length - this.#limits.maxFailures)
      this.#failures.delete(key)
      this.#failures.set(key, times)
    }
    this.#bound(now)
    return {
      forgive: () => {
        for (const key of keys) {
          const times = this.#failures.get(key)
          const at = times?.lastIndexOf(now) ?? -1
          if (at >= 0) times!.splice(at, 1)
          if (times?.length === 0) this.#failures.delete(key)
        }
      },
    }
  }

  /** Forgets every failure of `key` (a uid whose password was just proven). */
  succeeded(key: string): void {
    this.#failures.delete(key)
  }

  #recent(key: string, now: number): number[] {
    const times = this.#failures.get(key) ?? []
    const cutoff = now - this.#limits.windowMs
    let drop = 0
    while (drop < times.length && times[drop] <= cutoff) drop++
    if (drop > 0) times.splice(0, drop)
    return times
  }

  #bound(now: number): void {
    if (this.#failures.size <= this.#limits.maxKeys) return
    for (const [key, times] of this.#failures) {
      if (times[times.length - 1] <= now - this.#limits.windowMs) this.#failures.delete(key)
    }
    // Map order is last-failure order (charge() re-inserts): the first keys are the stalest.
    for (const key of this.#failures.keys()) {
      if (this.#failures.size <= this.#limits.maxKeys) break
      this.#failures.delete(key)
    }
  }
}
