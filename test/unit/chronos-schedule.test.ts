import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {ScheduleError, parseDurationMs, parseSchedule, skipForward, stepSchedule} from '../../src/frameworks/chronos/schedule'

const ms = (iso: string) => Date.parse(iso)
const MIN = 60_000

describe('Chronos schedules: parsing', () => {
  test('R, Rn, an empty start, offsets and periods', () => {
    const now = ms('2026-05-01T12:00:00Z')
    const forever = parseSchedule('R/2026-05-01T12:00:10Z/PT2S', '', now)
    assert.equal(forever.repetitions, -1)
    assert.equal(forever.start.toMillis(), ms('2026-05-01T12:00:10Z'))
    assert.equal(forever.period.toMillis(), 2000)
    assert.equal(parseSchedule('R5/2026-05-01T12:00:00Z/P1D', '', now).repetitions, 5)
    assert.equal(parseSchedule('R1//PT24H', '', now).start.toMillis(), now, 'an empty start is now')
    assert.equal(parseSchedule('R/2026-05-01T08:00:00-04:00/PT1H', '', now).start.toMillis(), ms('2026-05-01T12:00:00Z'))
    assert.equal(parseSchedule('R/2026-05-01T08:00:00/PT1H', '', now).start.toMillis(), ms('2026-05-01T08:00:00Z'), 'no offset: UTC')
  })

  test('scheduleTimeZone keeps the wall-clock fields and wins over the written offset', () => {
    const s = parseSchedule('R/2026-01-10T09:00:00Z/P1D', 'America/New_York', 0)
    assert.equal(s.start.toMillis(), ms('2026-01-10T14:00:00Z'))
    const t = parseSchedule('R/2026-01-10T09:00:00+05:00/P1D', 'Europe/Berlin', 0)
    assert.equal(t.start.toMillis(), ms('2026-01-10T08:00:00Z'))
  })

  test('malformed schedules are a ScheduleError with a message that says what is wrong', () => {
    const cases: [string, string, RegExp][] = [
      ['', '', /repeating interval/],
      ['R/2026-01-01T00:00:00Z', '', /repeating interval/],
      ['X/2026-01-01T00:00:00Z/PT1H', '', /repeating interval/],
      ['R-1/2026-01-01T00:00:00Z/PT1H', '', /repeating interval/],
      ['R/yesterday/PT1H', '', /start 'yesterday'/],
      ['R/2026-13-01T00:00:00Z/PT1H', '', /start/],
      ['R/2026-01-01T00:00:00Z/P', '', /period/],
      ['R/2026-01-01T00:00:00Z/PT1X', '', /period/],
      ['R/2026-01-01T00:00:00Z/PT0S', '', /at least one second/],
      ['R/2026-01-01T00:00:00Z/PT0.5S', '', /at least one second/],
      ['R99999999999/2026-01-01T00:00:00Z/PT1H', '', /repetitions/],
      ['R/2026-01-01T00:00:00Z/PT1H', 'Mars/Olympus', /not a known time zone/],
      ['R/2026-01-01T00:00:00Z/PT1H'.padEnd(300, 'S'), '', /at most 200/],
    ]
    for (const [schedule, zone, message] of cases) {
      assert.throws(() => parseSchedule(schedule, zone, 0), (e: Error) => e instanceof ScheduleError && message.test(e.message), `${schedule} ${zone}`)
    }
  })

  test('durations', () => {
    assert.equal(parseDurationMs('PT60S', 'epsilon'), 60_000)
    assert.equal(parseDurationMs('PT1M30S', 'epsilon'), 90_000)
    assert.throws(() => parseDurationMs('60', 'epsilon'), /epsilon '60' is not an ISO 8601 duration/)
  })
})

