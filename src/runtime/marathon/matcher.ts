/**
 * Offer matching, pure (Marathon's `RunSpecOfferMatcher` + `ResourceMatcher`): given the offers
 * at hand and what each app wants launched, it decides which instances go where, as many per
 * offer as fit, and why an offer did not fit an app (the reject reasons `/v2/queue` shows).
 *
 * A normal instance takes unreserved resources (or ones statically reserved for an accepted
 * role): cpus, mem, disk, and host ports. A new resident instance (persistent volumes) needs an
 * offer allocated to a role it can reserve for: it RESERVEs cpus, mem, disk and ports for that
 * role, CREATEs its volumes on them and launches on them, all in one ACCEPT. A resident instance
 * whose task ended is launched again only on the agent holding its reservation and volumes.
 */
import {contains, isPersistentVolume, ranges, reservationRole, subtract, takeRanges, takeScalar} from '../../mesos/resources'
import type {Attribute, Range, Reservation, Resource} from '../../mesos/types'
import {isResident, type App} from './app-definition'
import {meetsConstraints, type Placement} from './constraints'
import {pickHostPorts, portRanges} from './ports'
import type {TaskReservation} from './tasks'

export type RejectReason =
  | 'UnfulfilledRole'
  | 'UnfulfilledConstraint'
  | 'NoCorrespondingReservationFound'
  | 'AgentMaintenance'
  | 'InsufficientCpus'
  | 'InsufficientMemory'
  | 'InsufficientDisk'
  | 'InsufficientGpus'
  | 'InsufficientPorts'
  | 'DeclinedScarceResources'

export interface OfferView {
  id: string
  agentId: string
  hostname: string
  attributes: Attribute[]
  resources: Resource[]
  /** The role the offer is allocated to. */
  role: string
}

export interface Relaunch {
  /** The instance's last task. */
  taskId: string
  reservation: TaskReservation
}

export interface LaunchRequest {
  app: App
  /** New instances wanted. */
  count: number
  /** Resident instances to launch again on their reservations. */
  relaunch: Relaunch[]
  /** Where the app's active instances are (constraints count them). */
  placed: Placement[]
}

export interface PlannedLaunch {
  offerId: string
  agentId: string
  app: App
  placement: Placement
  /** The task's resources (reserved ones, volumes included, for resident instances). */
  resources: Resource[]
  hostPorts: number[]
  /** For a new resident instance: what to RESERVE and the volumes to CREATE first. */
  reserve?: {resources: Resource[]; volumes: Resource[]; instanceId: string}
  /** For a relaunch: the instance's previous task. */
  relaunchOf?: string
}

export interface OfferVerdict {
  appId: string
  offerId: string
  used: boolean
  reasons: RejectReason[]
}

export interface MatchResult {
  launches: PlannedLaunch[]
  verdicts: OfferVerdict[]
}

export interface MatchOptions {
  /** At most this many tasks per offer (Marathon's `--max_instances_per_offer`). */
  maxPerOffer: number
  /** The principal reservations and volumes are made with. */
  principal: string
  /** Labels on every reservation, so a restarted Marathon recognises its own. */
  reservationLabels: (instanceId: string) => Reservation['labels']
  /** A new resident instance's id (its volumes are named after it). */
  newInstanceId: (app: App) => string
  /** Where in the offered port ranges host ports are taken from (Math.random; fixed in tests). */
  random?: () => number
}

/** Copies of the resources a normal task may use: no volumes, nothing revocable, no dynamic reservations. */
function usable(resources: Resource[], roles: readonly string[]): Resource[] {
  return resources.map((r) => structuredClone(r)).filter((r) => {
    if (isPersistentVolume(r) || r.revocable) return false
    const last = r.reservations?.[r.reservations.length - 1]
    if (last && last.type !== 'STATIC') return false
    if (!last && r.reservation) return false
    return roles.includes(reservationRole(r))
  })
}

/**
 * Matches `requests` against `offers`. Requests are served in order; `placed` lists grow as
 * instances are planned, so constraints see this round's placements too.
 */
