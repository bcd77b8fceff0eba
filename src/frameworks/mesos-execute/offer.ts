/**
 * Fitting mesos-execute's task into an offer, as the real tool does with
 * `offered.find(TASK_RESOURCES.flatten(role))`: the task asks for unreserved amounts, and they
 * are taken from the framework role's reservations first, then from unreserved resources.
 * Persistent volumes and revocable resources are never taken.
 */
import {isPersistentVolume, reservationRole, takeRanges, takeScalar} from '../../mesos/resources'
import type {Resource, ResourceType} from '../../mesos/types'

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

const TAKE: Partial<Record<ResourceType, Take>> = {
  SCALAR: (candidates, want, picked) => takeScalar(candidates, want.name, want.scalar?.value ?? 0, picked),
  RANGES: (candidates, want, picked) => takeRanges(candidates, want.name, want.ranges?.range ?? [], picked),
  SET: takeSet,
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
