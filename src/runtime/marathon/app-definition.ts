/**
 * The app definition: Marathon's defaults, normalisation and validation (`types/app.raml`,
 * `api/v2/AppNormalization.scala`, `api/v2/validation/AppValidation.scala`), in one pure pass
 * from the request JSON to the `App` we store and serve.
 *
 * `App` is already the response shape of Marathon 1.10 (fields in its order, optional ones
 * omitted when empty, deprecated inputs `ports`/`uris` converted), so serving an app is copying it.
 *
 * What needs a container engine (Docker containers, container images, container networking,
 * host or external volumes) is refused with a 422 that names the field and says why: tasks here
 * are plain processes. Persistent local volumes (`container.type: MESOS`, `persistent`) work.
 *
 * Secrets (DC/OS): `secrets: {"<name>": {"source": "<path in the gateway's secret store>"}}`
 * declared, and referenced from `env` as `{"VAR": {"secret": "<name>"}}`. The app keeps only
 * the references; the values are read at launch (./secrets) and never stored or shown here.
 */
import {secretPathProblem} from '../auth/secrets'
import type {Constraint} from './constraints'
import {normalizeConstraints} from './constraints'
import {Violations} from './errors'
import {canonicalPath, parentOf, pathProblems, PathError} from './path-id'

export type HealthProtocol = 'HTTP' | 'HTTPS' | 'TCP' | 'COMMAND' | 'MESOS_HTTP' | 'MESOS_HTTPS' | 'MESOS_TCP'
const HEALTH_PROTOCOLS: HealthProtocol[] = ['HTTP', 'HTTPS', 'TCP', 'COMMAND', 'MESOS_HTTP', 'MESOS_HTTPS', 'MESOS_TCP']

export interface PortDefinition {
  port: number
  protocol: string
  name?: string
  labels?: Record<string, string>
}

export interface HealthCheck {
  gracePeriodSeconds: number
  intervalSeconds: number
  maxConsecutiveFailures: number
  portIndex?: number
  port?: number
  protocol: HealthProtocol
  ipProtocol: 'IPv4' | 'IPv6'
  timeoutSeconds: number
  delaySeconds: number
  ignoreHttp1xx: boolean
  path?: string
  command?: {value: string}
}

export interface ReadinessCheck {
  name: string
  protocol: 'HTTP' | 'HTTPS'
  path: string
  portName: string
  intervalSeconds: number
  timeoutSeconds: number
  httpStatusCodesForReady: number[]
  preserveLastResponse: boolean
}

export interface FetchUri {
  uri: string
  extract: boolean
  executable: boolean
  cache: boolean
  destPath?: string
}

export interface PersistentVolume {
  containerPath: string
  mode: 'RW' | 'RO'
  persistent: {type: 'root'; size: number; constraints: string[][]}
}

export interface AppContainer {
  type: 'MESOS'
  volumes: PersistentVolume[]
}

export interface UpgradeStrategy {
  minimumHealthCapacity: number
  maximumOverCapacity: number
}

export type UnreachableStrategy = {inactiveAfterSeconds: number; expungeAfterSeconds: number} | 'disabled'

export interface App {
  id: string
  backoffFactor: number
  backoffSeconds: number
  cmd?: string
  args?: string[]
  container?: AppContainer
  constraints?: Constraint[]
  cpus: number
  dependencies?: string[]
  disk: number
  /** Plain values, or references to the app's `secrets`. */
  env?: Record<string, EnvValue>
  executor: string
  fetch?: FetchUri[]
  healthChecks?: HealthCheck[]
  instances: number
  labels: Record<string, string>
  maxLaunchDelaySeconds: number
  mem: number
  gpus: number
  networks: {mode: 'host'}[]
  portDefinitions: PortDefinition[]
  readinessChecks?: ReadinessCheck[]
  requirePorts: boolean
  residency?: {relaunchEscalationTimeoutSeconds: number; taskLostBehavior: 'WAIT_FOREVER' | 'RELAUNCH_AFTER_TIMEOUT'}
  upgradeStrategy: UpgradeStrategy
  user?: string
  version: string
  versionInfo?: {lastScalingAt: string; lastConfigChangeAt: string}
  killSelection: 'YOUNGEST_FIRST' | 'OLDEST_FIRST'
  unreachableStrategy: UnreachableStrategy
  taskKillGracePeriodSeconds?: number
  acceptedResourceRoles?: string[]
  role: string
  tty?: boolean
  /** Marathon 1.10's `check` (a Mesos check): kept and shown; results are not reported. */
  check?: Record<string, unknown>
  /** Secret name → where its value is in the secret store. */
  secrets?: Record<string, AppSecret>
}

/** An environment variable: a value, or a reference to one of the app's secrets. */
export type EnvValue = string | {secret: string}

export interface AppSecret {
  source: string
}

/** The env variables that are plain values (what may be shown to checks and computed env). */
export function plainEnv(app: App): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(app.env ?? {})) if (typeof v === 'string') out[k] = v
  return out
}

