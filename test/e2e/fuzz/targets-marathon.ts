/**
 * Marathon's v2 API in the registry (`component: 'marathon'`: its own port, the gateway's
 * `/marathon` and `/service/marathon`).
 *
 * The rule of the registry holds here too: no request may change the cluster for real beyond
 * what its entry allows. What a request may change is the fuzz-only group `FUZZ_GROUP`: apps
 * and groups below it, always with 0 instances (so nothing launches), which the test removes
 * after the run. The bodies that could create or change something do so only below that group
 * (their ids and `instances` are protected). Everything else (the witness app and its task,
 * the root group, ids named freely) gets bodies kept invalid by a protected field (`instances:
 * -1`, an id that is no task id), and requests that would really touch the witness (a DELETE of
 * it or of a group above it, a kill of its task) are never sent.
 */
import {canonicalPath, isDescendant, parentOf} from '../../../src/runtime/marathon/path-id'
import {instanceIdOf} from '../../../src/runtime/marathon/tasks'
import type {FuzzContext, FuzzRequest, FuzzTarget, Seed} from './target'

type Json = Record<string, unknown>

/** The group every accepted change stays in; the test removes it after the run. */
export const FUZZ_GROUP = '/fuzzing'
/** The witness: an app with one running task no request may touch. */
export const MARATHON_WITNESS_APP = '/fuzz-witness-app'

/** A task id of Marathon's form that names no task. */
const UNKNOWN_TASK = 'fuzzing_none.instance-00000000-0000-4000-8000-000000000000._app.1'
/** Kept in a kill list, it makes the list invalid whatever else is in it. */
const NOT_A_TASK_ID = 'fuzz-not-a-task-id'

const isGet = (req: FuzzRequest) => req.method === 'GET' || req.method === 'HEAD'
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v)

/**
 * The path of a request below its base (the base may itself have a path: `/service/marathon`)
 * as the server sees it: `.` and `..` resolved (`%2e%2e` too, as every URL parser does), and
 * doubled slashes as one (Marathon's routes and ids drop empty segments). Empty when the path
 * leaves the base.
 */
function pathBelowBase(req: FuzzRequest, ctx: FuzzContext): string {
  const base = (ctx.bases.marathon ?? []).filter((b) => req.url.startsWith(b)).sort((a, b) => b.length - a.length)[0] ?? ''
  let path: string
  let basePath: string
  try {
    path = new URL(req.url).pathname
    basePath = new URL(base).pathname.replace(/\/$/, '')
  } catch {
    return ''
  }
  if (!path.startsWith(basePath)) return ''
  return path.slice(basePath.length).replace(/\/{2,}/g, '/')
}

/** Whether a body's app id (resolved as Marathon resolves it against `base`) lies in the fuzz group. */
function inFuzzGroup(id: unknown, base = '/'): boolean {
  if (typeof id !== 'string') return false
  try {
    return isDescendant(canonicalPath(id, base), FUZZ_GROUP)
  } catch {
    return false
  }
}

/**
 * The id a URL path names below `prefix` (`/v2/apps`), its segments decoded as Marathon decodes
 * them; undefined when it names none, or has `.` or `..` behind an encoded slash (refused).
 */
function urlId(path: string, prefix: string): string | undefined {
  try {
    const segs = path.slice(prefix.length).split('/').filter(Boolean).map((seg) => decodeURIComponent(seg))
    if (segs.some((seg) => seg.split('/').some((part) => part === '.' || part === '..'))) return undefined
    return canonicalPath(segs.join('/'))
  } catch {
    return undefined
  }
}

/** Whether a URL path has `.` or `..` behind an encoded slash (which Marathon refuses: never a change). */
function dottedBehindSlash(path: string): boolean {
  return path.split('/').some((seg) => {
    try {
      return decodeURIComponent(seg).split('/').some((part) => part === '.' || part === '..')
    } catch {
      return false
    }
  })
}