describe('Chronos schedules: what is due', () => {
  test('a future start waits; at the start a run is due and the schedule moves on with one repetition fewer', () => {
    const schedule = 'R3/2026-05-01T12:00:00.000Z/PT2S'
    assert.deepEqual(stepSchedule(schedule, '', MIN, ms('2026-05-01T11:59:59Z')), {kind: 'wait', atMs: ms('2026-05-01T12:00:00Z'), schedule})
    const run = stepSchedule(schedule, '', MIN, ms('2026-05-01T12:00:00Z'))
    assert.deepEqual(run, {kind: 'run', dueMs: ms('2026-05-01T12:00:00Z'), schedule: 'R2/2026-05-01T12:00:02.000Z/PT2S', nextAtMs: ms('2026-05-01T12:00:02Z')})
    const last = stepSchedule('R1/2026-05-01T12:00:04.000Z/PT2S', '', MIN, ms('2026-05-01T12:00:04Z'))
    assert.equal(last.kind, 'run')
    assert.equal(last.schedule, 'R0/2026-05-01T12:00:06.000Z/PT2S')
    assert.equal((last as {nextAtMs?: number}).nextAtMs, undefined, 'no runs after the last one')
    assert.equal(stepSchedule(last.schedule, '', MIN, ms('2026-05-01T12:00:06Z')).kind, 'done', 'R0 runs no more')
  })

  test('R repeats forever: the count stays R', () => {
    const run = stepSchedule('R/2026-05-01T12:00:00.000Z/PT2S', '', MIN, ms('2026-05-01T12:00:00.5Z'))
    assert.equal(run.kind, 'run')
    assert.equal(run.schedule, 'R/2026-05-01T12:00:02.000Z/PT2S')
  })

  test('a run late by no more than epsilon still runs; later than epsilon it is skipped, not replayed', () => {
    const due = stepSchedule('R/2026-05-01T12:00:00.000Z/PT1H', '', 30_000, ms('2026-05-01T12:00:30Z'))
    assert.equal(due.kind, 'run', 'within epsilon')
    const late = stepSchedule('R/2026-05-01T12:00:00.000Z/PT1H', '', 30_000, ms('2026-05-01T12:00:31Z'))
    assert.deepEqual(late, {kind: 'wait', atMs: ms('2026-05-01T13:00:00Z'), schedule: 'R/2026-05-01T13:00:00.000Z/PT1H'})
  })

  test('a start long past is skipped forward to the next due time, with the skipped runs counted off', () => {
    const now = ms('2026-05-01T12:00:07Z')
    const step = stepSchedule('R10/2026-05-01T12:00:00.000Z/PT2S', '', 1000, now)
    // Occurrences 12:00:00, :02, :04, :06 are missed (4 runs); the next is :08 with 6 left.
    assert.deepEqual(step, {kind: 'wait', atMs: ms('2026-05-01T12:00:08Z'), schedule: 'R6/2026-05-01T12:00:08.000Z/PT2S'})
    assert.equal(stepSchedule('R3/2026-05-01T12:00:00.000Z/PT2S', '', 1000, now).kind, 'done', 'fewer repetitions than missed runs: none left')
  })

  test('skipping decades of a one-second schedule is immediate and exact', () => {
    const started = performance.now()
    const now = ms('2026-05-01T12:00:00.500Z')
    const s = skipForward(parseSchedule('R/1970-01-01T00:00:00Z/PT1S', '', now), now)
    assert.equal(s.start.toMillis(), ms('2026-05-01T12:00:01Z'))
    const monthly = skipForward(parseSchedule('R/1970-01-31T00:00:00Z/P1M', '', now), now)
    assert.ok(monthly.start.toMillis() >= now && monthly.start.toMillis() < now + 31 * 24 * 3600_000)
    assert.ok(performance.now() - started < 500)
  })

  test('a start exactly now is due', () => {
    assert.equal(stepSchedule('R/2026-05-01T12:00:00Z/PT1M', '', 0, ms('2026-05-01T12:00:00Z')).kind, 'run')
  })
})