/** The env variables that reference secrets: variable → the secret's source path. */
export function secretEnv(app: App): {name: string; source: string}[] {
  const out: {name: string; source: string}[] = []
  for (const [name, v] of Object.entries(app.env ?? {})) {
    const source = typeof v === 'object' ? app.secrets?.[v.secret]?.source : undefined
    if (source !== undefined) out.push({name, source})
  }
  return out
}

export interface NormalizeContext {
  /** The group relative ids resolve against. */
  base: string
  /** The role apps get (and the only one they may name). */
  role: string
  /** The version timestamp to give the app. */
  version: string
  /** Prefix of every violation path (`/apps(0)` inside a group). */
  at?: string
  /** Largest `instances` accepted. */
  maxInstances?: number
}

export const DEFAULT_MAX_INSTANCES = 100_000
const ROLE = /^[^.\-/\s\\][^/\s\\]*$/
const PORT_NAME = /^[a-z0-9-]+$/
const ARCHIVE = /\.(tgz|tar\.gz|tbz2|tar\.bz2|txz|tar\.xz|zip)$/

/** What a field that needs a container engine is told. */
export function noContainerEngine(what: string): string {
  return `${what} needs a container engine, and this cluster has no container engine (tasks run as plain processes): remove it and run the app as a command ('cmd' or 'args')`
}

type Json = Record<string, unknown>

/** Typed readers: a value of the wrong JSON type is recorded and read as absent. */
class Reader {
  constructor(
    readonly v: Violations,
    readonly at: string,
  ) {}

  path(p: string): string {
    return this.at + p
  }

  has(o: Json, key: string): boolean {
    return o[key] !== undefined && o[key] !== null
  }

  str(o: Json, key: string, p = `/${key}`): string | undefined {
    const x = o[key]
    if (x === undefined || x === null) return undefined
    if (typeof x !== 'string') {
      this.v.typeError(this.path(p), 'jsstring')
      return undefined
    }
    return x
  }

  num(o: Json, key: string, p = `/${key}`): number | undefined {
    const x = o[key]
    if (x === undefined || x === null) return undefined
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      this.v.typeError(this.path(p), 'jsnumber')
      return undefined
    }
    return x
  }

  int(o: Json, key: string, p = `/${key}`): number | undefined {
    const x = this.num(o, key, p)
    if (x === undefined) return undefined
    if (!Number.isSafeInteger(x)) {
      this.v.typeError(this.path(p), 'jsinteger')
      return undefined
    }
    return x
  }

  bool(o: Json, key: string, p = `/${key}`): boolean | undefined {
    const x = o[key]
    if (x === undefined || x === null) return undefined
    if (typeof x !== 'boolean') {
      this.v.typeError(this.path(p), 'jsboolean')
      return undefined
    }
    return x
  }

  obj(o: Json, key: string, p = `/${key}`): Json | undefined {
    const x = o[key]
    if (x === undefined || x === null) return undefined
    if (typeof x !== 'object' || Array.isArray(x)) {
      this.v.typeError(this.path(p), 'jsobject')
      return undefined
    }
    return x as Json
  }

  arr(o: Json, key: string, p = `/${key}`): unknown[] | undefined {
    const x = o[key]
    if (x === undefined || x === null) return undefined
    if (!Array.isArray(x)) {
      this.v.typeError(this.path(p), 'jsarray')
      return undefined
    }
    return x
  }

  strArray(o: Json, key: string, p = `/${key}`): string[] | undefined {
    const list = this.arr(o, key, p)
    if (!list) return undefined
    const out: string[] = []
    list.forEach((x, i) => {
      if (typeof x === 'string') out.push(x)
      else this.v.typeError(this.path(`${p}(${i})`), 'jsstring')
    })
    return out
  }

  strMap(o: Json, key: string, p = `/${key}`): Record<string, string> | undefined {
    const m = this.obj(o, key, p)
    if (!m) return undefined
    const out: Record<string, string> = {}
    for (const [k, x] of Object.entries(m)) {
      if (typeof x === 'string') out[k] = x
      else this.v.typeError(this.path(`${p}/${k}`), 'jsstring')
    }
    return out
  }

  min(value: number | undefined, min: number, p: string): void {
    if (value !== undefined && value < min) this.v.add(this.path(p), `got ${value}, expected ${min} or more`)
  }

  max(value: number | undefined, max: number, p: string): void {
    if (value !== undefined && value > max) this.v.add(this.path(p), `got ${value}, expected ${max} or less`)
  }
}

/**
 * The request JSON of one app, normalised and validated. Violations are added to `v` (the
 * caller throws); the returned app is only meaningful when none were added.
 */
