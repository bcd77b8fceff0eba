/**
 * Chronos's decisions about runs, pure: the Mesos task id of a run, what a success or a failure
 * does to a job's counters (and whether the run is retried), which dependent jobs a parent's
 * success makes runnable, the dependency graph's integrity, and its csv/dot exports.
 */
import {JobError, isDependent, type Job} from './job'
import {isoUtc} from './schedule'

/** One run of a job: Chronos's task id is `ct:<dueMillis>:<attempt>:<job>:<arguments>`. */
export interface Run {
  job: string
  dueMs: number
  attempt: number
  /** Extra arguments of a run-now (`PUT job/<name>?arguments=`). */
  args: string[]
}

/** The longest task id the master accepts. */
const MAX_TASK_ID = 255

/**
 * The task id of a run. Arguments are joined with spaces, as Chronos does, and percent-encoded
 * where a task id cannot hold them (a `/`, `:` or control byte); they are cut to keep the id
 * within 255 characters (the run record keeps them whole).
 */
export function taskIdOf(run: Run): string {
  const head = `ct:${run.dueMs}:${run.attempt}:${run.job}:`
  const args = run.args.join(' ').replace(/[%/:\\\u0000-\u001f\u007f]/g, (c) => encodeURIComponent(c))
  return (head + args).slice(0, MAX_TASK_ID)
}

/** The run a task id names, or undefined when it is not Chronos's form. The job name may contain ':' never. */
export function parseTaskId(taskId: string): Omit<Run, 'args'> | undefined {
  const m = /^ct:(\d+):(\d+):([^:]+):/.exec(taskId)
  if (!m) return undefined
  return {dueMs: Number(m[1]), attempt: Number(m[2]), job: m[3]}
}

/** A success: counters up, the errors since the last success cleared. */
export function recordSuccess(job: Job, now: number): Job {
  return {...job, successCount: job.successCount + 1, errorsSinceLastSuccess: 0, lastSuccess: isoUtc(now)}
}

export interface FailureOutcome {
  job: Job
  /** The attempt to run next, when the run is retried. */
  retry?: number
  /** Out of retries with `softError`: the job's children run as if it had succeeded. */
  runChildren?: boolean
}

/**
 * A failed attempt, as Chronos's JobScheduler.handleFailedTask has it: retried while
 * `attempt < retries` (attempts count from 0, so retries 2 runs at most 3 times), but only while
 * the job is not already failing (no lastError, or a lastSuccess at or after it). Otherwise the
 * failure is recorded (errorCount, errorsSinceLastSuccess, lastError); after `disableAfterFailures`
 * failures since the last success (0 = never) the job is disabled; with `softError` its children
 * still run (without a success being counted).
 */
export function recordFailure(job: Job, attempt: number, now: number, disableAfterFailures: number): FailureOutcome {
  const failing = job.lastError !== '' && !(Date.parse(job.lastSuccess) >= Date.parse(job.lastError))
  if (attempt < job.retries && !failing) return {job, retry: attempt + 1}
  const errorsSinceLastSuccess = job.errorsSinceLastSuccess + 1
  const disabled = job.disabled || (disableAfterFailures > 0 && errorsSinceLastSuccess >= disableAfterFailures)
  return {job: {...job, errorCount: job.errorCount + 1, errorsSinceLastSuccess, lastError: isoUtc(now), disabled}, ...(job.softError && {runChildren: true})}
}

/** What a terminal status means to Chronos (MesosJobFramework.statusUpdate). */
export type TerminalOutcome = 'success' | 'failure' | 'killed' | 'ignored'

/**
 * TASK_FINISHED is a success; TASK_FAILED and TASK_LOST are failures (counted, retried); so are
 * the states Mesos 1.x split TASK_LOST into for partition-aware frameworks (DROPPED, UNREACHABLE,
 * GONE, GONE_BY_OPERATOR, UNKNOWN). TASK_KILLED is neither counted nor retried. TASK_ERROR (an
 * invalid task) falls through Chronos's match as an unknown state: the run ends, nothing is
 * counted, nothing retried.
 */
export function terminalOutcome(state: string): TerminalOutcome {
  if (state === 'TASK_FINISHED') return 'success'
  if (state === 'TASK_KILLED') return 'killed'
  if (LOST_LIKE.has(state)) return 'failure'
  return 'ignored'
}

