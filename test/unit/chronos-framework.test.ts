/**
 * Chronos in-process against the stand-in master: its REST API (both path families, validation
 * answered with 400s), how it registers, what tasks it launches, how status updates move counters,
 * retries and dependent jobs, and that a restart on the same state dir fails over to the same
 * framework and reconciles the runs in flight.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import {after, afterEach, describe, test} from 'node:test'
import {startChronos, type ChronosConfig, type ChronosService} from '../../src/frameworks/chronos'
import type {Call, Offer, TaskInfo, TaskState} from '../../src/mesos/types'
import {StandInMaster} from './driver-stand-in-master'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})
after(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chronos-test-'))
  cleanups.push(() => fs.rmSync(dir, {recursive: true, force: true}))
  return dir
}

async function standIn(): Promise<StandInMaster> {
  const master = await StandInMaster.start()
  cleanups.push(() => master.close())
  return master
}

async function chronos(master: StandInMaster, stateDir: string, extra: Partial<ChronosConfig> = {}): Promise<ChronosService> {
  const service = await startChronos({
    masterUrl: master.url,
    frameworkName: 'chronos-test',
    hostname: '127.0.0.1',
    user: 'root',
    role: '*',
    failoverTimeoutSeconds: 604800,
    failureRetryMs: 50,
    disableAfterFailures: 0,
    declineOfferMs: 5000,
    reconnect: {minMs: 20, maxMs: 100},
    stateDir,
    bindHost: '127.0.0.1',
    port: 0,
    ...extra,
  })
  cleanups.push(() => service.close())
  return service
}

interface Answer {
  status: number
  text: string
}

function call(base: string, method: string, p: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const req = http.request(base + p, {method, agent: false, headers: {...(text !== undefined && {'Content-Type': 'application/json'}), ...headers}}, (res) => {
      let data = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (data += d))
      res.on('end', () => resolve({status: res.statusCode ?? 0, text: data}))
    })
    req.on('error', reject)
    req.end(text)
  })
}

const OFFER_RESOURCES = [
  {name: 'cpus', type: 'SCALAR' as const, scalar: {value: 4}, role: '*'},
  {name: 'mem', type: 'SCALAR' as const, scalar: {value: 4096}, role: '*'},
  {name: 'disk', type: 'SCALAR' as const, scalar: {value: 10000}, role: '*'},
]
let offerSeq = 0

function offer(frameworkId: string): Offer {
  return {id: {value: `offer-${offerSeq++}`}, framework_id: {value: frameworkId}, agent_id: {value: 'agent-1'}, hostname: 'agent-host', resources: structuredClone(OFFER_RESOURCES), attributes: [], executor_ids: []}
}

/** Sends offers until Chronos launches something, and returns the tasks of that ACCEPT. */
async function launched(master: StandInMaster, frameworkId: string): Promise<TaskInfo[]> {
  const before = master.callsOf('ACCEPT').length
  master.send({type: 'OFFERS', offers: {offers: [offer(frameworkId)]}})
  const accept = await master.waitFor('an ACCEPT', () => master.callsOf('ACCEPT')[before] as Call | undefined)
  return accept.accept!.operations.flatMap((o) => o.launch?.task_infos ?? [])
}

function update(master: StandInMaster, taskId: string, state: TaskState, uuid = Buffer.from(`${taskId}-${state}`).toString('base64')): void {
  master.send({type: 'UPDATE', update: {status: {task_id: {value: taskId}, state, agent_id: {value: 'agent-1'}, uuid, source: 'SOURCE_EXECUTOR'}}})
}