/** An app body that, accepted, changes nothing but a 0-instance app below the fuzz group. */
const harmlessApp = (app: unknown): boolean => app !== null && typeof app === 'object' && (app as Json).instances === 0 && inFuzzGroup((app as Json).id)

/** A plain (no tricks) path naming something strictly below the fuzz group. */
const plainFuzzPath = (path: string, prefix: string) => new RegExp(`^${prefix}${FUZZ_GROUP}(/[a-z0-9-]+)+/?$`).test(path)

/** An app as a user would define it: every kind of field, valid as it is (with the instances it is given). */
function richApp(id: string, instances: number): Json {
  return {
    id,
    cmd: 'sleep 1000',
    instances,
    cpus: 0.01,
    mem: 16,
    disk: 0,
    env: {A: 'b', EMPTY: '', DB_PASSWORD: {secret: 'db'}},
    secrets: {db: {source: 'fuzz/db/password'}},
    labels: {owner: 'fuzz', HAPROXY_GROUP: 'external'},
    constraints: [['hostname', 'LIKE', '127.*'], ['hostname', 'MAX_PER', '2']],
    acceptedResourceRoles: ['*'],
    portDefinitions: [
      {port: 0, protocol: 'tcp', name: 'http', labels: {vip: '1.2.3.4:80'}},
      {port: 0, protocol: 'udp,tcp', name: 'dns'},
    ],
    requirePorts: false,
    healthChecks: [
      {protocol: 'HTTP', path: '/health', portIndex: 0, gracePeriodSeconds: 300, intervalSeconds: 20, timeoutSeconds: 20, maxConsecutiveFailures: 3, ignoreHttp1xx: false},
      {protocol: 'COMMAND', command: {value: 'true'}, gracePeriodSeconds: 30, intervalSeconds: 10, timeoutSeconds: 5, maxConsecutiveFailures: 0},
      {protocol: 'TCP', portIndex: 1},
    ],
    readinessChecks: [{name: 'ready', protocol: 'HTTP', path: '/ready', portName: 'http', intervalSeconds: 10, timeoutSeconds: 3, httpStatusCodesForReady: [200], preserveLastResponse: true}],
    upgradeStrategy: {minimumHealthCapacity: 1, maximumOverCapacity: 1},
    unreachableStrategy: {inactiveAfterSeconds: 0, expungeAfterSeconds: 0},
    killSelection: 'YOUNGEST_FIRST',
    fetch: [{uri: 'http://127.0.0.1:9/archive.tgz', extract: true, executable: false, cache: false}, {uri: 'http://127.0.0.1:9/run.sh', executable: true, destPath: 'run.sh'}],
    backoffSeconds: 1,
    backoffFactor: 1.15,
    maxLaunchDelaySeconds: 3600,
    taskKillGracePeriodSeconds: 5,
    dependencies: [],
    networks: [{mode: 'host'}],
  }
}

/** An app with a persistent volume (resident). */
function residentApp(id: string, instances: number): Json {
  return {
    id,
    cmd: 'sleep 1000',
    instances,
    cpus: 0.01,
    mem: 16,
    container: {type: 'MESOS', volumes: [{containerPath: 'data', mode: 'RW', persistent: {type: 'root', size: 10}}]},
    residency: {relaunchEscalationTimeoutSeconds: 10, taskLostBehavior: 'WAIT_FOREVER'},
    upgradeStrategy: {minimumHealthCapacity: 0.5, maximumOverCapacity: 0},
  }
}

const simpleApp = (id: string, instances: number): Json => ({id, cmd: 'sleep 1000', instances, cpus: 0.01, mem: 16, disk: 0})

/** Seeds of app bodies: valid ones below the fuzz group (id and instances protected), and ones kept invalid by `instances: -1`. */
function appSeeds(n: number): Seed[] {
  const at = `${FUZZ_GROUP}/app-${n}`
  return [
    {label: 'rich app (fuzz group)', body: richApp(`${at}-rich`, 0), protect: ['id', 'instances']},
    {label: 'resident app (fuzz group)', body: residentApp(`${at}-res`, 0), protect: ['id', 'instances']},
    {label: 'simple app (fuzz group)', body: simpleApp(at, 0), protect: ['id', 'instances']},
    {label: 'rich app (invalid instances)', body: richApp(`${at}-bad`, -1), protect: ['instances']},
    {label: 'resident app (invalid instances)', body: residentApp(`${at}-bad-res`, -1), protect: ['instances']},
    {label: 'simple app (invalid instances)', body: simpleApp(at, -1), protect: ['instances']},
  ]
}

