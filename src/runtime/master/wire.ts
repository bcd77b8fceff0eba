/**
 * Shape checks for the Mesos v1 JSON the master receives (scheduler calls, the agent protocol):
 * what protobuf's JSON parser would reject. Each check names the offending field path and
 * returns its input typed; unknown fields pass through untouched.
 */
import type {
  AgentInfo,
  Attribute,
  FrameworkInfo,
  Labels,
  Operation,
  Resource,
  TaskInfo,
  TaskState,
  TaskStatus,
  Value,
} from '../../mesos/types'
import {isBase64} from '../../mesos/secrets'
import {TASK_STATES} from '../../mesos/types'

/** The JSON does not fit the message type (Mesos: "Failed to convert JSON into ... protobuf"). */
export class ShapeError extends Error {
  override name = 'ShapeError'
}

export type Json = Record<string, unknown>

export function object(v: unknown, path: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ShapeError(`'${path}' must be a JSON object`)
  return v as Json
}

export function string(v: unknown, path: string): string {
  if (typeof v !== 'string') throw new ShapeError(`'${path}' must be a string`)
  return v
}

export function number(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ShapeError(`'${path}' must be a number`)
  return v
}

export function boolean(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') throw new ShapeError(`'${path}' must be a boolean`)
  return v
}

/**
 * Most entries in a list of resources, of ranges or set items in one resource, or of attributes.
 * Far more than any agent or task has; what is kept goes through resource math on every
 * allocation, so an unbounded list (an agent registering 20 000 resources) would stall it.
 */
export const MAX_ENTRIES = 1024

export function array<T>(v: unknown, path: string, item: (x: unknown, path: string) => T, max = Infinity): T[] {
  if (!Array.isArray(v)) throw new ShapeError(`'${path}' must be an array`)
  if (v.length > max) throw new ShapeError(`'${path}' has ${v.length} entries; at most ${max} are accepted`)
  return v.map((x, i) => item(x, `${path}[${i}]`))
}

export function oneOf<T extends string>(v: unknown, path: string, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v))
    throw new ShapeError(`'${path}' has an invalid value ${JSON.stringify(v)}; expected one of ${allowed.join(', ')}`)
  return v as T
}

/** A present field checked by `check`; absent (or null) gives undefined. */
export function opt<T>(o: Json, key: string, path: string, check: (v: unknown, path: string) => T): T | undefined {
  const v = o[key]
  return v === undefined || v === null ? undefined : check(v, `${path}.${key}`)
}

/** A required field: missing is the protobuf "Missing required fields" error. */
export function req<T>(o: Json, key: string, path: string, check: (v: unknown, path: string) => T): T {
  const v = o[key]
  if (v === undefined || v === null) throw new ShapeError(`Missing required field '${path}.${key}'`)
  return check(v, `${path}.${key}`)
}

export function value(v: unknown, path: string): Value {
  const o = object(v, path)
  req(o, 'value', path, string)
  return o as unknown as Value
}

export function labels(v: unknown, path: string): Labels {
  const o = object(v, path)
  opt(o, 'labels', path, (l, p) =>
    array(l, p, (x, q) => {
      const label = object(x, q)
      req(label, 'key', q, string)
      opt(label, 'value', q, string)
      return label
    }),
  )
  return o as unknown as Labels
}

function nanoseconds(v: unknown, path: string): {nanoseconds: number} {
  const o = object(v, path)
  req(o, 'nanoseconds', path, number)
  return o as {nanoseconds: number}
}

const VALUE_TYPES = ['SCALAR', 'RANGES', 'SET', 'TEXT'] as const

function typedValue(o: Json, path: string): void {
  const type = req(o, 'type', path, (v, p) => oneOf(v, p, VALUE_TYPES))
  if (type === 'SCALAR') req(object(req(o, 'scalar', path, object), `${path}.scalar`), 'value', `${path}.scalar`, number)
  else if (type === 'RANGES') {
    const ranges = req(o, 'ranges', path, object)
    // A repeated field may be absent in protobuf JSON: it is the empty list.
    ranges.range =
      opt(ranges, 'range', `${path}.ranges`, (r, p) =>
        array(r, p, (x, q) => {
          const range = object(x, q)
          if (!Number.isInteger(req(range, 'begin', q, number)) || !Number.isInteger(req(range, 'end', q, number)))
            throw new ShapeError(`'${q}' must have integer 'begin' and 'end'`)
          return range
        }, MAX_ENTRIES),
      ) ?? []
  } else if (type === 'SET') {
    const set = req(o, 'set', path, object)
    set.item = opt(set, 'item', `${path}.set`, (s, p) => array(s, p, string, MAX_ENTRIES)) ?? []
  } else req(object(req(o, 'text', path, object), `${path}.text`), 'value', `${path}.text`, string)
}

