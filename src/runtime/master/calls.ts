/**
 * Parsing and validation of v1 scheduler `Call`s with the error texts of Mesos
 * (`src/master/http.cpp`, `src/master/validation.cpp`): JSON that does not fit the message is
 * "Failed to convert JSON into Call protobuf: ...", a call missing its body or framework id is
 * "Failed to validate scheduler::Call: ...". Both are 400s.
 */
import type {Call, CallType, FrameworkInfo} from '../../mesos/types'
import {badRequest, checkId} from '../http'
import {frameworkRoles, isMultiRole} from './model'
import * as wire from './wire'

export const CALL_TYPES: readonly CallType[] = [
  'SUBSCRIBE',
  'TEARDOWN',
  'ACCEPT',
  'DECLINE',
  'REVIVE',
  'KILL',
  'SHUTDOWN',
  'ACKNOWLEDGE',
  'RECONCILE',
  'MESSAGE',
  'REQUEST',
  'SUPPRESS',
  'ACCEPT_INVERSE_OFFERS',
  'DECLINE_INVERSE_OFFERS',
  'ACKNOWLEDGE_OPERATION_STATUS',
  'RECONCILE_OPERATIONS',
  'UPDATE_FRAMEWORK',
]

/** The body field each call type carries, and whether Mesos requires it. */
const BODIES: Record<CallType, [field: string, required: boolean] | undefined> = {
  SUBSCRIBE: ['subscribe', true],
  TEARDOWN: undefined,
  ACCEPT: ['accept', true],
  DECLINE: ['decline', true],
  REVIVE: ['revive', false],
  SUPPRESS: ['suppress', false],
  KILL: ['kill', true],
  SHUTDOWN: ['shutdown', true],
  ACKNOWLEDGE: ['acknowledge', true],
  RECONCILE: ['reconcile', true],
  MESSAGE: ['message', true],
  REQUEST: ['request', true],
  ACCEPT_INVERSE_OFFERS: ['accept_inverse_offers', true],
  DECLINE_INVERSE_OFFERS: ['decline_inverse_offers', true],
  ACKNOWLEDGE_OPERATION_STATUS: ['acknowledge_operation_status', true],
  RECONCILE_OPERATIONS: ['reconcile_operations', true],
  UPDATE_FRAMEWORK: ['update_framework', true],
}

class CallInvalid extends Error {}

const roles = (v: unknown, p: string) => wire.array(v, p, wire.string)

function filters(o: wire.Json, path: string): void {
  wire.opt(o, 'filters', path, (f, p) => {
    wire.opt(wire.object(f, p), 'refuse_seconds', p, wire.number)
  })
}

/** Checks the body of each call type; throws ShapeError or CallInvalid. */
function checkBody(type: CallType, body: wire.Json, path: string): void {
  switch (type) {
    case 'SUBSCRIBE':
      wire.req(body, 'framework_info', path, wire.frameworkInfo)
      wire.opt(body, 'suppressed_roles', path, roles)
      return
    case 'UPDATE_FRAMEWORK':
      wire.req(body, 'framework_info', path, wire.frameworkInfo)
      wire.opt(body, 'suppressed_roles', path, roles)
      return
    case 'ACCEPT':
      body.offer_ids = wire.opt(body, 'offer_ids', path, (v, p) => wire.array(v, p, wire.value)) ?? []
      body.operations = wire.opt(body, 'operations', path, (v, p) => wire.array(v, p, wire.operation)) ?? []
      filters(body, path)
      return
    case 'DECLINE':
      body.offer_ids = wire.opt(body, 'offer_ids', path, (v, p) => wire.array(v, p, wire.value)) ?? []
      filters(body, path)
      return
    case 'REVIVE':
    case 'SUPPRESS':
      wire.opt(body, 'roles', path, roles)
      wire.opt(body, 'role', path, wire.string)
      return
    case 'KILL':
      wire.req(body, 'task_id', path, wire.value)
      wire.opt(body, 'agent_id', path, wire.value)
      wire.opt(body, 'kill_policy', path, wire.object)
      return
    case 'SHUTDOWN':
      wire.req(body, 'executor_id', path, wire.value)
      wire.req(body, 'agent_id', path, wire.value)
      return
    case 'ACKNOWLEDGE': {
      wire.req(body, 'agent_id', path, wire.value)
      wire.req(body, 'task_id', path, wire.value)
      const uuid = wire.req(body, 'uuid', path, wire.string)
      if (uuid.length === 0 || uuid.length > 256 || !/^[A-Za-z0-9+/=_-]+$/.test(uuid))
        throw new CallInvalid(`'${path}.uuid' is not a valid base64-encoded UUID`)
      return
    }
    case 'ACKNOWLEDGE_OPERATION_STATUS':
      if (body.agent_id === undefined) throw new CallInvalid("Expecting 'agent_id' to be present")
      return
    case 'RECONCILE':
      body.tasks =
        wire.opt(body, 'tasks', path, (v, p) =>
          wire.array(v, p, (x, q) => {
            const t = wire.object(x, q)
            wire.req(t, 'task_id', q, wire.value)
            wire.opt(t, 'agent_id', q, wire.value)
            return t
          }),
        ) ?? []
      return
    case 'MESSAGE':
      wire.req(body, 'agent_id', path, wire.value)
      wire.req(body, 'executor_id', path, wire.value)
      wire.req(body, 'data', path, wire.string)
      return
    default:
      return
  }
}

