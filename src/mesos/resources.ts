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

function clone(r: Resource): Resource {
  return structuredClone(r)
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

export function subtractRanges(a: Range[], b: Range[]): Range[] {
  let cur = mergeRanges(a)
  for (const s of mergeRanges(b)) {
    const next: Range[] = []
    for (const r of cur) {
      if (s.end < r.begin || s.begin > r.end) next.push(r)
      else {
        if (s.begin > r.begin) next.push({begin: r.begin, end: s.begin - 1})
        if (s.end < r.end) next.push({begin: s.end + 1, end: r.end})
      }
    }
    cur = next
  }
  return cur
}

export function rangesContain(outer: Range[], inner: Range[]): boolean {
  const o = mergeRanges(outer)
  return mergeRanges(inner).every((i) => o.some((r) => r.begin <= i.begin && i.end <= r.end))
}

function isEmpty(r: Resource): boolean {
  if (r.type === 'SCALAR') return (r.scalar?.value ?? 0) <= EPSILON
  if (r.type === 'RANGES') return (r.ranges?.range?.length ?? 0) === 0
  if (r.type === 'SET') return (r.set?.item?.length ?? 0) === 0
  return false
}

/** a + b, combining resources of the same identity. */
export function add(a: Resource[], b: Resource[]): Resource[] {
  const out = a.map(clone)
  for (const r of b) {
    const key = identity(r)
    const same = out.find((x) => identity(x) === key)
    // Persistent volumes are unique objects: two of them never merge into one.
    if (!same || isPersistentVolume(r)) {
      out.push(clone(r))
      continue
    }
    if (r.type === 'SCALAR') same.scalar = {value: round((same.scalar?.value ?? 0) + (r.scalar?.value ?? 0))}
    else if (r.type === 'RANGES')
      same.ranges = {range: mergeRanges([...(same.ranges?.range ?? []), ...(r.ranges?.range ?? [])])}
    else if (r.type === 'SET')
      same.set = {item: [...new Set([...(same.set?.item ?? []), ...(r.set?.item ?? [])])]}
  }
  return out.filter((r) => !isEmpty(r))
}

/** a - b; parts of b that a lacks are ignored (use `contains` first when that matters). */
export function subtract(a: Resource[], b: Resource[]): Resource[] {
  const out = a.map(clone)
  for (const r of b) {
    const key = identity(r)
    const idx = out.findIndex((x) => identity(x) === key)
    if (idx < 0) continue
    const same = out[idx]
    if (isPersistentVolume(r)) {
      out.splice(idx, 1)
      continue
    }
    if (r.type === 'SCALAR') same.scalar = {value: round((same.scalar?.value ?? 0) - (r.scalar?.value ?? 0))}
    else if (r.type === 'RANGES') same.ranges = {range: subtractRanges(same.ranges?.range ?? [], r.ranges?.range ?? [])}
    else if (r.type === 'SET') {
      const drop = new Set(r.set?.item ?? [])
      same.set = {item: (same.set?.item ?? []).filter((i) => !drop.has(i))}
    }
  }
  return out.filter((r) => !isEmpty(r))
}

/** Whether `outer` holds all of `inner`, identity by identity. */
export function contains(outer: Resource[], inner: Resource[]): boolean {
  let rest = outer
  for (const r of inner) {
    const key = identity(r)
    const same = rest.find((x) => identity(x) === key)
    if (!same) return false
    if (r.type === 'SCALAR' && (same.scalar?.value ?? 0) + EPSILON < (r.scalar?.value ?? 0)) return false
    if (r.type === 'RANGES' && !rangesContain(same.ranges?.range ?? [], r.ranges?.range ?? [])) return false
    if (r.type === 'SET' && !(r.set?.item ?? []).every((i) => same.set?.item?.includes(i))) return false
    rest = subtract(rest, [r])
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
  for (const r of resources) {
    const name = r.revocable ? `${r.name}_revocable` : r.name
    if (r.type === 'SCALAR') out[name] = round(((out[name] as number) ?? 0) + (r.scalar?.value ?? 0))
    else if (r.type === 'RANGES') {
      const prev = typeof out[name] === 'string' ? parseRangeText(out[name] as string) : []
      out[name] = formatRanges(mergeRanges([...prev, ...(r.ranges?.range ?? [])]))
    } else if (r.type === 'SET') out[name] = `{${(r.set?.item ?? []).join(', ')}}`
  }
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