export function resource(v: unknown, path: string): Resource {
  const o = object(v, path)
  req(o, 'name', path, string)
  typedValue(o, path)
  if (o.type === 'TEXT') throw new ShapeError(`'${path}.type' TEXT is not a valid resource type`)
  opt(o, 'role', path, string)
  opt(o, 'allocation_info', path, (a, p) => {
    opt(object(a, p), 'role', p, string)
  })
  opt(o, 'reservation', path, object)
  opt(o, 'reservations', path, (r, p) =>
    array(r, p, (x, q) => {
      const reservation = object(x, q)
      opt(reservation, 'type', q, (t, tp) => oneOf(t, tp, ['STATIC', 'DYNAMIC'] as const))
      opt(reservation, 'role', q, string)
      opt(reservation, 'principal', q, string)
      opt(reservation, 'labels', q, labels)
      return reservation
    }),
  )
  opt(o, 'disk', path, (d, p) => {
    const disk = object(d, p)
    opt(disk, 'persistence', p, (x, q) => {
      const persistence = object(x, q)
      req(persistence, 'id', q, string)
      opt(persistence, 'principal', q, string)
    })
    opt(disk, 'volume', p, (x, q) => {
      const volume = object(x, q)
      req(volume, 'container_path', q, string)
      req(volume, 'mode', q, (m, mp) => oneOf(m, mp, ['RW', 'RO'] as const))
    })
  })
  return o as unknown as Resource
}

export function resources(v: unknown, path: string): Resource[] {
  return array(v, path, resource, MAX_ENTRIES)
}

export function attribute(v: unknown, path: string): Attribute {
  const o = object(v, path)
  req(o, 'name', path, string)
  typedValue(o, path)
  return o as unknown as Attribute
}

function commandInfo(v: unknown, path: string): void {
  const o = object(v, path)
  opt(o, 'value', path, string)
  opt(o, 'shell', path, boolean)
  opt(o, 'user', path, string)
  opt(o, 'arguments', path, (a, p) => array(a, p, string))
  opt(o, 'uris', path, (u, p) =>
    array(u, p, (x, q) => {
      const uri = object(x, q)
      req(uri, 'value', q, string)
      opt(uri, 'executable', q, boolean)
      opt(uri, 'extract', q, boolean)
      opt(uri, 'cache', q, boolean)
      opt(uri, 'output_file', q, string)
      return uri
    }),
  )
  opt(o, 'environment', path, (e, p) => {
    const env = object(e, p)
    opt(env, 'variables', p, (vs, q) =>
      array(vs, q, (x, r) => {
        const variable = object(x, r)
        req(variable, 'name', r, string)
        opt(variable, 'type', r, (t, tp) => oneOf(t, tp, ['VALUE', 'SECRET', 'UNKNOWN'] as const))
        opt(variable, 'value', r, string)
        opt(variable, 'secret', r, secret)
        return variable
      }),
    )
  })
}

/** A Mesos Secret. No error quotes a value: it is a secret. */
function secret(v: unknown, path: string): Json {
  const o = object(v, path)
  req(o, 'type', path, (t, p) => oneOf(t, p, ['VALUE', 'REFERENCE'] as const))
  opt(o, 'value', path, (x, p) => {
    const value = object(x, p)
    req(value, 'data', p, (d, q) => {
      if (typeof d !== 'string' || !isBase64(d)) throw new ShapeError(`'${q}' must be base64-encoded bytes`)
      return d
    })
    return value
  })
  opt(o, 'reference', path, (x, p) => {
    const reference = object(x, p)
    req(reference, 'name', p, string)
    opt(reference, 'key', p, string)
    return reference
  })
  return o
}

export function taskInfo(v: unknown, path: string): TaskInfo {
  const o = object(v, path)
  req(o, 'name', path, string)
  req(o, 'task_id', path, value)
  req(o, 'agent_id', path, value)
  opt(o, 'resources', path, resources)
  opt(o, 'command', path, commandInfo)
  opt(o, 'executor', path, object)
  opt(o, 'container', path, object)
  opt(o, 'health_check', path, object)
  opt(o, 'check', path, object)
  opt(o, 'discovery', path, object)
  opt(o, 'limits', path, object)
  opt(o, 'data', path, string)
  opt(o, 'labels', path, labels)
  opt(o, 'max_completion_time', path, nanoseconds)
  opt(o, 'kill_policy', path, (k, p) => {
    opt(object(k, p), 'grace_period', p, nanoseconds)
  })
  o.resources ??= []
  return o as unknown as TaskInfo
}

