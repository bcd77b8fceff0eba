/**
 * The launch queue: which apps wait for instances, since when, how their launches are delayed
 * after failures (backoff, docs/backoff.md), and what the offers they saw said (the
 * `processedOffersSummary` of `/v2/queue`).
 *
 * Backoff: a task that fails (TASK_FAILED, TASK_FINISHED, TASK_ERROR, TASK_LOST, a health kill,
 * not a kill we asked for) delays the app's next launch by `backoffSeconds`, each further
 * failure multiplies the delay by `backoffFactor`, up to `maxLaunchDelaySeconds`. The delay
 * resets on a new configuration, on `DELETE /v2/queue/{id}/delay`, and once the app went
 * `delay + maxLaunchDelaySeconds` without a failure. `nextBackoff` is pure.
 */
import type {App} from './app-definition'
import type {OfferView, RejectReason} from './matcher'

export interface Backoff {
  delaySeconds: number
  /** Epoch ms until which the app launches nothing. */
  until: number
  lastFailureAt: number
  /** The configuration the failures were of: a new one starts over. */
  configVersion: string
}

export function nextBackoff(prev: Backoff | undefined, app: App, configVersion: string, now: number): Backoff {
  const fresh =
    !prev || prev.configVersion !== configVersion || now - prev.lastFailureAt >= (prev.delaySeconds + app.maxLaunchDelaySeconds) * 1000
  const delaySeconds = fresh ? Math.min(app.backoffSeconds, app.maxLaunchDelaySeconds) : Math.min(prev.delaySeconds * app.backoffFactor, app.maxLaunchDelaySeconds)
  return {delaySeconds, until: now + delaySeconds * 1000, lastFailureAt: now, configVersion}
}

interface OfferStats {
  processed: number
  unused: number
  lastUnusedAt?: number
  lastUsedAt?: number
  /** Reason → [declined, processed] over the offers seen. */
  reasons: Map<RejectReason, [number, number]>
  /**
   * Agent id → that agent's last offer the app saw: `rejectSummaryLastOffers`, and, the unused
   * ones, `embed=lastUnusedOffers`.
   */
  lastByAgent: Map<string, {offer: OfferView; at: number; used: boolean; reasons: RejectReason[]}>
}

export const REJECT_REASONS: RejectReason[] = [
  'UnfulfilledRole',
  'UnfulfilledConstraint',
  'NoCorrespondingReservationFound',
  'AgentMaintenance',
  'InsufficientCpus',
  'InsufficientMemory',
  'InsufficientDisk',
  'InsufficientGpus',
  'InsufficientPorts',
  'DeclinedScarceResources',
]

export class LaunchQueue {
  readonly #backoff = new Map<string, Backoff>()
  readonly #since = new Map<string, number>()
  readonly #stats = new Map<string, OfferStats>()

  /** Records a failure of one of the app's tasks; returns the new backoff. */
  failed(app: App, configVersion: string, now: number): Backoff {
    const b = nextBackoff(this.#backoff.get(app.id), app, configVersion, now)
    this.#backoff.set(app.id, b)
    return b
  }

  /** The app's launch delay still running at `now`, or undefined. */
  delay(appId: string, configVersion: string, now: number): Backoff | undefined {
    const b = this.#backoff.get(appId)
    if (!b) return undefined
    if (b.configVersion !== configVersion) {
      this.#backoff.delete(appId)
      return undefined
    }
    return b.until > now ? b : undefined
  }

  /** `DELETE /v2/queue/{id}/delay`. */
  resetDelay(appId: string): void {
    this.#backoff.delete(appId)
  }

  /** The app waits (count > 0) or not; `since` is kept while it keeps waiting. */
  waiting(appId: string, count: number, now: number): void {
    if (count > 0) {
      if (!this.#since.has(appId)) this.#since.set(appId, now)
    } else {
      this.#since.delete(appId)
      this.#stats.delete(appId)
    }
  }

  since(appId: string): number | undefined {
    return this.#since.get(appId)
  }

  forget(appId: string): void {
    this.#backoff.delete(appId)
    this.#since.delete(appId)
    this.#stats.delete(appId)
  }

  /** One offer was looked at for the app: used, or declined for `reasons`. */
  offerSeen(appId: string, used: boolean, reasons: RejectReason[], now: number, offer?: OfferView): void {
    let s = this.#stats.get(appId)
    if (!s) this.#stats.set(appId, (s = {processed: 0, unused: 0, reasons: new Map(), lastByAgent: new Map()}))
    if (offer) s.lastByAgent.set(offer.agentId, {offer, at: now, used, reasons})
    s.processed++
    if (used) s.lastUsedAt = now
    else {
      s.unused++
      s.lastUnusedAt = now
    }
    for (const reason of REJECT_REASONS) {
      const entry = s.reasons.get(reason) ?? [0, 0]
      entry[1]++
      if (reasons.includes(reason)) entry[0]++
      s.reasons.set(reason, entry)
    }
  }

  /**
   * `lastUnusedOffers` of a queue item: per agent, the last offer the app declined and why, in
   * Marathon's shape (`{offer: {id, agentId, hostname, resources, attributes}, timestamp, reason}`).
   */
  lastUnusedOffers(appId: string): Record<string, unknown>[] {
    const s = this.#stats.get(appId)
    if (!s) return []
    return [...s.lastByAgent.values()].filter((last) => !last.used).map(({offer, at, reasons}) => ({
      offer: {
        id: offer.id,
        agentId: offer.agentId,
        hostname: offer.hostname,
        resources: offer.resources.map((r) => ({
          name: r.name,
          role: r.role ?? r.allocation_info?.role ?? '*',
          ...(r.scalar && {scalar: r.scalar.value}),
          ...(r.ranges && {ranges: r.ranges.range.map(({begin, end}) => ({begin, end}))}),
        })),
        attributes: offer.attributes.map((a) => ({
          name: a.name,
          ...(a.text && {text: a.text.value}),
          ...(a.scalar && {scalar: a.scalar.value}),
          ...(a.ranges && {ranges: a.ranges.range.map(({begin, end}) => ({begin, end}))}),
          ...(a.set && {set: a.set.item}),
        })),
      },
      timestamp: new Date(at).toISOString(),
      reason: reasons,
    }))
  }

  /** `processedOffersSummary` of a queue item. */
  summary(appId: string): Record<string, unknown> {
    const s = this.#stats.get(appId)
    if (!s) return {processedOffersCount: 0, unusedOffersCount: 0}
    // Last offers: each agent's latest offer only (Marathon's rejectSummaryLastOffers); the
    // launch attempt: every offer processed since the app began to wait.
    const lastOffers = [...s.lastByAgent.values()]
    const rejectsLast = REJECT_REASONS.map((reason) => ({
      reason,
      declined: lastOffers.filter((last) => !last.used && last.reasons.includes(reason)).length,
      processed: lastOffers.length,
    }))
    const rejects = REJECT_REASONS.map((reason) => {
      const [declined, processed] = s.reasons.get(reason) ?? [0, 0]
      return {reason, declined, processed}
    })
    return {
      processedOffersCount: s.processed,
      unusedOffersCount: s.unused,
      ...(s.lastUnusedAt !== undefined && {lastUnusedOfferAt: new Date(s.lastUnusedAt).toISOString()}),
      ...(s.lastUsedAt !== undefined && {lastUsedOfferAt: new Date(s.lastUsedAt).toISOString()}),
      rejectSummaryLastOffers: rejectsLast,
      rejectSummaryLaunchAttempt: rejects,
    }
  }
}