export function normalizeApp(input: unknown, ctx: NormalizeContext, v: Violations): App {
  const r = new Reader(v, ctx.at ?? '')
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    v.typeError(r.path('/'), 'jsobject')
    return placeholder(ctx)
  }
  const o = input as Json

  // id
  let id = '/'
  const rawId = o.id
  if (rawId === undefined || rawId === null) v.add(r.path('/id'), 'error.path.missing')
  else if (typeof rawId !== 'string') v.typeError(r.path('/id'), 'jsstring')
  else {
    try {
      id = canonicalPath(rawId, ctx.base)
      for (const problem of pathProblems(id)) v.add(r.path('/id'), problem)
    } catch (error) {
      if (error instanceof PathError) v.add(r.path('/id'), 'Path needs to be absolute')
      else throw error
    }
  }

  // command
  const cmd = r.str(o, 'cmd')
  if (cmd !== undefined && cmd.trim() === '') v.add(r.path('/cmd'), 'must not be empty')
  const args = r.strArray(o, 'args')
  const hasCmd = cmd !== undefined && cmd.trim() !== ''
  const hasArgs = args !== undefined && args.length > 0
  if (hasCmd === hasArgs) v.add(r.path('/'), "AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'.")

  // resources
  const cpus = r.num(o, 'cpus') ?? 1
  r.min(cpus, 0, '/cpus')
  const mem = r.num(o, 'mem') ?? 128
  r.min(mem, 0, '/mem')
  const disk = r.num(o, 'disk') ?? 0
  r.min(disk, 0, '/disk')
  const gpus = r.int(o, 'gpus') ?? 0
  r.min(gpus, 0, '/gpus')
  if (gpus > 0) v.add(r.path('/gpus'), 'Feature gpu_resources is not enabled: the agents of this cluster offer no GPUs')
  const instances = r.int(o, 'instances') ?? 1
  r.min(instances, 0, '/instances')
  r.max(instances, ctx.maxInstances ?? DEFAULT_MAX_INSTANCES, '/instances')

  const executor = r.str(o, 'executor') ?? ''
  if (executor !== '' && executor !== '//cmd')
    v.add(r.path('/executor'), "custom executors are not supported by this cluster: leave 'executor' empty (tasks run under the command executor)")

  // env, labels, secrets
  const secrets = normalizeSecrets(r, o)
  const env = normalizeEnv(r, o, secrets)
  const labels = r.strMap(o, 'labels') ?? {}

  // container, networks
  const container = normalizeContainer(r, o)
  const networks = r.arr(o, 'networks')
  networks?.forEach((n, i) => {
    const mode = typeof n === 'object' && n !== null ? (n as Json).mode : undefined
    if (mode !== undefined && mode !== 'host')
      v.add(r.path(`/networks(${i})/mode`), noContainerEngine(`network mode '${String(mode)}' (container networking)`))
  })
  if (r.has(o, 'ipAddress')) v.add(r.path('/ipAddress'), noContainerEngine("'ipAddress' (an IP per task on a container network)"))

  // ports
  const portDefinitions = normalizePorts(r, o)
  const requirePorts = r.bool(o, 'requirePorts') ?? false

  // scheduling
  const constraints = r.has(o, 'constraints') ? normalizeConstraints(o.constraints, r.path('/constraints'), v) : []
  const acceptedResourceRoles = normalizeRoles(r, o)
  const role = r.str(o, 'role') ?? ctx.role
  if (role !== ctx.role) v.add(r.path('/role'), `Role '${role}' is not valid: apps of this Marathon may only use the role '${ctx.role}'`)
  const dependencies = normalizeDependencies(r, o, id)

  const residency = container && container.volumes.length > 0 ? normalizeResidency(r, o) : undefined
  if (!residency && r.has(o, 'residency')) v.add(r.path('/residency'), 'AppDefinition must contain persistent volumes and define residency')
  const upgradeStrategy = normalizeUpgradeStrategy(r, o, residency !== undefined)

  const backoffSeconds = r.int(o, 'backoffSeconds') ?? 1
  r.min(backoffSeconds, 0, '/backoffSeconds')
  const backoffFactor = r.num(o, 'backoffFactor') ?? 1.15
  r.min(backoffFactor, 1, '/backoffFactor')
  const maxLaunchDelaySeconds = r.int(o, 'maxLaunchDelaySeconds') ?? 300
  r.min(maxLaunchDelaySeconds, 0, '/maxLaunchDelaySeconds')

  const killSelection = r.str(o, 'killSelection') ?? 'YOUNGEST_FIRST'
  if (killSelection !== 'YOUNGEST_FIRST' && killSelection !== 'OLDEST_FIRST')
    v.add(r.path('/killSelection'), 'error.expected.enum: YOUNGEST_FIRST, OLDEST_FIRST')
  const unreachableStrategy = normalizeUnreachable(r, o)
  const taskKillGracePeriodSeconds = r.int(o, 'taskKillGracePeriodSeconds')
  r.min(taskKillGracePeriodSeconds, 0, '/taskKillGracePeriodSeconds')

  const fetch = normalizeFetch(r, o)
  const healthChecks = normalizeHealthChecks(r, o, portDefinitions)
  const readinessChecks = normalizeReadinessChecks(r, o, portDefinitions)
  const user = r.str(o, 'user')
  const tty = r.bool(o, 'tty')
  const check = r.obj(o, 'check')

  const app: App = {
    id,
    backoffFactor,
    backoffSeconds,
    ...(hasCmd && {cmd}),
    ...(hasArgs && !hasCmd && {args}),
    ...(container && {container}),
    ...(constraints.length > 0 && {constraints}),
    cpus,
    ...(dependencies.length > 0 && {dependencies}),
    disk,
    ...(env && Object.keys(env).length > 0 && {env}),
    executor,
    ...(fetch.length > 0 && {fetch}),
    ...(healthChecks.length > 0 && {healthChecks}),
    instances,
    labels,
    maxLaunchDelaySeconds,
    mem,
    gpus,
    networks: [{mode: 'host'}],
    portDefinitions,
    ...(readinessChecks.length > 0 && {readinessChecks}),
    requirePorts,
    ...(residency && {residency}),
    upgradeStrategy,
    ...(user !== undefined && {user}),
    version: ctx.version,
    killSelection: killSelection as App['killSelection'],
    unreachableStrategy,
    ...(taskKillGracePeriodSeconds !== undefined && {taskKillGracePeriodSeconds}),
    ...(acceptedResourceRoles && {acceptedResourceRoles}),
    role,
    ...(tty !== undefined && {tty}),
    ...(check && {check}),
    ...(Object.keys(secrets).length > 0 && {secrets}),
  }
  return app
}