export const CAPABILITIES = [
  'REVOCABLE_RESOURCES',
  'TASK_KILLING_STATE',
  'GPU_RESOURCES',
  'SHARED_RESOURCES',
  'PARTITION_AWARE',
  'MULTI_ROLE',
  'RESERVATION_REFINEMENT',
  'REGION_AWARE',
] as const

export function frameworkInfo(v: unknown, path: string): FrameworkInfo {
  const o = object(v, path)
  req(o, 'user', path, string)
  req(o, 'name', path, string)
  opt(o, 'id', path, value)
  opt(o, 'failover_timeout', path, number)
  opt(o, 'checkpoint', path, boolean)
  opt(o, 'role', path, string)
  opt(o, 'roles', path, (r, p) => array(r, p, string))
  opt(o, 'hostname', path, string)
  opt(o, 'principal', path, string)
  opt(o, 'webui_url', path, string)
  opt(o, 'labels', path, labels)
  opt(o, 'capabilities', path, (c, p) =>
    array(c, p, (x, q) => {
      const capability = object(x, q)
      req(capability, 'type', q, (t, tp) => oneOf(t, tp, CAPABILITIES))
      return capability
    }),
  )
  return o as unknown as FrameworkInfo
}

export function taskStatus(v: unknown, path: string): TaskStatus {
  const o = object(v, path)
  req(o, 'task_id', path, value)
  req(o, 'state', path, (s, p) => oneOf<TaskState>(s, p, TASK_STATES))
  opt(o, 'message', path, string)
  opt(o, 'source', path, (s, p) => oneOf(s, p, ['SOURCE_MASTER', 'SOURCE_AGENT', 'SOURCE_EXECUTOR'] as const))
  opt(o, 'reason', path, string)
  opt(o, 'data', path, string)
  opt(o, 'agent_id', path, value)
  opt(o, 'executor_id', path, value)
  opt(o, 'timestamp', path, number)
  opt(o, 'uuid', path, string)
  opt(o, 'healthy', path, boolean)
  opt(o, 'labels', path, labels)
  opt(o, 'unreachable_time', path, nanoseconds)
  return o as unknown as TaskStatus
}

export function agentInfo(v: unknown, path: string): AgentInfo {
  const o = object(v, path)
  req(o, 'hostname', path, string)
  const port = opt(o, 'port', path, number)
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535))
    throw new ShapeError(`'${path}.port' must be a port number`)
  opt(o, 'id', path, value)
  opt(o, 'resources', path, resources)
  opt(o, 'attributes', path, (a, p) => array(a, p, attribute, MAX_ENTRIES))
  o.port ??= 5051
  o.resources ??= []
  o.attributes ??= []
  return o as unknown as AgentInfo
}

export const OPERATION_TYPES = [
  'LAUNCH',
  'LAUNCH_GROUP',
  'RESERVE',
  'UNRESERVE',
  'CREATE',
  'DESTROY',
  'GROW_VOLUME',
  'SHRINK_VOLUME',
  'CREATE_DISK',
  'DESTROY_DISK',
] as const

export function operation(v: unknown, path: string): Operation {
  const o = object(v, path)
  req(o, 'type', path, (t, p) => oneOf(t, p, OPERATION_TYPES))
  opt(o, 'id', path, value)
  opt(o, 'launch', path, (l, p) => {
    req(object(l, p), 'task_infos', p, (t, q) => array(t, q, taskInfo))
  })
  opt(o, 'launch_group', path, (l, p) => {
    const group = object(req(object(l, p), 'task_group', p, object), `${p}.task_group`)
    opt(group, 'tasks', `${p}.task_group`, (t, q) => array(t, q, taskInfo))
  })
  opt(o, 'reserve', path, (r, p) => {
    req(object(r, p), 'resources', p, resources)
  })
  opt(o, 'unreserve', path, (r, p) => {
    req(object(r, p), 'resources', p, resources)
  })
  opt(o, 'create', path, (r, p) => {
    req(object(r, p), 'volumes', p, resources)
  })
  opt(o, 'destroy', path, (r, p) => {
    req(object(r, p), 'volumes', p, resources)
  })
  const body = {LAUNCH: 'launch', RESERVE: 'reserve', UNRESERVE: 'unreserve', CREATE: 'create', DESTROY: 'destroy'}[o.type as string]
  if (body && o[body] === undefined) throw new ShapeError(`Missing required field '${path}.${body}' for a ${String(o.type)} operation`)
  return o as unknown as Operation
}

