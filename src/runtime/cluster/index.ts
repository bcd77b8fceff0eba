/**
 * Local clusters, for `dcos cluster up/down/list`: create one (or start a stopped one again
 * with its ports and state), stop one, find and list them. A cluster is a directory under
 * `<DCOS_DIR>/clusters/<id>/local/` (./cluster-dir) run by a detached supervisor process
 * (./supervisor); nothing here keeps state in memory, so any CLI process can manage any cluster.
 */
import {spawn} from 'node:child_process'
import {randomUUID} from 'node:crypto'
import fs from 'node:fs'
import {isIP} from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {isLoopback, serviceHeaders} from '../auth/guard'
import type {ClusterSpec} from '../config'
import {checkPublicUrl, PublicUrlError} from '../gateway/public-url'
import {call, type CallAnswer} from '../http/client'
import {ClusterDir, localClusterDir} from './cluster-dir'
import {clusterCredentials} from './credentials'
import {canBind, choosePorts} from './ports'
import {isOurs, signal, terminate, waitForExit} from './procs'
import {killLeakedTasks, stopPhases} from './shutdown'
import {agentsOf, buildClusterSpec, componentUrl, gatewayOf, marathonOf, masterOf, portRequests, withAuth, withGatewayHost, withMarathon, withPorts} from './spec'

export interface UpOptions {
  dcosDir: string
  name: string
  agents: number
  /** CPUs each agent offers; default: the host's. */
  cpus?: number
  /** Memory (MB) each agent offers; default: the Mesos agent default, at most 2048. */
  mem?: number
  /** Every port picked free (tests running clusters side by side). */
  randomPorts?: boolean
  /** Absolute path of dist/runtime.js. */
  runtimeJs: string
  /** Default 15000. */
  agentUnreachableTimeoutMs?: number
  /** Things the user should know that are not errors ("port 5050 is in use; ..."). */
  onNotice?: (msg: string) => void
  /** How long to wait for the gateway and every agent; default 20000. */
  timeoutMs?: number
  /**
   * Authentication (default true): components check tokens, and the first `up` makes the
   * cluster's keys and admin credential (`LocalCluster.adminCredentialFile`). False is allowed
   * only with a loopback `host`, and is announced through `onNotice`.
   */
  auth?: boolean
  /**
   * The address the gateway binds (an IP literal or localhost); default 127.0.0.1 for a new
   * cluster, the previous one for a restart. The other components always bind loopback.
   */
  host?: string
  /**
   * What others reach the gateway at (`http(s)://host[:port]`, no path): URLs the cluster hands
   * out (package artifacts, service accounts' login endpoint) are built on it. Default: the bound
   * address (loopback when bound to every address); a restart keeps the previous one.
   */
  publicUrl?: string
}

export interface LocalCluster {
  id: string
  name: string
  /** The gateway: the cluster's `core.dcos_url`. */
  url: string
  /** The configured public URL (`up`'s publicUrl), if any. */
  publicUrl?: string
  masterUrl: string
  /** The runtime dir, `<DCOS_DIR>/clusters/<id>/local`. */
  dir: string
  running: boolean
  supervisorPid?: number
  agents: number
  /** Whether the cluster checks tokens (as of its last `up`). */
  auth: boolean
  /** With auth: the 0600 JSON `{"uid","password"}` the CLI logs in with. */
  adminCredentialFile?: string
}

export type LocalClusterErrorCode = 'INVALID_OPTIONS' | 'RUNTIME_MISSING' | 'NOT_READY' | 'NOT_FOUND'

export class LocalClusterError extends Error {
  override name = 'LocalClusterError'
  constructor(
    readonly code: LocalClusterErrorCode,
    message: string,
  ) {
    super(message)
  }
}

export const MAX_AGENTS = 32
const DEFAULT_AGENT_UNREACHABLE_TIMEOUT_MS = 15_000
const DEFAULT_READY_TIMEOUT_MS = 20_000
const READY_POLL_MS = 20
/** `down` waits this long for the supervisor's own orderly stop before killing everything. */
const SUPERVISOR_STOP_TIMEOUT_MS = 15_000
const DEFAULT_DISK_MB = 10_240

/**
 * Starts the cluster named `opts.name`: a running one is left alone (`alreadyRunning`), a stopped
 * one starts again on its ports where they are still free (`restarted`), else a new one is
 * created. Resolves once the gateway answers and every agent is registered and active; on
 * failure, stops what it started and throws a LocalClusterError naming the log to read.
 */