function placeholder(ctx: NormalizeContext): App {
  return {
    id: '/',
    backoffFactor: 1.15,
    backoffSeconds: 1,
    cpus: 1,
    disk: 0,
    executor: '',
    instances: 0,
    labels: {},
    maxLaunchDelaySeconds: 300,
    mem: 128,
    gpus: 0,
    networks: [{mode: 'host'}],
    portDefinitions: [],
    requirePorts: false,
    upgradeStrategy: {minimumHealthCapacity: 1, maximumOverCapacity: 1},
    version: ctx.version,
    killSelection: 'YOUNGEST_FIRST',
    unreachableStrategy: {inactiveAfterSeconds: 0, expungeAfterSeconds: 0},
    role: ctx.role,
  }
}

const SECRET_NAME = /^[A-Za-z0-9_./-]{1,128}$/
const MAX_SECRETS = 64

function normalizeSecrets(r: Reader, o: Json): Record<string, AppSecret> {
  const m = r.obj(o, 'secrets')
  const out: Record<string, AppSecret> = {}
  if (!m) return out
  if (Object.keys(m).length > MAX_SECRETS) r.v.add(r.path('/secrets'), `must have at most ${MAX_SECRETS} secrets`)
  for (const [name, x] of Object.entries(m)) {
    const p = `/secrets/${name}`
    if (!SECRET_NAME.test(name)) {
      r.v.add(r.path(p), `secret names must fully match regular expression '${SECRET_NAME.source}'`)
      continue
    }
    if (typeof x !== 'object' || x === null || Array.isArray(x)) {
      r.v.typeError(r.path(p), 'jsobject')
      continue
    }
    const source = r.str(x as Json, 'source', `${p}/source`)
    if (source === undefined) {
      r.v.add(r.path(`${p}/source`), 'error.path.missing')
      continue
    }
    const problem = secretPathProblem(source)
    if (problem) r.v.add(r.path(`${p}/source`), `is not a valid secret path: ${problem}`)
    else out[name] = {source: source.replace(/^\/+|\/+$/g, '')}
  }
  return out
}

function normalizeEnv(r: Reader, o: Json, secrets: Record<string, AppSecret>): Record<string, EnvValue> | undefined {
  const m = r.obj(o, 'env')
  if (!m) return undefined
  const out: Record<string, EnvValue> = {}
  for (const [k, x] of Object.entries(m)) {
    const badName = k === '' || k.includes('=') || k.includes('\u0000')
    if (typeof x === 'string') {
      if (badName || x.includes('\u0000')) r.v.add(r.path(`/env/${k}`), 'must be a valid environment variable (no NUL bytes, no = in the name)')
      else out[k] = x
    } else if (typeof x === 'object' && x !== null && !Array.isArray(x) && 'secret' in x) {
      const name = (x as Json).secret
      if (typeof name !== 'string') r.v.typeError(r.path(`/env/${k}/secret`), 'jsstring')
      else if (badName) r.v.add(r.path(`/env/${k}`), 'must be a valid environment variable (no NUL bytes, no = in the name)')
      else if (!Object.hasOwn(secrets, name)) r.v.add(r.path(`/env/${k}`), `references an undefined secret named '${name.slice(0, 128)}'`)
      else out[k] = {secret: name}
    } else r.v.typeError(r.path(`/env/${k}`), 'jsstring')
  }
  return out
}

