/**
 * The registry: every write endpoint of the cluster, and the GET endpoints whose query strings
 * name files and ids. One entry per endpoint; later components add theirs to `TARGETS` (e.g.
 * Marathon's `/v2/apps` with `component: 'marathon'` and a `marathon` entry in the context's
 * bases).
 *
 * Each entry is written so that no request it generates can change the cluster for real: a
 * valid body either changes nothing (a heartbeat, an ACK of an unknown update, a call on the
 * fuzzer's own framework), or is kept invalid by a protected field (`protect`), or is never sent
 * (`harmful`). So every 2xx that `accepts` does not allow is a finding.
 */
import type {FuzzContext, FuzzRequest, FuzzTarget, Seed} from './target'
import {CHRONOS_TARGETS} from './targets-chronos'
import {MARATHON_TARGETS} from './targets-marathon'
import {PACKAGES_TARGETS} from './targets-packages'

type Json = Record<string, unknown>

const SCHEDULER = '/api/v1/scheduler'
const AGENT_PROTOCOL = '/internal/v1'
const ACS = '/acs/api/v1'

const cpus = (value: number) => ({name: 'cpus', type: 'SCALAR', scalar: {value}})
const mem = (value: number) => ({name: 'mem', type: 'SCALAR', scalar: {value}})
const disk = (value: number) => ({name: 'disk', type: 'SCALAR', scalar: {value}})
const UUID = 'ZnV6ei11dWlkLTAwMDAwMDAwMDA='

const header = (req: FuzzRequest, name: string) => Object.entries(req.headers).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1]
const field = (json: unknown, ...path: string[]): unknown => path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Json)[k] : undefined), json)
const isGet = (req: FuzzRequest) => req.method === 'GET' || req.method === 'HEAD'

/** A task as a framework would launch it. */
function taskInfo(taskId: string, agentId: string): Json {
  return {
    name: 'fuzz',
    task_id: {value: taskId},
    agent_id: {value: agentId},
    resources: [cpus(0.1), mem(32)],
    command: {value: 'true', shell: true, environment: {variables: [{name: 'A', value: 'b'}]}, uris: [{value: 'http://127.0.0.1:9/x.tgz', extract: true}]},
    kill_policy: {grace_period: {nanoseconds: 1_000_000_000}},
    labels: {labels: [{key: 'k', value: 'v'}]},
  }
}

// ---- master: the v1 scheduler API ----

/** Bodies of every call type but SUBSCRIBE and TEARDOWN, for `frameworkId`. */
function schedulerCalls(ctx: FuzzContext, frameworkId: string): Json[] {
  const fw = {value: frameworkId}
  const agent = {value: ctx.agentId}
  const task = {value: ctx.witness.taskId}
  return [
    {
      type: 'ACCEPT',
      framework_id: fw,
      accept: {
        offer_ids: [{value: 'fuzz-offer-1'}],
        operations: [
          {type: 'LAUNCH', launch: {task_infos: [taskInfo('fuzz-task', ctx.agentId)]}},
          {type: 'RESERVE', reserve: {resources: [{...cpus(0.1), reservations: [{type: 'DYNAMIC', role: 'fuzz', principal: 'p'}]}]}},
          {type: 'CREATE', create: {volumes: [{name: 'disk', type: 'SCALAR', scalar: {value: 1}, disk: {persistence: {id: 'vol'}, volume: {container_path: 'data', mode: 'RW'}}}]}},
        ],
        filters: {refuse_seconds: 1},
      },
    },
    {type: 'DECLINE', framework_id: fw, decline: {offer_ids: [{value: 'fuzz-offer-2'}], filters: {refuse_seconds: 5}}},
    {type: 'REVIVE', framework_id: fw, revive: {roles: ['*']}},
    {type: 'SUPPRESS', framework_id: fw, suppress: {roles: ['*']}},
    {type: 'KILL', framework_id: fw, kill: {task_id: task, agent_id: agent, kill_policy: {grace_period: {nanoseconds: 1000}}}},
    {type: 'SHUTDOWN', framework_id: fw, shutdown: {executor_id: {value: 'e'}, agent_id: agent}},
    {type: 'ACKNOWLEDGE', framework_id: fw, acknowledge: {agent_id: agent, task_id: task, uuid: UUID}},
    {type: 'RECONCILE', framework_id: fw, reconcile: {tasks: [{task_id: task, agent_id: agent}, {task_id: {value: 'fuzz-none'}}]}},
    {type: 'MESSAGE', framework_id: fw, message: {agent_id: agent, executor_id: {value: 'e'}, data: 'aGk='}},
    {type: 'REQUEST', framework_id: fw, request: {requests: [{agent_id: agent, resources: [cpus(1)]}]}},
    {type: 'ACCEPT_INVERSE_OFFERS', framework_id: fw, accept_inverse_offers: {inverse_offer_ids: [{value: 'io'}]}},
    {type: 'DECLINE_INVERSE_OFFERS', framework_id: fw, decline_inverse_offers: {inverse_offer_ids: [{value: 'io'}]}},
    {type: 'ACKNOWLEDGE_OPERATION_STATUS', framework_id: fw, acknowledge_operation_status: {agent_id: agent, uuid: UUID, operation_id: {value: 'op'}}},
    {type: 'RECONCILE_OPERATIONS', framework_id: fw, reconcile_operations: {operations: [{operation_id: {value: 'op'}}]}},
    {type: 'UPDATE_FRAMEWORK', framework_id: fw, update_framework: {framework_info: {...ctx.victim.frameworkInfo, id: fw}, suppressed_roles: []}},
  ]
}