export async function up(opts: UpOptions): Promise<{cluster: LocalCluster; alreadyRunning: boolean; restarted: boolean}> {
  checkUpOptions(opts)
  const existing = listLocalClusters(opts.dcosDir).find((c) => c.name === opts.name)
  if (existing?.running) return {cluster: existing, alreadyRunning: true, restarted: false}

  let spec: ClusterSpec
  let dir: ClusterDir
  if (existing) {
    dir = new ClusterDir(existing.dir)
    // A cluster made before Marathon was part of every cluster gets one now.
    spec = withMarathon(dir.readSpec())
  } else {
    spec = await newSpec(opts)
    dir = new ClusterDir(spec.dir)
  }
  const auth = opts.auth !== false
  const host = opts.host ?? gatewayOf(spec).host
  if (!auth && !isLoopback(host)) {
    throw new LocalClusterError(
      'INVALID_OPTIONS',
      `refusing to serve cluster '${spec.name}' on ${host} without authentication: anyone who can reach that address would control it; bind to 127.0.0.1 or leave authentication on`,
    )
  }
  spec = withGatewayHost(spec, host, opts.publicUrl === undefined ? gatewayOf(spec).publicUrl : checkPublicUrl(opts.publicUrl))
  try {
    // The keys (made once, a few hundred ms) are made while old components stop and ports are chosen.
    const credentials = auth ? clusterCredentials(dir) : undefined
    credentials?.catch(() => {})
    // Components a dead supervisor left behind hold the ports; agents keep their tasks.
    if (existing) await stopOrphans(dir, spec, {keepTasks: true})
    spec = withPorts(spec, await choosePorts(portRequests(spec, !existing && opts.randomPorts === true), opts.onNotice))
    spec = withAuth(spec, await credentials)
  } catch (error) {
    // A new cluster that never got its spec leaves nothing behind.
    if (!existing) removeNewClusterDir(dir)
    throw error
  }
  if (!auth) {
    opts.onNotice?.(`authentication is off: anyone on this machine who can connect to ${componentUrl(gatewayOf(spec))} controls the cluster`)
  }
  dir.writeSpec(spec)

  const supervisor = spawnSupervisor(dir, opts.runtimeJs)
  try {
    await waitUntilReady(spec, dir, supervisor.exitReason, opts.timeoutMs ?? DEFAULT_READY_TIMEOUT_MS)
  } catch (error) {
    await stopCluster(dir, spec, supervisor.pid)
    throw error
  }
  return {cluster: toLocalCluster(spec, dir, supervisor.pid), alreadyRunning: false, restarted: existing !== undefined}
}

/**
 * Stops every process of the cluster, tasks included: the supervisor's orderly stop first, then
 * whatever is left (a supervisor that hung or had died). `purge` also deletes its runtime dir;
 * `<DCOS_DIR>/clusters/<id>/` itself is the CLI's to remove.
 */
export async function down(dcosDir: string, id: string, opts: {purge?: boolean} = {}): Promise<void> {
  const dir = new ClusterDir(localClusterDir(dcosDir, checkClusterId(id)))
  if (!fs.existsSync(dir.specFile)) {
    throw new LocalClusterError('NOT_FOUND', `no local cluster with id '${id}' in ${path.join(dcosDir, 'clusters')}`)
  }
  await stopCluster(dir, dir.readSpec(), liveSupervisor(dir))
  if (opts.purge) fs.rmSync(dir.dir, {recursive: true, force: true})
}

/** The local cluster with this id, or else this name. */
export function findLocalCluster(dcosDir: string, nameOrId: string): LocalCluster | undefined {
  const all = listLocalClusters(dcosDir)
  return all.find((c) => c.id === nameOrId) ?? all.find((c) => c.name === nameOrId)
}

/** Every local cluster under `<dcosDir>/clusters`, oldest first, each with whether it runs. */
export function listLocalClusters(dcosDir: string): LocalCluster[] {
  let ids: string[]
  try {
    ids = fs.readdirSync(path.join(dcosDir, 'clusters'))
  } catch {
    return []
  }
  const found: {cluster: LocalCluster; createdAt: string}[] = []
  for (const id of ids) {
    const dir = new ClusterDir(localClusterDir(dcosDir, id))
    let spec: ClusterSpec
    try {
      spec = dir.readSpec()
      found.push({cluster: toLocalCluster(spec, dir, liveSupervisor(dir)), createdAt: spec.createdAt})
    } catch {
      // not a local cluster (a `cluster setup` one), or a damaged one: not listed
    }
  }
  return found.sort((a, b) => a.createdAt.localeCompare(b.createdAt)).map((f) => f.cluster)
}