function normalizeContainer(r: Reader, o: Json): AppContainer | undefined {
  const c = r.obj(o, 'container')
  if (!c) return undefined
  const type = r.str(c, 'type', '/container/type') ?? (r.has(c, 'docker') ? 'DOCKER' : 'MESOS')
  if (type === 'DOCKER') {
    r.v.add(r.path('/container/type'), noContainerEngine("container type 'DOCKER' (a Docker image)"))
    return undefined
  }
  if (type !== 'MESOS') {
    r.v.add(r.path('/container/type'), `container type '${type}' is not supported: use 'MESOS' (without an image)`)
    return undefined
  }
  const docker = r.obj(c, 'docker', '/container/docker')
  if (docker && r.has(docker, 'image')) r.v.add(r.path('/container/docker/image'), noContainerEngine("a container image ('container.docker.image')"))
  else if (docker && Object.keys(docker).length > 0) r.v.add(r.path('/container/docker'), noContainerEngine("'container.docker'"))
  if (r.has(c, 'appc')) r.v.add(r.path('/container/appc'), noContainerEngine("an AppC image ('container.appc')"))
  const mesos = r.obj(c, 'mesos', '/container/mesos')
  if (mesos && r.has(mesos, 'image')) r.v.add(r.path('/container/mesos/image'), noContainerEngine("a container image ('container.mesos.image')"))
  const mappings = r.arr(c, 'portMappings', '/container/portMappings')
  if (mappings && mappings.length > 0)
    r.v.add(r.path('/container/portMappings'), noContainerEngine("'portMappings' (container networking)"))
  const volumes: PersistentVolume[] = []
  r.arr(c, 'volumes', '/container/volumes')?.forEach((raw, i) => {
    const p = `/container/volumes(${i})`
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      r.v.typeError(r.path(p), 'jsobject')
      return
    }
    const vol = raw as Json
    if (r.has(vol, 'external')) {
      r.v.add(r.path(`${p}/external`), noContainerEngine('an external volume (a volume driver such as dvdi/rexray)'))
      return
    }
    if (r.has(vol, 'hostPath')) {
      r.v.add(r.path(`${p}/hostPath`), noContainerEngine('a host path volume (a bind mount into a container)'))
      return
    }
    if (r.has(vol, 'secret')) {
      r.v.add(r.path(`${p}/secret`), "secret volumes are not supported: pass the secret as an environment variable ('env': {\"VAR\": {\"secret\": \"<name>\"}})")
      return
    }
    const persistent = r.obj(vol, 'persistent', `${p}/persistent`)
    if (!persistent) {
      r.v.add(r.path(p), "only persistent local volumes ('persistent') are supported")
      return
    }
    const containerPath = r.str(vol, 'containerPath', `${p}/containerPath`) ?? ''
    if (containerPath === '' || containerPath.startsWith('/') || containerPath.split('/').some((s) => s === '..' || s === '.' || s === ''))
      r.v.add(r.path(`${p}/containerPath`), "a persistent volume's containerPath must be a relative path inside the sandbox, without '.' or '..'")
    const mode = r.str(vol, 'mode', `${p}/mode`) ?? 'RW'
    if (mode !== 'RW' && mode !== 'RO') r.v.add(r.path(`${p}/mode`), "must be 'RW' or 'RO'")
    const size = r.int(persistent, 'size', `${p}/persistent/size`)
    if (size === undefined) r.v.add(r.path(`${p}/persistent/size`), 'error.path.missing')
    else r.min(size, 1, `${p}/persistent/size`)
    const kind = r.str(persistent, 'type', `${p}/persistent/type`) ?? 'root'
    if (kind !== 'root') r.v.add(r.path(`${p}/persistent/type`), "only 'root' disk volumes are supported (this cluster's agents have no mount or path disks)")
    volumes.push({containerPath, mode: mode as 'RW' | 'RO', persistent: {type: 'root', size: size ?? 0, constraints: []}})
  })
  return {type: 'MESOS', volumes}
}

function normalizePorts(r: Reader, o: Json): PortDefinition[] {
  const defs = r.arr(o, 'portDefinitions')
  const ports = r.arr(o, 'ports')
  if (defs && ports && ports.length > 0) r.v.add(r.path('/'), 'You cannot specify both ports and port definitions')
  let out: PortDefinition[]
  if (ports && !defs) {
    out = []
    ports.forEach((p, i) => {
      if (typeof p !== 'number' || !Number.isInteger(p)) r.v.typeError(r.path(`/ports(${i})`), 'jsinteger')
      else out.push({port: p, protocol: 'tcp'})
    })
  } else if (defs) {
    out = []
    defs.forEach((raw, i) => {
      const p = `/portDefinitions(${i})`
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        r.v.typeError(r.path(p), 'jsobject')
        return
      }
      const d = raw as Json
      const port = r.int(d, 'port', `${p}/port`) ?? 0
      const protocol = r.str(d, 'protocol', `${p}/protocol`) ?? 'tcp'
      if (!['tcp', 'udp', 'udp,tcp', 'tcp,udp'].includes(protocol)) r.v.add(r.path(`${p}/protocol`), "must be one of 'tcp', 'udp', 'udp,tcp'")
      const name = r.str(d, 'name', `${p}/name`)
      if (name !== undefined && !PORT_NAME.test(name)) r.v.add(r.path(`${p}/name`), `must fully match regular expression '${PORT_NAME.source}'`)
      const labels = r.strMap(d, 'labels', `${p}/labels`)
      out.push({port, protocol, ...(name !== undefined && {name}), ...(labels && Object.keys(labels).length > 0 && {labels})})
    })
  } else out = [{port: 0, protocol: 'tcp', name: 'default'}]
  out.forEach((d, i) => {
    r.min(d.port, 0, `/portDefinitions(${i})/port`)
    r.max(d.port, 65535, `/portDefinitions(${i})/port`)
  })
  const names = out.flatMap((d) => (d.name ? [d.name] : []))
  if (new Set(names).size !== names.length) r.v.add(r.path('/portDefinitions'), 'Port names must be unique.')
  const fixed = out.map((d) => d.port).filter((p) => p !== 0)
  if (new Set(fixed).size !== fixed.length) r.v.add(r.path('/portDefinitions'), 'Ports must be unique.')
  return out
}