const schedulerTarget: FuzzTarget = {
  name: 'master POST /api/v1/scheduler',
  component: 'master',
  weight: 6,
  method: 'POST',
  path: () => SCHEDULER,
  seeds: (ctx) => {
    const victim = ctx.victim
    const withStream = {'Mesos-Stream-Id': victim.streamId}
    const seeds: Seed[] = [
      {
        // A re-subscription of a removed framework: every check runs, then the ERROR event.
        label: 'SUBSCRIBE (removed framework)',
        body: {
          type: 'SUBSCRIBE',
          framework_id: {value: ctx.ghostFrameworkId},
          subscribe: {
            framework_info: {
              user: 'root',
              name: 'fuzz',
              id: {value: ctx.ghostFrameworkId},
              roles: ['fuzz', 'a/b'],
              failover_timeout: 10,
              checkpoint: true,
              capabilities: [{type: 'MULTI_ROLE'}, {type: 'PARTITION_AWARE'}],
              labels: {labels: [{key: 'k', value: 'v'}]},
            },
            suppressed_roles: ['fuzz'],
          },
        },
        protect: ['framework_id', 'subscribe.framework_info.id'],
      },
      {
        label: 'SUBSCRIBE (with a stream id)',
        body: {type: 'SUBSCRIBE', subscribe: {framework_info: {user: 'root', name: 'fuzz'}}},
        headers: withStream,
      },
    ]
    for (const call of schedulerCalls(ctx, victim.frameworkId)) seeds.push({label: `${call.type} (fuzz framework)`, body: call, headers: withStream})
    for (const call of schedulerCalls(ctx, ctx.witness.frameworkId)) seeds.push({label: `${call.type} (witness, no stream id)`, body: call})
    seeds.push({label: 'TEARDOWN (witness, the fuzz stream id)', body: {type: 'TEARDOWN', framework_id: {value: ctx.witness.frameworkId}}, headers: withStream})
    seeds.push({label: 'TEARDOWN (fuzz framework, no stream id)', body: {type: 'TEARDOWN', framework_id: {value: victim.frameworkId}}})
    seeds.push({label: 'KILL (unknown framework)', body: {type: 'KILL', framework_id: {value: 'fuzz-unknown'}, kill: {task_id: {value: ctx.witness.taskId}}}, headers: withStream})
    return seeds
  },
  headers: () => ({Accept: 'application/json'}),
  accepts: (req, ctx) => {
    const type = field(req.json, 'type')
    const frameworkId = field(req.json, 'framework_id', 'value')
    if (type === 'SUBSCRIBE') return frameworkId === ctx.ghostFrameworkId && field(req.json, 'subscribe', 'framework_info', 'id', 'value') === ctx.ghostFrameworkId
    // Calls on the fuzzer's own framework may succeed: they touch nothing but it.
    return frameworkId === ctx.victim.frameworkId && header(req, 'Mesos-Stream-Id') === ctx.victim.streamId
  },
  harmful: (req, ctx) => {
    const json = req.json
    const type = field(json, 'type')
    const frameworkId = field(json, 'framework_id', 'value')
    if (type === 'SUBSCRIBE') {
      const id = field(json, 'subscribe', 'framework_info', 'id', 'value')
      // A subscription without a stream id creates a framework or fails one over, unless refused.
      return header(req, 'Mesos-Stream-Id') === undefined && (id !== ctx.ghostFrameworkId || frameworkId !== ctx.ghostFrameworkId)
    }
    return type === 'TEARDOWN' && frameworkId === ctx.victim.frameworkId && header(req, 'Mesos-Stream-Id') === ctx.victim.streamId
  },
}

