/**
 * Chronos's schedule arithmetic (mesos/chronos@2.4.0 Iso8601Expressions.scala, JobUtils.scala),
 * pure, with the clock passed in. A schedule is an ISO 8601 repeating interval
 * `R[n]/<start>/<period>`: `R` repeats forever, `Rn` n more times, an empty start means now.
 *
 * - `scheduleTimeZone` (an IANA zone) takes precedence over the offset written in the start: the
 *   start keeps its wall-clock fields and moves into that zone (Joda's withZoneRetainFields), and
 *   periods are added in that zone, so `P1D` keeps 09:00 local across DST (while `PT24H` is
 *   always 24 elapsed hours).
 * - Periods are added calendar-wise from the current start, as Chronos rewrites its stored
 *   schedule after each run: 2024-02-29 + P1Y is 2025-02-28, and the next year stays on the 28th.
 * - Each dispatched run rewrites the schedule with the next start and one repetition fewer; `R0`
 *   runs no more.
 * - A start later than `epsilon` in the past is skipped forward by whole periods to the first
 *   occurrence not in the past, counting the skipped runs off the repetitions (a job is never
 *   replayed for the runs it missed).
 */
import {DateTime, Duration, IANAZone} from 'luxon'

export class ScheduleError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ScheduleError'
  }
}

export interface ParsedSchedule {
  /** Runs left: -1 forever. */
  repetitions: number
  /** In the schedule's zone (scheduleTimeZone, else the offset written, else UTC). */
  start: DateTime
  period: Duration
  /** The period as written (kept verbatim when the schedule is rewritten). */
  periodText: string
}

const SCHEDULE = /^R(\d*)\/([^/]*)\/(P[^/]*)$/
/** More repetitions than anyone means; also keeps the count a safe integer. */
const MAX_REPETITIONS = 1_000_000_000
/** Shortest period accepted: a schedule firing faster than this is a mistake, not a job. */
const MIN_PERIOD_MS = 1000

/** `''` (none) or an IANA zone name; anything else is a ScheduleError. */
export function checkTimeZone(zone: string): string {
  if (zone === '') return zone
  if (zone.length > 64 || !IANAZone.isValidZone(zone)) throw new ScheduleError(`scheduleTimeZone '${zone}' is not a known time zone (use an IANA name such as America/New_York)`)
  return zone
}

/** An ISO 8601 duration such as `PT60S`, as milliseconds; a ScheduleError when malformed. */
export function parseDurationMs(text: string, what: string): number {
  const d = typeof text === 'string' && text.length <= 64 ? Duration.fromISO(text) : Duration.invalid('unparsable')
  if (!d.isValid) throw new ScheduleError(`${what} '${text}' is not an ISO 8601 duration such as PT60S`)
  const ms = d.toMillis()
  if (!Number.isFinite(ms) || ms < 0) throw new ScheduleError(`${what} '${text}' must not be negative`)
  return ms
}

/** Parses `R[n]/<start>/<period>`; `now` (epoch ms) stands in for an empty start. */
export function parseSchedule(text: string, timeZone: string, now: number): ParsedSchedule {
  if (typeof text !== 'string' || text.length > 200) throw new ScheduleError('schedule must be a string of at most 200 characters')
  const m = SCHEDULE.exec(text.trim())
  if (!m) throw new ScheduleError(`schedule '${text}' is not an ISO 8601 repeating interval R[n]/<start>/<period>, e.g. R/2030-01-01T00:00:00Z/PT1H`)
  const [, reps, startText, periodText] = m
  const repetitions = reps === '' ? -1 : Number(reps)
  if (repetitions > MAX_REPETITIONS) throw new ScheduleError(`schedule '${text}': at most ${MAX_REPETITIONS} repetitions`)
  const zone = checkTimeZone(timeZone)
  let start: DateTime
  if (startText === '') start = DateTime.fromMillis(now, {zone: zone || 'utc'})
  else {
    start = DateTime.fromISO(startText, {zone: 'utc', setZone: true})
    if (!start.isValid) throw new ScheduleError(`schedule '${text}': the start '${startText}' is not an ISO 8601 date-time such as 2030-01-01T00:00:00Z`)
    if (zone) start = start.setZone(zone, {keepLocalTime: true})
  }
  const period = Duration.fromISO(periodText)
  if (!period.isValid) throw new ScheduleError(`schedule '${text}': the period '${periodText}' is not an ISO 8601 duration such as PT1H or P1D`)
  const probe = start.plus(period).toMillis() - start.toMillis()
  if (!(probe >= MIN_PERIOD_MS)) throw new ScheduleError(`schedule '${text}': the period '${periodText}' must be at least one second`)
  if (!start.isValid || start.year > 9999 || start.year < 1) throw new ScheduleError(`schedule '${text}': the start is out of range`)
  return {repetitions, start, period, periodText}
}