async function jobsOf(url: string): Promise<Record<string, any>> {
  const r = await call(url, 'GET', '/scheduler/jobs')
  return Object.fromEntries((JSON.parse(r.text) as any[]).map((j) => [j.name, j]))
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('Chronos framework', () => {
  test('registers with its name, its API as webui_url, a failover timeout and checkpointing', async () => {
    const master = await standIn()
    const service = await chronos(master, tempDir())
    const sub = await master.waitFor('SUBSCRIBE', () => master.subscribes[0])
    const info = sub.call.subscribe!.framework_info
    assert.equal(info.name, 'chronos-test')
    assert.equal(info.webui_url, service.url)
    assert.equal(info.failover_timeout, 604800)
    assert.equal(info.checkpoint, true)
  })

  test('launches a run-now as a task with Chronos id, command, env, uris and resources; success counts and runs the child', async () => {
    const master = await standIn()
    const service = await chronos(master, tempDir())
    await master.waitFor('subscribed', () => service.scheduler.frameworkId)
    const fw = service.scheduler.frameworkId!
    const job = {
      name: 'hello',
      command: 'echo hi',
      schedule: 'R/2099-01-01T00:00:00Z/P1D',
      cpus: 0.2,
      mem: 64,
      disk: 10,
      uris: ['http://example.invalid/data.tgz'],
      environmentVariables: [{name: 'GREETING', value: 'hello'}],
    }
    assert.equal((await call(service.url, 'POST', '/scheduler/iso8601', job)).status, 204)
    assert.equal((await call(service.url, 'POST', '/v1/scheduler/dependency', {name: 'child', command: 'echo child', parents: ['hello']})).status, 204)
    assert.equal((await call(service.url, 'PUT', '/scheduler/job/hello?arguments=x%20y')).status, 204)
    await master.waitFor('REVIVE', () => master.callsOf('REVIVE').length > 0)
    const [task] = await launched(master, fw)
    assert.match(task.task_id.value, /^ct:\d{13}:0:hello:x y$/)
    assert.equal(task.name, 'ChronosTask:hello')
    assert.equal(task.command!.shell, true)
    assert.equal(task.command!.value, 'echo hi x y')
    assert.deepEqual(task.command!.uris, [{value: 'http://example.invalid/data.tgz'}])
    const env = Object.fromEntries(task.command!.environment!.variables.map((v) => [v.name, v.value]))
    assert.equal(env.GREETING, 'hello')
    assert.equal(env.CHRONOS_JOB_NAME, 'hello')
    assert.equal(env.mesos_task_id, task.task_id.value)
    const amount = (n: string) => task.resources.filter((r) => r.name === n).reduce((s, r) => s + (r.scalar?.value ?? 0), 0)
    assert.deepEqual([amount('cpus'), amount('mem'), amount('disk')], [0.2, 64, 10])
    assert.match((await call(service.url, 'GET', '/scheduler/graph/csv')).text, /node,hello,fresh,running/)

    update(master, task.task_id.value, 'TASK_RUNNING')
    await master.waitFor('the RUNNING update acknowledged', () => master.callsOf('ACKNOWLEDGE').length === 1)
    update(master, task.task_id.value, 'TASK_FINISHED')
    await master.waitFor('the FINISHED update acknowledged', () => master.callsOf('ACKNOWLEDGE').length === 2)
    const jobs = await jobsOf(service.url)
    assert.equal(jobs.hello.successCount, 1)
    assert.match(jobs.hello.lastSuccess, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    const [child] = await launched(master, fw)
    assert.match(child.task_id.value, /^ct:\d+:0:child:$/, 'the dependent job runs once its parent succeeded')
  })

  test('a scheduled job runs at its due time, and its schedule counts down to R0', async () => {
    const master = await standIn()
    const service = await chronos(master, tempDir())
    await master.waitFor('subscribed', () => service.scheduler.frameworkId)
    const fw = service.scheduler.frameworkId!
    const start = Date.now() + 300
    const schedule = `R2/${new Date(start).toISOString()}/PT1S`
    assert.equal((await call(service.url, 'POST', '/scheduler/iso8601', {name: 'tick', command: 'true', schedule})).status, 204)
    assert.equal((await jobsOf(service.url)).tick.schedule, schedule, 'nothing due yet')
    await master.waitFor('REVIVE', () => master.callsOf('REVIVE').length > 0, 3000)
    const [first] = await launched(master, fw)
    assert.equal(first.task_id.value, `ct:${start}:0:tick:`, 'the task id carries the due time')
    assert.ok(Date.now() >= start)
    assert.equal((await jobsOf(service.url)).tick.schedule, `R1/${new Date(start + 1000).toISOString()}/PT1S`)
    // The queue emptied (SUPPRESS); the next due run asks for offers again.
    await master.waitFor('a second REVIVE', () => master.callsOf('REVIVE').length >= 2, 3000)
    const [second] = await launched(master, fw)
    assert.equal(second.task_id.value, `ct:${start + 1000}:0:tick:`)
    assert.match((await jobsOf(service.url)).tick.schedule, /^R0\//)
  })

  test('a start missed by more than epsilon is skipped forward, not run', async () => {
    const master = await standIn()
    const service = await chronos(master, tempDir())
    await master.waitFor('subscribed', () => service.scheduler.frameworkId)
    const past = Date.parse('2020-01-01T00:00:00Z')
    const r = await call(service.url, 'POST', '/scheduler/iso8601', {name: 'late', command: 'true', schedule: `R/${new Date(past).toISOString()}/PT1H`, epsilon: 'PT1S'})
    assert.equal(r.status, 204)
    const next = Date.parse((await jobsOf(service.url)).late.schedule.split('/')[1])
    assert.ok(next > Date.now() && next - Date.now() <= 3600_000, `the next run is within the hour: ${new Date(next).toISOString()}`)
    assert.equal((next - past) % 3600_000, 0, 'on the hour of the original schedule')
    await new Promise((resolve) => setTimeout(resolve, 200))
    assert.equal(service.scheduler.runs.length, 0, 'no run was queued for the missed times')
  })

  test('a failed run is retried after failure_retry, then recorded as an error', async () => {
    const master = await standIn()
    const service = await chronos(master, tempDir())
    await master.waitFor('subscribed', () => service.scheduler.frameworkId)
    const fw = service.scheduler.frameworkId!
    await call(service.url, 'POST', '/scheduler/iso8601', {name: 'flaky', command: 'exit 1', schedule: 'R/2099-01-01T00:00:00Z/P1D', retries: 1})
    await call(service.url, 'PUT', '/scheduler/job/flaky')
    const [first] = await launched(master, fw)
    assert.match(first.task_id.value, /^ct:\d+:0:flaky:$/)
    update(master, first.task_id.value, 'TASK_FAILED')
    await master.waitFor('ack', () => master.callsOf('ACKNOWLEDGE').length === 1)
    assert.equal((await jobsOf(service.url)).flaky.errorCount, 0, 'a failure with retries left is not an error yet')
    await new Promise((r) => setTimeout(r, 80))
    const [second] = await launched(master, fw)
    assert.equal(second.task_id.value, first.task_id.value.replace(':0:flaky:', ':1:flaky:'), 'the retry keeps the due time, attempt 1')
    update(master, second.task_id.value, 'TASK_LOST')
    await master.waitFor('ack', () => master.callsOf('ACKNOWLEDGE').length === 2)
    const jobs = await jobsOf(service.url)
    assert.equal(jobs.flaky.errorCount, 1)
    assert.equal(jobs.flaky.errorsSinceLastSuccess, 1)
    assert.notEqual(jobs.flaky.lastError, '')
    assert.match((await call(service.url, 'GET', '/scheduler/graph/csv')).text, /node,flaky,failure,idle/)
  })

  test('TASK_ERROR and TASK_KILLED are neither counted nor retried; a softError job out of retries still runs its children', async () => {
    const master = await standIn()
    const service = await chronos(master, tempDir())
    await master.waitFor('subscribed', () => service.scheduler.frameworkId)
    const fw = service.scheduler.frameworkId!
    await call(service.url, 'POST', '/scheduler/iso8601', {name: 'soft', command: 'exit 1', schedule: 'R/2099-01-01T00:00:00Z/P1D', retries: 0, softError: true})
    await call(service.url, 'POST', '/scheduler/dependency', {name: 'after', command: 'true', parents: ['soft']})
    await call(service.url, 'PUT', '/scheduler/job/soft')
    const [errored] = await launched(master, fw)
    update(master, errored.task_id.value, 'TASK_ERROR')
    await master.waitFor('ack', () => master.callsOf('ACKNOWLEDGE').length === 1)
    await call(service.url, 'PUT', '/scheduler/job/soft')
    const [killed] = await launched(master, fw)
    update(master, killed.task_id.value, 'TASK_KILLED')
    await master.waitFor('ack', () => master.callsOf('ACKNOWLEDGE').length === 2)
    await new Promise((r) => setTimeout(r, 100))
    assert.deepEqual(service.scheduler.runs, [], 'no retry, no child')
    assert.equal((await jobsOf(service.url)).soft.errorCount, 0)
    await call(service.url, 'PUT', '/scheduler/job/soft')
    const [failed] = await launched(master, fw)
    update(master, failed.task_id.value, 'TASK_FAILED')
    await master.waitFor('ack', () => master.callsOf('ACKNOWLEDGE').length === 3)
    const jobs = await jobsOf(service.url)
    assert.equal(jobs.soft.errorCount, 1)
    assert.equal(jobs.soft.successCount, 0)
    const [child] = await launched(master, fw)
    assert.match(child.task_id.value, /^ct:\d+:0:after:$/)
  })

  test("a job's constraints pick the agent its task launches on; an invalid constraint is a 400 and nothing is stored", async () => {
    const master = await standIn()
    const service = await chronos(master, tempDir())
    await master.waitFor('subscribed', () => service.scheduler.frameworkId)
    const fw = service.scheduler.frameworkId!
    const bad = await call(service.url, 'POST', '/scheduler/iso8601', {name: 'placed', command: 'true', constraints: [['rack', 'LIKE', 'r[']]})
    assert.equal(bad.status, 400)
    assert.match(bad.text, /constraints\[0\]: 'r\[' is not a valid regular expression for LIKE/)
    assert.equal((await call(service.url, 'GET', '/scheduler/jobs')).text, '[]')
    const r = await call(service.url, 'POST', '/scheduler/iso8601', {name: 'placed', command: 'true', schedule: 'R/2099-01-01T00:00:00Z/P1D', constraints: [['rack', 'EQUALS', 'r2']]})
    assert.equal(r.status, 204)
    await call(service.url, 'PUT', '/scheduler/job/placed')
    const before = master.callsOf('ACCEPT').length
    const declines = master.callsOf('DECLINE').length
    const o1 = {...offer(fw), attributes: [{name: 'rack', type: 'TEXT' as const, text: {value: 'r1'}}]}
    const o2 = {...offer(fw), agent_id: {value: 'agent-2'}, attributes: [{name: 'rack', type: 'TEXT' as const, text: {value: 'r2'}}]}
    master.send({type: 'OFFERS', offers: {offers: [o1, o2]}})
    const accept = await master.waitFor('an ACCEPT', () => master.callsOf('ACCEPT')[before] as Call | undefined)
    assert.deepEqual(accept.accept!.offer_ids.map((o) => o.value), [o2.id.value])
    assert.equal(accept.accept!.operations[0].launch!.task_infos[0].agent_id.value, 'agent-2')
    await master.waitFor('the other offer declined', () => master.callsOf('DECLINE').length > declines)
  })

  test('a restart on the same state dir keeps the jobs, fails over to the same framework id and reconciles the runs in flight', async () => {
    const master = await standIn()
    const dir = tempDir()
    const first = await chronos(master, dir)
    await master.waitFor('subscribed', () => first.scheduler.frameworkId)
    const fw = first.scheduler.frameworkId!
    await call(first.url, 'POST', '/scheduler/iso8601', {name: 'kept', command: 'sleep 100', schedule: 'R/2099-01-01T00:00:00Z/P1D', successCount: 7})
    await call(first.url, 'PUT', '/scheduler/job/kept')
    const [task] = await launched(master, fw)
    await first.close()
    const second = await chronos(master, dir)
    const sub = await master.waitFor('a second SUBSCRIBE', () => master.subscribes[1])
    assert.equal(sub.call.framework_id?.value, fw)
    assert.equal(sub.call.subscribe!.framework_info.id?.value, fw)
    const reconcile = await master.waitFor('RECONCILE', () => master.callsOf('RECONCILE')[0])
    assert.deepEqual(reconcile.reconcile!.tasks!.map((t) => t.task_id.value), [task.task_id.value])
    assert.equal((await jobsOf(second.url)).kept.successCount, 7)
    update(master, task.task_id.value, 'TASK_FINISHED')
    await until('the run to count', async () => (await jobsOf(second.url)).kept.successCount === 8)
  })
})

describe('Chronos REST API', () => {
  test('both path families; search, graph, delete, kill, leader, ping', async () => {
    const master = await standIn()
    const service = await chronos(master, tempDir())
    const u = service.url
    for (const p of ['/scheduler', '/v1/scheduler']) assert.equal((await call(u, 'GET', `${p}/jobs`)).text, '[]')
    assert.equal((await call(u, 'PUT', '/v1/scheduler/iso8601', {name: 'Nightly Backup', command: 'backup.sh'})).status, 204)
    assert.equal((await call(u, 'POST', '/scheduler/iso8601', {name: 'report', command: 'make report', schedule: 'R/2099-01-01T00:00:00Z/P1D'})).status, 204)
    assert.equal((await call(u, 'POST', '/scheduler/dependency', {name: 'mail', command: 'mail', parents: ['report']})).status, 204)
    const found = JSON.parse((await call(u, 'GET', '/scheduler/jobs/search?name=backup')).text)
    assert.deepEqual(found.map((j: any) => j.name), ['Nightly Backup'])
    assert.match(found[0].schedule, /^R0\/\d{4}-/, 'no schedule given: R1//PT24H, which runs once, at once')
    const dot = (await call(u, 'GET', '/v1/scheduler/graph/dot')).text
    assert.match(dot, /"report" -> "mail";/)
    assert.deepEqual(JSON.parse((await call(u, 'GET', '/scheduler/leader')).text), {leader: `127.0.0.1:${new URL(u).port}`})
    assert.equal((await call(u, 'GET', '/ping')).text, 'pong\n')
    assert.equal((await call(u, 'DELETE', '/scheduler/task/kill/report')).status, 204)
    assert.equal((await call(u, 'DELETE', '/scheduler/job/report')).status, 204)
    const jobs = await jobsOf(u)
    assert.deepEqual(Object.keys(jobs).sort(), ['Nightly Backup', 'mail'])
    assert.match(jobs.mail.schedule, /^R0\//, 'a child left without parents runs no more')
    const summary = JSON.parse((await call(u, 'GET', '/v1/scheduler/jobs/summary')).text)
    assert.equal(summary.jobs.length, 2)
  })

  test('an update keeps the counters unless the body sets them, and may not make a cycle', async () => {
    const master = await standIn()
    const service = await chronos(master, tempDir())
    const u = service.url
    await call(u, 'POST', '/scheduler/iso8601', {name: 'a', command: 'true', successCount: 3})
    await call(u, 'POST', '/scheduler/dependency', {name: 'b', command: 'true', parents: ['a']})
    await call(u, 'POST', '/scheduler/iso8601', {name: 'a', command: 'false'})
    const jobs = await jobsOf(u)
    assert.equal(jobs.a.command, 'false')
    assert.equal(jobs.a.successCount, 3)
    const cycle = await call(u, 'POST', '/scheduler/dependency', {name: 'a', command: 'true', parents: ['b']})
    assert.equal(cycle.status, 400)
    assert.match(cycle.text, /would depend on itself/)
    assert.equal((await jobsOf(u)).a.command, 'false', 'nothing half-applied')
  })

  test('bad input is a 400 with a message (never a 500); unknown paths 404, wrong methods 405, huge bodies 413', async () => {
    const master = await standIn()
    const service = await chronos(master, tempDir())
    const u = service.url
    const cases: [string, string, unknown, RegExp][] = [
      ['POST', '/scheduler/iso8601', '', /empty/],
      ['POST', '/scheduler/iso8601', '{"name":', /Malformed JSON/],
      ['POST', '/scheduler/iso8601', '[]', /JSON object/],
      ['POST', '/scheduler/iso8601', 'null', /JSON object/],
      ['POST', '/scheduler/iso8601', {name: 'x', command: 'y', schedule: 'R/x/y'}, /repeating interval/],
      ['POST', '/scheduler/iso8601', {name: 'x', command: 'y', schedule: 'R//PT1S', scheduleTimeZone: 'Nope/Nope'}, /time zone/],
      ['POST', '/scheduler/iso8601', {name: 'a/b', command: 'y'}, /invalid/],
      ['POST', '/scheduler/iso8601', {name: 'x', command: 'y', retries: 'two'}, /retries/],
      ['POST', '/scheduler/iso8601', {name: 'x', command: 'y', mem: -1}, /mem/],
      ['POST', '/scheduler/iso8601', {name: 'x', command: 'y', environmentVariables: {A: 'b'}}, /environmentVariables/],
      ['POST', '/scheduler/dependency', {name: 'x', command: 'y'}, /parents/],
      ['POST', '/scheduler/dependency', {name: 'x', command: 'y', parents: ['missing']}, /parent 'missing' does not exist/],
      ['PUT', '/scheduler/job/missing', undefined, /Job 'missing' not found/],
      ['PUT', '/scheduler/job/x%2Fy', undefined, /invalid/],
      ['PUT', '/scheduler/job/missing', 'not json', /must be JSON/],
      ['DELETE', '/scheduler/job/missing', undefined, /Job 'missing' not found/],
      ['DELETE', '/v1/scheduler/task/kill/missing', undefined, /Job 'missing' not found/],
      ['PUT', '/v1/scheduler/job/success/missing', undefined, /Job 'missing' not found/],
      ['GET', '/scheduler/jobs/search?limit=-1', undefined, /limit/],
      ['GET', '/scheduler/job/stat/missing', undefined, /not found/],
    ]
    for (const [method, p, body, message] of cases) {
      const r = await call(u, method, p, body, body === undefined ? {} : {'Content-Type': 'application/json'})
      assert.equal(r.status, 400, `${method} ${p} ${JSON.stringify(body)}: ${r.status} ${r.text}`)
      assert.match(r.text, message, `${method} ${p}`)
    }
    assert.equal((await call(u, 'GET', '/scheduler/nope')).status, 404)
    assert.equal((await call(u, 'DELETE', '/scheduler/jobs')).status, 405)
    assert.equal((await call(u, 'POST', '/scheduler/iso8601', {name: 'big', command: 'x'.repeat(300 * 1024)})).status, 413)
    assert.equal((await call(u, 'PUT', '/scheduler/job/x', {arguments: 'a'})).status, 400)
    assert.equal((await call(u, 'GET', '/scheduler/jobs')).text, '[]', 'nothing was created by a refused request')
  })

  test('an authorize hook guards everything but /ping and /', async () => {
    const master = await standIn()
    const dir = tempDir()
    const {HttpError} = await import('../../src/runtime/http')
    const service = await chronos(master, dir, {
      authorize: (req) => {
        if (req.header('authorization') !== 'token=good') throw new HttpError(401, 'no')
      },
    })
    assert.equal((await call(service.url, 'GET', '/ping')).status, 200)
    assert.equal((await call(service.url, 'GET', '/')).status, 200)
    assert.equal((await call(service.url, 'GET', '/scheduler/jobs')).status, 401)
    assert.equal((await call(service.url, 'GET', '/scheduler/jobs', undefined, {Authorization: 'token=good'})).status, 200)
  })
})