/** JSON → a validated Call, or a 400 HttpError with the Mesos message. */
export function parseCall(json: unknown): Call {
  try {
    const o = wire.object(json, 'Call')
    const type = wire.req(o, 'type', 'Call', (v, p) => wire.oneOf(v, p, CALL_TYPES))
    const frameworkId = wire.opt(o, 'framework_id', 'Call', wire.value)
    const spec = BODIES[type]
    if (spec) {
      const [field, required] = spec
      const body = wire.opt(o, field, 'Call', wire.object)
      if (body) checkBody(type, body, field)
      else if (required) throw new CallInvalid(`Expecting '${field}' to be present`)
    }
    if (type === 'SUBSCRIBE') {
      const id = (o.subscribe as {framework_info: FrameworkInfo}).framework_info.id?.value
      if (id !== frameworkId?.value) throw new CallInvalid("'framework_id' differs from 'subscribe.framework_info.id'")
    } else {
      if (!frameworkId) throw new CallInvalid("Expecting 'framework_id' to be present")
      if (type === 'UPDATE_FRAMEWORK') {
        const id = (o.update_framework as {framework_info: FrameworkInfo}).framework_info.id?.value
        if (id !== frameworkId.value) throw new CallInvalid("'framework_id' differs from 'update_framework.framework_info.id'")
      }
    }
    return o as unknown as Call
  } catch (error) {
    if (error instanceof wire.ShapeError) throw badRequest(`Failed to convert JSON into Call protobuf: ${error.message}`)
    if (error instanceof CallInvalid) throw badRequest(`Failed to validate scheduler::Call: ${error.message}`)
    throw error
  }
}

/** Mesos `roles::validate`: the role-name rules of docs/roles.md. */
export function roleError(role: string): string | undefined {
  if (role === '*') return undefined
  if (role.startsWith('/')) return `Role '${role}' cannot start with a slash`
  if (role.endsWith('/')) return `Role '${role}' cannot end with a slash`
  if (role.includes('//')) return `Role '${role}' cannot contain two adjacent slashes`
  const components = role.split('/').filter(Boolean)
  if (components.length === 0) return 'Role names cannot be the empty string'
  for (const c of components) {
    if (c === '.') return `Role '${role}' cannot include '.' as a component`
    if (c === '..') return `Role '${role}' cannot include '..' as a component`
    if (c === '*') return `Role '${role}' cannot include '*' as a component`
    if (c.startsWith('-')) return `Role component '${c}' is invalid because it starts with a dash`
    if (/[\t\n\v\f\r \x7f]/.test(c)) return `Role component '${c}' is invalid because it contains backspace or whitespace`
  }
  return undefined
}

/**
 * Mesos `validation::framework::validate`, answered as a 400. Lenient where old and new
 * frameworks disagree: `roles` without the MULTI_ROLE capability is taken as multi-role.
 */
export function validateFrameworkInfo(info: FrameworkInfo): void {
  const field = isMultiRole(info) ? "'FrameworkInfo.roles'" : "'FrameworkInfo.role'"
  const list = frameworkRoles(info)
  const duplicates = list.filter((r, i) => list.indexOf(r) !== i)
  if (duplicates.length) throw badRequest(`${field} contains duplicate items: ${[...new Set(duplicates)].join(', ')}`)
  for (const role of list) {
    const error = roleError(role)
    if (error) throw badRequest(`${field} ${isMultiRole(info) ? 'contains invalid role' : 'is not a valid role'}: ${error}`)
  }
  const timeout = info.failover_timeout ?? 0
  if (timeout < 0 || timeout > 1e10) throw badRequest(`The framework failover_timeout (${timeout}) is invalid`)
  if (info.id) checkId('FrameworkInfo.id', info.id.value)
}

