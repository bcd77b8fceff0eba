/**
 * Chronos's placement and failure rules, pure: constraints against offers (ConstraintChecker and
 * Equals/Like/UnlikeConstraint), the offer matcher, the terminal-state outcomes of
 * MesosJobFramework.statusUpdate, and handleFailedTask's retry/softError/disable rules.
 */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {parseConstraints, satisfiesConstraints} from '../../src/frameworks/chronos/constraints'
import {parentSucceeded, recordFailure, terminalOutcome} from '../../src/frameworks/chronos/core'
import {DEFAULT_JOB_DEFAULTS, JobError, parseJob, type Job} from '../../src/frameworks/chronos/job'
import {matchOffers} from '../../src/frameworks/chronos/offers'
import type {Attribute, Offer} from '../../src/mesos/types'

const NOW = Date.parse('2026-05-01T12:00:00Z')
const job = (name: string, extra: Record<string, unknown> = {}): Job => parseJob({name, command: 'true', schedule: 'R/2099-01-01T00:00:00Z/P1D', ...extra}, 'iso8601', DEFAULT_JOB_DEFAULTS, NOW)
const text = (name: string, value: string): Attribute => ({name, type: 'TEXT', text: {value}})
const placement = (attributes: Attribute[], hostname = 'slave.one.com') => ({hostname, attributes})

function offer(id: string, attributes: Attribute[], cpus = 1, hostname = `${id}.host`): Offer {
  return {
    id: {value: id},
    framework_id: {value: 'fw'},
    agent_id: {value: `agent-${id}`},
    hostname,
    resources: [
      {name: 'cpus', type: 'SCALAR', scalar: {value: cpus}, role: '*'},
      {name: 'mem', type: 'SCALAR', scalar: {value: 1024}, role: '*'},
      {name: 'disk', type: 'SCALAR', scalar: {value: 1024}, role: '*'},
    ],
    attributes,
    executor_ids: [],
  }
}