export function matchOffers(offers: OfferView[], requests: LaunchRequest[], opts: MatchOptions): MatchResult {
  const launches: PlannedLaunch[] = []
  const verdicts: OfferVerdict[] = []
  const pending = requests.map((r) => ({...r, placed: [...r.placed], relaunch: [...r.relaunch]}))
  for (const offer of offers) {
    let pool = offer.resources.map((r) => structuredClone(r))
    let planned = 0
    const placement: Placement = {hostname: offer.hostname, attributes: offer.attributes}
    for (const req of pending) {
      const reasons = new Set<RejectReason>()
      let used = false
      // Relaunches first: they can only ever go to this one agent.
      for (let i = 0; i < req.relaunch.length && planned < opts.maxPerOffer; ) {
        const relaunch = req.relaunch[i]
        if (relaunch.reservation.agentId !== offer.agentId) {
          i++
          continue
        }
        const needed = relaunch.reservation.resources
        if (!contains(stripAllocation(pool), stripAllocation(needed))) {
          reasons.add('NoCorrespondingReservationFound')
          i++
          continue
        }
        const taken = takeExact(pool, needed)
        pool = taken.rest
        launches.push({
          offerId: offer.id,
          agentId: offer.agentId,
          app: req.app,
          placement,
          resources: taken.picked,
          hostPorts: ranges(needed, 'ports').flatMap((r) => expand(r)),
          relaunchOf: relaunch.taskId,
        })
        req.relaunch.splice(i, 1)
        req.placed.push(placement)
        planned++
        used = true
      }
      while (req.count > 0 && planned < opts.maxPerOffer) {
        const fit = isResident(req.app) ? fitResident(req.app, offer, pool, req.placed, opts) : fitNormal(req.app, offer, pool, req.placed, opts)
        if (typeof fit === 'string') {
          reasons.add(fit)
          break
        }
        pool = fit.rest
        launches.push({offerId: offer.id, agentId: offer.agentId, app: req.app, placement, resources: fit.resources, hostPorts: fit.hostPorts, ...(fit.reserve && {reserve: fit.reserve})})
        req.placed.push(placement)
        req.count--
        planned++
        used = true
      }
      if (used || reasons.size > 0) verdicts.push({appId: req.app.id, offerId: offer.id, used, reasons: [...reasons]})
    }
  }
  return {launches, verdicts}
}

function expand(r: Range): number[] {
  const out: number[] = []
  for (let p = r.begin; p <= r.end; p++) out.push(p)
  return out
}

function stripAllocation(resources: Resource[]): Resource[] {
  return resources.map((r) => {
    const {allocation_info: _a, ...rest} = r
    return rest
  })
}

interface Fit {
  resources: Resource[]
  hostPorts: number[]
  rest: Resource[]
  reserve?: {resources: Resource[]; volumes: Resource[]; instanceId: string}
}

function acceptedRoles(app: App, offer: OfferView): string[] {
  return app.acceptedResourceRoles ?? ['*', offer.role]
}

function fitNormal(app: App, offer: OfferView, pool: Resource[], placed: Placement[], opts: MatchOptions): Fit | RejectReason {
  const roles = acceptedRoles(app, offer)
  const candidates = usable(pool, roles)
  if (candidates.length === 0) return 'UnfulfilledRole'
  if (app.constraints && !meetsConstraints(app.constraints, {hostname: offer.hostname, attributes: offer.attributes}, placed)) return 'UnfulfilledConstraint'
  const picked: Resource[] = []
  const wants: [string, number, RejectReason][] = [
    ['cpus', app.cpus, 'InsufficientCpus'],
    ['mem', app.mem, 'InsufficientMemory'],
    ['disk', app.disk, 'InsufficientDisk'],
  ]
  for (const [name, amount, reason] of wants) {
    if (amount <= 0) continue
    if (!takeScalar(candidates, name, amount, picked)) return reason
  }
  const hostPorts = pickHostPorts(app, ranges(candidates, 'ports'), opts.random)
  if (!hostPorts) return 'InsufficientPorts'
  if (hostPorts.length > 0 && !takeRanges(candidates, 'ports', portRanges(hostPorts), picked)) return 'InsufficientPorts'
  return {resources: picked, hostPorts, rest: subtract(pool, picked)}
}

