/**
 * The Chronos job model: the fields Chronos 2.4's JobSerializer writes, in its order, the
 * defaults its JobDeserializer fills in, and the validation of a posted job (a clear message for
 * the 400, nothing half-applied). Pure.
 *
 * A job is either scheduled (`schedule` + `scheduleTimeZone`) or dependent (`parents`). Fields
 * Chronos reads but we cannot honour (executor, container, ...) are
 * accepted and kept so a job posted to a real Chronos posts here too; unknown fields are ignored.
 */
import {parseConstraints} from './constraints'
import {ScheduleError, checkTimeZone, parseDurationMs, parseSchedule} from './schedule'

export interface EnvironmentVariable {
  name: string
  value: string
}

export interface Job {
  name: string
  command: string
  shell: boolean
  epsilon: string
  executor: string
  executorFlags: string
  retries: number
  owner: string
  ownerName: string
  description: string
  async: boolean
  successCount: number
  errorCount: number
  lastSuccess: string
  lastError: string
  cpus: number
  disk: number
  mem: number
  disabled: boolean
  softError: boolean
  dataProcessingJobType: boolean
  errorsSinceLastSuccess: number
  uris: string[]
  environmentVariables: EnvironmentVariable[]
  arguments: string[]
  highPriority: boolean
  runAsUser: string
  container?: unknown
  constraints: string[][]
  /** Dependent jobs only. */
  parents?: string[]
  /** Scheduled jobs only. */
  schedule?: string
  scheduleTimeZone?: string
}

/** The cluster-wide defaults a job's zero or missing fields take (chronos flags). */
export interface JobDefaults {
  /** `--task_epsilon` seconds: a missing epsilon is PT<this>S. */
  taskEpsilonSeconds: number
  /** `--mesos_task_cpu`, `--mesos_task_mem`, `--mesos_task_disk`: used where a job says 0. */
  cpus: number
  mem: number
  disk: number
}

export const DEFAULT_JOB_DEFAULTS: JobDefaults = {taskEpsilonSeconds: 60, cpus: 0.1, mem: 128, disk: 256}

export class JobError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'JobError'
  }
}

