import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {checkGraph, graphCsv, graphDot, parentSucceeded, parseTaskId, recordFailure, recordSuccess, searchJobs, shellCommand, taskIdOf} from '../../src/frameworks/chronos/core'
import {DEFAULT_JOB_DEFAULTS, JobError, parseJob, serializeJob, type Job} from '../../src/frameworks/chronos/job'

const NOW = Date.parse('2026-05-01T12:00:00Z')
const scheduled = (name: string, extra: Record<string, unknown> = {}) => parseJob({name, command: 'true', schedule: 'R/2026-05-02T00:00:00Z/P1D', ...extra}, 'iso8601', DEFAULT_JOB_DEFAULTS, NOW)
const dependent = (name: string, parents: string[], extra: Record<string, unknown> = {}) => parseJob({name, command: 'true', parents, ...extra}, 'dependency', DEFAULT_JOB_DEFAULTS, NOW)
const jobsOf = (...jobs: Job[]) => new Map(jobs.map((j) => [j.name, j]))

describe('Chronos jobs: defaults and validation', () => {
  test("a minimal job gets Chronos's defaults, serialised in JobSerializer's order", () => {
    const job = parseJob({name: 'nightly', command: 'echo hi', schedule: 'R/2026-05-02T00:00:00Z/P1D'}, 'iso8601', DEFAULT_JOB_DEFAULTS, NOW)
    const json = serializeJob(job)
    assert.deepEqual(Object.keys(json).slice(0, 6), ['name', 'command', 'shell', 'epsilon', 'executor', 'executorFlags'])
    assert.deepEqual(Object.keys(json).slice(-2), ['schedule', 'scheduleTimeZone'])
    assert.equal(json.epsilon, 'PT60S')
    assert.equal(json.retries, 2)
    assert.equal(json.shell, true)
    assert.equal(json.async, false)
    assert.equal(json.disabled, false)
    assert.equal(json.cpus, 0.1)
    assert.equal(json.mem, 128)
    assert.equal(json.disk, 256)
    assert.equal(json.successCount, 0)
    assert.equal(json.lastSuccess, '')
    assert.equal(json.lastError, '')
    assert.equal(json.scheduleTimeZone, '')
    assert.deepEqual(json.environmentVariables, [])
  })

  test('the task defaults and the epsilon follow the flags; a job with neither schedule nor parents is R1//PT24H', () => {
    const job = parseJob({name: 'x', command: 'true'}, 'iso8601', {taskEpsilonSeconds: 30, cpus: 0.5, mem: 64, disk: 10}, NOW)
    assert.equal(job.epsilon, 'PT30S')
    assert.deepEqual([job.cpus, job.mem, job.disk], [0.5, 64, 10])
    assert.equal(job.schedule, 'R1//PT24H')
  })

  test('a dependency job keeps its parents and has no schedule', () => {
    const job = dependent('child', ['a', 'b'])
    assert.deepEqual(job.parents, ['a', 'b'])
    assert.equal('schedule' in serializeJob(job), false)
  })

  test('bad jobs are JobErrors with a message naming the field', () => {
    const cases: [unknown, RegExp][] = [
      [[], /JSON object/],
      [{command: 'x'}, /name must be a non-empty string/],
      [{name: 'a/b', command: 'x'}, /name 'a\/b' is invalid/],
      [{name: '..', command: 'x'}, /invalid/],
      [{name: 'tab\tname', command: 'x'}, /invalid/],
      [{name: 'x'.repeat(201), command: 'x'}, /longer than 200/],
      [{name: 'a'}, /command must be a non-empty string/],
      [{name: 'a', command: 5}, /command must be a string/],
      [{name: 'a', command: 'x', schedule: 'every day'}, /repeating interval/],
      [{name: 'a', command: 'x', schedule: 'R/2026-01-01T00:00:00Z/PT1H', scheduleTimeZone: 'Nowhere/City'}, /not a known time zone/],
      [{name: 'a', command: 'x', epsilon: '60'}, /epsilon '60'/],
      [{name: 'a', command: 'x', retries: -1}, /retries must be a number >= 0/],
      [{name: 'a', command: 'x', retries: 1.5}, /retries must be an integer/],
      [{name: 'a', command: 'x', cpus: 'lots'}, /cpus must be a number/],
      [{name: 'a', command: 'x', shell: 'yes'}, /shell must be true or false/],
      [{name: 'a', command: 'x', uris: 'http://x'}, /uris must be a list/],
      [{name: 'a', command: 'x', environmentVariables: [{name: 'A'}]}, /environmentVariables\[0\]\.value/],
      [{name: 'a', command: 'x', environmentVariables: [{name: 'A=B', value: ''}]}, /without '='/],
      [{name: 'a', command: 'x', lastSuccess: 'yesterday'}, /lastSuccess must be/],
      [{name: 'a', command: 'x', constraints: [['rack', 'NEAR', 'x']]}, /operator 'NEAR'/],
    ]
    for (const [body, message] of cases) {
      assert.throws(() => parseJob(body, 'iso8601', DEFAULT_JOB_DEFAULTS, NOW), (e: Error) => e instanceof JobError && message.test(e.message), JSON.stringify(body))
    }
    assert.throws(() => parseJob({name: 'c', command: 'x'}, 'dependency', DEFAULT_JOB_DEFAULTS, NOW), /needs a non-empty list of parents/)
    assert.throws(() => dependent('c', ['c']), /cannot be its own parent/)
    assert.throws(() => dependent('c', ['a', 'a']), /twice/)
  })
})

