/**
 * Checks the master's requests before the agent acts on them: shapes, types and ids, so that a
 * malformed request is a 400 naming the bad field and never a crash or a half-started task.
 * Unknown fields pass through untouched, as everywhere in the Mesos JSON.
 */
import type {
  AckRequest,
  ApplyOperationsRequest,
  KillTaskRequest,
  RunTaskRequest,
  ShutdownFrameworkRequest,
} from '../../mesos/agent-protocol'
import {isBase64} from '../../mesos/secrets'
import type {KillPolicy, Resource} from '../../mesos/types'
import {badRequest, checkId} from '../http'

type Json = Record<string, unknown>

function object(v: unknown, what: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw badRequest(`${what} must be a JSON object`)
  return v as Json
}

function optionalObject(v: unknown, what: string): Json | undefined {
  return v === undefined || v === null ? undefined : object(v, what)
}

function array(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw badRequest(`${what} must be an array`)
  return v
}

/** Strings that reach a command line or an environment must not hold NUL bytes. */
function string(v: unknown, what: string): string {
  if (typeof v !== 'string') throw badRequest(`${what} must be a string`)
  if (v.includes('\u0000')) throw badRequest(`${what} must not contain NUL bytes`)
  return v
}

function optionalString(v: unknown, what: string): void {
  if (v !== undefined && v !== null) string(v, what)
}

function optionalBoolean(v: unknown, what: string): void {
  if (v !== undefined && v !== null && typeof v !== 'boolean') throw badRequest(`${what} must be true or false`)
}

function number(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw badRequest(`${what} must be a non-negative number`)
  return v
}

function idValue(v: unknown, what: string): string {
  return checkId(what, object(v, what).value)
}

function validateResources(v: unknown, what: string): Resource[] {
  return array(v, what).map((item, i) => {
    const r = object(item, `${what}[${i}]`)
    const name = string(r.name, `${what}[${i}].name`)
    if (!name) throw badRequest(`${what}[${i}].name must not be empty`)
    if (r.type === 'SCALAR') number(object(r.scalar, `${what}[${i}].scalar`).value, `${what}[${i}].scalar.value`)
    else if (r.type === 'RANGES') {
      for (const [j, range] of array(object(r.ranges, `${what}[${i}].ranges`).range, `${what}[${i}].ranges.range`).entries()) {
        const o = object(range, `${what}[${i}].ranges.range[${j}]`)
        const begin = number(o.begin, `${what}[${i}].ranges.range[${j}].begin`)
        const end = number(o.end, `${what}[${i}].ranges.range[${j}].end`)
        if (!Number.isInteger(begin) || !Number.isInteger(end) || end < begin)
          throw badRequest(`${what}[${i}].ranges.range[${j}] must have integer begin <= end`)
      }
    } else if (r.type === 'SET') array(object(r.set, `${what}[${i}].set`).item, `${what}[${i}].set.item`).forEach((s, j) => string(s, `${what}[${i}].set.item[${j}]`))
    else throw badRequest(`${what}[${i}].type must be SCALAR, RANGES or SET`)
    validateRoles(r, `${what}[${i}]`)
    const disk = optionalObject(r.disk, `${what}[${i}].disk`)
    if (disk?.persistence !== undefined) checkId(`${what}[${i}].disk.persistence.id`, object(disk.persistence, `${what}[${i}].disk.persistence`).id)
    if (disk?.volume !== undefined) string(object(disk.volume, `${what}[${i}].disk.volume`).container_path, `${what}[${i}].disk.volume.container_path`)
    return r as unknown as Resource
  })
}

/** A resource's `role`, `reservation` and `reservations` stack: roles are names (Mesos docs/roles.md). */
function validateRoles(r: Record<string, unknown>, what: string): void {
  if (r.role !== undefined) role(r.role, `${what}.role`)
  const reservations = [
    ...(r.reservation !== undefined && r.reservation !== null ? [r.reservation] : []),
    ...(r.reservations !== undefined && r.reservations !== null ? array(r.reservations, `${what}.reservations`) : []),
  ]
  reservations.forEach((item, j) => {
    const res = object(item, `${what}.reservations[${j}]`)
    if (res.role !== undefined) role(res.role, `${what}.reservations[${j}].role`)
    optionalString(res.principal, `${what}.reservations[${j}].principal`)
    if (res.type !== undefined && res.type !== 'STATIC' && res.type !== 'DYNAMIC')
      throw badRequest(`${what}.reservations[${j}].type must be STATIC or DYNAMIC`)
  })
}

function role(v: unknown, what: string): string {
  const name = string(v, what)
  // eslint-disable-next-line no-control-regex
  if (!name || name.length > 255 || name === '.' || name === '..' || name.startsWith('-') || /[\s\u0000-\u001f\u007f]/.test(name))
    throw badRequest(`${what} '${name.slice(0, 64)}' is not a valid role name`)
  return name
}

function validateKillPolicy(v: unknown, what: string): KillPolicy | undefined {
  const policy = optionalObject(v, what)
  if (policy?.grace_period !== undefined) number(object(policy.grace_period, `${what}.grace_period`).nanoseconds, `${what}.grace_period.nanoseconds`)
  return policy as KillPolicy | undefined
}

