import assert from 'node:assert/strict'
import {once} from 'node:events'
import {afterEach, describe, test} from 'node:test'
import {resubscribeOnError, SchedulerDriver, SchedulerError, type SchedulerDriverOptions, type SubscribedInfo} from '../../src/mesos/driver'
import {leaderUrl, normalizeMasterUrl} from '../../src/mesos/http-client'
import type {Offer, TaskStatus} from '../../src/mesos/types'
import {HttpError} from '../../src/runtime/http'
import {StandInMaster, type StandInOptions} from './driver-stand-in-master'

const frameworkInfo = {user: 'root', name: 'driver-test', failover_timeout: 60}
const cleanups: (() => unknown)[] = []

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function master(opts: StandInOptions = {}): Promise<StandInMaster> {
  const m = await StandInMaster.start(opts)
  cleanups.push(() => m.close())
  return m
}

function driver(masterUrl: string, opts: Partial<SchedulerDriverOptions> = {}): SchedulerDriver {
  const d = new SchedulerDriver({masterUrl, frameworkInfo, backoff: {minMs: 20, maxMs: 100}, ...opts})
  cleanups.push(() => d.stop({failover: true}))
  return d
}

async function subscribed(d: SchedulerDriver): Promise<SubscribedInfo> {
  const [info] = (await once(d, 'subscribed')) as [SubscribedInfo]
  return info
}

const offer = (n: number, frameworkId: string): Offer => ({
  id: {value: `O${n}`},
  framework_id: {value: frameworkId},
  agent_id: {value: 'A1'},
  hostname: 'agent1',
  resources: [{name: 'cpus', type: 'SCALAR', scalar: {value: 2}}],
  attributes: [],
  executor_ids: [],
})

