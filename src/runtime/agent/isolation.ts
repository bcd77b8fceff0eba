/**
 * Resource isolation for task containers. With cgroups (v1 memory + pids hierarchies, or a
 * delegated v2 subtree) each container gets its own cgroup with `memory` and `pids` limits that the
 * kernel enforces; the wrapper joins it before the command starts. Without them a watchdog reads
 * the process table and kills a container over its memory or process count. Either way a
 * container over a limit is reported as a `Limitation`, as Mesos isolators report them.
 */
import {randomUUID} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type {Resource} from '../../mesos/types'
import {scalarResource} from '../../mesos/resources'
import type {Logger} from '../log'
import {groupByTask, privateResidentPages, processTable, type TaskLeader} from './procfs'

const MiB = 1024 * 1024
const CGROUP_ROOT = '/sys/fs/cgroup'
/** The parent cgroup of all containers, below the agent's own cgroup (as Mesos' `--cgroups_root`). */
const CONTAINERS_CGROUP = 'mesos'

export interface ContainerLimits {
  /** Memory limit in bytes; absent means none. */
  memBytes?: number
  maxProcesses: number
}

/** A container's cgroups, checkpointed with its task. v2 keeps both controllers in one directory. */
export interface ContainerCgroups {
  version: 1 | 2
  memory: string
  pids: string
}

export interface Limitation {
  reason: 'REASON_CONTAINER_LIMITATION_MEMORY' | 'REASON_CONTAINER_LIMITATION'
  message: string
  resources: Resource[]
}

/** A running container as the isolator sees it. */
export interface IsolatedContainer {
  containerId: string
  leader: {pid: number; startTime: number}
  limits: ContainerLimits
  cgroups?: ContainerCgroups
}

export interface Isolator {
  /** As Mesos' `--isolation` would name it, for /state's flags. */
  readonly name: string
  /**
   * Where the container's cgroups will be (none for the watchdog), known before they exist so
   * that they are checkpointed with the task's first record: an agent that restarts mid-launch
   * then removes them (removing cgroups that were never made is a no-op).
   */
  plan(containerId: string): ContainerCgroups | undefined
  /** Creates the planned cgroups with the container's limits (nothing for the watchdog). */
  prepare(cgroups: ContainerCgroups | undefined, limits: ContainerLimits): Promise<void>
  /** The limitation each container has hit, if any; one pass for all of them. */
  check(containers: IsolatedContainer[]): Map<string, Limitation>
}

function mb(bytes: number): string {
  return `${Math.round(bytes / MiB)}MB`
}

function memoryLimitation(limitBytes: number, usedBytes: number): Limitation {
  return {
    reason: 'REASON_CONTAINER_LIMITATION_MEMORY',
    message: `Memory limit exceeded: Requested: ${mb(limitBytes)} Maximum Used: ${mb(usedBytes)}`,
    resources: [scalarResource('mem', limitBytes / MiB)],
  }
}

function processLimitation(max: number, seen?: number): Limitation {
  return {
    reason: 'REASON_CONTAINER_LIMITATION',
    message: `Process limit exceeded: the task may run at most ${max} processes${seen ? ` and had ${seen}` : ''}`,
    resources: [],
  }
}

/** The process-table watchdog: for hosts (or configurations) without usable cgroups. */
class WatchdogIsolator implements Isolator {
  readonly name = 'posix/cpu,posix/mem'
  constructor(readonly pageSize: number) {}

  plan(): undefined {
    return undefined
  }

  async prepare(): Promise<void> {}

  check(containers: IsolatedContainer[]): Map<string, Limitation> {
    const out = new Map<string, Limitation>()
    if (containers.length === 0) return out
    const leaders = new Map<number, TaskLeader<IsolatedContainer>>(containers.map((c) => [c.leader.pid, {key: c, startTime: c.leader.startTime}]))
    for (const [c, procs] of groupByTask(processTable(), leaders)) {
      const live = procs.filter((p) => p.state !== 'Z')
      if (live.length > c.limits.maxProcesses) {
        out.set(c.containerId, processLimitation(c.limits.maxProcesses, live.length))
        continue
      }
      if (c.limits.memBytes === undefined) continue
      const used = live.reduce((sum, p) => sum + privateResidentPages(p.pid) * this.pageSize, 0)
      if (used > c.limits.memBytes) out.set(c.containerId, memoryLimitation(c.limits.memBytes, used))
    }
    return out
  }
}

