/**
 * Hierarchical DRF allocation as a pure function over a snapshot (Mesos
 * `HierarchicalAllocatorProcess`, stage 2 without quota; `DRFSorter::compareDRF`).
 *
 * For every agent, roles are visited in ascending weighted dominant share, and within a role
 * its frameworks in ascending dominant share; ties go to the client with fewer allocations,
 * then to the smaller name. The first eligible framework gets everything on the agent it may
 * use for that role (unreserved resources plus those reserved for the role or an ancestor of
 * it) as one offer. Shares are updated after each offer, so the next agent goes to whoever is
 * now furthest behind.
 */
import type {Resource} from '../../mesos/types'
import {add, contains, reservationRole, scalar, subtract} from '../../mesos/resources'

export interface AllocatorAgent {
  id: string
  /** What the agent has free: total minus used minus already offered. */
  available: Resource[]
  /** False for agents that are unreachable or not yet back after a master restart: never offered. */
  reachable: boolean
}

/** A refused-offer filter: (framework, role, agent) does not want resources within `resources`. */
export interface OfferFilter {
  agentId: string
  role: string
  resources: Resource[]
  /** Epoch ms; the filter no longer applies from then on. */
  expiresAt: number
}

export interface AllocatorFramework {
  id: string
  roles: string[]
  /** Connected and not deactivated: only active frameworks receive offers. */
  active: boolean
  suppressedRoles: readonly string[]
  /** Used plus offered resources, by role (counts toward shares even when inactive). */
  allocated: Record<string, Resource[]>
  /** Offers made so far, by role (the DRF tie-breaker). */
  allocations: Record<string, number>
  filters: readonly OfferFilter[]
}

export interface AllocationSnapshot {
  agents: readonly AllocatorAgent[]
  frameworks: readonly AllocatorFramework[]
  /** Role weights; a missing role weighs 1. */
  weights: Readonly<Record<string, number>>
  /** Total resources of the reachable agents: the denominator of every share. */
  total: Resource[]
  /** Epoch ms, for filter expiry. */
  now: number
}

export interface PlannedOffer {
  frameworkId: string
  agentId: string
  role: string
  resources: Resource[]
}

/** Mesos `--min_allocatable_resources` default `cpus:0.01|mem:32`: an offer needs one of these. */
export function isAllocatable(resources: Resource[]): boolean {
  return scalar(resources, 'cpus') >= 0.01 || scalar(resources, 'mem') >= 32
}

/** The largest fraction of any scalar resource of the cluster that `allocated` holds. */
export function dominantShare(allocated: Resource[], total: Resource[]): number {
  let share = 0
  for (const name of scalarNames(total)) {
    const t = scalar(total, name)
    if (t > 0) share = Math.max(share, scalar(allocated, name) / t)
  }
  return share
}

function scalarNames(resources: Resource[]): Set<string> {
  return new Set(resources.filter((r) => r.type === 'SCALAR').map((r) => r.name))
}

/** Whether a resource may be offered to `role`: unreserved, or reserved for it or an ancestor. */
export function usableBy(resource: Resource, role: string): boolean {
  const reserved = reservationRole(resource)
  if (reserved === '*') return true
  return role === reserved || role.startsWith(`${reserved}/`)
}

interface Client {
  name: string
  share: number
  allocations: number
}

function byDrf(a: Client, b: Client): number {
  return a.share - b.share || a.allocations - b.allocations || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
}

export function allocate(snapshot: AllocationSnapshot): PlannedOffer[] {
  const {total, now} = snapshot
  // Mutable working copies: shares change as offers are planned.
  const frameworks = snapshot.frameworks.map((f) => ({
    ...f,
    allocated: {...f.allocated},
    allocations: {...f.allocations},
    suppressed: new Set(f.suppressedRoles),
  }))
  const roles = [...new Set(frameworks.filter((f) => f.active).flatMap((f) => f.roles))]
  const weight = (role: string) => {
    const w = snapshot.weights[role]
    return w !== undefined && w > 0 ? w : 1
  }
  const roleClient = (role: string): Client => {
    let allocated: Resource[] = []
    let allocations = 0
    for (const f of frameworks) {
      if (!f.roles.includes(role)) continue
      allocated = add(allocated, f.allocated[role] ?? [])
      allocations += f.allocations[role] ?? 0
    }
    return {name: role, share: dominantShare(allocated, total) / weight(role), allocations}
  }

  const planned: PlannedOffer[] = []
  for (const agent of snapshot.agents) {
    if (!agent.reachable) continue
    let available = agent.available
    for (const {name: role} of roles.map(roleClient).sort(byDrf)) {
      const members = frameworks
        .filter((f) => f.active && f.roles.includes(role))
        .map((f) => ({f, client: {name: f.id, share: dominantShare(f.allocated[role] ?? [], total), allocations: f.allocations[role] ?? 0}}))
        .sort((a, b) => byDrf(a.client, b.client))
      for (const {f} of members) {
        if (f.suppressed.has(role)) continue
        const candidate = available.filter((r) => usableBy(r, role))
        if (!isAllocatable(candidate)) break
        const refused = f.filters.some(
          (x) => x.agentId === agent.id && x.role === role && x.expiresAt > now && contains(x.resources, candidate),
        )
        if (refused) continue
        planned.push({frameworkId: f.id, agentId: agent.id, role, resources: candidate})
        available = subtract(available, candidate)
        f.allocated[role] = add(f.allocated[role] ?? [], candidate)
        f.allocations[role] = (f.allocations[role] ?? 0) + 1
        break
      }
    }
  }
  return planned
}