// ---- master: operator endpoints ----

const teardownTarget: FuzzTarget = {
  name: 'master POST /master/teardown',
  component: 'master',
  weight: 2,
  method: 'POST',
  encoding: 'form',
  path: (_ctx, rng) => rng.pick(['/master/teardown', '/teardown', '/master/teardown.json']),
  seeds: (ctx) => [
    {label: 'removed framework', body: {frameworkId: ctx.ghostFrameworkId}},
    {label: 'witness', body: {frameworkId: ctx.witness.frameworkId}, protect: []},
  ],
  harmful: (req, ctx) => {
    if (typeof req.body !== 'string') return false
    const ids = new URLSearchParams(req.body).getAll('frameworkId')
    return ids.some((id) => ctx.liveFrameworkIds.includes(id))
  },
}

const READ_CALLS = ['GET_HEALTH', 'GET_FLAGS', 'GET_VERSION', 'GET_STATE', 'GET_AGENTS', 'GET_FRAMEWORKS', 'GET_EXECUTORS', 'GET_TASKS', 'GET_MASTER']
const UNIMPLEMENTED_CALLS = [
  'SET_LOGGING_LEVEL', 'LIST_FILES', 'READ_FILE', 'GET_METRICS', 'GET_LOGGING_LEVEL', 'GET_OPERATIONS',
  'GET_ROLES', 'GET_WEIGHTS', 'UPDATE_WEIGHTS', 'SUBSCRIBE', 'RESERVE_RESOURCES', 'UNRESERVE_RESOURCES',
  'CREATE_VOLUMES', 'DESTROY_VOLUMES', 'GROW_VOLUME', 'SHRINK_VOLUME', 'GET_MAINTENANCE_STATUS', 'GET_MAINTENANCE_SCHEDULE',
  'UPDATE_MAINTENANCE_SCHEDULE', 'START_MAINTENANCE', 'STOP_MAINTENANCE', 'DRAIN_AGENT', 'DEACTIVATE_AGENT', 'REACTIVATE_AGENT',
  'GET_QUOTA', 'UPDATE_QUOTA', 'SET_QUOTA', 'REMOVE_QUOTA', 'MARK_AGENT_GONE',
]

const operatorTarget: FuzzTarget = {
  name: 'master POST /api/v1 (operator)',
  component: 'master',
  weight: 3,
  method: 'POST',
  path: () => '/api/v1',
  seeds: (ctx) => [
    ...READ_CALLS.map((type) => ({label: type, body: {type}})),
    {label: 'TEARDOWN (removed framework)', body: {type: 'TEARDOWN', teardown: {framework_id: {value: ctx.ghostFrameworkId}}}},
    {label: 'MARK_AGENT_GONE', body: {type: 'MARK_AGENT_GONE', mark_agent_gone: {agent_id: {value: ctx.agentId}}}},
    {label: 'DRAIN_AGENT', body: {type: 'DRAIN_AGENT', drain_agent: {agent_id: {value: ctx.agentId}}}},
    {label: 'RESERVE_RESOURCES', body: {type: 'RESERVE_RESOURCES', reserve_resources: {agent_id: {value: ctx.agentId}, resources: [cpus(1)]}}},
  ],
  accepts: (req) => READ_CALLS.includes(field(req.json, 'type') as string),
  harmful: (req, ctx) => field(req.json, 'type') === 'TEARDOWN' && ctx.liveFrameworkIds.includes(field(req.json, 'teardown', 'framework_id', 'value') as string),
  // The master does not implement these operator calls, and says so (Mesos' own answer for them).
  allowedStatuses: (req) => (UNIMPLEMENTED_CALLS.includes(field(req.json, 'type') as string) ? [501] : []),
}