/** Accepted: only bodies that stay a 0-instance app below the fuzz group. */
const acceptsApp = (req: FuzzRequest) => isGet(req) || harmlessApp(req.json)

const postAppsTarget: FuzzTarget = {
  name: 'marathon POST /v2/apps',
  component: 'marathon',
  weight: 4,
  method: 'POST',
  path: (_ctx, rng) => rng.pick(['/v2/apps', '/v2/apps', '/v2/apps?force=true', '/v2/apps?force=maybe', '/v2/apps?embed=apps.tasks']),
  seeds: () => appSeeds(1),
  accepts: acceptsApp,
  // A GET of /v2/apps changes nothing; a DELETE of it is a 405. Other methods never carry a valid app.
  harmful: () => false,
}

const putFuzzAppTarget: FuzzTarget = {
  name: 'marathon PUT /v2/apps/<fuzz app>',
  component: 'marathon',
  weight: 2,
  method: 'PUT',
  path: (_ctx, rng) =>
    `/v2/apps${FUZZ_GROUP}/${rng.pick(['app-2', 'app-2-rich', 'app-1', 'app-1-rich', 'app-1-res', 'new', 'new%2f..%2f..%2fescaped', 'app-2%2F..', 'a%2f.%2fb'])}${rng.pick(['', '?partialUpdate=false', '?force=true', '?partialUpdate=nope', '?force=true&partialUpdate=true'])}`,
  seeds: () => appSeeds(2).slice(0, 3).map((s) => ({...s, protect: ['instances']})),
  // The app is the path's (a body's id is ignored): below the fuzz group, with 0 instances.
  accepts: (req, ctx) => isGet(req) || ((req.method === 'PUT' || req.method === 'PATCH') && inFuzzGroup(urlId(pathBelowBase(req, ctx), '/v2/apps'))) || (req.method === 'DELETE' && plainFuzzPath(pathBelowBase(req, ctx), '/v2/apps')),
  // Without `instances: 0` an update (partialUpdate=false) would launch a task; a DELETE must name a fuzz app.
  // A PUT whose URL resolves (`..`) outside the fuzz group would create or change an app there.
  harmful: (req, ctx) => {
    const path = pathBelowBase(req, ctx)
    if (req.method === 'DELETE') return !plainFuzzPath(path, '/v2/apps')
    if (isObject(req.json) && req.json.instances !== 0) return true
    return (req.method === 'PUT' || req.method === 'PATCH') && !dottedBehindSlash(path) && !inFuzzGroup(urlId(path, '/v2/apps'))
  },
}

const putWitnessAppTarget: FuzzTarget = {
  name: 'marathon PUT /v2/apps/<witness app>',
  component: 'marathon',
  weight: 2,
  method: 'PUT',
  path: (_ctx, rng) => `/v2/apps${MARATHON_WITNESS_APP}${rng.pick(['', '?partialUpdate=false', '?force=true', '?partialUpdate=true&force=true'])}`,
  // A partial update merged into the running app: every body stays invalid (instances -1).
  seeds: () => [
    {label: 'patch (invalid instances)', body: {instances: -1, cmd: 'sleep 2000', labels: {a: 'b'}, env: {X: 'y'}, portDefinitions: [{port: 0, name: 'p'}]}, protect: ['instances']},
    {label: 'whole app (invalid instances)', body: richApp(MARATHON_WITNESS_APP, -1), protect: ['instances']},
  ],
  // Only bodies kept invalid reach it (random JSON could be a no-op or a real update).
  harmful: (req) => req.method === 'DELETE' || req.method === 'POST' || (isObject(req.json) && req.json.instances !== -1),
}