describe('SchedulerDriver', () => {
  test('subscribes over RecordIO and emits typed events', async () => {
    const m = await master()
    const d = driver(m.url)
    const offers: Offer[][] = []
    const rescinded: string[] = []
    const updates: TaskStatus[] = []
    d.on('offers', (o) => offers.push(o))
    d.on('rescind', (id) => rescinded.push(id))
    d.on('update', (s) => updates.push(s))
    d.start()
    const info = await subscribed(d)
    assert.equal(info.frameworkId, `${m.masterId}-0000`)
    assert.equal(info.heartbeatIntervalSeconds, 15)
    assert.equal(info.resubscribed, false)
    assert.equal(d.frameworkId, info.frameworkId)
    assert.equal(d.subscribed, true)

    const sub = m.subscribes[0]
    assert.deepEqual(sub.call, {type: 'SUBSCRIBE', subscribe: {framework_info: frameworkInfo}})
    assert.equal(sub.headers['content-type'], 'application/json')
    assert.equal(sub.headers.accept, 'application/json')

    m.send({type: 'OFFERS', offers: {offers: [offer(1, info.frameworkId)]}})
    m.send({type: 'RESCIND', rescind: {offer_id: {value: 'O1'}}})
    m.send({type: 'UPDATE', update: {status: {task_id: {value: 'T1'}, state: 'TASK_RUNNING', agent_id: {value: 'A1'}, uuid: 'dXVpZA=='}}})
    await m.waitFor('the update', () => updates.length === 1)
    assert.equal(offers[0][0].id.value, 'O1')
    assert.deepEqual(rescinded, ['O1'])
    assert.equal(updates[0].state, 'TASK_RUNNING')
    // No implicit acknowledgement by default.
    await new Promise((r) => setTimeout(r, 50))
    assert.deepEqual(m.callsOf('ACKNOWLEDGE'), [])
  })

  test('accepts the doc-style OFFERS and ERROR shapes too', async () => {
    const m = await master()
    const d = driver(m.url)
    d.start()
    const {frameworkId} = await subscribed(d)
    const offers = once(d, 'offers')
    m.sendRaw(encodeDocEvent({type: 'OFFERS', offers: [offer(7, frameworkId)]}))
    assert.equal(((await offers)[0] as Offer[])[0].id.value, 'O7')
    const error = once(d, 'error')
    m.sendRaw(encodeDocEvent({type: 'ERROR', message: 'Framework is not authorized'}))
    assert.equal(((await error)[0] as SchedulerError).message, 'Framework is not authorized')
  })

  test('sends every call with framework_id and the Mesos-Stream-Id, in the v1 shapes', async () => {
    const m = await master()
    const d = driver(m.url)
    d.start()
    const {frameworkId} = await subscribed(d)
    const launch = {
      type: 'LAUNCH' as const,
      launch: {task_infos: [{name: 't', task_id: {value: 't'}, agent_id: {value: 'A1'}, resources: [], command: {value: 'true'}}]},
    }
    await d.accept(['O1'], [launch], {refuse_seconds: 5})
    await d.decline(['O2', 'O3'], {refuse_seconds: 120})
    await d.decline(['O4'])
    await d.revive(['r1'])
    await d.revive()
    await d.suppress(['r1'])
    await d.kill('t', 'A1', {grace_period: {nanoseconds: 5e9}})
    await d.kill('u')
    await d.shutdown('E1', 'A1')
    await d.acknowledge({task_id: {value: 't'}, state: 'TASK_RUNNING', agent_id: {value: 'A1'}, uuid: 'dXVpZA=='})
    await d.acknowledge({task_id: {value: 't'}, state: 'TASK_LOST', source: 'SOURCE_MASTER'}) // no uuid: nothing sent
    await d.reconcile([{taskId: 't', agentId: 'A1'}, {taskId: 'u'}])
    await d.reconcile()
    await d.message('A1', 'E1', 'hello')

    const fid = {value: frameworkId}
    assert.deepEqual(
      m.calls.map((c) => c.call),
      [
        {framework_id: fid, type: 'ACCEPT', accept: {offer_ids: [{value: 'O1'}], operations: [launch], filters: {refuse_seconds: 5}}},
        {framework_id: fid, type: 'DECLINE', decline: {offer_ids: [{value: 'O2'}, {value: 'O3'}], filters: {refuse_seconds: 120}}},
        {framework_id: fid, type: 'DECLINE', decline: {offer_ids: [{value: 'O4'}]}},
        {framework_id: fid, type: 'REVIVE', revive: {roles: ['r1']}},
        {framework_id: fid, type: 'REVIVE'},
        {framework_id: fid, type: 'SUPPRESS', suppress: {roles: ['r1']}},
        {framework_id: fid, type: 'KILL', kill: {task_id: {value: 't'}, agent_id: {value: 'A1'}, kill_policy: {grace_period: {nanoseconds: 5e9}}}},
        {framework_id: fid, type: 'KILL', kill: {task_id: {value: 'u'}}},
        {framework_id: fid, type: 'SHUTDOWN', shutdown: {executor_id: {value: 'E1'}, agent_id: {value: 'A1'}}},
        {framework_id: fid, type: 'ACKNOWLEDGE', acknowledge: {agent_id: {value: 'A1'}, task_id: {value: 't'}, uuid: 'dXVpZA=='}},
        {framework_id: fid, type: 'RECONCILE', reconcile: {tasks: [{task_id: {value: 't'}, agent_id: {value: 'A1'}}, {task_id: {value: 'u'}}]}},
        {framework_id: fid, type: 'RECONCILE', reconcile: {tasks: []}},
        {framework_id: fid, type: 'MESSAGE', message: {agent_id: {value: 'A1'}, executor_id: {value: 'E1'}, data: 'aGVsbG8='}},
      ],
    )
    for (const c of m.calls) assert.equal(c.streamId, m.streamId)
  })

  test('refuses calls before SUBSCRIBED and after stop, and surfaces the master’s refusals', async () => {
    const m = await master({
      onCall: (call) => {
        if (call.type === 'KILL') throw new HttpError(400, "Failed to validate scheduler::Call: Expecting 'kill' to be present")
      },
    })
    const d = driver(m.url)
    await assert.rejects(d.revive(), (e: SchedulerError) => e.code === 'NOT_SUBSCRIBED' && e.callType === 'REVIVE')
    d.start()
    await subscribed(d)
    await assert.rejects(d.kill('t'), (e: SchedulerError) => {
      assert.equal(e.code, 'CALL_REJECTED')
      assert.equal(e.status, 400)
      assert.equal(e.callType, 'KILL')
      assert.match(e.message, /^KILL was rejected \(400 Bad Request\): Failed to validate scheduler::Call: Expecting 'kill' to be present$/)
      return true
    })
    await d.stop({failover: true})
    await assert.rejects(d.revive(), (e: SchedulerError) => e.code === 'STOPPED')
  })

  test('re-subscribes with its framework id after the stream closes (failover)', async () => {
    const m = await master()
    const d = driver(m.url)
    const disconnects: SchedulerError[] = []
    d.on('disconnected', (reason) => disconnects.push(reason))
    d.start()
    const first = await subscribed(d)
    const firstStream = m.streamId
    const again = subscribed(d)
    m.closeStream()
    const second = await again
    assert.equal(second.frameworkId, first.frameworkId)
    assert.equal(second.resubscribed, true)
    assert.equal(disconnects.length, 1)
    assert.equal(disconnects[0].code, 'STREAM_CLOSED')
    const resub = m.subscribes[1].call
    assert.deepEqual(resub.framework_id, {value: first.frameworkId})
    assert.deepEqual(resub.subscribe?.framework_info.id, {value: first.frameworkId})
    assert.notEqual(m.streamId, firstStream)
    await d.revive()
    assert.equal(m.calls[0].streamId, m.streamId, 'calls use the new stream id')
  })

  test('a driver given a framework id fails over to it on its first subscription', async () => {
    const m = await master()
    const d = driver(m.url, {frameworkInfo: {...frameworkInfo, id: {value: 'F-old'}}})
    d.start()
    const info = await subscribed(d)
    assert.equal(info.frameworkId, 'F-old')
    assert.equal(info.resubscribed, true)
    assert.deepEqual(m.subscribes[0].call.framework_id, {value: 'F-old'})
  })

  test('heartbeats keep the stream alive; missing heartbeats make the driver reconnect', async () => {
    const m = await master({heartbeatIntervalSeconds: 0.05, heartbeats: true})
    const d = driver(m.url)
    let heartbeats = 0
    const disconnects: SchedulerError[] = []
    d.on('heartbeat', () => heartbeats++)
    d.on('disconnected', (reason) => disconnects.push(reason))
    d.start()
    await subscribed(d)
    await new Promise((r) => setTimeout(r, 1600)) // longer than the 1.25 s watchdog
    assert.ok(heartbeats >= 10, `heartbeats seen: ${heartbeats}`)
    assert.deepEqual(disconnects, [])

    // A partition: the connection stays open but nothing arrives.
    const silent = await master({heartbeatIntervalSeconds: 0.05})
    const d2 = driver(silent.url)
    d2.start()
    await subscribed(d2)
    const started = Date.now()
    const [reason] = (await once(d2, 'disconnected')) as [SchedulerError]
    const waited = Date.now() - started
    assert.equal(reason.code, 'STREAM_CLOSED')
    assert.match(reason.message, /missed heartbeats/)
    assert.ok(waited >= 1100 && waited < 3000, `watchdog fired after ${waited} ms`)
    await silent.waitFor('the re-subscription', () => silent.subscribes.length === 2)
  })

  test('follows 307 redirects to the leading master (protocol-relative and bare host:port)', async () => {
    const leader = await master()
    const relative = await master({redirectTo: `//127.0.0.1:${leader.port}/api/v1/scheduler`})
    const bare = await master({redirectTo: `127.0.0.1:${leader.port}`})
    for (const standby of [relative, bare]) {
      const d = driver(standby.url)
      d.start()
      await subscribed(d)
      await d.revive()
      await d.stop({failover: true})
    }
    assert.equal(leader.subscribes.length, 2)
    assert.equal(leader.callsOf('REVIVE').length, 2)
  })

  test('gives up after too many redirects and retries later', async () => {
    const looping = await master({redirectTo: 'placeholder'})
    looping.opts.redirectTo = `//127.0.0.1:${looping.port}` // a standby that names itself leader
    const d = driver(looping.url)
    d.start()
    const [reason] = (await once(d, 'disconnected')) as [SchedulerError]
    assert.equal(reason.code, 'CONNECTION_FAILED')
    assert.match(reason.message, /redirected more than 5 times/)
  })

  test('speaks through a path prefix (a gateway URL + /mesos) and sends the extra headers', async () => {
    const m = await master({prefix: '/mesos'})
    const d = driver(`${m.url}/`, {headers: () => ({Authorization: 'token=abc'})})
    d.start()
    await subscribed(d)
    await d.suppress()
    assert.equal(m.subscribes[0].headers.authorization, 'token=abc')
    assert.equal(m.calls[0].headers.authorization, 'token=abc')
  })

  test('implicit acknowledgements ack after the update listeners ran', async () => {
    const m = await master()
    const d = driver(m.url, {implicitAcknowledgements: true})
    const seen: string[] = []
    d.on('update', (s) => seen.push(`${s.state}:${m.callsOf('ACKNOWLEDGE').length}`))
    d.start()
    await subscribed(d)
    m.send({type: 'UPDATE', update: {status: {task_id: {value: 'T'}, state: 'TASK_RUNNING', agent_id: {value: 'A'}, uuid: 'AAAA'}}})
    m.send({type: 'UPDATE', update: {status: {task_id: {value: 'T'}, state: 'TASK_LOST', source: 'SOURCE_MASTER'}}})
    await m.waitFor('the acknowledgement', () => m.callsOf('ACKNOWLEDGE').length === 1)
    await new Promise((r) => setTimeout(r, 50))
    assert.deepEqual(seen, ['TASK_RUNNING:0', 'TASK_LOST:0'])
    assert.deepEqual(m.callsOf('ACKNOWLEDGE')[0].acknowledge, {agent_id: {value: 'A'}, task_id: {value: 'T'}, uuid: 'AAAA'})
  })

  test('stop() tears the framework down; stop({failover: true}) only closes the stream', async () => {
    const m = await master()
    const d = driver(m.url)
    d.on('disconnected', () => assert.fail('the stream ending after TEARDOWN is no disconnection'))
    d.start()
    await subscribed(d)
    await d.stop()
    assert.equal(m.callsOf('TEARDOWN').length, 1)
    await m.waitFor('the stream to close', () => !m.connected)
    await new Promise((r) => setTimeout(r, 150))
    assert.equal(m.subscribes.length, 1)

    const m2 = await master()
    const d2 = driver(m2.url)
    d2.on('disconnected', () => assert.fail('a stopped driver must not reconnect'))
    d2.start()
    await subscribed(d2)
    await d2.stop({failover: true})
    await m2.waitFor('the stream to close', () => !m2.connected)
    await new Promise((r) => setTimeout(r, 150))
    assert.equal(m2.callsOf('TEARDOWN').length, 0)
    assert.equal(m2.subscribes.length, 1)
  })

  test('an ERROR event aborts the driver before error is emitted', async () => {
    const m = await master()
    const d = driver(m.url)
    d.start()
    await subscribed(d)
    const error = once(d, 'error')
    m.send({type: 'ERROR', error: {message: 'Framework has been removed'}})
    const [e] = (await error) as [SchedulerError]
    assert.equal(e.code, 'FRAMEWORK_ERROR')
    assert.equal(e.message, 'Framework has been removed')
    assert.equal(d.subscribed, false)
    await assert.rejects(d.revive(), (x: SchedulerError) => x.code === 'STOPPED')
    await new Promise((r) => setTimeout(r, 100))
    assert.equal(m.subscribes.length, 1)
  })

  test('a refused SUBSCRIBE is fatal for 4xx and retried for 5xx', async () => {
    const bad = await master({refuseSubscribe: {status: 400, message: "Failed to validate scheduler::Call: 'framework_info.user' is missing"}})
    const d = driver(bad.url)
    d.start()
    const [e] = (await once(d, 'error')) as [SchedulerError]
    assert.equal(e.code, 'SUBSCRIBE_REFUSED')
    assert.equal(e.status, 400)
    assert.match(e.message, /framework_info\.user' is missing/)

    const recovering = await master({refuseSubscribe: {status: 503, message: 'Master has not finished recovery'}})
    const d2 = driver(recovering.url)
    d2.start()
    const [reason] = (await once(d2, 'disconnected')) as [SchedulerError]
    assert.equal(reason.code, 'CONNECTION_FAILED')
    assert.equal(reason.status, 503)
    await recovering.waitFor('a retry', () => recovering.subscribes.length >= 2)
    recovering.opts.refuseSubscribe = undefined
    await subscribed(d2)
  })

  test('reports an unreachable master and keeps retrying with backoff', async () => {
    const m = await master()
    const url = m.url
    await m.close()
    const d = driver(url)
    const delays: number[] = []
    d.on('disconnected', (reason, retryInMs) => {
      assert.equal(reason.code, 'CONNECTION_FAILED')
      assert.match(reason.message, /^connection refused \(127\.0\.0\.1:\d+\)$/)
      delays.push(retryInMs)
    })
    d.start()
    while (delays.length < 5) await once(d, 'disconnected')
    for (const delay of delays) assert.ok(delay >= 10 && delay <= 100, `delay ${delay}`)
    assert.ok(delays[4] >= 50, 'the backoff grows to its maximum')
  })

  test('a garbled stream is a protocol error that triggers a re-subscription', async () => {
    const m = await master()
    const d = driver(m.url)
    d.start()
    await subscribed(d)
    const lost = once(d, 'disconnected')
    m.sendRaw('x\n{}')
    const [reason] = (await lost) as [SchedulerError]
    assert.equal(reason.code, 'PROTOCOL')
    assert.match(reason.message, /bad length prefix/)
    await subscribed(d)
  })
})

describe('master URLs', () => {
  test('normalizeMasterUrl keeps a path prefix and drops the trailing slash', () => {
    assert.equal(normalizeMasterUrl('http://127.0.0.1:5050/'), 'http://127.0.0.1:5050')
    assert.equal(normalizeMasterUrl('http://gw:8080/mesos/'), 'http://gw:8080/mesos')
    assert.throws(() => normalizeMasterUrl('127.0.0.1:5050'), /invalid master URL/)
    assert.throws(() => normalizeMasterUrl('https://gw/mesos'), /only http:\/\//)
  })

  test('leaderUrl resolves the Location forms masters send', () => {
    const current = 'http://gw:80/mesos'
    assert.equal(leaderUrl(current, '//m2:5050/api/v1/scheduler'), 'http://m2:5050')
    assert.equal(leaderUrl(current, '//m2:5050/master/api/v1/scheduler'), 'http://m2:5050/master')
    assert.equal(leaderUrl(current, '//m2:5050'), 'http://m2:5050')
    assert.equal(leaderUrl(current, 'm2:5050'), 'http://m2:5050')
    assert.equal(leaderUrl(current, 'http://m2:5050/api/v1/scheduler'), 'http://m2:5050')
    assert.equal(leaderUrl(current, '/other/api/v1/scheduler'), 'http://gw/other')
  })
})

/** Doc-example event shapes (top-level `offers` list, top-level `message`) framed as RecordIO. */
function encodeDocEvent(event: object): string {
  const json = JSON.stringify(event)
  return `${Buffer.byteLength(json)}\n${json}`
}

describe('resubscribeOnError', () => {
  const silent = {info() {}, warn() {}, error() {}}
  test('forgets a removed framework, subscribes again a second later, and does nothing once stopped', async () => {
    const driver = new SchedulerDriver({masterUrl: 'http://127.0.0.1:1', frameworkInfo: {user: 'u', name: 'n'}})
    const calls: string[] = []
    let stopped = false
    resubscribeOnError(driver, {name: 'test', log: silent, stopped: () => stopped, removed: () => calls.push('removed'), resubscribe: () => calls.push('resubscribe')})
    driver.emit('error', new SchedulerError('FRAMEWORK_ERROR', 'Framework has been removed'))
    assert.deepEqual(calls, ['removed'])
    await new Promise((r) => setTimeout(r, 1100))
    assert.deepEqual(calls, ['removed', 'resubscribe'])
    driver.emit('error', new SchedulerError('FRAMEWORK_ERROR', 'Framework failed over'))
    stopped = true
    await new Promise((r) => setTimeout(r, 1100))
    assert.deepEqual(calls, ['removed', 'resubscribe'], 'a failover is no removal, and a stopped framework stays stopped')
  })
})