// ---- master: the agent protocol ----

function registration(ctx: FuzzContext): Json {
  return {
    agent_info: {hostname: '127.0.0.9', port: 5051, attributes: [{name: 'rack', type: 'TEXT', text: {value: 'r1'}}], resources: [cpus(1)]},
    url: 'http://127.0.0.9:5051',
    version: '1.11.0',
    resources: [
      cpus(2),
      mem(1024),
      {name: 'ports', type: 'RANGES', ranges: {range: [{begin: 31000, end: 32000}]}},
      {
        name: 'disk',
        type: 'SCALAR',
        scalar: {value: 100},
        reservations: [{type: 'DYNAMIC', role: 'r', principal: 'p'}],
        disk: {persistence: {id: 'v'}, volume: {container_path: 'data', mode: 'RW'}},
      },
    ],
    tasks: [
      {
        framework_id: ctx.ghostFrameworkId,
        task: taskInfo('fuzz-reported', ctx.agentId),
        state: 'TASK_RUNNING',
        statuses: [{task_id: {value: 'fuzz-reported'}, state: 'TASK_RUNNING', uuid: UUID, timestamp: 1}],
      },
    ],
    // Never a valid framework list: a registration that passed every check would add an agent.
    frameworks: [{user: 'root', name: 'fuzz', capabilities: [{type: 'NOT_A_CAPABILITY'}]}],
  }
}

const registerTarget: FuzzTarget = {
  name: 'master POST /internal/v1/agent/register',
  component: 'master',
  bases: (ctx) => ctx.bases.master.slice(0, 1),
  weight: 3,
  method: 'POST',
  path: () => `${AGENT_PROTOCOL}/agent/register`,
  seeds: (ctx) => [
    {label: 'new agent', body: registration(ctx), protect: ['frameworks']},
    {label: 'the real agent', body: {agent_id: ctx.agentId, ...registration(ctx)}, protect: ['frameworks']},
  ],
}

const heartbeatTarget: FuzzTarget = {
  name: 'master POST /internal/v1/agent/heartbeat',
  component: 'master',
  bases: (ctx) => ctx.bases.master.slice(0, 1),
  method: 'POST',
  path: () => `${AGENT_PROTOCOL}/agent/heartbeat`,
  seeds: (ctx) => [
    {label: 'the real agent', body: {agent_id: ctx.agentId}},
    {label: 'an unknown agent', body: {agent_id: 'fuzz-S9'}},
  ],
  // A heartbeat changes nothing but the agent's last-seen time; an unknown one is told to register.
  accepts: () => true,
}