const putAppListTarget: FuzzTarget = {
  name: 'marathon PUT /v2/apps (list)',
  component: 'marathon',
  weight: 2,
  method: 'PUT',
  path: (_ctx, rng) => rng.pick(['/v2/apps', '/v2/apps?partialUpdate=false', '/v2/apps?force=true']),
  seeds: () => [
    {label: 'fuzz apps', body: [simpleApp(`${FUZZ_GROUP}/list-1`, 0), richApp(`${FUZZ_GROUP}/list-2`, 0)], protect: ['0.id', '0.instances', '1.id', '1.instances']},
    {label: 'a fuzz app and the witness (invalid)', body: [simpleApp(`${FUZZ_GROUP}/list-1`, 0), {id: MARATHON_WITNESS_APP, instances: -1, cmd: 'sleep 5'}], protect: ['1.id', '1.instances']},
  ],
  // Accepted: a list of 0-instance apps below the fuzz group (empty included).
  accepts: (req) => isGet(req) || ((req.method === 'PUT' || req.method === 'PATCH') && Array.isArray(req.json) && req.json.every(harmlessApp)),
  harmful: (req) => req.method === 'DELETE' || (Array.isArray(req.json) && req.json.some((a) => isObject(a) && !harmlessApp(a) && a.instances !== -1)),
}

const appActionsTarget: FuzzTarget = {
  name: 'marathon POST /v2/apps/<id>/restart, DELETE /v2/apps/<id>[/tasks]',
  component: 'marathon',
  weight: 2,
  method: 'POST',
  path: (_ctx, rng) => {
    const id = rng.pick([`${FUZZ_GROUP}/app-1`, `${FUZZ_GROUP}/app-1-rich`, `${FUZZ_GROUP}/none`, '/fuzz-unknown', `${FUZZ_GROUP}`])
    return `/v2/apps${id}${rng.pick(['/restart', '/restart?force=true', '/restart?force=x', '/tasks', '/tasks?scale=true', '/tasks?wipe=true&scale=true', `/tasks/${UNKNOWN_TASK}`, ''])}`
  },
  seeds: () => [{label: 'empty', body: {}}, {label: 'force', body: {force: true}}],
  // Restarts and deletions of fuzz-group apps (which have no tasks) change nothing outside it.
  accepts: (req, ctx) => isGet(req) || plainFuzzPath(pathBelowBase(req, ctx).replace(/\/(restart|tasks)$/, ''), '/v2/apps'),
  harmful: (req, ctx) => {
    if (isGet(req) || req.method === 'POST') return false
    const path = pathBelowBase(req, ctx)
    return !plainFuzzPath(path.replace(/\/(restart|tasks|tasks\/[^/]+)$/, ''), '/v2/apps') || (isObject(req.json) && 'instances' in req.json)
  },
}

