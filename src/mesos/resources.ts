/**
 * Resource math over Mesos v1 `Resource` lists: add, subtract, contains, and the summary object
 * the state endpoints show. Resources are grouped by identity: name, reservation role and
 * persistent-volume id; only resources of one identity combine.
 */
import type {Range, Resource} from './types'

const EPSILON = 1e-6

/** The role a resource is reserved for, or `*` when unreserved. */
export function reservationRole(r: Resource): string {
  if (r.reservations && r.reservations.length > 0) return r.reservations[r.reservations.length - 1].role ?? '*'
  if (r.reservation?.role) return r.reservation.role
  return r.role ?? '*'
}

export function isReserved(r: Resource): boolean {
  return reservationRole(r) !== '*'
}

export function isPersistentVolume(r: Resource): boolean {
  return r.name === 'disk' && !!r.disk?.persistence?.id
}

function identity(r: Resource): string {
  const pid = r.disk?.persistence?.id ?? ''
  const path = r.disk?.volume?.container_path ?? ''
  const kind = `${r.revocable ? 'R' : ''}${r.shared ? 'S' : ''}`
  return `${r.name}\u0000${r.type}\u0000${reservationRole(r)}\u0000${pid}\u0000${path}\u0000${kind}`
}

/**
 * A deep copy of a resource. Resources are plain JSON data, so a direct copy does it, several
 * times faster than structuredClone (which serialises): the master clones every resource of an
 * agent in each allocation cycle, and with a thousand tasks that was most of its time.
 */
function clone(r: Resource): Resource {
  return copyData(r) as Resource
}

function copyData(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v
  if (Array.isArray(v)) return v.map(copyData)
  const proto = Object.getPrototypeOf(v)
  if (proto !== Object.prototype && proto !== null) return structuredClone(v)
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(v)) out[k] = copyData((v as Record<string, unknown>)[k])
  return out
}

function mergeRanges(ranges: Range[]): Range[] {
  const sorted = ranges.map((r) => ({begin: r.begin, end: r.end})).sort((a, b) => a.begin - b.begin)
  const out: Range[] = []
  for (const r of sorted) {
    const last = out[out.length - 1]
    if (last && r.begin <= last.end + 1) last.end = Math.max(last.end, r.end)
    else out.push(r)
  }
  return out
}

/** a - b, in one sweep over both (each merged and sorted). */
export function subtractRanges(a: Range[], b: Range[]): Range[] {
  const cuts = mergeRanges(b)
  const out: Range[] = []
  let first = 0
  for (const r of mergeRanges(a)) {
    let begin = r.begin
    // Cuts that end before this range end before every later one too.
    while (first < cuts.length && cuts[first].end < begin) first++
    for (let k = first; k < cuts.length && cuts[k].begin <= r.end; k++) {
      if (cuts[k].begin > begin) out.push({begin, end: cuts[k].begin - 1})
      begin = Math.max(begin, cuts[k].end + 1)
    }
    if (begin <= r.end) out.push({begin, end: r.end})
  }
  return out
}

/**
 * Moves `amount` of scalar `name` from `candidates` into `picked`, reserved resources first, each
 * piece a copy of the resource it came from (role, reservations, allocation) with the amount
 * taken; false, moving nothing, when they hold less. What is taken leaves `candidates`.
 */
export function takeScalar(candidates: Resource[], name: string, amount: number, picked: Resource[]): boolean {
  const sources = candidates.filter((r) => r.name === name && r.type === 'SCALAR').sort((a, b) => Number(reservationRole(a) === '*') - Number(reservationRole(b) === '*'))
  const total = sources.reduce((s, r) => s + (r.scalar?.value ?? 0), 0)
  if (total + EPSILON < amount) return false
  let need = amount
  for (const r of sources) {
    if (need <= EPSILON) break
    const have = r.scalar?.value ?? 0
    const take = Math.min(need, have)
    if (take <= EPSILON) continue
    picked.push({...structuredClone(r), scalar: {value: round(take)}})
    r.scalar = {value: round(have - take)}
    need = round(need - take)
  }
  return true
}

/**
 * Moves the ranges `wanted` of resource `name` from `candidates` into `picked`, each piece a copy
 * of the resource it came from with the ranges taken; false when they do not hold them all.
 */