function checkUpOptions(opts: UpOptions): void {
  const invalid = (msg: string) => new LocalClusterError('INVALID_OPTIONS', msg)
  // eslint-disable-next-line no-control-regex
  if (typeof opts.name !== 'string' || opts.name.trim() === '' || opts.name.length > 64 || /[\u0000-\u001f\u007f]/.test(opts.name)) {
    throw invalid('the cluster name must be 1 to 64 printable characters')
  }
  if (!Number.isInteger(opts.agents) || opts.agents < 1 || opts.agents > MAX_AGENTS) {
    throw invalid(`the number of agents must be a whole number from 1 to ${MAX_AGENTS}`)
  }
  if (opts.cpus !== undefined && !(Number.isFinite(opts.cpus) && opts.cpus > 0)) throw invalid('--cpus must be a positive number')
  if (opts.mem !== undefined && !(Number.isInteger(opts.mem) && opts.mem >= 32)) throw invalid('--mem must be a whole number of MB, at least 32')
  const t = opts.agentUnreachableTimeoutMs
  if (t !== undefined && !(Number.isInteger(t) && t >= 100)) throw invalid('the agent timeout must be a whole number of ms, at least 100')
  if (opts.host !== undefined && !(typeof opts.host === 'string' && (isIP(opts.host) !== 0 || opts.host === 'localhost'))) {
    throw invalid('the host must be an IP address (such as 127.0.0.1 or 0.0.0.0) or localhost')
  }
  if (opts.publicUrl !== undefined) {
    try {
      checkPublicUrl(opts.publicUrl)
    } catch (error) {
      if (error instanceof PublicUrlError) throw invalid(error.message)
      throw error
    }
  }
  if (!path.isAbsolute(opts.runtimeJs) || !fs.existsSync(opts.runtimeJs)) {
    throw new LocalClusterError('RUNTIME_MISSING', `the cluster runtime is not at ${opts.runtimeJs}; build it with 'npm run build'`)
  }
}

function checkClusterId(id: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(id)) throw new LocalClusterError('NOT_FOUND', `'${id}' is not a cluster id`)
  return id
}

async function newSpec(opts: UpOptions): Promise<ClusterSpec> {
  const id = randomUUID()
  return buildClusterSpec({
    id,
    name: opts.name,
    dir: localClusterDir(opts.dcosDir, id),
    createdAt: new Date().toISOString(),
    agentHosts: await agentHosts(opts.agents),
    cpus: opts.cpus ?? os.availableParallelism(),
    memMb: opts.mem ?? defaultAgentMemMb(),
    diskMb: DEFAULT_DISK_MB,
    agentUnreachableTimeoutMs: opts.agentUnreachableTimeoutMs ?? DEFAULT_AGENT_UNREACHABLE_TIMEOUT_MS,
  })
}

function removeNewClusterDir(dir: ClusterDir): void {
  fs.rmSync(dir.dir, {recursive: true, force: true})
  try {
    fs.rmdirSync(path.dirname(dir.dir))
  } catch {
    // not empty: not only ours
  }
}

/** Agent i on 127.0.0.(i+1) where the host routes all of 127/8 to loopback (Linux), else 127.0.0.1. */
async function agentHosts(agents: number): Promise<string[]> {
  const own = process.platform === 'linux' && (await canBind('127.0.0.2'))
  return Array.from({length: agents}, (_, i) => (own ? `127.0.0.${i + 2}` : '127.0.0.1'))
}

/** The Mesos agent's default (total minus 1 GB, or half below 2 GB), capped at 2048 MB per agent. */
function defaultAgentMemMb(): number {
  const total = Math.floor(os.totalmem() / (1024 * 1024))
  return Math.min(2048, total >= 2048 ? total - 1024 : Math.floor(total / 2))
}

/**
 * The supervisor runs detached (its own session, so a closed terminal does not stop the
 * cluster) with its output in logs/supervisor.log. The CLI's own credentials (DCOS_* variables)
 * are not passed on to the cluster or its tasks.
 */
function spawnSupervisor(dir: ClusterDir, runtimeJs: string): {pid?: number; exitReason: () => string | undefined} {
  fs.mkdirSync(dir.logsDir, {recursive: true, mode: 0o700})
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DCOS_')))
  const out = fs.openSync(dir.supervisorLog, 'a', 0o600)
  let reason: string | undefined
  try {
    const child = spawn(process.execPath, [runtimeJs, 'supervisor', dir.specFile], {
      detached: true,
      stdio: ['ignore', out, out],
      cwd: dir.dir,
      env,
    })
    child.once('exit', (code, sig) => (reason = sig ? `killed by ${sig}` : `exit code ${code}`))
    child.once('error', (error) => (reason = error.message))
    child.unref()
    return {pid: child.pid, exitReason: () => reason}
  } finally {
    fs.closeSync(out)
  }
}

async function waitUntilReady(spec: ClusterSpec, dir: ClusterDir, exitReason: () => string | undefined, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const exited = exitReason()
    if (exited) {
      throw new LocalClusterError('NOT_READY', `the cluster's supervisor stopped (${exited}); see ${dir.supervisorLog}`)
    }
    const waitingFor = await readiness(spec, dir)
    if (waitingFor === undefined) return
    if (Date.now() >= deadline) {
      throw new LocalClusterError('NOT_READY', `cluster '${spec.name}' is not ready after ${timeoutMs / 1000} s: ${waitingFor}`)
    }
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS))
  }
}

