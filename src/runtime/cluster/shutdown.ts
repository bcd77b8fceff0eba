/**
 * How a local cluster stops, in one place, for the supervisor (its own children) and for
 * `cluster down` after a supervisor died (orphans): first the gateway (SIGTERM) and the agents
 * (SIGUSR1: kill every task, then exit; or SIGTERM, which leaves tasks running to be re-adopted),
 * then the master (SIGTERM), so the master sees its agents' tasks end. Then a sweep for task
 * processes that outlived their agent.
 */
import fs from 'node:fs'
import path from 'node:path'
import type {ClusterSpec} from '../config'
import {procStat, signal} from './procs'

export interface StopPhase {
  steps: {name: string; signal: NodeJS.Signals}[]
  /** After this long a component still running is SIGKILLed. */
  graceMs: number
}

/** Agents kill their tasks on SIGUSR1 within their kill grace period (3 s): 8 s covers it. */
export function stopPhases(spec: ClusterSpec, opts: {keepTasks: boolean}): StopPhase[] {
  const first = spec.components
    .filter((c) => c.config.role !== 'master')
    .map((c) => ({name: c.name, signal: (c.config.role === 'agent' && !opts.keepTasks ? 'SIGUSR1' : 'SIGTERM') as NodeJS.Signals}))
  const master = spec.components.filter((c) => c.config.role === 'master').map((c) => ({name: c.name, signal: 'SIGTERM' as NodeJS.Signals}))
  return [
    {steps: first, graceMs: 8_000},
    {steps: master, graceMs: 4_000},
  ]
}

/**
 * SIGKILLs every process that belongs to a task sandbox under `agentsDir` (its working
 * directory, or its MESOS_SANDBOX / MESOS_DIRECTORY, lies there), with its process group when
 * the group's leader belongs there too; never our own group. Returns the pids it found.
 * Linux only (/proc); elsewhere it finds nothing.
 */
export function killLeakedTasks(agentsDir: string): number[] {
  const root = path.resolve(agentsDir) + path.sep
  let entries: string[]
  try {
    entries = fs.readdirSync('/proc')
  } catch {
    return []
  }
  const ownGroup = procStat('self')?.pgid
  const found: {pid: number; pgid: number}[] = []
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue
    const pid = Number(entry)
    if (pid === process.pid || !inSandbox(pid, root)) continue
    const stat = procStat(pid)
    if (stat && stat.state !== 'Z') found.push({pid, pgid: stat.pgid})
  }
  const groups = new Set(
    found.map((p) => p.pgid).filter((g) => g > 1 && g !== ownGroup && (found.some((p) => p.pid === g) || inSandbox(g, root))),
  )
  for (const g of groups) signal(-g, 'SIGKILL')
  for (const p of found) if (!groups.has(p.pgid)) signal(p.pid, 'SIGKILL')
  return found.map((p) => p.pid)
}

function inSandbox(pid: number, root: string): boolean {
  try {
    if ((fs.readlinkSync(`/proc/${pid}/cwd`) + path.sep).startsWith(root)) return true
  } catch {
    return false
  }
  try {
    return fs
      .readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .some((v) => /^MESOS_(SANDBOX|DIRECTORY)=/.test(v) && (v.slice(v.indexOf('=') + 1) + path.sep).startsWith(root))
  } catch {
    return false
  }
}