function readCounter(file: string, key: string): number {
  try {
    const line = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${key} `))
    return line ? Number(line.slice(key.length + 1)) : 0
  } catch {
    return 0
  }
}

function readNumber(file: string): number | undefined {
  try {
    const n = Number(fs.readFileSync(file, 'utf8').trim())
    return Number.isFinite(n) ? n : undefined
  } catch {
    return undefined
  }
}

/** Kernel-enforced limits in per-container cgroups. */
export class CgroupsIsolator implements Isolator {
  readonly name = 'cgroups/mem,cgroups/pids'

  private constructor(
    readonly version: 1 | 2,
    /** Parent directories of container cgroups, per controller (the same one on v2). */
    readonly memoryParent: string,
    readonly pidsParent: string,
  ) {}

  /**
   * Finds usable cgroups: v1 `memory` and `pids` hierarchies, or a v2 hierarchy where this
   * process may enable both controllers for a subtree. Throws an Error saying why not.
   */
  static probe(): CgroupsIsolator {
    const own = ownCgroups()
    let isolator: CgroupsIsolator
    if (fs.existsSync(path.join(CGROUP_ROOT, 'cgroup.controllers'))) {
      const base = existingOr(path.join(CGROUP_ROOT, own.get('') ?? '/'), CGROUP_ROOT)
      const parent = path.join(base, CONTAINERS_CGROUP)
      fs.mkdirSync(parent, {recursive: true})
      // Fails (EBUSY) unless the agent's own cgroup may delegate: v2 keeps processes in leaves only.
      fs.writeFileSync(path.join(base, 'cgroup.subtree_control'), '+memory +pids')
      fs.writeFileSync(path.join(parent, 'cgroup.subtree_control'), '+memory +pids')
      isolator = new CgroupsIsolator(2, parent, parent)
    } else {
      const mem = path.join(CGROUP_ROOT, 'memory')
      const pids = path.join(CGROUP_ROOT, 'pids')
      if (!fs.existsSync(path.join(mem, 'memory.limit_in_bytes'))) throw new Error(`no cgroup v1 memory hierarchy at ${mem}`)
      if (!fs.existsSync(path.join(pids, 'cgroup.procs'))) throw new Error(`no cgroup v1 pids hierarchy at ${pids}`)
      const memoryParent = path.join(existingOr(path.join(mem, own.get('memory') ?? '/'), mem), CONTAINERS_CGROUP)
      const pidsParent = path.join(existingOr(path.join(pids, own.get('pids') ?? '/'), pids), CONTAINERS_CGROUP)
      fs.mkdirSync(memoryParent, {recursive: true})
      fs.mkdirSync(pidsParent, {recursive: true})
      isolator = new CgroupsIsolator(1, memoryParent, pidsParent)
    }
    isolator.#selfTest()
    return isolator
  }

  /** Makes and removes a throwaway container cgroup, proving the limit files are writable. */
  #selfTest(): void {
    const cgroups = this.plan(`probe-${randomUUID()}`)
    const dirs = [...new Set([cgroups.memory, cgroups.pids])]
    for (const dir of dirs) fs.mkdirSync(dir, {recursive: true})
    try {
      for (const [file, value] of limitFiles(cgroups, {memBytes: 64 * MiB, maxProcesses: 64})) fs.writeFileSync(file, value)
    } finally {
      for (const dir of dirs) fs.rmdirSync(dir)
    }
  }

  plan(containerId: string): ContainerCgroups {
    return {version: this.version, memory: path.join(this.memoryParent, containerId), pids: path.join(this.pidsParent, containerId)}
  }

  /**
   * Asynchronous, unlike the rest of this module: making a memory cgroup costs the kernel up to
   * a millisecond under load, which on libuv's thread pool overlaps the agent's other work.
   */
  async prepare(cgroups: ContainerCgroups | undefined, limits: ContainerLimits): Promise<void> {
    if (!cgroups) return
    try {
      await Promise.all([...new Set([cgroups.memory, cgroups.pids])].map((dir) => fs.promises.mkdir(dir, {recursive: true})))
      await Promise.all(limitFiles(cgroups, limits).map(([file, value]) => fs.promises.writeFile(file, value)))
    } catch (error) {
      await destroyCgroups(cgroups)
      throw error
    }
  }

  check(containers: IsolatedContainer[]): Map<string, Limitation> {
    const out = new Map<string, Limitation>()
    for (const c of containers) {
      const limitation = c.cgroups && limitationOf(c.cgroups, c.limits)
      if (limitation) out.set(c.containerId, limitation)
    }
    return out
  }
}

/** The limit files of a container's cgroups and what to write in them. */
function limitFiles(c: ContainerCgroups, limits: ContainerLimits): [string, string][] {
  const files: [string, string][] = [[path.join(c.pids, 'pids.max'), String(limits.maxProcesses)]]
  if (limits.memBytes !== undefined)
    files.push([path.join(c.memory, c.version === 1 ? 'memory.limit_in_bytes' : 'memory.max'), String(Math.floor(limits.memBytes))])
  return files
}

/** A container's limitation from its cgroup counters: an OOM kill, or a fork refused at pids.max. */
function limitationOf(c: ContainerCgroups, limits: ContainerLimits): Limitation | undefined {
  const oomKills = c.version === 1 ? readCounter(path.join(c.memory, 'memory.oom_control'), 'oom_kill') : readCounter(path.join(c.memory, 'memory.events'), 'oom_kill')
  if (oomKills > 0) {
    const limit = limits.memBytes ?? readNumber(path.join(c.memory, c.version === 1 ? 'memory.limit_in_bytes' : 'memory.max')) ?? 0
    const peak = readNumber(path.join(c.memory, c.version === 1 ? 'memory.max_usage_in_bytes' : 'memory.peak')) ?? limit
    return memoryLimitation(limit, peak)
  }
  if (readCounter(path.join(c.pids, 'pids.events'), 'max') > 0) return processLimitation(limits.maxProcesses)
  return undefined
}

/**
 * Kills every process left in a container's cgroups (until none is left, bounded), then removes
 * them. Independent of the isolator in use: a container may have been made by an earlier run.
 * Asynchronous file operations for the reason `prepare` has them.
 */
export async function destroyCgroups(c: ContainerCgroups): Promise<void> {
  const dirs = [...new Set([c.memory, c.pids])]
  const deadline = Date.now() + 5000
  for (const dir of dirs) {
    // Usually the container's processes are gone already: an empty cgroup is removed at once.
    try {
      await fs.promises.rmdir(dir)
      continue
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT') continue
      if (code !== 'EBUSY') throw error
    }
    for (;;) {
      let pids: number[]
      try {
        pids = (await fs.promises.readFile(path.join(dir, 'cgroup.procs'), 'utf8')).split('\n').filter(Boolean).map(Number)
      } catch {
        break // already gone
      }
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL')
        } catch {
          /* exited meanwhile */
        }
      }
      try {
        await fs.promises.rmdir(dir)
        break
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        if (code === 'ENOENT') break
        if (code !== 'EBUSY' || Date.now() > deadline) throw error
      }
      await new Promise((r) => setTimeout(r, 20))
    }
  }
}

/** This process's cgroup per controller (`''` is the v2 hierarchy). */
function ownCgroups(): Map<string, string> {
  const out = new Map<string, string>()
  for (const line of fs.readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line)
    if (!m) continue
    for (const controller of m[1].split(',')) out.set(controller, m[2])
  }
  return out
}

function existingOr(dir: string, fallback: string): string {
  return fs.existsSync(dir) ? dir : fallback
}

/**
 * The isolator for `config.isolation`: `cgroups` requires them (startup fails with the reason),
 * `auto` falls back to the watchdog, `watchdog` never touches cgroups.
 */
export function selectIsolator(mode: 'auto' | 'cgroups' | 'watchdog', pageSize: number, log: Logger): Isolator {
  if (mode === 'watchdog') return new WatchdogIsolator(pageSize)
  try {
    return CgroupsIsolator.probe()
  } catch (error) {
    const why = (error as Error).message
    if (mode === 'cgroups') throw new Error(`isolation 'cgroups' is not available on this host: ${why}`)
    log.warn(`cgroups are not usable (${why}); limits are enforced by a process watchdog`)
    return new WatchdogIsolator(pageSize)
  }
}