function validateCommand(v: unknown): void {
  const c = optionalObject(v, 'task.command')
  if (!c) return
  optionalBoolean(c.shell, 'task.command.shell')
  optionalString(c.value, 'task.command.value')
  optionalString(c.user, 'task.command.user')
  if (c.arguments !== undefined) array(c.arguments, 'task.command.arguments').forEach((a, i) => string(a, `task.command.arguments[${i}]`))
  if (c.shell === false && !c.value) throw badRequest('task.command.value must name the executable when shell is false')
  if (c.uris !== undefined)
    array(c.uris, 'task.command.uris').forEach((u, i) => {
      const uri = object(u, `task.command.uris[${i}]`)
      if (!string(uri.value, `task.command.uris[${i}].value`)) throw badRequest(`task.command.uris[${i}].value must not be empty`)
      for (const flag of ['executable', 'extract', 'cache']) optionalBoolean(uri[flag], `task.command.uris[${i}].${flag}`)
      optionalString(uri.output_file, `task.command.uris[${i}].output_file`)
    })
  const env = optionalObject(c.environment, 'task.command.environment')
  if (env)
    array(env.variables ?? [], 'task.command.environment.variables').forEach((item, i) => {
      const variable = object(item, `task.command.environment.variables[${i}]`)
      const name = string(variable.name, `task.command.environment.variables[${i}].name`)
      if (!name || name.includes('=')) throw badRequest(`task.command.environment.variables[${i}].name must be non-empty and without '='`)
      optionalString(variable.value, `task.command.environment.variables[${i}].value`)
      if (variable.type === 'SECRET') validateSecret(variable.secret, `task.command.environment.variables[${i}].secret`)
    })
}

/** A SECRET variable's value: only values (no secret store on agents). No message quotes it. */
function validateSecret(v: unknown, what: string): void {
  const secret = object(v, what)
  if (secret.type === 'REFERENCE') throw badRequest(`${what}: secret references are not supported (this agent resolves no secret store); send the value`)
  if (secret.type !== 'VALUE') throw badRequest(`${what}.type must be VALUE`)
  const data = object(secret.value, `${what}.value`).data
  if (typeof data !== 'string' || !isBase64(data)) throw badRequest(`${what}.value.data must be base64-encoded bytes`)
  if (Buffer.from(data, 'base64').includes(0)) throw badRequest(`${what}.value.data must not hold NUL bytes (it becomes an environment variable)`)
}

export function validateRunTask(body: unknown): RunTaskRequest {
  const req = object(body, 'The request body')
  const framework = object(req.framework_info, 'framework_info')
  idValue(framework.id, 'framework_info.id')
  optionalString(framework.name, 'framework_info.name')
  optionalString(framework.user, 'framework_info.user')
  const task = object(req.task, 'task')
  string(task.name, 'task.name')
  idValue(task.task_id, 'task.task_id')
  if (task.agent_id !== undefined) string(object(task.agent_id, 'task.agent_id').value, 'task.agent_id.value')
  validateResources(task.resources ?? [], 'task.resources')
  validateCommand(task.command)
  validateKillPolicy(task.kill_policy, 'task.kill_policy')
  const limits = optionalObject(task.limits, 'task.limits')
  const mem = limits?.mem
  if (mem !== undefined && typeof mem !== 'string') number(object(mem, 'task.limits.mem').value, 'task.limits.mem.value')
  return {framework_info: framework, task: {resources: [], ...task}} as unknown as RunTaskRequest
}

export function validateKillTask(body: unknown): KillTaskRequest {
  const req = object(body, 'The request body')
  checkId('framework_id', req.framework_id)
  checkId('task_id', req.task_id)
  validateKillPolicy(req.kill_policy, 'kill_policy')
  return req as unknown as KillTaskRequest
}

export function validateAck(body: unknown): AckRequest {
  const req = object(body, 'The request body')
  checkId('framework_id', req.framework_id)
  checkId('task_id', req.task_id)
  const uuid = string(req.uuid, 'uuid')
  if (!/^[A-Za-z0-9+/=_-]{1,64}$/.test(uuid)) throw badRequest('uuid must be the base64 text of a status update uuid')
  return req as unknown as AckRequest
}

export function validateShutdownFramework(body: unknown): ShutdownFrameworkRequest {
  const req = object(body, 'The request body')
  checkId('framework_id', req.framework_id)
  return req as unknown as ShutdownFrameworkRequest
}

export function validateOperations(body: unknown): ApplyOperationsRequest {
  const req = object(body, 'The request body')
  array(req.operations, 'operations').forEach((item, i) => {
    const op = object(item, `operations[${i}]`)
    string(op.type, `operations[${i}].type`)
    const field = typeof op.type === 'string' ? op.type.toLowerCase() : ''
    const inner = optionalObject(op[field], `operations[${i}].${field}`)
    for (const key of ['resources', 'source', 'volumes']) if (inner?.[key] !== undefined) validateResources(inner[key], `operations[${i}].${field}.${key}`)
  })
  return req as unknown as ApplyOperationsRequest
}
