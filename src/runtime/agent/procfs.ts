/**
 * The process table as Linux's /proc shows it: one pass over /proc/<pid>/stat gives what the
 * agent needs to group processes into tasks (session, process group, parent), to measure them
 * (CPU ticks, resident pages, threads) and to recognise a pid after a restart (start time).
 */
import fs from 'node:fs'

/** USER_HZ: the unit of the time fields in /proc/<pid>/stat (100 on every Linux ABI Node runs on). */
export const CLOCK_TICKS_PER_SECOND = 100

export interface ProcStat {
  pid: number
  /** R, S, D, Z, T, ... */
  state: string
  ppid: number
  pgrp: number
  session: number
  utimeTicks: number
  stimeTicks: number
  threads: number
  /** Clock ticks after boot: with the pid, a process's identity (pids are reused). */
  startTime: number
  rssPages: number
}

/** Parses one /proc/<pid>/stat line; the command name may hold spaces and parentheses. */
function parseStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')')
  if (close < 0) return undefined
  const pid = Number.parseInt(text, 10)
  // Fields after the command name, numbered from 3 (state) as in proc(5).
  const f = text.slice(close + 2).split(' ')
  const field = (n: number) => Number(f[n - 3])
  if (!Number.isFinite(pid) || f.length < 22) return undefined
  return {
    pid,
    state: f[0],
    ppid: field(4),
    pgrp: field(5),
    session: field(6),
    utimeTicks: field(14),
    stimeTicks: field(15),
    threads: field(20),
    startTime: field(22),
    rssPages: field(24),
  }
}

export function readStat(pid: number): ProcStat | undefined {
  try {
    return parseStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return undefined
  }
}

/**
 * A process's private resident memory in pages (resident minus file-backed and shared pages,
 * /proc/<pid>/statm): what it adds to the host's memory use. Summing plain RSS over many
 * processes would count each shared library once per process.
 */
export function privateResidentPages(pid: number): number {
  try {
    const [, resident, shared] = fs.readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ').map(Number)
    return Math.max(0, resident - shared)
  } catch {
    return 0
  }
}

/** Every process, read in one pass; processes that exit mid-pass are skipped. Empty without /proc. */
export function processTable(): ProcStat[] {
  const out: ProcStat[] = []
  let entries: string[]
  try {
    entries = fs.readdirSync('/proc')
  } catch {
    return out
  }
  for (const entry of entries) {
    const c = entry.charCodeAt(0)
    if (c < 48 || c > 57) continue
    const stat = readStat(Number(entry))
    if (stat) out.push(stat)
  }
  return out
}

/**
 * Whether the process that was `pid` when it had `startTime` still runs. A zombie counts as
 * ended (nobody may reap an orphan promptly), and a different start time means the pid was reused.
 */
export function isRunning(pid: number, startTime: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  const stat = readStat(pid)
  return !!stat && stat.state !== 'Z' && stat.startTime === startTime
}

/**
 * Memory page size in bytes: /proc reports resident memory in pages. Measured by comparing this
 * process's resident pages with Node's byte count, so it is right on 4K, 16K and 64K kernels.
 */
export function detectPageSize(): number {
  const stat = readStat(process.pid)
  if (!stat || stat.rssPages <= 0) return 4096
  const ratio = process.memoryUsage().rss / stat.rssPages
  return [4096, 16384, 65536].reduce((best, size) => (Math.abs(size - ratio) < Math.abs(best - ratio) ? size : best))
}

/** A task's leader: the wrapper that called setsid, so its pid is the task's session id. */
export interface TaskLeader<K> {
  key: K
  startTime: number
}

/**
 * Groups processes by the task they belong to: the leader's session plus any descendant that
 * left it (setsid). A session id stays reserved while any member lives, so members are ours even
 * after the leader died; only a process whose pid equals the session id could be a stranger that
 * reused a dead leader's pid, and the start time tells those apart.
 */
export function groupByTask<K>(table: ProcStat[], leaders: Map<number, TaskLeader<K>>): Map<K, ProcStat[]> {
  const byPid = new Map(table.map((p) => [p.pid, p]))
  const owner = new Map<number, K | null>()
  const ownerOf = (p: ProcStat): K | null => {
    const known = owner.get(p.pid)
    if (known !== undefined) return known
    owner.set(p.pid, null) // guards against a cycle in a racy read
    const leader = leaders.get(p.session)
    let key: K | null = leader && (p.pid !== p.session || p.startTime === leader.startTime) ? leader.key : null
    if (key === null && p.ppid > 1) {
      const parent = byPid.get(p.ppid)
      if (parent) key = ownerOf(parent)
    }
    owner.set(p.pid, key)
    return key
  }
  const out = new Map<K, ProcStat[]>()
  for (const p of table) {
    const key = ownerOf(p)
    if (key === null) continue
    let list = out.get(key)
    if (!list) out.set(key, (list = []))
    list.push(p)
  }
  return out
}