describe('Chronos runs', () => {
  test("task ids have Chronos's form and parse back; arguments cannot break them", () => {
    const id = taskIdOf({job: 'nightly', dueMs: 1700000000000, attempt: 1, args: ['--since', 'a/b']})
    assert.equal(id, 'ct:1700000000000:1:nightly:--since a%2Fb')
    assert.deepEqual(parseTaskId(id), {dueMs: 1700000000000, attempt: 1, job: 'nightly'})
    assert.equal(taskIdOf({job: 'j', dueMs: 1, attempt: 0, args: []}), 'ct:1:0:j:')
    assert.equal(taskIdOf({job: 'j', dueMs: 1, attempt: 0, args: ['x'.repeat(400)]}).length, 255)
    assert.equal(parseTaskId('marathon-task.1'), undefined)
  })

  test('a success counts up, clears the errors since the last success and sets lastSuccess', () => {
    const job = recordSuccess({...scheduled('a'), errorsSinceLastSuccess: 3, successCount: 4}, NOW)
    assert.equal(job.successCount, 5)
    assert.equal(job.errorsSinceLastSuccess, 0)
    assert.equal(job.lastSuccess, '2026-05-01T12:00:00.000Z')
  })

  test('a failure is retried up to `retries` times, then recorded; disable_after_failures disables', () => {
    const job = scheduled('a', {retries: 2})
    assert.equal(recordFailure(job, 0, NOW, 0).retry, 1)
    assert.equal(recordFailure(job, 1, NOW, 0).retry, 2)
    const out = recordFailure(job, 2, NOW, 0)
    assert.equal(out.retry, undefined)
    assert.equal(out.job.errorCount, 1)
    assert.equal(out.job.errorsSinceLastSuccess, 1)
    assert.equal(out.job.lastError, '2026-05-01T12:00:00.000Z')
    assert.equal(out.job.disabled, false)
    assert.equal(recordFailure({...job, retries: 0, errorsSinceLastSuccess: 2}, 0, NOW, 3).job.disabled, true)
    assert.equal(recordFailure({...job, retries: 0}, 0, NOW, 0).retry, undefined, 'retries 0: no retry')
  })

  test('a dependent job runs once all its parents succeeded since its own last run', () => {
    const jobs = jobsOf(scheduled('a'), scheduled('b'), dependent('c', ['a', 'b']), dependent('d', ['a']))
    let r = parentSucceeded(jobs, {}, 'a')
    assert.deepEqual(r.ready, ['d'])
    assert.deepEqual(r.marks, {c: ['a']})
    r = parentSucceeded(jobs, r.marks, 'a')
    assert.deepEqual(r.ready, ['d'], 'a twice is still only a')
    assert.deepEqual(r.marks, {c: ['a']})
    r = parentSucceeded(jobs, r.marks, 'b')
    assert.deepEqual(r.ready, ['c'])
    assert.deepEqual(r.marks, {}, 'c ran: its marks are cleared')
    r = parentSucceeded(jobs, r.marks, 'b')
    assert.deepEqual(r.ready, [], 'after its run c waits for both again')
  })

  test('a disabled child does not run', () => {
    const jobs = jobsOf(scheduled('a'), dependent('c', ['a'], {disabled: true}))
    assert.deepEqual(parentSucceeded(jobs, {}, 'a').ready, [])
  })

  test('the graph stays sound: parents exist and no job depends on itself', () => {
    const jobs = jobsOf(scheduled('a'), dependent('b', ['a']), dependent('c', ['b']))
    assert.throws(() => checkGraph(jobs, dependent('x', ['nope'])), /parent 'nope' does not exist/)
    assert.throws(() => checkGraph(jobs, dependent('a', ['c'])), /would depend on itself/)
    checkGraph(jobs, dependent('d', ['b', 'c']))
  })

  test('graph csv and dot', () => {
    const jobs = jobsOf(scheduled('a', {lastSuccess: '2026-05-01T10:00:00Z'}), scheduled('b', {lastSuccess: '2026-05-01T10:00:00Z', lastError: '2026-05-01T11:00:00Z'}), dependent('c', ['a', 'b']))
    assert.equal(graphCsv(jobs, (n) => (n === 'a' ? 'running' : 'idle')), 'node,a,success,running\nnode,b,failure,idle\nnode,c,fresh,idle\nlink,a,c\nlink,b,c\n')
    const dot = graphDot(jobs)
    assert.match(dot, /^digraph G \{/)
    assert.match(dot, /"a" -> "c";/)
    assert.match(dot, /"b" \[fillcolor="red"\];/)
  })

  test('run arguments are appended shell-quoted', () => {
    assert.equal(shellCommand(scheduled('a', {command: 'echo'}), ['x', "it's", '$HOME']), `echo x 'it'\\''s' '$HOME'`)
  })

  test('search is a case-insensitive substring match', () => {
    const jobs = [scheduled('Nightly-Backup', {command: 'backup.sh'}), scheduled('report', {command: 'make report'})]
    assert.deepEqual(searchJobs(jobs, {name: 'backup'}).map((j) => j.name), ['Nightly-Backup'])
    assert.deepEqual(searchJobs(jobs, {command: 'MAKE'}).map((j) => j.name), ['report'])
    assert.deepEqual(searchJobs(jobs, {any: 'sh'}).map((j) => j.name), ['Nightly-Backup'])
  })
})
