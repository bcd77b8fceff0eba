/**
 * Matching Chronos's queued runs to offers, pure (MesosJobFramework.generateLaunchableTasks): runs
 * in due order, each on the first offer with room for its cpus/mem/disk whose agent satisfies the
 * job's constraints; an offer's remaining resources shrink as runs are placed on it. A queued run
 * of a job that was deleted or disabled meanwhile expires (Chronos's TaskManager drops it when it
 * reaches the head of the queue); one that fits no offer stays queued.
 */
import {scalarResource, subtract} from '../../mesos/resources'
import type {Offer, Resource} from '../../mesos/types'
import {pickResources} from '../mesos-execute/offer'
import {satisfiesConstraints} from './constraints'
import type {Job} from './job'

export interface QueuedRun {
  taskId: string
  job: string
  dueMs: number
}

export interface Placement<R extends QueuedRun> {
  run: R
  job: Job
  offer: Offer
  resources: Resource[]
}

export interface OfferMatch<R extends QueuedRun> {
  placed: Placement<R>[]
  /** Runs whose job is gone or disabled. */
  expired: R[]
  /** Offers nothing was placed on. */
  unused: Offer[]
}

export function matchOffers<R extends QueuedRun>(offers: readonly Offer[], queued: readonly R[], jobs: ReadonlyMap<string, Job>, role: string): OfferMatch<R> {
  const remaining = new Map(offers.map((o) => [o, o.resources]))
  const placed: Placement<R>[] = []
  const expired: R[] = []
  for (const run of [...queued].sort((a, b) => a.dueMs - b.dueMs)) {
    const job = jobs.get(run.job)
    if (!job || job.disabled) {
      expired.push(run)
      continue
    }
    const wanted = [scalarResource('cpus', job.cpus), scalarResource('mem', job.mem), scalarResource('disk', job.disk)]
    for (const offer of offers) {
      if (!satisfiesConstraints(offer, job.constraints)) continue
      const resources = pickResources(remaining.get(offer)!, wanted, role)
      if (!resources) continue
      remaining.set(offer, subtract(remaining.get(offer)!, resources))
      placed.push({run, job, offer, resources})
      break
    }
  }
  const used = new Set(placed.map((p) => p.offer))
  return {placed, expired, unused: offers.filter((o) => !used.has(o))}
}