/** Group bodies: every id absolute below the fuzz group, every app with 0 instances (protected). */
function groupSeeds(): Seed[] {
  return [
    {
      label: 'group tree (fuzz group)',
      body: {
        id: `${FUZZ_GROUP}/grp`,
        dependencies: [`${FUZZ_GROUP}/other`],
        apps: [simpleApp(`${FUZZ_GROUP}/grp/a`, 0), {...richApp(`${FUZZ_GROUP}/grp/b`, 0), dependencies: [`${FUZZ_GROUP}/grp/a`]}],
        groups: [{id: `${FUZZ_GROUP}/grp/sub`, apps: [residentApp(`${FUZZ_GROUP}/grp/sub/c`, 0)], groups: [{id: `${FUZZ_GROUP}/grp/sub/deeper`, apps: []}]}],
      },
      protect: ['id', 'apps.0.id', 'apps.0.instances', 'apps.1.id', 'apps.1.instances', 'groups.0.id', 'groups.0.apps.0.id', 'groups.0.apps.0.instances', 'groups.0.groups.0.id'],
    },
    {label: 'scaleBy (fuzz group)', body: {id: FUZZ_GROUP, scaleBy: 2}, protect: ['id']},
    {label: 'version (fuzz group)', body: {id: FUZZ_GROUP, version: '2020-01-01T00:00:00.000Z'}, protect: ['id']},
    {label: 'dependencies (fuzz group)', body: {id: `${FUZZ_GROUP}/grp`, dependencies: ['/fuzz-witness-app', '../other']}, protect: ['id']},
    // Kept invalid: a group with an app below it may not depend on itself or on a group containing
    // it (the app would wait for itself; Marathon draws no edge for a group without apps).
    {label: 'self dependency (fuzz group)', body: {id: `${FUZZ_GROUP}/grp`, dependencies: [`${FUZZ_GROUP}/grp`], apps: [simpleApp(`${FUZZ_GROUP}/grp/a`, 0)]}, protect: ['id', 'dependencies.0', 'apps.0.id', 'apps.0.instances']},
    {
      label: 'parent dependency (fuzz group)',
      body: {id: `${FUZZ_GROUP}/grp`, groups: [{id: `${FUZZ_GROUP}/grp/sub`, dependencies: ['.'], apps: [simpleApp(`${FUZZ_GROUP}/grp/sub/a`, 0)]}]},
      protect: ['id', 'groups.0.id', 'groups.0.dependencies.0', 'groups.0.apps.0.id', 'groups.0.apps.0.instances'],
    },
  ]
}

/**
 * Whether a group body, accepted, touches nothing outside the fuzz group: its id (absolute, or
 * relative to the URL's group, which the test keeps at or below the fuzz group or the root) and
 * every app and subgroup in it lie below the fuzz group, every app with 0 instances.
 */
function harmlessGroup(json: unknown): boolean {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return false
  const g = json as Json
  if (!inFuzzGroup(g.id) && g.id !== FUZZ_GROUP) return false
  // A group depending on itself or on a group containing it is a cycle when an app lies below it
  // (the app would wait for itself). Without one in the body it depends on what the group holds
  // already, as in Marathon, which draws no edge for a group without apps: either answer is right.
  const id = canonicalPath(g.id as string)
  const deps = g.dependencies ?? []
  if (!Array.isArray(deps)) return false
  for (const d of deps) {
    if (typeof d !== 'string') return false
    let dep: string
    try {
      dep = canonicalPath(d, parentOf(id))
    } catch {
      return false
    }
    if ((dep === id || isDescendant(id, dep)) && hasAppBelow(g)) return false
  }
  const apps = g.apps ?? []
  const groups = g.groups ?? []
  return Array.isArray(apps) && Array.isArray(groups) && apps.every(harmlessApp) && groups.every(harmlessGroup)
}

/** Whether a group body holds an app, directly or in a subgroup. */
function hasAppBelow(g: Json): boolean {
  const apps = g.apps
  const groups = g.groups
  return (Array.isArray(apps) && apps.length > 0) || (Array.isArray(groups) && groups.some((x) => x !== null && typeof x === 'object' && !Array.isArray(x) && hasAppBelow(x as Json)))
}