/** A new resident instance: unreserved resources reserved for the offer's role, then volumes made on them. */
function fitResident(app: App, offer: OfferView, pool: Resource[], placed: Placement[], opts: MatchOptions): Fit | RejectReason {
  if (offer.role === '*') return 'UnfulfilledRole'
  const accepted = app.acceptedResourceRoles ?? ['*']
  if (!accepted.includes('*')) return 'UnfulfilledRole'
  const candidates = usable(pool, ['*'])
  if (candidates.length === 0) return 'UnfulfilledRole'
  if (app.constraints && !meetsConstraints(app.constraints, {hostname: offer.hostname, attributes: offer.attributes}, placed)) return 'UnfulfilledConstraint'
  const volumes = app.container?.volumes ?? []
  const volumeDisk = volumes.reduce((sum, v) => sum + v.persistent.size, 0)
  const picked: Resource[] = []
  const wants: [string, number, RejectReason][] = [
    ['cpus', app.cpus, 'InsufficientCpus'],
    ['mem', app.mem, 'InsufficientMemory'],
    ['disk', app.disk + volumeDisk, 'InsufficientDisk'],
  ]
  for (const [name, amount, reason] of wants) {
    if (amount <= 0) continue
    if (!takeScalar(candidates, name, amount, picked)) return reason
  }
  const hostPorts = pickHostPorts(app, ranges(candidates, 'ports'), opts.random)
  if (!hostPorts) return 'InsufficientPorts'
  if (hostPorts.length > 0 && !takeRanges(candidates, 'ports', portRanges(hostPorts), picked)) return 'InsufficientPorts'
  const instanceId = opts.newInstanceId(app)
  const reservation: Reservation = {type: 'DYNAMIC', role: offer.role, principal: opts.principal, labels: opts.reservationLabels(instanceId)}
  const reserve = merge(picked).map((r) => ({...stripAllocation([r])[0], reservations: [reservation]}))
  const volumeResources: Resource[] = volumes.map((v, i) => ({
    name: 'disk',
    type: 'SCALAR',
    scalar: {value: v.persistent.size},
    reservations: [reservation],
    disk: {persistence: {id: `${instanceId}#${i}`, principal: opts.principal}, volume: {container_path: v.containerPath, mode: v.mode}},
  }))
  // The task runs on everything reserved but the disk the volumes are made of.
  const taskResources = subtract(reserve, volumeResources.map((v) => ({name: 'disk', type: 'SCALAR' as const, scalar: {value: v.scalar!.value}, reservations: [reservation]})))
  return {
    resources: [...taskResources, ...volumeResources],
    hostPorts,
    rest: subtract(pool, picked),
    reserve: {resources: reserve, volumes: volumeResources, instanceId},
  }
}

/** Resources of the same name and reservation combined (one RESERVE item each). */
function merge(resources: Resource[]): Resource[] {
  const out: Resource[] = []
  for (const r of resources) {
    const same = out.find((x) => x.name === r.name && x.type === r.type && reservationRole(x) === reservationRole(r))
    if (!same) out.push(structuredClone(r))
    else if (r.type === 'SCALAR') same.scalar = {value: round((same.scalar?.value ?? 0) + (r.scalar?.value ?? 0))}
    else if (r.type === 'RANGES') same.ranges = {range: [...(same.ranges?.range ?? []), ...(r.ranges?.range ?? [])]}
  }
  return out
}

/** `needed` (reserved resources, volumes) out of `pool`, keeping the offer's allocation tags. */
function takeExact(pool: Resource[], needed: Resource[]): {picked: Resource[]; rest: Resource[]} {
  const allocation = pool.find((r) => r.allocation_info)?.allocation_info
  const picked = needed.map((r) => ({...structuredClone(r), ...(allocation && {allocation_info: allocation})}))
  return {picked, rest: subtract(pool, picked)}
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6
}