/** 2.4's `([\w\s#_-]+)` and 3.x's `([\w\.-]+)` together; never only dots (a path segment). */
const NAME = /^[\w #.-]+$/
const MAX_NAME = 200
const MAX_COMMAND = 64 * 1024
const MAX_STRING = 4096
const MAX_LIST = 1000
const MAX_RETRIES = 100

/** The default schedule of a job posted with neither schedule nor parents. */
export const DEFAULT_SCHEDULE = 'R1//PT24H'

export function checkName(name: unknown): string {
  if (typeof name !== 'string' || name === '') throw new JobError('name must be a non-empty string')
  if (name.length > MAX_NAME) throw new JobError(`name is longer than ${MAX_NAME} characters`)
  if (!NAME.test(name) || /^\.+$/.test(name) || name.trim() !== name)
    throw new JobError(`name '${name}' is invalid: use letters, digits, '_', '-', '.', '#' and inner spaces`)
  return name
}

type Body = Record<string, unknown>

function str(body: Body, key: string, dflt: string, max = MAX_STRING): string {
  const v = body[key]
  if (v === undefined || v === null) return dflt
  if (typeof v !== 'string') throw new JobError(`${key} must be a string`)
  if (v.length > max) throw new JobError(`${key} is longer than ${max} characters`)
  return v
}

function bool(body: Body, key: string, dflt: boolean): boolean {
  const v = body[key]
  if (v === undefined || v === null) return dflt
  if (typeof v !== 'boolean') throw new JobError(`${key} must be true or false`)
  return v
}

function num(body: Body, key: string, dflt: number, opts: {integer?: boolean; max?: number} = {}): number {
  const v = body[key]
  if (v === undefined || v === null) return dflt
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new JobError(`${key} must be a number >= 0`)
  if (opts.integer && !Number.isInteger(v)) throw new JobError(`${key} must be an integer`)
  if (opts.max !== undefined && v > opts.max) throw new JobError(`${key} must be at most ${opts.max}`)
  return v
}

function strings(body: Body, key: string): string[] {
  const v = body[key]
  if (v === undefined || v === null) return []
  if (!Array.isArray(v) || v.length > MAX_LIST) throw new JobError(`${key} must be a list of at most ${MAX_LIST} strings`)
  return v.map((s, i) => {
    if (typeof s !== 'string' || s.length > MAX_STRING) throw new JobError(`${key}[${i}] must be a string of at most ${MAX_STRING} characters`)
    return s
  })
}

function envVars(body: Body): EnvironmentVariable[] {
  const v = body.environmentVariables
  if (v === undefined || v === null) return []
  if (!Array.isArray(v) || v.length > MAX_LIST) throw new JobError(`environmentVariables must be a list of at most ${MAX_LIST} {name, value} objects`)
  return v.map((e, i) => {
    const o = e as Body
    if (typeof o !== 'object' || o === null || typeof o.name !== 'string' || o.name === '' || o.name.length > 256 || /[=\0]/.test(o.name))
      throw new JobError(`environmentVariables[${i}].name must be a non-empty string without '='`)
    if (typeof o.value !== 'string' || o.value.length > MAX_STRING || o.value.includes('\0'))
      throw new JobError(`environmentVariables[${i}].value must be a string of at most ${MAX_STRING} characters`)
    return {name: o.name, value: o.value}
  })
}

export type JobKind = 'iso8601' | 'dependency'

/**
 * A posted job with Chronos's defaults filled in. `kind` is the endpoint it came to: iso8601 jobs
 * get `R1//PT24H` when they name no schedule; dependency jobs need `parents`. `now` resolves
 * an empty start for the schedule check. Parent existence is the caller's (it needs all jobs).
 */
export function parseJob(input: unknown, kind: JobKind, defaults: JobDefaults, now: number): Job {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new JobError('the job must be a JSON object')
  const body = input as Body
  const name = checkName(body.name)
  const command = str(body, 'command', '', MAX_COMMAND)
  if (command.trim() === '') throw new JobError('command must be a non-empty string')
  if (command.includes('\0')) throw new JobError('command must not contain NUL bytes')
  const epsilon = str(body, 'epsilon', `PT${defaults.taskEpsilonSeconds}S`, 64)
  try {
    parseDurationMs(epsilon, 'epsilon')
  } catch (error) {
    throw new JobError((error as Error).message)
  }
  const job: Job = {
    name,
    command,
    shell: bool(body, 'shell', true),
    epsilon,
    executor: str(body, 'executor', ''),
    executorFlags: str(body, 'executorFlags', ''),
    retries: num(body, 'retries', 2, {integer: true, max: MAX_RETRIES}),
    owner: str(body, 'owner', ''),
    ownerName: str(body, 'ownerName', ''),
    description: str(body, 'description', ''),
    async: bool(body, 'async', false),
    successCount: num(body, 'successCount', 0, {integer: true}),
    errorCount: num(body, 'errorCount', 0, {integer: true}),
    lastSuccess: str(body, 'lastSuccess', '', 64),
    lastError: str(body, 'lastError', '', 64),
    cpus: num(body, 'cpus', 0, {max: 1024}) || defaults.cpus,
    disk: num(body, 'disk', 0, {max: 16 * 1024 * 1024}) || defaults.disk,
    mem: num(body, 'mem', 0, {max: 16 * 1024 * 1024}) || defaults.mem,
    disabled: bool(body, 'disabled', false),
    softError: bool(body, 'softError', false),
    dataProcessingJobType: bool(body, 'dataProcessingJobType', false),
    errorsSinceLastSuccess: num(body, 'errorsSinceLastSuccess', 0, {integer: true}),
    uris: strings(body, 'uris'),
    environmentVariables: envVars(body),
    arguments: strings(body, 'arguments'),
    highPriority: bool(body, 'highPriority', false),
    runAsUser: str(body, 'runAsUser', ''),
    ...(body.container !== undefined && body.container !== null && {container: checkContainer(body.container)}),
    constraints: parseConstraints(body.constraints),
  }
  for (const [key, value] of [['lastSuccess', job.lastSuccess], ['lastError', job.lastError]] as const) {
    if (value !== '' && Number.isNaN(Date.parse(value))) throw new JobError(`${key} must be '' or an ISO 8601 date-time`)
  }
  const hasParents = body.parents !== undefined && body.parents !== null
  if (kind === 'dependency' || (hasParents && body.schedule === undefined)) {
    const parents = strings(body, 'parents')
    if (parents.length === 0) throw new JobError('a dependent job needs a non-empty list of parents')
    if (new Set(parents).size !== parents.length) throw new JobError('parents must not name a job twice')
    if (parents.includes(name)) throw new JobError(`job '${name}' cannot be its own parent`)
    return {...job, parents}
  }
  const schedule = str(body, 'schedule', DEFAULT_SCHEDULE, 200)
  const scheduleTimeZone = str(body, 'scheduleTimeZone', '', 64)
  try {
    checkTimeZone(scheduleTimeZone)
    parseSchedule(schedule, scheduleTimeZone, now)
  } catch (error) {
    if (error instanceof ScheduleError) throw new JobError(error.message)
    throw error
  }
  return {...job, schedule, scheduleTimeZone}
}

function checkContainer(c: unknown): unknown {
  if (typeof c !== 'object' || Array.isArray(c)) throw new JobError('container must be an object')
  if (JSON.stringify(c).length > MAX_STRING) throw new JobError(`container is larger than ${MAX_STRING} characters`)
  return c
}

export function isDependent(job: Job): job is Job & {parents: string[]} {
  return Array.isArray(job.parents)
}

/** The epsilon of a job as milliseconds (validated at parse time). */
export function epsilonMs(job: Job): number {
  try {
    return parseDurationMs(job.epsilon, 'epsilon')
  } catch {
    return 60_000
  }
}

/** The JSON Chronos 2.4's JobSerializer writes for a job, in its field order. */
export function serializeJob(job: Job): Record<string, unknown> {
  const {parents, schedule, scheduleTimeZone, container, ...rest} = job
  return {
    name: rest.name,
    command: rest.command,
    shell: rest.shell,
    epsilon: rest.epsilon,
    executor: rest.executor,
    executorFlags: rest.executorFlags,
    retries: rest.retries,
    owner: rest.owner,
    ownerName: rest.ownerName,
    description: rest.description,
    async: rest.async,
    successCount: rest.successCount,
    errorCount: rest.errorCount,
    lastSuccess: rest.lastSuccess,
    lastError: rest.lastError,
    cpus: rest.cpus,
    disk: rest.disk,
    mem: rest.mem,
    disabled: rest.disabled,
    softError: rest.softError,
    dataProcessingJobType: rest.dataProcessingJobType,
    errorsSinceLastSuccess: rest.errorsSinceLastSuccess,
    uris: rest.uris,
    environmentVariables: rest.environmentVariables,
    arguments: rest.arguments,
    highPriority: rest.highPriority,
    runAsUser: rest.runAsUser,
    ...(container !== undefined && {container}),
    constraints: rest.constraints,
    ...(parents !== undefined ? {parents} : {schedule, scheduleTimeZone}),
  }
}