/** The schedule text of `s`, as Chronos stores it after rewriting. */
export function formatSchedule(s: ParsedSchedule): string {
  const reps = s.repetitions < 0 ? 'R' : `R${s.repetitions}`
  const start = s.start.zoneName === 'UTC' ? s.start.toUTC().toISO() : s.start.toISO({includeOffset: true})
  return `${reps}/${start}/${s.periodText}`
}

export type ScheduleStep =
  /** No runs left (R0, or fewer repetitions than the runs skipped). */
  | {kind: 'done'; schedule: string}
  /** Nothing due yet: look again at `atMs`. `schedule` may have been skipped forward. */
  | {kind: 'wait'; atMs: number; schedule: string}
  /** A run is due (at `dueMs`, within epsilon of now); `schedule` is the rewritten one for after it. */
  | {kind: 'run'; dueMs: number; schedule: string; nextAtMs?: number}

/**
 * What the schedule says at `now`: a run is due (its start is past but not by more than
 * `epsilonMs`), or it is not yet, or a start missed by more than epsilon is skipped forward.
 */
export function stepSchedule(schedule: string, timeZone: string, epsilonMs: number, now: number): ScheduleStep {
  const s = parseSchedule(schedule, timeZone, now)
  if (s.repetitions === 0) return {kind: 'done', schedule: formatSchedule(s)}
  const startMs = s.start.toMillis()
  if (startMs > now) return {kind: 'wait', atMs: startMs, schedule: formatSchedule(s)}
  if (now - startMs <= epsilonMs) {
    const next = {...s, start: s.start.plus(s.period), repetitions: s.repetitions < 0 ? -1 : s.repetitions - 1}
    return {kind: 'run', dueMs: startMs, schedule: formatSchedule(next), ...(next.repetitions !== 0 && {nextAtMs: next.start.toMillis()})}
  }
  const skipped = skipForward(s, now)
  if (skipped.repetitions === 0) return {kind: 'done', schedule: formatSchedule(skipped)}
  return {kind: 'wait', atMs: skipped.start.toMillis(), schedule: formatSchedule(skipped)}
}

/**
 * The schedule moved to its first occurrence at or after `now`, with the skipped occurrences
 * counted off its repetitions (never below zero). Long gaps jump most of the way at once
 * (multiplying the period), then step, so a PT1S schedule from 1970 costs no more than one from
 * a minute ago.
 */
export function skipForward(s: ParsedSchedule, now: number): ParsedSchedule {
  let start = s.start
  let skipped = 0
  const approx = s.start.plus(s.period).toMillis() - s.start.toMillis()
  const gap = now - start.toMillis()
  if (gap > approx * 4) {
    const k = Math.max(0, Math.floor(gap / approx) - 2)
    if (k > 0) {
      const jumped = start.plus(multiply(s.period, k))
      if (jumped.isValid && jumped.toMillis() < now) {
        start = jumped
        skipped = k
      }
    }
  }
  while (start.toMillis() < now) {
    start = start.plus(s.period)
    skipped++
  }
  const repetitions = s.repetitions < 0 ? -1 : Math.max(0, s.repetitions - skipped)
  return {...s, start, repetitions}
}

function multiply(d: Duration, k: number): Duration {
  return Duration.fromObject(Object.fromEntries(Object.entries(d.toObject()).map(([unit, v]) => [unit, (v ?? 0) * k])))
}

/** Epoch ms as Chronos writes lastSuccess/lastError: ISO 8601 in UTC with milliseconds. */
export function isoUtc(ms: number): string {
  return new Date(ms).toISOString()
}
