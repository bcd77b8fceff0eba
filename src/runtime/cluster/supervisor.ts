/**
 * The supervisor: the one background process of a local cluster, as systemd is on a DC/OS node.
 * `node dist/runtime.js supervisor <dir>/cluster.json` writes each component's config to
 * `config/<name>.json` (0600, so nothing sensitive is on a command line), starts every component
 * as `node <runtime> <role> <config>` with its output appended to `logs/<name>.log`, restarts
 * any that dies (./restart-policy), and publishes `state.json` on every change.
 *
 * Start order: the master, then (once its /health answers) the agents and the gateway together.
 * SIGTERM or SIGINT stops the cluster by ./shutdown (tasks included), removes supervisor.pid and
 * exits 0.
 */
import fs from 'node:fs'
import path from 'node:path'
import type {ClusterSpec} from '../config'
import {call} from '../http/client'
import {createLogger, type Logger} from '../log'
import {ClusterDir, writePrivate, type SupervisorState} from './cluster-dir'
import {isOurs} from './procs'
import {killLeakedTasks, stopPhases} from './shutdown'
import {SupervisedProcess} from './supervised-process'
import {agentsOf, componentUrl, masterOf} from './spec'

/**
 * The environment every component runs with: this process's, plus a fixed glibc mmap threshold.
 * By default glibc raises that threshold to the size of any large block freed, after which blocks
 * that size come from (and stay in) a thread's malloc arena: one scrypt password check (16 MB, in
 * libuv's thread pool) then kept ~30 MB resident in the gateway for good. Fixed at glibc's own
 * initial value (128 KiB), large blocks are always mapped, and unmapped when freed. Other C
 * libraries ignore the variable; tasks never see it (agents pass tasks a chosen environment).
 */
export function componentEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {...env, MALLOC_MMAP_THRESHOLD_: '131072'}
}

/** How long agents wait for a master that does not get healthy before they start anyway. */
const MASTER_HEALTH_WAIT_MS = 10_000
const HEALTH_POLL_MS = 20

/** Runs until SIGTERM/SIGINT, then exits the process. */
export async function runSupervisor(clusterJsonPath: string): Promise<void> {
  const log = createLogger('supervisor')
  const dir = new ClusterDir(path.dirname(path.resolve(clusterJsonPath)))
  const spec = dir.readSpec()
  const other = dir.readSupervisorPid()
  if (other !== undefined && other !== process.pid && isOurs(other, dir.specFile)) {
    throw new Error(`another supervisor (pid ${other}) already runs the cluster in ${dir.dir}`)
  }
  fs.writeFileSync(dir.pidFile, `${process.pid}\n`, {mode: 0o600})
  prepare(dir, spec)

  // Components run the same bundle (and node flags) as this process.
  const runtime = path.resolve(process.argv[1])
  const processes = new Map<string, SupervisedProcess>()
  const publish = () => dir.writeState(stateOf(spec, processes))
  const env = componentEnv(process.env)
  for (const {name, config} of spec.components) {
    const args = [...process.execArgv, runtime, config.role, dir.config(name)]
    processes.set(name, new SupervisedProcess({name, command: process.execPath, args, logFile: dir.log(name), env}, {log, onChange: publish}))
  }

  let stopping: Promise<void> | undefined
  const stop = () => {
    stopping ??= stopAll(spec, dir, processes, log).then(() => {
      publish()
      fs.rmSync(dir.pidFile, {force: true})
      log.info('cluster stopped')
      process.exit(0)
    })
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  process.on('SIGHUP', () => log.info('ignoring SIGHUP'))

  log.info(`starting cluster '${spec.name}' (${spec.id}) in ${dir.dir}`)
  const master = spec.components.find((c) => c.config.role === 'master')
  if (master) {
    processes.get(master.name)!.start()
    await waitForHealth(componentUrl(masterOf(spec)), () => stopping !== undefined, log)
  }
  if (stopping) return
  for (const {name, config} of spec.components) if (config.role !== 'master') processes.get(name)!.start()
}

/** Work dirs, log dir and the components' config files (rewritten each start: ports may move). */
function prepare(dir: ClusterDir, spec: ClusterSpec): void {
  fs.mkdirSync(dir.logsDir, {recursive: true, mode: 0o700})
  fs.mkdirSync(dir.masterWorkDir, {recursive: true, mode: 0o700})
  for (const {config} of agentsOf(spec)) fs.mkdirSync(config.workDir, {recursive: true, mode: 0o700})
  for (const {name, config} of spec.components) writePrivate(dir.config(name), config)
}

async function waitForHealth(masterUrl: string, cancelled: () => boolean, log: Logger): Promise<void> {
  const deadline = Date.now() + MASTER_HEALTH_WAIT_MS
  while (!cancelled()) {
    try {
      if ((await call(`${masterUrl}/health`, {timeoutMs: 1_000})).status === 200) return
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      log.warn(`the master at ${masterUrl} is not healthy after ${MASTER_HEALTH_WAIT_MS} ms; starting the other components anyway`)
      return
    }
    await new Promise((resolve) => setTimeout(resolve, HEALTH_POLL_MS))
  }
}

async function stopAll(spec: ClusterSpec, dir: ClusterDir, processes: Map<string, SupervisedProcess>, log: Logger): Promise<void> {
  log.info('stopping the cluster')
  for (const phase of stopPhases(spec, {keepTasks: false})) {
    await Promise.all(phase.steps.map((step) => processes.get(step.name)?.stop(step.signal, phase.graceMs)))
  }
  const leaked = killLeakedTasks(dir.agentsDir)
  if (leaked.length > 0) log.warn(`killed ${leaked.length} task process(es) that outlived their agent: ${leaked.join(', ')}`)
}

function stateOf(spec: ClusterSpec, processes: Map<string, SupervisedProcess>): SupervisorState {
  const components: SupervisorState['components'] = {}
  for (const {name, config} of spec.components) {
    const p = processes.get(name)!
    components[name] = {pid: p.pid ?? null, url: componentUrl(config), restarts: p.restarts, startedAt: p.startedAt?.toISOString() ?? null}
  }
  return {pid: process.pid, components}
}
