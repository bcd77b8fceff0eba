/**
 * The command executor's process work, without a process of its own: a task runs under a tiny
 * /bin/sh wrapper that leads its own session (so the whole task is one process group to signal),
 * joins the task's cgroups before the command starts, outlives the command to write its exit
 * status to a file, and traps TERM/INT/HUP so that a kill ends the command, not the wrapper. The
 * status file is how an agent that is not the task's parent (after a restart) learns the exit.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {variableValue} from '../../mesos/secrets'
import type {CommandInfo, TaskInfo} from '../../mesos/types'
import {groupByTask, isRunning, processTable, readStat, type ProcStat} from './procfs'
import {ignoreMissing} from './sandbox'
import {TaskSpawner, type TaskChild} from './spawner'

/**
 * $1: exit status file; then cgroup.procs files to join, `--`, the command. A cgroup that cannot
 * be joined leaves `E <file>` in the status file and never starts the command. The traps note the
 * signal rather than ignore it ('' would be inherited by the command): a kill that reaches the
 * task's group while only this shell is in it (it is still joining cgroups) would otherwise be
 * lost, and the command would run on until the grace period's SIGKILL; noted, the command is not
 * started and the status is the signal's (128 + its number), as if it had been killed at once.
 */
const WRAPPER = [
  'sig=',
  "trap 'sig=129' HUP",
  "trap 'sig=130' INT",
  "trap 'sig=143' TERM",
  'status_file=$1; shift',
  'while [ "$1" != -- ]; do echo $$ > "$1" || { echo "E $1" > "$status_file"; exit 1; }; shift; done; shift',
  'if [ -n "$sig" ]; then status=$sig; else "$@"; status=$?; fi',
  'echo $status > "$status_file"',
  'exit $status',
].join('\n')

/** A task's wrapper process: its pid is also the task's process group and session id. */
export interface Leader {
  pid: number
  /** From /proc/<pid>/stat, so a reused pid is never mistaken for the task. */
  startTime: number
}

export interface EnvironmentContext {
  agentId: string
  /** ip:port of the agent. */
  endpoint: string
  frameworkId: string
  checkpoint: boolean
  graceMs: number
}

/** Variables a task inherits from the agent's own environment. */
const INHERITED = ['PATH', 'HOME', 'LANG', 'TZ']

/**
 * The PATH tasks get: the agent's own, ending with the directory of the agent's node binary when
 * it is not already there. Packages run `node <artifact>.js`, and an agent started through an
 * absolute node path (a service manager, nvm) may have no `node` on its PATH.
 */
export function taskPath(inherited: string | undefined, nodeBinary = process.execPath): string {
  const parts = (inherited ?? '/usr/local/bin:/usr/bin:/bin').split(':').filter(Boolean)
  const nodeDir = path.dirname(nodeBinary)
  return (parts.includes(nodeDir) ? parts : [...parts, nodeDir]).join(':')
}