const LOST_LIKE = new Set(['TASK_FAILED', 'TASK_LOST', 'TASK_DROPPED', 'TASK_UNREACHABLE', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR', 'TASK_UNKNOWN'])

/** For each dependent job, the parents that succeeded since it last ran. */
export type ParentMarks = Record<string, string[]>

export interface ChildrenOutcome {
  marks: ParentMarks
  /** Dependent jobs all of whose parents have now succeeded since their last run. */
  ready: string[]
}

/**
 * `parent` succeeded: each enabled child of it notes that, and a child whose parents have all
 * succeeded since its last run is ready (its marks are cleared: it has run).
 */
export function parentSucceeded(jobs: ReadonlyMap<string, Job>, marks: ParentMarks, parent: string): ChildrenOutcome {
  const next: ParentMarks = {...marks}
  const ready: string[] = []
  for (const child of jobs.values()) {
    if (!isDependent(child) || !child.parents.includes(parent)) continue
    const done = new Set(next[child.name] ?? [])
    done.add(parent)
    if (child.parents.every((p) => done.has(p)) && !child.disabled) {
      ready.push(child.name)
      delete next[child.name]
    } else next[child.name] = child.parents.filter((p) => done.has(p))
  }
  return {marks: next, ready}
}

/** The children of a job (the dependent jobs naming it). */
export function childrenOf(jobs: ReadonlyMap<string, Job>, name: string): Job[] {
  return [...jobs.values()].filter((j) => isDependent(j) && j.parents.includes(name))
}

/**
 * Checks that putting `job` (new or replacing one of the same name) keeps the graph sound:
 * its parents exist, and it does not become its own ancestor.
 */
export function checkGraph(jobs: ReadonlyMap<string, Job>, job: Job): void {
  if (!isDependent(job)) return
  for (const p of job.parents) if (!jobs.has(p)) throw new JobError(`Error, parent '${p}' does not exist`)
  const seen = new Set<string>()
  const stack = [...job.parents]
  while (stack.length > 0) {
    const name = stack.pop()!
    if (name === job.name) throw new JobError(`job '${job.name}' would depend on itself through its parents`)
    if (seen.has(name)) continue
    seen.add(name)
    const j = jobs.get(name)
    if (j && isDependent(j)) stack.push(...j.parents)
  }
}

/** Chronos's `lastState` of a job: whichever of lastSuccess and lastError is later, else fresh. */
export function lastState(job: Job): 'success' | 'failure' | 'fresh' {
  const ok = job.lastSuccess ? Date.parse(job.lastSuccess) : NaN
  const bad = job.lastError ? Date.parse(job.lastError) : NaN
  if (Number.isNaN(ok) && Number.isNaN(bad)) return 'fresh'
  if (Number.isNaN(bad) || ok >= bad) return 'success'
  return 'failure'
}

export type CurrentState = 'idle' | 'queued' | 'running'

/** graph/csv as Chronos's Exporter writes it: `node,<name>,<lastState>,<currentState>` then `link,<parent>,<child>`. */
export function graphCsv(jobs: ReadonlyMap<string, Job>, current: (name: string) => CurrentState): string {
  const names = [...jobs.keys()].sort()
  const lines = names.map((n) => `node,${n},${lastState(jobs.get(n)!)},${current(n)}`)
  for (const n of names) {
    const j = jobs.get(n)!
    if (isDependent(j)) for (const p of j.parents) lines.push(`link,${p},${n}`)
  }
  return lines.map((l) => `${l}\n`).join('')
}

const DOT_COLOURS = {success: 'green', failure: 'red', fresh: 'gray'} as const

/** graph/dot: a Graphviz digraph of the jobs, filled by their last state. */
export function graphDot(jobs: ReadonlyMap<string, Job>): string {
  const q = (s: string) => JSON.stringify(s)
  const names = [...jobs.keys()].sort()
  const lines = ['digraph G {', '  node [style=filled];']
  for (const n of names) lines.push(`  ${q(n)} [fillcolor=${q(DOT_COLOURS[lastState(jobs.get(n)!)])}];`)
  for (const n of names) {
    const j = jobs.get(n)!
    if (isDependent(j)) for (const p of j.parents) lines.push(`  ${q(p)} -> ${q(n)};`)
  }
  lines.push('}')
  return `${lines.join('\n')}\n`
}

/** The shell command of a run: the job's command, with a run's arguments appended shell-quoted. */
export function shellCommand(job: Job, args: string[]): string {
  if (args.length === 0) return job.command
  return `${job.command} ${args.map(shellQuote).join(' ')}`
}

export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`
}

/** Case-insensitive substring search as `jobs/search` has it: name, command, or any field. */
export function searchJobs(jobs: Iterable<Job>, q: {name?: string; command?: string; any?: string}): Job[] {
  const has = (v: string, s?: string) => s === undefined || v.toLowerCase().includes(s.toLowerCase())
  return [...jobs].filter(
    (j) => has(j.name, q.name) && has(j.command, q.command) && (q.any === undefined || has(j.name, q.any) || has(j.command, q.any) || has(j.description, q.any) || has(j.owner, q.any)),
  )
}