/** Undefined when the cluster is ready; else what it still waits for, naming the log to read. */
async function readiness(spec: ClusterSpec, dir: ClusterDir): Promise<string | undefined> {
  const gatewayUrl = componentUrl(gatewayOf(spec))
  let res: CallAnswer
  try {
    // With the gateway's own service token: the CLI has not logged in yet.
    const headers = serviceHeaders(gatewayOf(spec).auth)
    res = await call(`${gatewayUrl}/mesos/master/slaves`, {headers, timeoutMs: 2_000})
  } catch {
    return `the gateway at ${gatewayUrl} does not answer (see ${dir.log('gateway')})`
  }
  if (res.status !== 200) {
    return `the master at ${componentUrl(masterOf(spec))} does not answer (status ${res.status}; see ${dir.log('master')})`
  }
  let slaves: {active?: unknown}[] = []
  try {
    const body = JSON.parse(res.text) as {slaves?: {active?: unknown}[]}
    if (Array.isArray(body.slaves)) slaves = body.slaves
  } catch {
    return `the master sent malformed JSON for /master/slaves (see ${dir.log('master')})`
  }
  const wanted = agentsOf(spec).length
  const active = slaves.filter((s) => s.active === true).length
  if (active < wanted) return `${active} of ${wanted} agents are registered (see ${path.join(dir.logsDir, 'agent-*.log')})`
  return marathonOf(spec) ? marathonReadiness(gatewayUrl, gatewayOf(spec).auth, dir) : undefined
}

/** Marathon is ready once the gateway reaches it as the framework `marathon` (it registered). */
async function marathonReadiness(gatewayUrl: string, auth: Parameters<typeof serviceHeaders>[0], dir: ClusterDir): Promise<string | undefined> {
  try {
    if ((await call(`${gatewayUrl}/service/marathon/ping`, {headers: serviceHeaders(auth), timeoutMs: 2_000})).status === 200) return undefined
  } catch {
    // not yet
  }
  return `Marathon is not registered with the master yet (see ${dir.log('marathon')})`
}

/** The supervisor's pid when it runs (checked against its command line, so a reused pid is not it). */
function liveSupervisor(dir: ClusterDir): number | undefined {
  const pid = dir.readSupervisorPid()
  return pid !== undefined && isOurs(pid, dir.specFile) ? pid : undefined
}

/**
 * The supervisor's orderly stop, waited for; if it hangs, SIGKILL to its process group (it leads
 * one, and its components are in it). Then the same stop for components it left behind, and a
 * sweep for task processes.
 */
async function stopCluster(dir: ClusterDir, spec: ClusterSpec, supervisorPid: number | undefined): Promise<void> {
  if (supervisorPid !== undefined && signal(supervisorPid, 'SIGTERM')) {
    if (!(await waitForExit(supervisorPid, SUPERVISOR_STOP_TIMEOUT_MS))) {
      signal(-supervisorPid, 'SIGKILL')
      await waitForExit(supervisorPid, 2_000)
    }
  }
  await stopOrphans(dir, spec, {keepTasks: false})
  killLeakedTasks(dir.agentsDir)
  fs.rmSync(dir.pidFile, {force: true})
}

/** Stops, in the cluster's stop order, components state.json lists as running without a supervisor. */
async function stopOrphans(dir: ClusterDir, spec: ClusterSpec, opts: {keepTasks: boolean}): Promise<void> {
  const state = dir.readState()
  if (!state) return
  for (const phase of stopPhases(spec, opts)) {
    await Promise.all(
      phase.steps.map(async (step) => {
        const pid = state.components[step.name]?.pid
        if (typeof pid === 'number' && isOurs(pid, dir.config(step.name))) await terminate(pid, step.signal, phase.graceMs)
      }),
    )
  }
}

function toLocalCluster(spec: ClusterSpec, dir: ClusterDir, supervisorPid: number | undefined): LocalCluster {
  const gateway = gatewayOf(spec)
  const auth = gateway.auth !== undefined
  return {
    id: spec.id,
    name: spec.name,
    url: componentUrl(gateway),
    ...(gateway.publicUrl !== undefined && {publicUrl: gateway.publicUrl}),
    masterUrl: componentUrl(masterOf(spec)),
    dir: dir.dir,
    running: supervisorPid !== undefined,
    supervisorPid,
    agents: agentsOf(spec).length,
    auth,
    ...(auth ? {adminCredentialFile: dir.adminCredentialFile} : {}),
  }
}