/** Mesos' duration form, as in `MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD=5secs`. */
function duration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}secs` : `${ms}ms`
}

/**
 * The task's environment: what a Mesos command executor passes down, then the framework's own
 * variables, which win (SECRET ones decoded from their base64 value).
 */
export function taskEnvironment(task: TaskInfo, sandbox: string, ctx: EnvironmentContext): Record<string, string> {
  const env: Record<string, string> = {}
  for (const name of INHERITED) {
    const v = process.env[name]
    if (v !== undefined) env[name] = v
  }
  env.PATH = taskPath(env.PATH)
  Object.assign(env, {
    MESOS_SANDBOX: sandbox,
    MESOS_DIRECTORY: sandbox,
    MESOS_TASK_ID: task.task_id.value,
    MESOS_FRAMEWORK_ID: ctx.frameworkId,
    MESOS_EXECUTOR_ID: task.task_id.value,
    MESOS_SLAVE_ID: ctx.agentId,
    MESOS_AGENT_ENDPOINT: ctx.endpoint,
    MESOS_SLAVE_PID: `slave(1)@${ctx.endpoint}`,
    MESOS_CHECKPOINT: ctx.checkpoint ? '1' : '0',
    MESOS_HTTP_COMMAND_EXECUTOR: '0',
    MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: duration(ctx.graceMs),
    LIBPROCESS_PORT: '0',
  })
  for (const v of task.command?.environment?.variables ?? []) env[v.name] = variableValue(v)
  return env
}

/**
 * The argv of a command: `/bin/sh -c value` for shell commands; otherwise `value` run with
 * `arguments[1..]` (Mesos passes `arguments` as the whole argv, argv[0] included; a shell cannot
 * set argv[0], so the executable's own path stands in for it).
 */
export function commandArgv(command: CommandInfo): string[] {
  if (command.shell !== false) return ['/bin/sh', '-c', command.value ?? '']
  return [command.value ?? '', ...(command.arguments ?? []).slice(1)]
}

/** How Mesos names a command executor, e.g. `Command Executor (Task: t) (Command: sh -c 'echo hi')`. */
export function executorName(task: TaskInfo): string {
  const c = task.command ?? {}
  const text = c.shell !== false ? `sh -c '${c.value ?? ''}'` : `[${[c.value ?? '', ...(c.arguments ?? []).slice(1)].join(', ')}]`
  return `Command Executor (Task: ${task.task_id.value}) (Command: ${text})`
}

export interface SpawnOptions {
  argv: string[]
  env: Record<string, string>
  sandbox: string
  exitStatusFile: string
  /** cgroup.procs files the wrapper joins before the command starts. */
  cgroupProcs: string[]
}

/** Makes the directory of a task's exit status file, and removes any stale file, before spawnTask. */
export async function prepareExitStatusFile(file: string): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), {recursive: true})
  await fs.promises.unlink(file).catch(ignoreMissing)
}

/**
 * Starts the wrapper detached (its own session), stdout and stderr appended to the sandbox's
 * files; the exit status file's directory exists (prepareExitStatusFile). Resolves once the
 * process exists; rejects with the spawn error.
 */
export async function spawnTask(opts: SpawnOptions, spawner?: TaskSpawner): Promise<{leader: Leader; child: TaskChild}> {
  const out = fs.openSync(path.join(opts.sandbox, 'stdout'), 'a')
  const err = fs.openSync(path.join(opts.sandbox, 'stderr'), 'a')
  try {
    const args = ['-c', WRAPPER, 'mesos-task', opts.exitStatusFile, ...opts.cgroupProcs, '--', ...opts.argv]
    const child = await (spawner ?? new TaskSpawner(0)).spawn({file: '/bin/sh', args, cwd: opts.sandbox, env: opts.env, stdout: out, stderr: err})
    const pid = child.pid
    return {leader: {pid, startTime: readStat(pid)?.startTime ?? -1}, child}
  } finally {
    fs.closeSync(out)
    fs.closeSync(err)
  }
}

/** What is known about how a task's command ended. */
export interface ExitInfo {
  /** From the wrapper's status file: the command's $? (128+N when a signal ended it). */
  status?: number
  /** The wrapper's own end, when the agent is its parent. */
  code?: number | null
  signal?: NodeJS.Signals | null
  /** The wrapper could not join this cgroup. */
  isolationFailure?: string
}

/**
 * Resolves when the task's wrapper has ended: through the child's exit event when this agent
 * started it, else by polling the pid (a re-adopted task has another parent). `stop()` resolves
 * it with undefined: the agent stopped watching, the task goes on.
 */
export function watchExit(leader: Leader, child: TaskChild | undefined, pollMs: number): {ended: Promise<ExitInfo | undefined>; stop: () => void} {
  let finish: (exit: ExitInfo | undefined) => void = () => {}
  const ended = new Promise<ExitInfo | undefined>((resolve) => (finish = resolve))
  let cleanup: () => void
  if (child && child.exitCode === null && child.signalCode === null) {
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => finish({code, signal})
    child.once('exit', onExit)
    cleanup = () => child.off('exit', onExit)
  } else {
    const timer = setInterval(() => {
      if (isRunning(leader.pid, leader.startTime)) return
      clearInterval(timer)
      finish({})
    }, pollMs)
    cleanup = () => clearInterval(timer)
  }
  return {
    ended,
    stop: () => {
      cleanup()
      finish(undefined)
    },
  }
}

/** Adds the status file's content to what the watcher saw. */
export function readExitStatus(file: string, seen: ExitInfo): ExitInfo {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8').trim()
  } catch {
    return seen
  }
  if (text.startsWith('E ')) return {...seen, isolationFailure: text.slice(2)}
  const status = Number(text)
  return text !== '' && Number.isInteger(status) ? {...seen, status} : seen
}

/** strsignal(3) texts, as Mesos puts them in `Command terminated with signal ...`. */
const SIGNAL_TEXT: Record<string, string> = {
  SIGHUP: 'Hangup',
  SIGINT: 'Interrupt',
  SIGQUIT: 'Quit',
  SIGILL: 'Illegal instruction',
  SIGTRAP: 'Trace/breakpoint trap',
  SIGABRT: 'Aborted',
  SIGBUS: 'Bus error',
  SIGFPE: 'Floating point exception',
  SIGKILL: 'Killed',
  SIGUSR1: 'User defined signal 1',
  SIGSEGV: 'Segmentation fault',
  SIGUSR2: 'User defined signal 2',
  SIGPIPE: 'Broken pipe',
  SIGALRM: 'Alarm clock',
  SIGTERM: 'Terminated',
  SIGXCPU: 'CPU time limit exceeded',
  SIGXFSZ: 'File size limit exceeded',
}

function signalText(signal: string | number): string {
  const name = typeof signal === 'number' ? Object.entries(os.constants.signals).find(([, n]) => n === signal)?.[0] : signal
  return (name && SIGNAL_TEXT[name]) ?? name ?? `Signal ${signal}`
}

/** How the command ended, in Mesos' words; `succeeded` is exit status 0. */
export function describeExit(exit: ExitInfo): {succeeded: boolean; message: string; signalled: boolean} | undefined {
  if (exit.status !== undefined) {
    // A shell reports a command ended by signal N as 128+N.
    if (exit.status > 128 && exit.status <= 128 + 64)
      return {succeeded: false, signalled: true, message: `Command terminated with signal ${signalText(exit.status - 128)}`}
    return {succeeded: exit.status === 0, signalled: false, message: `Command exited with status ${exit.status}`}
  }
  if (exit.signal) return {succeeded: false, signalled: true, message: `Command terminated with signal ${signalText(exit.signal)}`}
  if (typeof exit.code === 'number') return {succeeded: exit.code === 0, signalled: false, message: `Command exited with status ${exit.code}`}
  return undefined
}

/**
 * Sends `signal` to the task's process group, while its leader (the group's anchor) lives.
 * `ownChild`: the leader is this process's child and its exit was not seen yet, so its pid is
 * still its own (an unreaped child's pid is never reused) and /proc need not be asked.
 */
export function signalGroup(leader: Leader, signal: NodeJS.Signals, ownChild?: TaskChild): void {
  const unreaped = ownChild !== undefined && ownChild.exitCode === null && ownChild.signalCode === null
  if (!unreaped && !isRunning(leader.pid, leader.startTime)) return
  try {
    process.kill(-leader.pid, signal)
  } catch {
    /* the group ended meanwhile */
  }
}

/**
 * SIGKILLs everything of the task: its process group, then every process still in its session
 * or descended from it (processes that left the group), and with `sandbox`, processes that
 * escaped both (setsid, then their parent ended: init adopted them) yet still carry the task's
 * MESOS_SANDBOX, and their descendants. Used at kill escalation and once the command has ended
 * (the container is destroyed, as Mesos destroys it). Only a process that cleared its
 * environment and left its session gets away; Mesos' POSIX launcher loses any that left.
 */
export function killAll(leader: Leader, sandbox?: string): void {
  signalGroup(leader, 'SIGKILL')
  const table = processTable()
  const leaders = new Map([[leader.pid, {key: true, startTime: leader.startTime}]])
  if (sandbox) {
    for (const p of escapedFrom(table, leader, sandbox)) {
      // Its session: a process that is its session's leader is told by its start time; a
      // dead leader's session id stays reserved while a member lives, so it is no stranger's.
      leaders.set(p.session, {key: true, startTime: p.pid === p.session ? p.startTime : -1})
    }
  }
  const members = groupByTask(table, leaders).get(true) ?? []
  for (const p of members) {
    if (p.state === 'Z' || p.pid === process.pid) continue
    try {
      process.kill(p.pid, 'SIGKILL')
    } catch {
      /* exited meanwhile */
    }
  }
}

/**
 * Orphans (adopted by init or a subreaper: their parent is gone or is pid 1) started no earlier
 * than the task whose environment names its sandbox. Only those few environments are read.
 */
function escapedFrom(table: ProcStat[], leader: Leader, sandbox: string): ProcStat[] {
  const pids = new Set(table.map((p) => p.pid))
  const marker = `\0MESOS_SANDBOX=${sandbox}\0`
  return table.filter((p) => {
    if (p.state === 'Z' || p.pid === process.pid || p.startTime < leader.startTime) return false
    if (p.ppid !== 1 && pids.has(p.ppid)) return false
    try {
      return ('\0' + fs.readFileSync(`/proc/${p.pid}/environ`, 'latin1')).includes(marker)
    } catch {
      return false
    }
  })
}