const groupsTarget: FuzzTarget = {
  name: 'marathon POST/PUT /v2/groups',
  component: 'marathon',
  weight: 3,
  method: 'POST',
  path: (_ctx, rng) => `/v2/groups${rng.pick(['', FUZZ_GROUP, `${FUZZ_GROUP}/grp`])}${rng.pick(['', '', '?force=true', '?dryRun=true', '?force=yes'])}`,
  seeds: groupSeeds,
  accepts: (req, ctx) => {
    if (isGet(req)) return true
    if (req.method === 'DELETE') return plainFuzzPath(pathBelowBase(req, ctx), '/v2/groups') || /^\/v2\/groups\/fuzzing\/?$/.test(pathBelowBase(req, ctx))
    return (req.method === 'POST' || req.method === 'PUT') && harmlessGroup(req.json)
  },
  // A DELETE of the root or of any group but the fuzz group's would remove the witness; a body
  // naming no group below the fuzz group (random JSON) could create or update one elsewhere.
  harmful: (req, ctx) =>
    (req.method === 'DELETE' && !plainFuzzPath(pathBelowBase(req, ctx), '/v2/groups') && !/^\/v2\/groups\/fuzzing\/?$/.test(pathBelowBase(req, ctx))) ||
    ((req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH') && isObject(req.json) && !inFuzzGroup(req.json.id) && req.json.id !== FUZZ_GROUP),
}

const putGroupsTarget: FuzzTarget = {...groupsTarget, name: 'marathon PUT /v2/groups (update, scaleBy, version)', method: 'PUT', weight: 3}

const deleteGroupTarget: FuzzTarget = {
  name: 'marathon DELETE /v2/groups/<fuzz group>',
  component: 'marathon',
  method: 'DELETE',
  path: (_ctx, rng) => `/v2/groups${FUZZ_GROUP}/${rng.pick(['grp', 'grp/sub', 'none', 'app-1'])}${rng.pick(['', '?force=true', '?force=no'])}`,
  seeds: () => [{label: 'empty', body: {}}],
  accepts: (req, ctx) => isGet(req) || plainFuzzPath(pathBelowBase(req, ctx), '/v2/groups'),
  // Any change must name a group below the fuzz group, by its path only (a body's id would win).
  harmful: (req, ctx) => !isGet(req) && (!plainFuzzPath(pathBelowBase(req, ctx), '/v2/groups') || (isObject(req.json) && ('id' in req.json || 'apps' in req.json || 'groups' in req.json || 'scaleBy' in req.json))),
}

const deploymentsTarget: FuzzTarget = {
  name: 'marathon DELETE /v2/deployments/<id>',
  component: 'marathon',
  method: 'DELETE',
  path: (_ctx, rng) => `/v2/deployments/${rng.pick(['fuzz-none', '00000000-0000-4000-8000-000000000000', '%2e%2e', 'a%2fb', '__proto__', 'constructor', ''])}${rng.pick(['', '?force=true', '?force=no'])}`,
  seeds: () => [{label: 'empty', body: {}}],
  // Every deployment during the run is one of the fuzz group's (the witness's finished before).
  accepts: () => true,
}

const killTasksTarget: FuzzTarget = {
  name: 'marathon POST /v2/tasks/delete',
  component: 'marathon',
  weight: 2,
  method: 'POST',
  path: (_ctx, rng) => rng.pick(['/v2/tasks/delete', '/v2/tasks/delete?scale=true', '/v2/tasks/delete?wipe=true', '/v2/tasks/delete?force=true&scale=true', '/v2/tasks/delete?scale=true&wipe=true']),
  seeds: (ctx) => [
    {label: 'the witness and no task id (invalid)', body: {ids: [marathonWitnessTask(ctx), NOT_A_TASK_ID]}, protect: ['ids.1']},
    {label: 'an unknown task', body: {ids: [UNKNOWN_TASK]}},
  ],
  // Killing tasks no app has changes nothing.
  accepts: (req, ctx) => {
    const ids = (req.json as Json | undefined)?.ids
    return Array.isArray(ids) && !ids.includes(marathonWitnessTask(ctx))
  },
  harmful: (req, ctx) => {
    const ids = (req.json as Json | undefined)?.ids
    return Array.isArray(ids) && ids.includes(marathonWitnessTask(ctx)) && ids.every((id) => typeof id === 'string' && instanceIdOf(id) !== undefined)
  },
}

const queueDelayTarget: FuzzTarget = {
  name: 'marathon DELETE /v2/queue/<id>/delay',
  component: 'marathon',
  method: 'DELETE',
  path: (_ctx, rng) => `/v2/queue${rng.pick([MARATHON_WITNESS_APP, `${FUZZ_GROUP}/app-1`, '/fuzz-unknown', '', '/%2e%2e', '/a%2fb'])}/${rng.pick(['delay', 'delay', 'nope', ''])}`,
  seeds: () => [{label: 'empty', body: {}}],
  // Ending a backoff delay changes no definition.
  accepts: () => true,
}

/** The Marathon id of the witness task (as the test found it). */
function marathonWitnessTask(ctx: FuzzContext): string {
  return ctx.marathonWitness?.taskId ?? UNKNOWN_TASK
}

const appReadsTarget: FuzzTarget = {
  name: 'marathon GET /v2/apps/<id>[/tasks|/versions]',
  component: 'marathon',
  weight: 2,
  method: 'GET',
  path: (ctx, rng) => {
    const id = rng.pick([MARATHON_WITNESS_APP, `${FUZZ_GROUP}/app-1`, '/fuzz-unknown', FUZZ_GROUP, ''])
    const rest = rng.pick(['', '/tasks', `/tasks/${marathonWitnessTask(ctx)}`, '/versions', '/versions/2020-01-01T00:00:00.000Z', '/*', '/versions/x'])
    return `/v2/apps${id}${rest}`
  },
  query: () => ({embed: 'app.tasks'}),
  queryTricks: () => ['apps.counts', 'group.apps.tasks', 'failures', 'app.lastTaskFailure,app.readiness'],
  // Random bodies sent with other methods could update the witness for real.
  harmful: (req) => !isGet(req),
}

const listReadsTarget: FuzzTarget = {
  name: 'marathon GET /v2/apps, /v2/groups, /v2/tasks, /v2/queue, /v2/deployments, /v2/info, /v2/leader, /metrics',
  component: 'marathon',
  weight: 2,
  method: 'GET',
  path: (_ctx, rng) =>
    rng.pick(['/v2/apps', '/v2/groups', `/v2/groups${FUZZ_GROUP}`, `/v2/groups${MARATHON_WITNESS_APP}`, '/v2/groups/versions', `/v2/groups${FUZZ_GROUP}/versions`, '/v2/tasks', '/v2/queue', '/v2/deployments', '/v2/info', '/v2/leader', '/metrics']),
  query: () => ({embed: 'apps.tasks', cmd: 'sleep', id: 'fuzz', label: 'owner==fuzz', status: 'running'}),
  queryTricks: () => ['owner!=x', 'a in (b, c)', 'a notin (b', 'x==', '!!', 'group.groups', 'group.apps.tasks', 'staging', 'RUNNING', 'killed'],
  // DELETE /v2/leader is Marathon's abdication: it re-subscribes at once (the only candidate), its tasks untouched.
  accepts: (req, ctx) => isGet(req) || (req.method === 'DELETE' && pathBelowBase(req, ctx) === '/v2/leader'),
  // Random bodies sent with other methods to /v2/apps or /v2/groups could create or change things for real.
  harmful: (req, ctx) => !isGet(req) && /^\/v2\/(apps|groups)/i.test(pathBelowBase(req, ctx)),
}

const pingTarget: FuzzTarget = {
  name: 'marathon GET /ping',
  component: 'marathon',
  method: 'GET',
  public: true,
  path: () => '/ping',
  query: () => ({x: '1'}),
}

const eventsTarget: FuzzTarget = {
  name: 'marathon GET /v2/events (without a valid token)',
  component: 'marathon',
  method: 'GET',
  // A valid token opens the stream, which never ends: only missing and forged ones are sent.
  brokenAuthOnly: true,
  path: () => '/v2/events',
  query: () => ({event_type: 'status_update_event'}),
  queryTricks: () => ['deployment_info', 'api_post_event', 'x'.repeat(300)],
}

/** Marathon's endpoints. */
export const MARATHON_TARGETS: FuzzTarget[] = [
  postAppsTarget,
  putFuzzAppTarget,
  putWitnessAppTarget,
  putAppListTarget,
  appActionsTarget,
  groupsTarget,
  putGroupsTarget,
  deleteGroupTarget,
  deploymentsTarget,
  killTasksTarget,
  queueDelayTarget,
  appReadsTarget,
  listReadsTarget,
  pingTarget,
  eventsTarget,
]