const statusTarget: FuzzTarget = {
  name: 'master POST /internal/v1/agent/status',
  component: 'master',
  bases: (ctx) => ctx.bases.master.slice(0, 1),
  weight: 2,
  method: 'POST',
  path: () => `${AGENT_PROTOCOL}/agent/status`,
  seeds: (ctx) => [
    {
      // For a removed framework: checked in full, then acknowledged and dropped.
      label: 'removed framework',
      body: {
        agent_id: ctx.agentId,
        framework_id: ctx.ghostFrameworkId,
        status: {task_id: {value: 'fuzz-task'}, state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR', uuid: UUID, timestamp: 1, message: 'm', healthy: true, labels: {labels: []}},
      },
      protect: ['framework_id'],
    },
    {
      label: 'unknown agent, the witness',
      body: {agent_id: 'fuzz-S9', framework_id: ctx.witness.frameworkId, status: {task_id: {value: ctx.witness.taskId}, state: 'TASK_FAILED', uuid: UUID}},
      protect: ['agent_id'],
    },
  ],
  accepts: (req, ctx) => field(req.json, 'framework_id') === ctx.ghostFrameworkId,
  harmful: (req, ctx) => field(req.json, 'agent_id') === ctx.agentId && ctx.liveFrameworkIds.includes(field(req.json, 'framework_id') as string),
}

// ---- agent: the master's calls ----

const runTaskTarget: FuzzTarget = {
  name: 'agent POST /internal/v1/run_task',
  component: 'agent',
  weight: 3,
  method: 'POST',
  path: () => `${AGENT_PROTOCOL}/run_task`,
  seeds: (ctx) => [
    {
      // Meant for another agent: every check runs, then the agent refuses it (409).
      label: 'task of another agent',
      body: {
        framework_info: {id: {value: ctx.witness.frameworkId}, name: 'fuzz', user: 'root', capabilities: [{type: 'PARTITION_AWARE'}]},
        task: {...taskInfo('fuzz-task', 'fuzz-other-agent'), limits: {mem: {value: 64}}},
      },
      protect: ['task.agent_id'],
    },
  ],
}

const killTaskTarget: FuzzTarget = {
  name: 'agent POST /internal/v1/kill_task',
  component: 'agent',
  weight: 2,
  method: 'POST',
  path: () => `${AGENT_PROTOCOL}/kill_task`,
  seeds: (ctx) => [
    {
      label: 'unknown framework',
      body: {framework_id: 'fuzz-unknown-framework', task_id: ctx.witness.taskId, kill_policy: {grace_period: {nanoseconds: 5}}},
      protect: ['framework_id'],
    },
  ],
  accepts: (req, ctx) => !ctx.liveFrameworkIds.includes(field(req.json, 'framework_id') as string),
  harmful: (req, ctx) => ctx.liveFrameworkIds.includes(field(req.json, 'framework_id') as string),
}

const ackTarget: FuzzTarget = {
  name: 'agent POST /internal/v1/ack',
  component: 'agent',
  method: 'POST',
  path: () => `${AGENT_PROTOCOL}/ack`,
  seeds: (ctx) => [{label: 'unknown update of the witness', body: {framework_id: ctx.witness.frameworkId, task_id: ctx.witness.taskId, uuid: UUID}}],
  // An acknowledgement of an update the agent does not wait for is ignored.
  accepts: () => true,
}

const shutdownFrameworkTarget: FuzzTarget = {
  name: 'agent POST /internal/v1/shutdown_framework',
  component: 'agent',
  method: 'POST',
  path: () => `${AGENT_PROTOCOL}/shutdown_framework`,
  seeds: () => [{label: 'unknown framework', body: {framework_id: 'fuzz-unknown-framework'}}],
  accepts: () => true,
  harmful: (req, ctx) => ctx.liveFrameworkIds.includes(field(req.json, 'framework_id') as string),
}

const reserved = (resource: Json) => ({...resource, reservations: [{type: 'DYNAMIC', role: 'fuzz', principal: 'p'}]})

const applyOperationsTarget: FuzzTarget = {
  name: 'agent POST /internal/v1/apply_operations',
  component: 'agent',
  weight: 2,
  method: 'POST',
  path: () => `${AGENT_PROTOCOL}/apply_operations`,
  // Every seed asks for far more than the agent has (409); the amounts are protected.
  seeds: () => [
    {label: 'RESERVE', body: {operations: [{type: 'RESERVE', reserve: {resources: [reserved(cpus(1e6))]}}]}, protect: ['operations.0.reserve.resources.0.scalar']},
    {label: 'UNRESERVE', body: {operations: [{type: 'UNRESERVE', unreserve: {resources: [reserved(mem(1e9))]}}]}, protect: ['operations.0.unreserve.resources.0.scalar']},
    {
      label: 'CREATE',
      body: {operations: [{type: 'CREATE', create: {volumes: [{...reserved(disk(1e9)), disk: {persistence: {id: 'fuzz-vol'}, volume: {container_path: 'data', mode: 'RW'}}}]}}]},
      protect: ['operations.0.create.volumes.0.scalar'],
    },
    {label: 'DESTROY', body: {operations: [{type: 'DESTROY', destroy: {volumes: [{...reserved(disk(1)), disk: {persistence: {id: 'fuzz-none'}}}]}}]}},
  ],
  accepts: (req) => {
    const ops = field(req.json, 'operations')
    return Array.isArray(ops) && ops.length === 0
  },
}

// ---- gateway: the ACS ----

const loginTarget: FuzzTarget = {
  name: 'gateway POST /acs/api/v1/auth/login',
  component: 'gateway',
  weight: 2,
  method: 'POST',
  path: () => `${ACS}/auth/login`,
  public: true,
  seeds: (ctx) => [
    {label: 'unknown user', body: {uid: 'fuzz-nobody', password: 'wrong'}},
    {label: 'admin, wrong password', body: {uid: ctx.adminUid, password: 'not-the-password'}},
    {label: 'service login', body: {uid: 'fuzz-service', token: 'eyJhbGciOiJSUzI1NiJ9.e30.x'}},
  ],
  // A login that succeeds hands out a token and changes nothing.
  accepts: () => true,
}

const logoutTarget: FuzzTarget = {
  name: 'gateway POST /acs/api/v1/auth/logout',
  component: 'gateway',
  method: 'POST',
  path: () => `${ACS}/auth/logout`,
  // A valid token would be revoked: only missing, malformed and forged ones are sent.
  brokenAuthOnly: true,
  seeds: () => [{label: 'logout', body: {}}],
}

/** Uids: valid new ones (a PUT may create them), existing ones, and ones no uid may be. */
function uidFor(ctx: FuzzContext, n: number, pick: (xs: readonly string[]) => string): string {
  return pick([
    `fuzz-user-${n}`,
    `fuzz.user@${n}`,
    ctx.adminUid,
    encodeURIComponent('../x'),
    '..',
    '%2e%2e',
    encodeURIComponent('a/b'),
    '%00',
    encodeURIComponent('a\u0000b'),
    encodeURIComponent('é'),
    'x'.repeat(97),
    encodeURIComponent(' '),
    '%ZZ',
    encodeURIComponent('__proto__'),
    'constructor',
  ])
}

/** The uid a users request names (decoded as the gateway decodes it). */
export function uidOf(req: FuzzRequest): string {
  const raw = new URL(req.url).pathname.split(`${ACS}/users/`)[1] ?? ''
  try {
    return decodeURIComponent(raw)
  } catch {
    return raw
  }
}

export const USERS_TARGET = 'gateway PUT /acs/api/v1/users/<uid>'

const putUserTarget: FuzzTarget = {
  name: USERS_TARGET,
  component: 'gateway',
  weight: 2,
  method: 'PUT',
  path: (ctx, rng) => `${ACS}/users/${uidFor(ctx, rng.int(1000), (xs) => rng.pick(xs))}`,
  seeds: () => [
    {label: 'user', body: {description: 'fuzz user', password: 'fuzz-password'}},
    {label: 'service account', body: {description: 'fuzz service', public_key: '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----'}},
  ],
  // A created user is accounted for by the test (the users list may grow by exactly these).
  accepts: (req) => req.method === 'PUT' || isGet(req) || req.method === 'OPTIONS',
  // A DELETE of a well-formed uid could remove a real user (or one a PUT just created).
  harmful: (req) => req.method === 'DELETE' && /^[A-Za-z0-9@._-]{1,96}$/.test(uidOf(req)),
}

// ---- the gateway's routes to components ----

const proxyTarget: FuzzTarget = {
  name: 'gateway proxied paths (/mesos, /agent, /slave, /service)',
  component: 'gateway',
  weight: 3,
  method: 'GET',
  path: (ctx, rng) => {
    const prefix = rng.pick([
      '/mesos',
      `/agent/${ctx.agentId}`,
      `/slave/${ctx.agentId}`,
      '/agent/fuzz-unknown',
      `/agent/${encodeURIComponent('../x')}`,
      '/agent/%2e%2e',
      '/agent/..%2f..',
      '/service/fuzz',
      `/service/${encodeURIComponent('a/b')}`,
      '/marathon',
      '/mesos/..',
      '/mesos/%2e%2e',
      '/mesos/%252e%252e',
    ])
    const rest = rng.pick([
      '/master/state',
      '/state',
      '/files/browse?path=/',
      '/files/read?path=/etc/passwd&offset=0',
      '/../../acs/api/v1/users',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/..%2f..%2fetc%2fpasswd',
      '/internal/v1/agent/heartbeat',
      '/',
      '',
      '/%00',
      '/a%2fb',
      '/.%2e/.%2e/master/state',
      '/nope',
      '/health',
    ])
    return prefix + rest
  },
}

// ---- GET endpoints with ids and files in their query strings ----

const tasksTarget: FuzzTarget = {
  name: 'master GET /master/tasks',
  component: 'master',
  weight: 2,
  method: 'GET',
  path: (_ctx, rng) => rng.pick(['/master/tasks', '/tasks', '/master/tasks.json']),
  query: (ctx) => ({limit: '10', offset: '0', order: 'asc', framework_id: ctx.witness.frameworkId, task_id: ctx.witness.taskId}),
  queryTricks: () => ['desc', 'ASC', 'random', '-5', '10000000000'],
}

const masterReadsTarget: FuzzTarget = {
  name: 'master GET state, frameworks, slaves, roles, flags',
  component: 'master',
  weight: 2,
  method: 'GET',
  path: (_ctx, rng) =>
    rng.pick([
      '/master/state',
      '/state.json',
      '/master/frameworks',
      '/master/slaves',
      '/slaves',
      '/master/roles',
      '/master/flags',
      '/master/state-summary',
      '/metrics/snapshot',
      '/version',
      '/master/redirect',
    ]),
  query: (ctx) => ({framework_id: ctx.witness.frameworkId, slave_id: ctx.agentId, jsonp: 'cb'}),
}

const masterFilesTarget: FuzzTarget = {
  name: 'master GET /files/*',
  component: 'master',
  weight: 2,
  method: 'GET',
  path: (_ctx, rng) => rng.pick(['/files/read', '/files/browse', '/files/download', '/files/debug', '/files/read.json']),
  query: () => ({path: '/master/log', offset: '0', length: '100'}),
}

const agentFilesTarget: FuzzTarget = {
  name: 'agent GET /files/*',
  component: 'agent',
  weight: 5,
  method: 'GET',
  path: (_ctx, rng) => rng.pick(['/files/read', '/files/browse', '/files/download', '/files/debug', '/files/read.json', '/files/browse.json']),
  query: (ctx, rng) => ({
    path: rng.pick([ctx.sandbox, `${ctx.sandbox}/stdout`, `/frameworks/${ctx.witness.frameworkId}/executors/${ctx.witness.taskId}/runs/latest`, '/slave/log']),
    offset: '0',
    length: '100',
  }),
  queryTricks: (ctx) => {
    const latest = `/frameworks/${ctx.witness.frameworkId}/executors/${ctx.witness.taskId}/runs/latest`
    return [
      `${ctx.sandbox}/../../../../../../../../etc/passwd`,
      `${ctx.sandbox}/..`,
      `${ctx.sandbox}/../../../../..`,
      `${ctx.sandbox}/root_link/etc/passwd`,
      `${ctx.sandbox}/root_link`,
      `${ctx.sandbox}/canary_link`,
      `${ctx.sandbox}/up_link`,
      `${ctx.sandbox}/up_link/../../..`,
      `${ctx.sandbox}/fifo`,
      `${ctx.sandbox}/ok.txt`,
      `${latest}/../../../../../../../../../etc/passwd`,
      `${latest}/root_link/etc/passwd`,
      `${latest}/canary_link`,
      `${latest}/fifo`,
      `${latest}/%2e%2e/%2e%2e`,
      `/frameworks/${ctx.witness.frameworkId}/executors/../../../../etc/runs/latest`,
      `/frameworks/../executors/x/runs/latest/../../../../../etc/passwd`,
      `${ctx.sandbox}\u0000/stdout`,
      `${ctx.sandbox}/stdout\u0000.txt`,
    ]
  },
}

const agentReadsTarget: FuzzTarget = {
  name: 'agent GET state, flags, statistics, metrics',
  component: 'agent',
  method: 'GET',
  path: (_ctx, rng) => rng.pick(['/state', '/state.json', '/slave(1)/state', '/flags', '/monitor/statistics', '/monitor/statistics.json', '/metrics/snapshot', '/version', '/containers']),
  query: () => ({jsonp: 'cb'}),
}

/** Every target of the cluster's own components (Marathon's in ./targets-marathon, the package service's in ./targets-packages). */
export const TARGETS: FuzzTarget[] = [
  schedulerTarget,
  teardownTarget,
  operatorTarget,
  registerTarget,
  heartbeatTarget,
  statusTarget,
  runTaskTarget,
  killTaskTarget,
  ackTarget,
  shutdownFrameworkTarget,
  applyOperationsTarget,
  loginTarget,
  logoutTarget,
  putUserTarget,
  proxyTarget,
  tasksTarget,
  masterReadsTarget,
  masterFilesTarget,
  agentFilesTarget,
  agentReadsTarget,
  ...MARATHON_TARGETS,
  ...PACKAGES_TARGETS,
  ...CHRONOS_TARGETS,
]