describe('Chronos schedules: DST and leap days', () => {
  /** Runs the schedule `n` times (each at its due time) and returns the due times in UTC. */
  function dueTimes(schedule: string, zone: string, n: number): string[] {
    const out: string[] = []
    let s = schedule
    let at = parseSchedule(s, zone, 0).start.toMillis()
    for (let i = 0; i < n; i++) {
      const step = stepSchedule(s, zone, 0, at)
      assert.equal(step.kind, 'run')
      if (step.kind !== 'run') break
      out.push(new Date(step.dueMs).toISOString())
      s = step.schedule
      at = step.nextAtMs!
    }
    return out
  }

  test('America/New_York spring forward: P1D stays at 09:00 local (UTC moves by an hour); PT24H does not', () => {
    assert.deepEqual(dueTimes('R/2026-03-07T09:00:00/P1D', 'America/New_York', 3), [
      '2026-03-07T14:00:00.000Z', // EST
      '2026-03-08T13:00:00.000Z', // EDT from 2026-03-08 02:00
      '2026-03-09T13:00:00.000Z',
    ])
    assert.deepEqual(dueTimes('R/2026-03-07T09:00:00/PT24H', 'America/New_York', 2), ['2026-03-07T14:00:00.000Z', '2026-03-08T14:00:00.000Z'])
  })

  test('America/New_York fall back: P1D stays at 09:00 local', () => {
    assert.deepEqual(dueTimes('R/2026-10-31T09:00:00/P1D', 'America/New_York', 3), ['2026-10-31T13:00:00.000Z', '2026-11-01T14:00:00.000Z', '2026-11-02T14:00:00.000Z'])
  })

  test('Europe/Berlin spring and fall', () => {
    assert.deepEqual(dueTimes('R/2026-03-28T09:00:00/P1D', 'Europe/Berlin', 2), ['2026-03-28T08:00:00.000Z', '2026-03-29T07:00:00.000Z'])
    assert.deepEqual(dueTimes('R/2026-10-24T09:00:00/P1D', 'Europe/Berlin', 2), ['2026-10-24T07:00:00.000Z', '2026-10-25T08:00:00.000Z'])
  })

  test('an hourly schedule across the New York spring gap runs every elapsed hour', () => {
    assert.deepEqual(dueTimes('R/2026-03-08T00:30:00/PT1H', 'America/New_York', 3), ['2026-03-08T05:30:00.000Z', '2026-03-08T06:30:00.000Z', '2026-03-08T07:30:00.000Z'])
  })

  test('a wall-clock time that does not exist on the spring day moves forward by the gap', () => {
    // 02:30 does not exist on 2026-03-08 in New York: that run is at 03:30 EDT (as Joda does).
    const [, second] = dueTimes('R/2026-03-07T02:30:00/P1D', 'America/New_York', 2)
    assert.equal(second, '2026-03-08T07:30:00.000Z')
  })

  test('the schedule written back keeps the zone offset of the local time', () => {
    const step = stepSchedule('R/2026-03-07T09:00:00/P1D', 'America/New_York', 0, ms('2026-03-07T14:00:00Z'))
    assert.equal(step.schedule, 'R/2026-03-08T09:00:00.000-04:00/P1D')
  })

  test('leap days: P1D walks through Feb 29; P1Y from Feb 29 lands on Feb 28, P1M on Mar 29', () => {
    assert.deepEqual(dueTimes('R/2028-02-28T06:00:00Z/P1D', '', 3), ['2028-02-28T06:00:00.000Z', '2028-02-29T06:00:00.000Z', '2028-03-01T06:00:00.000Z'])
    assert.deepEqual(dueTimes('R/2024-02-29T06:00:00Z/P1Y', '', 2), ['2024-02-29T06:00:00.000Z', '2025-02-28T06:00:00.000Z'])
    assert.deepEqual(dueTimes('R/2024-01-31T06:00:00Z/P1M', '', 3), ['2024-01-31T06:00:00.000Z', '2024-02-29T06:00:00.000Z', '2024-03-29T06:00:00.000Z'])
  })

  test('skipping forward across a leap day and DST lands on the next local due time', () => {
    const now = ms('2028-03-15T12:00:00Z')
    const step = stepSchedule('R/2028-02-27T09:00:00/P1D', 'Europe/Berlin', 0, now)
    // 2028-03-16 09:00 in Berlin (CET, before the March 26 change) is 08:00 UTC.
    assert.deepEqual(step, {kind: 'wait', atMs: ms('2028-03-16T08:00:00Z'), schedule: 'R/2028-03-16T09:00:00.000+01:00/P1D'})
  })
})