function normalizeRoles(r: Reader, o: Json): string[] | undefined {
  const roles = r.strArray(o, 'acceptedResourceRoles')
  if (!roles || roles.length === 0) return undefined
  roles.forEach((role, i) => {
    if (role !== '*' && !ROLE.test(role)) r.v.add(r.path(`/acceptedResourceRoles(${i})`), `'${role}' is not a valid role name`)
  })
  if (new Set(roles).size !== roles.length) r.v.add(r.path('/acceptedResourceRoles'), 'must not contain duplicate roles')
  return roles
}

function normalizeDependencies(r: Reader, o: Json, id: string): string[] {
  const deps = r.strArray(o, 'dependencies') ?? []
  const out: string[] = []
  deps.forEach((d, i) => {
    try {
      const dep = canonicalPath(d, parentOf(id))
      const problems = pathProblems(dep)
      if (problems.length) for (const p of problems) r.v.add(r.path(`/dependencies(${i})`), p)
      else if (!out.includes(dep)) out.push(dep)
    } catch {
      r.v.add(r.path(`/dependencies(${i})`), 'Path needs to be absolute')
    }
  })
  return out
}

function normalizeResidency(r: Reader, o: Json): NonNullable<App['residency']> {
  const res = r.obj(o, 'residency')
  const relaunch = (res && r.int(res, 'relaunchEscalationTimeoutSeconds', '/residency/relaunchEscalationTimeoutSeconds')) ?? 3600
  r.min(relaunch, 0, '/residency/relaunchEscalationTimeoutSeconds')
  const behavior = (res && r.str(res, 'taskLostBehavior', '/residency/taskLostBehavior')) ?? 'WAIT_FOREVER'
  if (behavior !== 'WAIT_FOREVER' && behavior !== 'RELAUNCH_AFTER_TIMEOUT')
    r.v.add(r.path('/residency/taskLostBehavior'), 'error.expected.enum: WAIT_FOREVER, RELAUNCH_AFTER_TIMEOUT')
  return {relaunchEscalationTimeoutSeconds: relaunch, taskLostBehavior: behavior as 'WAIT_FOREVER'}
}

function normalizeUpgradeStrategy(r: Reader, o: Json, resident: boolean): UpgradeStrategy {
  const u = r.obj(o, 'upgradeStrategy')
  const fallback = resident ? {minimumHealthCapacity: 0.5, maximumOverCapacity: 0} : {minimumHealthCapacity: 1, maximumOverCapacity: 1}
  const out = {
    minimumHealthCapacity: (u && r.num(u, 'minimumHealthCapacity', '/upgradeStrategy/minimumHealthCapacity')) ?? fallback.minimumHealthCapacity,
    maximumOverCapacity: (u && r.num(u, 'maximumOverCapacity', '/upgradeStrategy/maximumOverCapacity')) ?? fallback.maximumOverCapacity,
  }
  for (const k of ['minimumHealthCapacity', 'maximumOverCapacity'] as const) {
    if (out[k] > 1) r.v.add(r.path(`/upgradeStrategy/${k}`), 'is greater than 1')
    if (out[k] < 0) r.v.add(r.path(`/upgradeStrategy/${k}`), 'is less than 0')
  }
  if (resident && out.maximumOverCapacity !== 0)
    r.v.add(r.path('/upgradeStrategy/maximumOverCapacity'), 'must be 0 for apps with persistent volumes (a resident instance cannot be doubled)')
  return out
}

function normalizeUnreachable(r: Reader, o: Json): UnreachableStrategy {
  const raw = o.unreachableStrategy
  if (raw === 'disabled') return 'disabled'
  if (typeof raw === 'string') {
    r.v.add(r.path('/unreachableStrategy'), "must be 'disabled' or an object")
    return 'disabled'
  }
  const u = r.obj(o, 'unreachableStrategy')
  const inactive = (u && r.int(u, 'inactiveAfterSeconds', '/unreachableStrategy/inactiveAfterSeconds')) ?? 0
  const expunge = (u && r.int(u, 'expungeAfterSeconds', '/unreachableStrategy/expungeAfterSeconds')) ?? 0
  if (inactive < 0) r.v.add(r.path('/unreachableStrategy/inactiveAfterSeconds'), `inactiveAfterSeconds (${inactive}) must be greater than or equal to 0`)
  if (expunge < 0) r.v.add(r.path('/unreachableStrategy/expungeAfterSeconds'), `expungeAfterSeconds (${expunge}) must be greater than or equal to 0`)
  if (inactive > expunge)
    r.v.add(r.path('/unreachableStrategy/inactiveAfterSeconds'), `inactiveAfterSeconds (${inactive}) must be less or equal to expungeAfterSeconds, which is ${expunge}`)
  return {inactiveAfterSeconds: inactive, expungeAfterSeconds: expunge}
}

