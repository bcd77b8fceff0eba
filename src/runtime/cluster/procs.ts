/**
 * What the supervisor and `cluster down` need to know about OS processes they did not
 * necessarily start: alive or not (a zombie is dead), which command line, which process group.
 * Linux answers through /proc; elsewhere a process that exists counts as ours.
 */
import fs from 'node:fs'

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
  const stat = procStat(pid)
  return stat === undefined || stat.state !== 'Z'
}

/** The command line with its arguments joined by spaces; undefined when it cannot be read. */
export function commandLine(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim()
  } catch {
    return undefined
  }
}

/**
 * True when `pid` is alive and its command line mentions `marker` (a file only this cluster's
 * processes are started with), so a recycled pid is never mistaken for one of ours.
 */
export function isOurs(pid: number, marker: string): boolean {
  if (!isAlive(pid)) return false
  const cmd = commandLine(pid)
  return cmd === undefined || cmd.includes(marker)
}

export function procStat(pid: number | 'self'): {state: string; pgid: number} | undefined {
  let text: string
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return undefined
  }
  // "pid (comm) state ppid pgrp ...": comm may contain spaces and parentheses.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
  return {state: fields[0], pgid: Number(fields[2])}
}

/** Sends a signal to a pid (or, negative, a process group); false when there was none. */
export function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig)
    return true
  } catch {
    return false
  }
}

/** Polls until `pid` is gone; false when it is still alive after `timeoutMs`. */
export async function waitForExit(pid: number, timeoutMs: number, everyMs = 20): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
  return true
}

/** Sends `sig`, waits up to `graceMs`, then SIGKILLs: the stop of a process we did not start. */
export async function terminate(pid: number, sig: NodeJS.Signals, graceMs: number): Promise<void> {
  if (!signal(pid, sig)) return
  if (await waitForExit(pid, graceMs)) return
  signal(pid, 'SIGKILL')
  await waitForExit(pid, 2_000)
}
