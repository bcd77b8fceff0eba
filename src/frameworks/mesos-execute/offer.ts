/**
 * Fitting mesos-execute's task into an offer, as the real tool does with
 * `offered.find(TASK_RESOURCES.flatten(role))`: the task asks for unreserved amounts, and they
 * are taken from the framework role's reservations first, then from unreserved resources.
 * Persistent volumes and revocable resources are never taken.
 */
import {isPersistentVolume, reservationRole, subtractRanges} from '../../mesos/resources'
import type {Range, Resource, ResourceType} from '../../mesos/types'

const EPSILON = 1e-6

/** The resources to launch with (each keeping its reservation and allocation_info), or undefined when the offer is too small. */
export function pickResources(offered: Resource[], wanted: Resource[], role: string): Resource[] | undefined {
  const usable = offered.filter((r) => !isPersistentVolume(r) && !r.revocable)
  const pool = [
    ...usable.filter((r) => role !== '*' && reservationRole(r) === role),
    ...usable.filter((r) => reservationRole(r) === '*'),
  ].map((r) => structuredClone(r))
  const picked: Resource[] = []
  for (const want of wanted) {
    const candidates = pool.filter((r) => r.name === want.name && r.type === want.type)
    const take = TAKE[want.type]
    if (!take?.(candidates, want, picked)) return undefined
  }
  return picked
}

/** Moves what `want` asks for from `candidates` into `picked`; false when they hold too little. */
type Take = (candidates: Resource[], want: Resource, picked: Resource[]) => boolean

const TAKE: Partial<Record<ResourceType, Take>> = {SCALAR: takeScalar, RANGES: takeRanges, SET: takeSet}

function takeScalar(candidates: Resource[], want: Resource, picked: Resource[]): boolean {
  let need = want.scalar?.value ?? 0
  for (const r of candidates) {
    if (need <= EPSILON) break
    const available = r.scalar?.value ?? 0
    const take = Math.min(need, available)
    if (take <= EPSILON) continue
    picked.push({...structuredClone(r), scalar: {value: round(take)}})
    r.scalar = {value: round(available - take)}
    need = round(need - take)
  }
  return need <= EPSILON
}

function takeRanges(candidates: Resource[], want: Resource, picked: Resource[]): boolean {
  let need: Range[] = want.ranges?.range ?? []
  for (const r of candidates) {
    if (need.length === 0) break
    const have = r.ranges?.range ?? []
    const take = subtractRanges(need, subtractRanges(need, have))
    if (take.length === 0) continue
    picked.push({...structuredClone(r), ranges: {range: take}})
    r.ranges = {range: subtractRanges(have, take)}
    need = subtractRanges(need, take)
  }
  return need.length === 0
}

function takeSet(candidates: Resource[], want: Resource, picked: Resource[]): boolean {
  let need = want.set?.item ?? []
  for (const r of candidates) {
    if (need.length === 0) break
    const have = r.set?.item ?? []
    const take = need.filter((i) => have.includes(i))
    if (take.length === 0) continue
    picked.push({...structuredClone(r), set: {item: take}})
    r.set = {item: have.filter((i) => !take.includes(i))}
    need = need.filter((i) => !take.includes(i))
  }
  return need.length === 0
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6
}