function validUri(uri: string): boolean {
  return uri.length > 0 && uri.length <= 1024 && !/\s/.test(uri) && (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(uri) || uri.startsWith('/'))
}

function normalizeFetch(r: Reader, o: Json): FetchUri[] {
  const fetch = r.arr(o, 'fetch')
  const uris = r.strArray(o, 'uris')
  if (fetch && fetch.length > 0 && uris && uris.length > 0) r.v.add(r.path('/uris'), 'may not be set in conjunction with fetch')
  if (uris && !(fetch && fetch.length > 0)) {
    return uris.map((uri, i) => {
      if (!validUri(uri)) r.v.add(r.path(`/uris(${i})`), 'URI has invalid syntax.')
      return {uri, extract: ARCHIVE.test(uri), executable: false, cache: false}
    })
  }
  const out: FetchUri[] = []
  fetch?.forEach((raw, i) => {
    const p = `/fetch(${i})`
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      r.v.typeError(r.path(p), 'jsobject')
      return
    }
    const f = raw as Json
    const uri = r.str(f, 'uri', `${p}/uri`)
    if (uri === undefined) {
      r.v.add(r.path(`${p}/uri`), 'error.path.missing')
      return
    }
    if (!validUri(uri)) r.v.add(r.path(`${p}/uri`), 'URI has invalid syntax.')
    const destPath = r.str(f, 'destPath', `${p}/destPath`)
    if (destPath !== undefined && (destPath === '' || destPath.startsWith('/') || destPath.split('/').includes('..')))
      r.v.add(r.path(`${p}/destPath`), 'must be a relative path inside the sandbox')
    out.push({
      uri,
      extract: r.bool(f, 'extract', `${p}/extract`) ?? true,
      executable: r.bool(f, 'executable', `${p}/executable`) ?? false,
      cache: r.bool(f, 'cache', `${p}/cache`) ?? false,
      ...(destPath !== undefined && {destPath}),
    })
  })
  return out
}

function normalizeHealthChecks(r: Reader, o: Json, ports: PortDefinition[]): HealthCheck[] {
  const out: HealthCheck[] = []
  r.arr(o, 'healthChecks')?.forEach((raw, i) => {
    const p = `/healthChecks(${i})`
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      r.v.typeError(r.path(p), 'jsobject')
      return
    }
    const h = raw as Json
    const protocol = (r.str(h, 'protocol', `${p}/protocol`) ?? 'HTTP') as HealthProtocol
    if (!HEALTH_PROTOCOLS.includes(protocol)) {
      r.v.add(r.path(`${p}/protocol`), `error.expected.enum: ${HEALTH_PROTOCOLS.join(', ')}`)
      return
    }
    const num = (key: string, fallback: number) => {
      const x = r.int(h, key, `${p}/${key}`) ?? fallback
      r.min(x, 0, `${p}/${key}`)
      return x
    }
    const hc: HealthCheck = {
      gracePeriodSeconds: num('gracePeriodSeconds', 300),
      intervalSeconds: num('intervalSeconds', 60),
      maxConsecutiveFailures: num('maxConsecutiveFailures', 3),
      protocol,
      ipProtocol: 'IPv4',
      timeoutSeconds: num('timeoutSeconds', 20),
      delaySeconds: num('delaySeconds', 15),
      ignoreHttp1xx: r.bool(h, 'ignoreHttp1xx', `${p}/ignoreHttp1xx`) ?? false,
    }
    if (hc.intervalSeconds < 1) r.v.add(r.path(`${p}/intervalSeconds`), `got ${hc.intervalSeconds}, expected 1 or more`)
    if (hc.timeoutSeconds < 1) r.v.add(r.path(`${p}/timeoutSeconds`), `got ${hc.timeoutSeconds}, expected 1 or more`)
    const ipProtocol = r.str(h, 'ipProtocol', `${p}/ipProtocol`)
    if (ipProtocol === 'IPv6') hc.ipProtocol = 'IPv6'
    else if (ipProtocol !== undefined && ipProtocol !== 'IPv4') r.v.add(r.path(`${p}/ipProtocol`), 'error.expected.enum: IPv4, IPv6')
    if (protocol === 'COMMAND') {
      const command = r.obj(h, 'command', `${p}/command`)
      const value = command && r.str(command, 'value', `${p}/command/value`)
      if (!value) r.v.add(r.path(`${p}/command`), 'Health check protocol COMMAND requires a command value')
      else hc.command = {value}
    } else {
      const port = r.int(h, 'port', `${p}/port`)
      const portIndex = r.int(h, 'portIndex', `${p}/portIndex`)
      if (port !== undefined) {
        r.min(port, 0, `${p}/port`)
        r.max(port, 65535, `${p}/port`)
        hc.port = port
      } else {
        hc.portIndex = portIndex ?? 0
        if (hc.portIndex < 0 || hc.portIndex >= ports.length)
          r.v.add(r.path(p), 'Health check port indices must address an element of the ports array or container port mappings.')
      }
      if (protocol === 'HTTP' || protocol === 'HTTPS' || protocol === 'MESOS_HTTP' || protocol === 'MESOS_HTTPS') {
        const path = r.str(h, 'path', `${p}/path`)
        if (path !== undefined) hc.path = path
      }
    }
    out.push(hc)
  })
  if (out.filter((h) => h.protocol.startsWith('MESOS_') || h.protocol === 'COMMAND').length > 1)
    r.v.add(r.path('/healthChecks'), 'AppDefinition can contain at most one Mesos health check')
  return out
}