describe('Chronos constraints', () => {
  const rack1 = placement([text('rack', 'rack-1')])

  test('EQUALS and LIKE on a text attribute; LIKE is a whole-string regex', () => {
    assert.equal(satisfiesConstraints(rack1, [['rack', 'EQUALS', 'rack-1']]), true)
    assert.equal(satisfiesConstraints(rack1, [['rack', 'EQUALS', 'rack-2']]), false)
    assert.equal(satisfiesConstraints(rack1, [['rack', 'LIKE', 'rack-[1-3]']]), true)
    assert.equal(satisfiesConstraints(rack1, [['rack', 'LIKE', 'rack-[2-3]']]), false)
    assert.equal(satisfiesConstraints(rack1, [['rack', 'LIKE', 'rack']]), false, 'matches(), not find()')
    assert.equal(satisfiesConstraints(rack1, [['rack', 'UNLIKE', 'rack-[2-3]']]), true)
    assert.equal(satisfiesConstraints(rack1, [['rack', 'UNLIKE', 'rack-1']]), false)
    assert.equal(satisfiesConstraints(rack1, [['rack', 'LIKE', '(?i)RACK-1']]), true, "Java's inline (?i)")
  })

  test('an attribute the agent lacks satisfies nothing, not even UNLIKE; all constraints must hold', () => {
    assert.equal(satisfiesConstraints(rack1, [['zone', 'UNLIKE', 'a']]), false)
    assert.equal(satisfiesConstraints(rack1, [['zone', 'EQUALS', 'a']]), false)
    assert.equal(satisfiesConstraints(rack1, [['rack', 'EQUALS', 'rack-1'], ['hostname', 'EQUALS', 'other']]), false)
    assert.equal(satisfiesConstraints(rack1, []), true)
  })

  test('hostname is the offer hostname unless the agent has a hostname attribute', () => {
    assert.equal(satisfiesConstraints(rack1, [['hostname', 'EQUALS', 'slave.one.com']]), true)
    assert.equal(satisfiesConstraints(rack1, [['hostname', 'EQUALS', 'slave.two.com']]), false)
    const explicit = placement([text('hostname', 'slave.explicit.com')])
    assert.equal(satisfiesConstraints(explicit, [['hostname', 'EQUALS', 'slave.one.com']]), false)
    assert.equal(satisfiesConstraints(explicit, [['hostname', 'EQUALS', 'slave.explicit.com']]), true)
  })

  test('LIKE on scalars (printed as Java does) and sets; EQUALS only sees text', () => {
    const p = placement([{name: 'level', type: 'SCALAR', scalar: {value: 3}}, {name: 'tags', type: 'SET', set: {item: ['ssd', 'gpu']}}, {name: 'ports', type: 'RANGES', ranges: {range: [{begin: 1, end: 5}]}}])
    assert.equal(satisfiesConstraints(p, [['level', 'LIKE', '3\\.0']]), true)
    assert.equal(satisfiesConstraints(p, [['level', 'EQUALS', '3']]), false)
    assert.equal(satisfiesConstraints(p, [['tags', 'LIKE', 'gpu']]), true)
    assert.equal(satisfiesConstraints(p, [['tags', 'UNLIKE', 'gpu']]), false)
    assert.equal(satisfiesConstraints(p, [['ports', 'LIKE', '.*']]), false, 'RANGES never match')
  })

  test('bad constraints are JobErrors naming the entry; good ones are kept as given', () => {
    assert.deepEqual(parseConstraints([['rack', 'LIKE', 'r-[0-9]+']]), [['rack', 'LIKE', 'r-[0-9]+']])
    assert.deepEqual(parseConstraints(undefined), [])
    const bad: [unknown, RegExp][] = [
      [{rack: 'r1'}, /list/],
      [[['rack', 'EQUALS']], /constraints\[0\] must be \[attribute/],
      [[['rack', 'EQUALS', 1]], /constraints\[0\]/],
      [[['rack', 'EQUALS', 'a'], ['rack', 'GROUP_BY', '']], /constraints\[1\]: operator 'GROUP_BY' must be EQUALS, LIKE or UNLIKE/],
      [[['rack', 'LIKE', 'rack-[']], /constraints\[0\]: 'rack-\[' is not a valid regular expression for LIKE/],
      [[['', 'EQUALS', 'a']], /attribute name/],
    ]
    for (const [input, message] of bad) assert.throws(() => parseConstraints(input), (e: Error) => e instanceof JobError && message.test(e.message), JSON.stringify(input))
    assert.throws(() => job('x', {constraints: [['rack', 'UNLIKE', '(']]}), JobError)
  })
})

describe('Chronos offer matching', () => {
  test('a run goes to the first offer that has room and satisfies its constraints', () => {
    const jobs = new Map([['a', job('a', {cpus: 1, constraints: [['rack', 'EQUALS', 'r2']]})], ['b', job('b', {cpus: 1})]])
    const offers = [offer('o1', [text('rack', 'r1')]), offer('o2', [text('rack', 'r2')])]
    const m = matchOffers(offers, [{taskId: 'ta', job: 'a', dueMs: 1}, {taskId: 'tb', job: 'b', dueMs: 2}], jobs, '*')
    assert.deepEqual(m.placed.map((p) => [p.run.taskId, p.offer.id.value]), [['ta', 'o2'], ['tb', 'o1']])
    assert.deepEqual(m.unused, [])
    assert.deepEqual(m.expired, [])
  })

  test('no offer satisfying the constraints: the run stays queued and the offers are unused', () => {
    const jobs = new Map([['a', job('a', {constraints: [['hostname', 'LIKE', 'db-.*']]})]])
    const m = matchOffers([offer('o1', [], 4, 'web-1')], [{taskId: 'ta', job: 'a', dueMs: 1}], jobs, '*')
    assert.deepEqual(m.placed, [])
    assert.deepEqual(m.unused.map((o) => o.id.value), ['o1'])
    assert.equal(matchOffers([offer('o1', [], 4, 'db-1')], [{taskId: 'ta', job: 'a', dueMs: 1}], jobs, '*').placed.length, 1)
  })

  test("an offer's resources shrink as runs are placed; runs go in due order", () => {
    const jobs = new Map([['a', job('a', {cpus: 1})]])
    const runs = [{taskId: 't2', job: 'a', dueMs: 2}, {taskId: 't1', job: 'a', dueMs: 1}, {taskId: 't3', job: 'a', dueMs: 3}]
    const m = matchOffers([offer('o1', [], 2)], runs, jobs, '*')
    assert.deepEqual(m.placed.map((p) => p.run.taskId), ['t1', 't2'])
  })

  test('runs of a disabled or deleted job expire instead of launching', () => {
    const jobs = new Map([['off', job('off', {disabled: true})]])
    const m = matchOffers([offer('o1', [])], [{taskId: 't1', job: 'off', dueMs: 1}, {taskId: 't2', job: 'gone', dueMs: 2}], jobs, '*')
    assert.deepEqual(m.expired.map((r) => r.taskId), ['t1', 't2'])
    assert.deepEqual(m.placed, [])
    assert.equal(m.unused.length, 1)
  })
})

describe('Chronos failures', () => {
  test('FINISHED succeeds; FAILED, LOST and its partition-aware splits fail; KILLED and ERROR are neither', () => {
    assert.equal(terminalOutcome('TASK_FINISHED'), 'success')
    for (const s of ['TASK_FAILED', 'TASK_LOST', 'TASK_DROPPED', 'TASK_UNREACHABLE', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR', 'TASK_UNKNOWN']) assert.equal(terminalOutcome(s), 'failure', s)
    assert.equal(terminalOutcome('TASK_KILLED'), 'killed')
    assert.equal(terminalOutcome('TASK_ERROR'), 'ignored')
  })

  test('a job already failing (lastError after lastSuccess) is not retried', () => {
    const fresh = job('a', {retries: 2})
    assert.equal(recordFailure(fresh, 0, NOW, 0).retry, 1)
    const recovered = job('a', {retries: 2, lastError: '2026-04-01T00:00:00Z', lastSuccess: '2026-04-02T00:00:00Z'})
    assert.equal(recordFailure(recovered, 0, NOW, 0).retry, 1)
    const failing = job('a', {retries: 2, lastError: '2026-04-02T00:00:00Z', lastSuccess: '2026-04-01T00:00:00Z'})
    const out = recordFailure(failing, 0, NOW, 0)
    assert.equal(out.retry, undefined)
    assert.equal(out.job.errorCount, 1)
    assert.equal(recordFailure({...failing, lastSuccess: ''}, 0, NOW, 0).retry, undefined, 'never succeeded, failed before')
  })

  test('out of retries: softError runs the children, without counting a success', () => {
    const soft = recordFailure(job('p', {retries: 0, softError: true}), 0, NOW, 0)
    assert.equal(soft.runChildren, true)
    assert.equal(soft.job.successCount, 0)
    assert.equal(soft.job.errorCount, 1)
    assert.equal(recordFailure(job('p', {retries: 0}), 0, NOW, 0).runChildren, undefined)
    assert.equal(recordFailure(job('p', {retries: 1, softError: true}), 0, NOW, 0).runChildren, undefined, 'a retry is not the end yet')
    const child = parseJob({name: 'c', command: 'true', parents: ['p']}, 'dependency', DEFAULT_JOB_DEFAULTS, NOW)
    assert.deepEqual(parentSucceeded(new Map([['p', soft.job], ['c', child]]), {}, 'p').ready, ['c'])
  })

  test('disable_after_failures counts failures since the last success; a disabled job stays disabled', () => {
    let j = job('a', {retries: 0})
    j = recordFailure(j, 0, NOW, 2).job
    assert.equal(j.disabled, false)
    j = recordFailure(j, 0, NOW + 1, 2).job
    assert.equal(j.disabled, true)
    assert.equal(j.errorsSinceLastSuccess, 2)
    assert.equal(recordFailure(job('b', {retries: 0, disabled: true}), 0, NOW, 0).job.disabled, true)
  })
})