export function takeRanges(candidates: Resource[], name: string, wanted: Range[], picked: Resource[]): boolean {
  let need = wanted
  for (const r of candidates.filter((x) => x.name === name && x.type === 'RANGES')) {
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

export function rangesContain(outer: Range[], inner: Range[]): boolean {
  const o = mergeRanges(outer)
  let k = 0
  for (const i of mergeRanges(inner)) {
    while (k < o.length && o[k].end < i.begin) k++
    if (k === o.length || o[k].begin > i.begin || o[k].end < i.end) return false
  }
  return true
}

function isEmpty(r: Resource): boolean {
  if (r.type === 'SCALAR') return (r.scalar?.value ?? 0) <= EPSILON
  if (r.type === 'RANGES') return (r.ranges?.range?.length ?? 0) === 0
  if (r.type === 'SET') return (r.set?.item?.length ?? 0) === 0
  return false
}

/**
 * A copy of a resource about to get a new value (`scalar`, `ranges` or `set`, by its type: add
 * and take assign a fresh one, never change the old in place): every other part is copied, the
 * value is shared until then. An agent's used ports are a thousand ranges with a thousand tasks;
 * copying them in full for each task added or freed made that quadratic.
 */
function cloneForUpdate(r: Resource): Resource {
  if (r.type !== 'RANGES') return clone(r)
  const {ranges, ...rest} = r
  const out = copyData(rest) as Resource
  if (ranges !== undefined) out.ranges = ranges
  return out
}

/**
 * Resources grouped by identity (first first in each group): what add, subtract and contains
 * work on, so that each costs one pass rather than a search per resource. The caller's
 * resources are never changed: one is copied when first handed out for a change (`first`,
 * `push`), the rest when the result is taken; `contains` copies only what it looks at.
 */
class Ledger {
  readonly #list: Resource[]
  #groups = new Map<string, Resource[]>()
  #removed = new Set<Resource>()
  /** This ledger's own copies (every other entry is still the caller's resource). */
  #owned = new Set<Resource>()

  constructor(resources: Resource[]) {
    this.#list = [...resources]
    for (const r of this.#list) this.#file(r)
  }

  #file(r: Resource): void {
    const key = identity(r)
    const group = this.#groups.get(key)
    if (group) group.push(r)
    else this.#groups.set(key, [r])
  }

  /** The first resource of this identity still here, this ledger's copy (the caller may give it a new value). */
  first(key: string): Resource | undefined {
    const group = this.#groups.get(key)
    const r = group?.[0]
    if (!group || !r || this.#owned.has(r)) return r
    const c = cloneForUpdate(r)
    this.#owned.add(c)
    group[0] = c
    this.#list[this.#list.indexOf(r)] = c
    return c
  }

  push(r: Resource): void {
    const c = clone(r)
    this.#owned.add(c)
    this.#list.push(c)
    this.#file(c)
  }

  /** Takes out the first resource of this identity. */
  removeFirst(key: string): void {
    const group = this.#groups.get(key)
    const r = group?.shift()
    if (r) this.#removed.add(r)
    if (group?.length === 0) this.#groups.delete(key)
  }

  /** Takes `r` (of this identity) out of `same`; a persistent volume is taken out whole. */
  take(key: string, same: Resource, r: Resource): void {
    if (isPersistentVolume(r)) return this.removeFirst(key)
    if (r.type === 'SCALAR') same.scalar = {value: round((same.scalar?.value ?? 0) - (r.scalar?.value ?? 0))}
    else if (r.type === 'RANGES') same.ranges = {range: subtractRanges(same.ranges?.range ?? [], r.ranges?.range ?? [])}
    else if (r.type === 'SET') {
      const drop = new Set(r.set?.item ?? [])
      same.set = {item: (same.set?.item ?? []).filter((i) => !drop.has(i))}
    }
  }

  /** Takes out every empty resource (a zero scalar, no ranges, an empty set). */
  dropEmpty(): void {
    for (const [key, group] of this.#groups) {
      if (!group.some(isEmpty)) continue
      for (const r of group.filter(isEmpty)) this.#removed.add(r)
      const kept = group.filter((r) => !isEmpty(r))
      if (kept.length) this.#groups.set(key, kept)
      else this.#groups.delete(key)
    }
  }

  /** What is left, in order, without empty resources: copies, none shared with the caller's. */
  result(): Resource[] {
    return this.#list.filter((r) => !this.#removed.has(r) && !isEmpty(r)).map((r) => (this.#owned.has(r) ? r : clone(r)))
  }
}

/** a + b, combining resources of the same identity. */
export function add(a: Resource[], b: Resource[]): Resource[] {
  const out = new Ledger(a)
  for (const r of b) {
    const same = out.first(identity(r))
    // Persistent volumes are unique objects: two of them never merge into one.
    if (!same || isPersistentVolume(r)) {
      out.push(r)
      continue
    }
    if (r.type === 'SCALAR') same.scalar = {value: round((same.scalar?.value ?? 0) + (r.scalar?.value ?? 0))}
    else if (r.type === 'RANGES')
      same.ranges = {range: mergeRanges([...(same.ranges?.range ?? []), ...(r.ranges?.range ?? [])])}
    else if (r.type === 'SET')
      same.set = {item: [...new Set([...(same.set?.item ?? []), ...(r.set?.item ?? [])])]}
  }
  return out.result()
}

/** a - b; parts of b that a lacks are ignored (use `contains` first when that matters). */
export function subtract(a: Resource[], b: Resource[]): Resource[] {
  const out = new Ledger(a)
  for (const r of b) {
    const key = identity(r)
    const same = out.first(key)
    if (same) out.take(key, same, r)
  }
  return out.result()
}

/** Whether `outer` holds all of `inner`, identity by identity (what each takes is gone for the next). */
export function contains(outer: Resource[], inner: Resource[]): boolean {
  const rest = new Ledger(outer)
  for (const [i, r] of inner.entries()) {
    const key = identity(r)
    const same = rest.first(key)
    if (!same) return false
    if (r.type === 'SCALAR' && (same.scalar?.value ?? 0) + EPSILON < (r.scalar?.value ?? 0)) return false
    if (r.type === 'RANGES' && !rangesContain(same.ranges?.range ?? [], r.ranges?.range ?? [])) return false
    if (r.type === 'SET' && !(r.set?.item ?? []).every((item) => same.set?.item?.includes(item))) return false
    rest.take(key, same, r)
    // As subtract leaves it: nothing empty is left (after the first, only `same` can have become so).
    if (i === 0) rest.dropEmpty()
    else if (!isPersistentVolume(r) && isEmpty(same)) rest.removeFirst(key)
  }
  return true
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6
}

export function scalar(resources: Resource[], name: string): number {
  let sum = 0
  for (const r of resources) if (r.name === name && r.type === 'SCALAR') sum += r.scalar?.value ?? 0
  return round(sum)
}

export function ranges(resources: Resource[], name: string): Range[] {
  return mergeRanges(resources.filter((r) => r.name === name && r.type === 'RANGES').flatMap((r) => r.ranges?.range ?? []))
}

export function formatRanges(rs: Range[]): string {
  return `[${rs.map((r) => `${r.begin}-${r.end}`).join(', ')}]`
}

/** The summary object of `/master/state` (`json(Resources)`): cpus, gpus, mem, disk always; ports as a string. */
export function summary(resources: Resource[]): Record<string, number | string> {
  const out: Record<string, number | string> = {cpus: 0, gpus: 0, mem: 0, disk: 0}
  const rangesByName = new Map<string, Range[]>()
  for (const r of resources) {
    const name = r.revocable ? `${r.name}_revocable` : r.name
    if (r.type === 'SCALAR') out[name] = round(((out[name] as number) ?? 0) + (r.scalar?.value ?? 0))
    else if (r.type === 'RANGES') {
      // Formatted once at the end: merging text for every resource would be quadratic.
      const seen = rangesByName.get(name) ?? []
      seen.push(...(r.ranges?.range ?? []))
      rangesByName.set(name, seen)
      out[name] = ''
    } else if (r.type === 'SET') out[name] = `{${(r.set?.item ?? []).join(', ')}}`
  }
  for (const [name, ranges] of rangesByName) if (out[name] === '') out[name] = formatRanges(mergeRanges(ranges))
  return out
}

function parseRangeText(text: string): Range[] {
  const body = text.trim().replace(/^\[|\]$/g, '')
  if (!body) return []
  return body.split(',').map((part) => {
    const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(part)
    if (!m) throw new Error(`invalid range '${part.trim()}' (expected BEGIN-END)`)
    const begin = Number(m[1])
    const end = Number(m[2])
    if (end < begin) throw new Error(`invalid range '${part.trim()}': end is before begin`)
    return {begin, end}
  })
}

/**
 * Parses the Mesos flag form: `cpus:2;mem:1024;disk:4096;ports:[31000-32000];cpus(role):1;zones:{a,b}`.
 * Throws an Error with a message naming the bad part.
 */
export function parseResources(spec: string, defaultRole = '*'): Resource[] {
  const out: Resource[] = []
  for (const raw of spec.split(';')) {
    const part = raw.trim()
    if (!part) continue
    const m = /^([A-Za-z_][\w.-]*)(?:\(([^)]*)\))?\s*:\s*(.+)$/.exec(part)
    if (!m) throw new Error(`invalid resource '${part}' (expected NAME:VALUE, e.g. cpus:0.1)`)
    const [, name, roleText, value] = m
    const role = roleText ?? defaultRole
    let r: Resource
    if (value.startsWith('[')) r = {name, type: 'RANGES', ranges: {range: parseRangeText(value)}}
    else if (value.startsWith('{')) {
      const items = value.replace(/^\{|\}$/g, '').split(',').map((s) => s.trim()).filter(Boolean)
      r = {name, type: 'SET', set: {item: items}}
    } else {
      const n = Number(value)
      if (!Number.isFinite(n) || n < 0) throw new Error(`invalid value '${value}' for resource '${name}' (expected a non-negative number)`)
      r = {name, type: 'SCALAR', scalar: {value: n}}
    }
    if (role !== '*') r.reservations = [{type: 'STATIC', role}]
    out.push(r)
  }
  return add([], out)
}

export function scalarResource(name: string, value: number): Resource {
  return {name, type: 'SCALAR', scalar: {value}}
}

/** Tags every resource with the role it is allocated to (`allocation_info`), as offers carry it. */
export function allocate(resources: Resource[], role: string): Resource[] {
  return resources.map((r) => ({...clone(r), allocation_info: {role}}))
}

/** Strips `allocation_info` so offered resources compare equal to the agent's own. */
export function unallocate(resources: Resource[]): Resource[] {
  return resources.map((r) => {
    const c = clone(r)
    delete c.allocation_info
    return c
  })
}