function normalizeReadinessChecks(r: Reader, o: Json, ports: PortDefinition[]): ReadinessCheck[] {
  const list = r.arr(o, 'readinessChecks') ?? []
  if (list.length > 1) r.v.add(r.path('/readinessChecks'), 'must have at most 1 element')
  const out: ReadinessCheck[] = []
  list.forEach((raw, i) => {
    const p = `/readinessChecks(${i})`
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      r.v.typeError(r.path(p), 'jsobject')
      return
    }
    const c = raw as Json
    const protocol = r.str(c, 'protocol', `${p}/protocol`) ?? 'HTTP'
    if (protocol !== 'HTTP' && protocol !== 'HTTPS') r.v.add(r.path(`${p}/protocol`), 'error.expected.enum: HTTP, HTTPS')
    const portName = r.str(c, 'portName', `${p}/portName`) ?? 'http-api'
    if (!ports.some((d) => d.name === portName)) r.v.add(r.path(p), `No port definition reference for portName ${portName}`)
    const intervalSeconds = r.int(c, 'intervalSeconds', `${p}/intervalSeconds`) ?? 30
    const timeoutSeconds = r.int(c, 'timeoutSeconds', `${p}/timeoutSeconds`) ?? 10
    r.min(intervalSeconds, 1, `${p}/intervalSeconds`)
    r.min(timeoutSeconds, 1, `${p}/timeoutSeconds`)
    if (timeoutSeconds >= intervalSeconds) r.v.add(r.path(`${p}/timeoutSeconds`), 'timeoutSeconds must be less than intervalSeconds')
    const codes = (r.arr(c, 'httpStatusCodesForReady', `${p}/httpStatusCodesForReady`) ?? [200]).filter((x): x is number => {
      if (typeof x === 'number' && Number.isInteger(x) && x >= 100 && x <= 999) return true
      r.v.add(r.path(`${p}/httpStatusCodesForReady`), 'must contain HTTP status codes')
      return false
    })
    if (codes.length === 0) r.v.add(r.path(`${p}/httpStatusCodesForReady`), 'must not be empty')
    out.push({
      name: r.str(c, 'name', `${p}/name`) ?? 'readinessCheck',
      protocol: protocol as 'HTTP',
      path: r.str(c, 'path', `${p}/path`) ?? '/',
      portName,
      intervalSeconds,
      timeoutSeconds,
      httpStatusCodesForReady: codes,
      preserveLastResponse: r.bool(c, 'preserveLastResponse', `${p}/preserveLastResponse`) ?? false,
    })
  })
  return out
}

/**
 * The request form of a stored app (what a client would PUT back): the app without its
 * server-managed fields. Partial updates are applied over it.
 */
export function appRequestJson(app: App): Json {
  const {version: _v, versionInfo: _vi, ...rest} = app
  return structuredClone(rest) as Json
}

/**
 * `patch` applied over `app` the way Marathon's AppUpdate is: top-level fields replace, and a
 * field that excludes another (cmd/args, ports/portDefinitions, uris/fetch) drops it.
 */
export function mergeUpdate(app: App, patch: Json): Json {
  const base = appRequestJson(app)
  const has = (k: string) => patch[k] !== undefined
  if (has('cmd') && patch.cmd !== null) delete base.args
  if (has('args') && patch.args !== null) delete base.cmd
  if (has('ports')) delete base.portDefinitions
  if (has('portDefinitions')) delete base.ports
  if (has('uris')) delete base.fetch
  const out: Json = {...base}
  for (const [k, value] of Object.entries(patch)) {
    if (k === 'version' || k === 'versionInfo') continue
    if (value === null) delete out[k]
    else out[k] = value
  }
  return out
}

/** Everything that makes a task of the app what it is: all but instances and versions (key order aside). */
export function configKey(app: App): string {
  const {instances: _i, version: _v, versionInfo: _vi, ...config} = app
  return stableJson(config)
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`
  return JSON.stringify(value)
}

/** Whether the app has persistent volumes (its instances are resident on their agents). */
export function isResident(app: App): boolean {
  return (app.container?.volumes.length ?? 0) > 0
}
