/**
 * The master's contract over its real HTTP APIs: the v1 scheduler API (subscribe, offers,
 * launch, updates, acknowledgements, filters, kill, reconcile, teardown, failover) with an
 * agent played over the agent protocol, and the state endpoints' shapes.
 */
import assert from 'node:assert/strict'
import {afterEach, beforeEach, describe, it} from 'node:test'
import {FakeAgent, Scheduler, TestMaster, getJson, postJson, request, sleep, task, waitFor} from './master-harness'

describe('master: scheduler API', () => {
  let master: TestMaster
  let agent: FakeAgent
  const schedulers: Scheduler[] = []
  const subscribe = async (...args: Parameters<typeof Scheduler.subscribe> extends [string, ...infer R] ? R : never) => {
    const s = await Scheduler.subscribe(master.url, ...args)
    schedulers.push(s)
    return s
  }

  beforeEach(async () => {
    master = await TestMaster.start()
    agent = await FakeAgent.start(master.url)
    await agent.register()
    agent.startHeartbeats(50)
  })
  afterEach(async () => {
    for (const s of schedulers.splice(0)) s.close()
    await agent.close()
    await master.close()
  })

  it('subscribes with a Mesos-Stream-Id and SUBSCRIBED, then offers the agent', async () => {
    const s = await subscribe()
    assert.equal(s.status, 200)
    assert.match(s.streamId, /^[0-9a-f-]{36}$/)
    assert.equal(s.frameworkId, `${master.id}-0000`)
    const subscribed = s.events[0].subscribed!
    assert.equal(subscribed.heartbeat_interval_seconds, 0.2)
    assert.equal(subscribed.master_info!.id, master.id)
    assert.equal(subscribed.master_info!.version, '1.11.0')
    const offer = await s.offer()
    assert.match(offer.id.value, new RegExp(`^${master.id}-O\\d+$`))
    assert.equal(offer.agent_id.value, agent.agentId)
    assert.match(agent.agentId, new RegExp(`^${master.id}-S0$`))
    assert.equal(offer.allocation_info!.role, '*')
    const cpus = offer.resources.find((r) => r.name === 'cpus')!
    assert.deepEqual(cpus, {name: 'cpus', type: 'SCALAR', scalar: {value: 2}, allocation_info: {role: '*'}, role: '*'})
    await s.next('HEARTBEAT')
  })

  it('launches: the agent gets run_task, its statuses reach the framework, ACKs reach the agent', async () => {
    const s = await subscribe()
    const offer = await s.offer()
    assert.equal((await s.launch(offer, [task('t1', offer)])).status, 202)
    const run = await waitFor('run_task', () => agent.callsTo('run_task')[0])
    assert.equal(run.task.task_id.value, 't1')
    assert.equal(run.framework_info.id.value, s.frameworkId)
    assert.deepEqual(run.task.resources[0].allocation_info, {role: '*'})

    let state = await master.state()
    const staged = state.frameworks[0].tasks[0]
    assert.equal(staged.state, 'TASK_STAGING')
    assert.equal(staged.executor_id, '')
    assert.equal(staged.slave_id, agent.agentId)
    assert.equal(staged.role, '*')
    assert.deepEqual(staged.resources, {cpus: 0.1, gpus: 0, mem: 32, disk: 0})
    assert.deepEqual(staged.statuses, [])

    assert.equal((await agent.status(s.frameworkId, 't1', 'TASK_RUNNING', {uuid: 'AAAAAAAAAAAAAAAAAAAAAA=='})).status, 202)
    const running = await s.update('t1', 'TASK_RUNNING')
    assert.equal(running.uuid, 'AAAAAAAAAAAAAAAAAAAAAA==')
    // The agent re-sends until acknowledged: relayed again, recorded once.
    await agent.status(s.frameworkId, 't1', 'TASK_RUNNING', {uuid: 'AAAAAAAAAAAAAAAAAAAAAA=='})
    await waitFor('the repeat', () => s.updates('t1').length === 2)
    state = await master.state()
    assert.equal(state.frameworks[0].tasks[0].state, 'TASK_RUNNING')
    assert.equal(state.frameworks[0].tasks[0].statuses.length, 1)
    assert.deepEqual(Object.keys(state.frameworks[0].tasks[0].statuses[0]).sort(), ['state', 'timestamp'])

    const ack = await s.call('ACKNOWLEDGE', {acknowledge: {agent_id: {value: agent.agentId}, task_id: {value: 't1'}, uuid: running.uuid}})
    assert.equal(ack.status, 202)
    const relayed = await waitFor('ack', () => agent.callsTo('ack')[0])
    assert.deepEqual(relayed, {framework_id: s.frameworkId, task_id: 't1', uuid: running.uuid})

    await agent.status(s.frameworkId, 't1', 'TASK_FINISHED')
    await s.update('t1', 'TASK_FINISHED')
    state = await master.state()
    assert.equal(state.frameworks[0].tasks.length, 0)
    assert.equal(state.frameworks[0].completed_tasks[0].state, 'TASK_FINISHED')
    assert.deepEqual(
      state.frameworks[0].completed_tasks[0].statuses.map((x: {state: string}) => x.state),
      ['TASK_RUNNING', 'TASK_FINISHED'],
    )
  })

  it('recovers the resources of a finished task and offers them again', async () => {
    const s = await subscribe()
    const offer = await s.offer()
    await s.launch(offer, [task('t1', offer, 'cpus:2;mem:1024')])
    await waitFor('run_task', () => agent.callsTo('run_task').length === 1)
    const mark = s.events.length
    await agent.status(s.frameworkId, 't1', 'TASK_FAILED')
    const again = await s.offer(() => true, mark)
    assert.equal(again.resources.find((r) => r.name === 'cpus')!.scalar!.value, 2)
  })

  it('answers invalid launches with TASK_ERROR / TASK_LOST and the Mesos reasons', async () => {
    const s = await subscribe()
    const offer = await s.offer()
    await s.launch(offer, [
      task('too-big', offer, 'cpus:3;mem:32'),
      task('no-command', offer, 'cpus:0.1;mem:32', {command: undefined}),
      task('ok', offer),
      task('ok', offer),
      task('bad/id', offer),
      task('nothing', offer, ''),
    ])
    const tooBig = await s.update('too-big', 'TASK_ERROR')
    assert.equal(tooBig.reason, 'REASON_TASK_INVALID')
    assert.equal(tooBig.source, 'SOURCE_MASTER')
    assert.match(tooBig.message!, /more than available/)
    assert.match((await s.update('no-command', 'TASK_ERROR')).message!, /CommandInfo or ExecutorInfo/)
    assert.match((await s.update('ok', 'TASK_ERROR')).message!, /duplicate ID: ok/)
    await s.update('bad/id', 'TASK_ERROR')
    assert.equal((await s.update('nothing', 'TASK_ERROR')).message, 'Task uses no resources')
    await waitFor('run_task', () => agent.callsTo('run_task').length === 1)
    assert.deepEqual(agent.callsTo('run_task').map((r) => r.task.task_id.value), ['ok'])

    // The offer is used up: accepting it again is accepting an invalid offer.
    await s.launch(offer, [task('late', offer)])
    const late = await s.update('late', 'TASK_LOST')
    assert.equal(late.reason, 'REASON_INVALID_OFFERS')
    assert.match(late.message!, /is no longer valid/)
  })

  it('gives partition-aware frameworks TASK_DROPPED for invalid offers', async () => {
    const s = await subscribe({capabilities: [{type: 'PARTITION_AWARE'}]})
    await s.offer()
    await s.call('ACCEPT', {accept: {offer_ids: [{value: 'nope'}], operations: [{type: 'LAUNCH', launch: {task_infos: [{name: 'x', task_id: {value: 'x'}, agent_id: {value: agent.agentId}, resources: [], command: {value: 'true'}}]}}]}})
    assert.equal((await s.update('x', 'TASK_DROPPED')).reason, 'REASON_INVALID_OFFERS')
  })

  it('keeps declined resources away for refuse_seconds, until REVIVE', async () => {
    const s = await subscribe()
    const offer = await s.offer()
    assert.equal((await s.call('DECLINE', {decline: {offer_ids: [offer.id], filters: {refuse_seconds: 60}}})).status, 202)
    const mark = s.events.length
    await sleep(150)
    assert.equal(s.events.slice(mark).filter((e) => e.type === 'OFFERS').length, 0)
    assert.equal((await s.call('REVIVE')).status, 202)
    await s.offer(() => true, mark)
  })

  it('re-offers declined resources after a short filter', async () => {
    const s = await subscribe()
    const offer = await s.offer()
    await s.call('DECLINE', {decline: {offer_ids: [offer.id], filters: {refuse_seconds: 0.1}}})
    const mark = s.events.length
    const started = Date.now()
    await s.offer(() => true, mark)
    assert.ok(Date.now() - started >= 80, 'not before the filter expired')
  })

  it('stops offering to a suppressed framework until it revives', async () => {
    const s = await subscribe()
    const offer = await s.offer()
    await s.call('SUPPRESS')
    await s.call('DECLINE', {decline: {offer_ids: [offer.id], filters: {refuse_seconds: 0}}})
    const mark = s.events.length
    await sleep(100)
    assert.equal(s.events.slice(mark).filter((e) => e.type === 'OFFERS').length, 0)
    await s.call('REVIVE', {revive: {roles: ['*']}})
    await s.offer(() => true, mark)
  })

  it('kills through the agent; an unknown task is reconciled as TASK_LOST or TASK_UNKNOWN', async () => {
    const s = await subscribe()
    const offer = await s.offer()
    await s.launch(offer, [task('t1', offer)])
    await s.call('KILL', {kill: {task_id: {value: 't1'}, kill_policy: {grace_period: {nanoseconds: 1e9}}}})
    const kill = await waitFor('kill_task', () => agent.callsTo('kill_task')[0])
    assert.deepEqual(kill, {framework_id: s.frameworkId, task_id: 't1', kill_policy: {grace_period: {nanoseconds: 1e9}}})

    await s.call('KILL', {kill: {task_id: {value: 'ghost'}}})
    const lost = await s.update('ghost', 'TASK_LOST')
    assert.equal(lost.reason, 'REASON_RECONCILIATION')

    const aware = await subscribe({name: 'aware', capabilities: [{type: 'PARTITION_AWARE'}]})
    await aware.call('KILL', {kill: {task_id: {value: 'ghost'}, agent_id: {value: agent.agentId}}})
    assert.equal((await aware.update('ghost', 'TASK_GONE')).message, 'Reconciliation: Task is unknown to the agent')
    await aware.call('KILL', {kill: {task_id: {value: 'ghost2'}}})
    await aware.update('ghost2', 'TASK_UNKNOWN')
  })

  it('reconciles implicitly (every known task) and explicitly', async () => {
    const s = await subscribe()
    const offer = await s.offer()
    await s.launch(offer, [task('a', offer), task('b', offer)])
    await agent.status(s.frameworkId, 'a', 'TASK_RUNNING')
    await s.update('a', 'TASK_RUNNING')
    const mark = s.events.length
    await s.call('RECONCILE', {reconcile: {tasks: []}})
    await waitFor('two answers', () => s.events.slice(mark).filter((e) => e.update?.status.reason === 'REASON_RECONCILIATION').length === 2)
    const answers = s.events.slice(mark).map((e) => e.update!.status)
    assert.deepEqual(answers.map((a) => `${a.task_id.value}:${a.state}`).sort(), ['a:TASK_RUNNING', 'b:TASK_STAGING'])
    assert.ok(answers.every((a) => a.source === 'SOURCE_MASTER' && a.uuid === undefined))
    await s.call('RECONCILE', {reconcile: {tasks: [{task_id: {value: 'a'}}, {task_id: {value: 'zz'}, agent_id: {value: agent.agentId}}]}})
    await s.update('zz', 'TASK_LOST')
  })

  it('tears a framework down: its tasks are killed on the agents and it is completed', async () => {
    const s = await subscribe()
    const offer = await s.offer()
    await s.launch(offer, [task('t1', offer)])
    assert.equal((await s.call('TEARDOWN')).status, 202)
    await waitFor('shutdown_framework', () => agent.callsTo('shutdown_framework')[0]?.framework_id === s.frameworkId)
    const state = await master.state()
    assert.equal(state.frameworks.length, 0)
    const done = state.completed_frameworks[0]
    assert.equal(done.id, s.frameworkId)
    assert.equal(done.active, false)
    assert.equal(done.completed_tasks[0].state, 'TASK_KILLED')
    await waitFor('the stream to close', () => s.ended)
    // A removed framework cannot come back.
    const again = await Scheduler.subscribe(master.url, {id: {value: s.frameworkId}})
    schedulers.push(again)
    const error = await again.next('ERROR')
    assert.equal(error.error!.message, 'Framework has been removed')
    // Its late updates are acknowledged by the master so the agent stops re-sending them.
    await agent.status(s.frameworkId, 't1', 'TASK_KILLED', {uuid: 'BBBBBBBBBBBBBBBBBBBBBB=='})
    await waitFor('auto ack', () => agent.callsTo('ack').some((a) => a.uuid === 'BBBBBBBBBBBBBBBBBBBBBB=='))
  })

  it('keeps the tasks of a framework that re-subscribes within its failover timeout', async () => {
    const s = await subscribe({failover_timeout: 60})
    const offer = await s.offer()
    await s.launch(offer, [task('t1', offer)])
    s.close()
    await waitFor('inactive', async () => !(await master.state()).frameworks[0].active)
    const state = await master.state()
    assert.equal(state.frameworks[0].connected, false)
    assert.equal(state.frameworks[0].tasks.length, 1)
    assert.equal(state.frameworks[0].offers.length, 0)

    const again = await subscribe({id: {value: s.frameworkId}, failover_timeout: 60})
    assert.equal(again.frameworkId, s.frameworkId)
    const after = await master.state()
    assert.equal(after.frameworks[0].active, true)
    assert.equal(after.frameworks[0].tasks[0].id, 't1')
    assert.ok(after.frameworks[0].reregistered_time >= after.frameworks[0].registered_time)
    // A third instance takes over: the second one is told and cut off.
    const third = await subscribe({id: {value: s.frameworkId}, failover_timeout: 60})
    assert.equal((await again.next('ERROR')).error!.message, 'Framework failed over')
    await waitFor('old stream closed', () => again.ended)
    assert.equal((await again.call('REVIVE')).status, 400)
    assert.equal((await third.call('REVIVE')).status, 202)
  })

  it('removes a framework whose failover timeout passes: tasks killed, framework completed', async () => {
    const s = await subscribe({failover_timeout: 0.1})
    const offer = await s.offer()
    await s.launch(offer, [task('t1', offer)])
    s.close()
    await waitFor('completed', async () => (await master.state()).completed_frameworks.length === 1)
    assert.equal(agent.callsTo('shutdown_framework')[0].framework_id, s.frameworkId)
    const state = await master.state()
    assert.equal(state.completed_frameworks[0].completed_tasks[0].state, 'TASK_KILLED')
  })

  it('checks the framework and stream of every call with the Mesos answers', async () => {
    const s = await subscribe()
    const call = (headers: Record<string, string>, frameworkId = s.frameworkId) =>
      postJson(`${master.url}/api/v1/scheduler`, {type: 'REVIVE', framework_id: {value: frameworkId}}, headers)
    let r = await call({})
    assert.equal(r.status, 400)
    assert.equal(r.text, "All non-subscribe calls should include the 'Mesos-Stream-Id' header")
    r = await call({'Mesos-Stream-Id': 'other'})
    assert.equal(r.status, 400)
    assert.match(r.text, /^The stream ID 'other' included in this request didn't match/)
    r = await call({'Mesos-Stream-Id': s.streamId}, 'unknown')
    assert.equal(r.status, 400)
    assert.equal(r.text, 'Framework cannot be found')
    r = await postJson(`${master.url}/api/v1/scheduler`, {type: 'SUBSCRIBE', subscribe: {framework_info: {user: 'u', name: 'n'}}}, {'Mesos-Stream-Id': 'x'})
    assert.equal(r.status, 400)
    assert.equal(r.text, "Subscribe calls should not include the 'Mesos-Stream-Id' header")
    s.close()
    await waitFor('disconnected', async () => (await master.state()).completed_frameworks.length === 1)
  })

  it('answers a disconnected framework 403', async () => {
    const s = await subscribe({failover_timeout: 60})
    s.close()
    await waitFor('inactive', async () => !(await master.state()).frameworks[0].active)
    const r = await s.call('REVIVE')
    assert.equal(r.status, 403)
    assert.equal(r.text, 'Framework is not subscribed')
  })

  it('shares two agents fairly between two frameworks', async () => {
    const second = await FakeAgent.start(master.url)
    try {
      await second.register()
      second.startHeartbeats(50)
      const a = await subscribe({name: 'a'})
      await waitFor('both agents offered to a', () => a.events.filter((e) => e.type === 'OFFERS').flatMap((e) => e.offers!.offers).length === 2)
      const b = await subscribe({name: 'b'})
      const [markA, markB] = [a.events.length, b.events.length]
      const held = a.events.filter((e) => e.type === 'OFFERS').flatMap((e) => e.offers!.offers)
      await a.call('DECLINE', {decline: {offer_ids: held.map((o) => o.id), filters: {refuse_seconds: 0}}})
      // With nothing allocated, each framework gets one agent: b first (fewer allocations so far).
      const offerB = await b.offer(() => true, markB)
      const offerA = await a.offer(() => true, markA)
      assert.notEqual(offerA.agent_id.value, offerB.agent_id.value)
      await sleep(50)
      const count = (s: Scheduler, mark: number) => s.events.slice(mark).filter((e) => e.type === 'OFFERS').flatMap((e) => e.offers!.offers).length
      assert.equal(count(a, markA), 1)
      assert.equal(count(b, markB), 1)
    } finally {
      await second.close()
    }
  })
})

describe('master: event-driven offers', () => {
  it('offers on subscribe, decline, task end and revive without waiting for the allocation tick', async () => {
    const master = await TestMaster.start({allocationIntervalMs: 60_000})
    const agent = await FakeAgent.start(master.url)
    const s = await Scheduler.subscribe(master.url)
    try {
      await agent.register()
      const started = Date.now()
      const offer = await s.offer()
      let mark = s.events.length
      await s.launch(offer, [task('t1', offer)], {refuse_seconds: 0})
      const rest = await s.offer(() => true, mark)
      await waitFor('run_task', () => agent.callsTo('run_task').length === 1)
      assert.equal(rest.resources.find((r) => r.name === 'cpus')!.scalar!.value, 1.9)
      mark = s.events.length
      await s.call('DECLINE', {decline: {offer_ids: [rest.id], filters: {refuse_seconds: 0}}})
      const again = await s.offer(() => true, mark)
      mark = s.events.length
      await s.call('DECLINE', {decline: {offer_ids: [again.id], filters: {refuse_seconds: 3600}}})
      await agent.status(s.frameworkId, 't1', 'TASK_FINISHED')
      await s.offer((o) => o.resources.find((r) => r.name === 'cpus')!.scalar!.value === 2, mark)
      assert.ok(Date.now() - started < 2000)
    } finally {
      s.close()
      await agent.close()
      await master.close()
    }
  })

  it('rejects malformed ACCEPT and DECLINE bodies with 400 and changes nothing', async () => {
    const master = await TestMaster.start()
    const agent = await FakeAgent.start(master.url)
    const s = await Scheduler.subscribe(master.url)
    try {
      await agent.register()
      const offer = await s.offer()
      for (const body of [
        {accept: {offer_ids: [offer.id], operations: 'LAUNCH'}},
        {accept: {offer_ids: [offer.id], operations: [{type: 'TELEPORT'}]}},
        {accept: {offer_ids: [offer.id], operations: [{type: 'LAUNCH'}]}},
        {accept: {offer_ids: [offer.id], operations: [{type: 'LAUNCH', launch: {task_infos: [{name: 'x'}]}}]}},
        {accept: {offer_ids: [{value: 1}], operations: []}},
        {accept: {offer_ids: [offer.id], operations: [], filters: {refuse_seconds: 'never'}}},
      ]) {
        const r = await s.call('ACCEPT', body)
        assert.equal(r.status, 400, `${JSON.stringify(body)} -> ${r.status} ${r.text}`)
        assert.match(r.text, /^Failed to convert JSON into Call protobuf: /)
      }
      assert.equal((await s.call('DECLINE')).text, "Failed to validate scheduler::Call: Expecting 'decline' to be present")
      assert.equal((await s.call('KILL', {kill: {}})).status, 400)
      assert.equal((await s.call('ACKNOWLEDGE', {acknowledge: {agent_id: {value: 'a'}, task_id: {value: 't'}, uuid: '!!'}})).status, 400)
      assert.equal((await master.state()).frameworks[0].offers.length, 1, 'the offer is still outstanding')
    } finally {
      s.close()
      await agent.close()
      await master.close()
    }
  })

  it('updates a framework with UPDATE_FRAMEWORK', async () => {
    const master = await TestMaster.start()
    const s = await Scheduler.subscribe(master.url, {name: 'before', roles: ['a'], capabilities: [{type: 'MULTI_ROLE'}]})
    try {
      const info = {user: 'root', name: 'after', id: {value: s.frameworkId}, roles: ['a', 'b'], capabilities: [{type: 'MULTI_ROLE'}]}
      const r = await s.call('UPDATE_FRAMEWORK', {update_framework: {framework_info: info}})
      assert.equal(r.status, 200)
      const f = (await master.state()).frameworks[0]
      assert.equal(f.name, 'after')
      assert.deepEqual(f.roles, ['a', 'b'])
      const wrongUser = await s.call('UPDATE_FRAMEWORK', {update_framework: {framework_info: {...info, user: 'other'}}})
      assert.equal(wrongUser.status, 400)
    } finally {
      s.close()
      await master.close()
    }
  })
})

describe('master: agents', () => {
  let master: TestMaster
  let agent: FakeAgent
  const schedulers: Scheduler[] = []

  beforeEach(async () => {
    master = await TestMaster.start()
    agent = await FakeAgent.start(master.url)
    await agent.register()
  })
  afterEach(async () => {
    for (const s of schedulers.splice(0)) s.close()
    await agent.close()
    await master.close()
  })

  async function runningTask(info: Parameters<typeof Scheduler.subscribe>[1]): Promise<Scheduler> {
    const s = await Scheduler.subscribe(master.url, info)
    schedulers.push(s)
    const offer = await s.offer((o) => o.agent_id.value === agent.agentId)
    await s.launch(offer, [task(`${info!.name}-t`, offer)])
    await agent.status(s.frameworkId, `${info!.name}-t`, 'TASK_RUNNING')
    await s.update(`${info!.name}-t`, 'TASK_RUNNING')
    return s
  }

  it('marks a silent agent unreachable: TASK_LOST, or TASK_UNREACHABLE for partition-aware frameworks', async () => {
    agent.startHeartbeats(50)
    const plain = await runningTask({name: 'plain', failover_timeout: 60})
    const aware = await runningTask({name: 'aware', failover_timeout: 60, capabilities: [{type: 'PARTITION_AWARE'}]})
    agent.stopHeartbeats()
    const lost = await plain.update('plain-t', 'TASK_LOST', 5000)
    assert.equal(lost.reason, 'REASON_AGENT_REMOVED')
    assert.equal(lost.source, 'SOURCE_MASTER')
    const unreachable = await aware.update('aware-t', 'TASK_UNREACHABLE')
    assert.ok(unreachable.unreachable_time!.nanoseconds > 0)
    assert.equal((await plain.next('FAILURE')).failure!.agent_id!.value, agent.agentId)
    const state = await master.state()
    assert.equal(state.unreachable_slaves, 1)
    assert.equal(state.slaves.length, 0)
    assert.equal(state.frameworks.find((f: {name: string}) => f.name === 'aware').unreachable_tasks[0].state, 'TASK_UNREACHABLE')
    assert.deepEqual(await agent.heartbeat(), {reregister: true})
    assert.equal((await agent.status(plain.frameworkId, 'plain-t', 'TASK_RUNNING')).status, 409)

    // The agent comes back with both tasks still running.
    const report = (s: Scheduler, id: string) => ({
      framework_id: s.frameworkId,
      task: {...agent.callsTo('run_task').find((r) => r.task.task_id.value === id).task},
      state: 'TASK_RUNNING' as const,
      statuses: [{task_id: {value: id}, state: 'TASK_RUNNING' as const, timestamp: Date.now() / 1000}],
    })
    const mark = aware.events.length
    await agent.register([report(plain, 'plain-t'), report(aware, 'aware-t')])
    const back = await aware.next('UPDATE', (e) => e.update!.status.state === 'TASK_RUNNING', 3000, mark)
    assert.equal(back.update!.status.reason, 'REASON_AGENT_REREGISTERED')
    const kill = await waitFor('kill of the non-partition-aware task', () => agent.callsTo('kill_task')[0])
    assert.deepEqual(kill, {framework_id: plain.frameworkId, task_id: 'plain-t'})
    const after = await master.state()
    assert.equal(after.unreachable_slaves, 0)
    assert.equal(after.slaves[0].active, true)
    assert.equal(after.frameworks.find((f: {name: string}) => f.name === 'aware').tasks[0].state, 'TASK_RUNNING')
  })

  it('adopts the tasks of a re-registering agent, creating the frameworks it does not know', async () => {
    const report = {
      framework_id: 'ext-0001',
      task: {name: 'old', task_id: {value: 'old'}, agent_id: {value: agent.agentId}, resources: [{name: 'cpus', type: 'SCALAR' as const, scalar: {value: 0.5}}], command: {value: 'sleep 1'}},
      state: 'TASK_RUNNING' as const,
      statuses: [{task_id: {value: 'old'}, state: 'TASK_RUNNING' as const, timestamp: 1}],
    }
    await agent.register([report], [{user: 'u', name: 'external', id: {value: 'ext-0001'}, failover_timeout: 100}])
    const state = await master.state()
    const f = state.frameworks.find((x: {id: string}) => x.id === 'ext-0001')
    assert.equal(f.name, 'external')
    assert.equal(f.active, false)
    assert.equal(f.recovered, true)
    assert.equal(f.tasks[0].state, 'TASK_RUNNING')
    assert.equal(state.slaves[0].used_resources.cpus, 0.5)
    // The framework comes for its task.
    const s = await Scheduler.subscribe(master.url, {id: {value: 'ext-0001'}, name: 'external', failover_timeout: 100})
    schedulers.push(s)
    assert.equal(s.frameworkId, 'ext-0001')
    const offer = await s.offer()
    assert.equal(offer.resources.find((r) => r.name === 'cpus')!.scalar!.value, 1.5)
  })

  it('forwards RESERVE and CREATE to the agent and shows the reservation', async () => {
    agent.startHeartbeats(50)
    const s = await Scheduler.subscribe(master.url, {roles: ['web'], capabilities: [{type: 'MULTI_ROLE'}, {type: 'RESERVATION_REFINEMENT'}]})
    schedulers.push(s)
    const offer = await s.offer()
    assert.equal(offer.allocation_info!.role, 'web')
    const reserved = (name: string, value: number) => ({
      name,
      type: 'SCALAR',
      scalar: {value},
      allocation_info: {role: 'web'},
      reservations: [{type: 'DYNAMIC', role: 'web', principal: 'p'}],
    })
    const volume = {...reserved('disk', 64), disk: {persistence: {id: 'vol1'}, volume: {container_path: 'data', mode: 'RW'}}}
    agent.resources = [] // what the fake agent checkpoints does not matter here; the master keeps its own view
    const mark = s.events.length
    const r = await s.call('ACCEPT', {
      accept: {
        offer_ids: [offer.id],
        operations: [
          {type: 'RESERVE', reserve: {resources: [reserved('cpus', 1), reserved('disk', 64)]}},
          {type: 'CREATE', create: {volumes: [volume]}},
        ],
        filters: {refuse_seconds: 0},
      },
    })
    assert.equal(r.status, 202)
    const apply = await waitFor('apply_operations', () => agent.callsTo('apply_operations')[0])
    assert.deepEqual(apply.operations.map((o: {type: string}) => o.type), ['RESERVE', 'CREATE'])
    assert.equal(apply.operations[0].reserve.resources[0].allocation_info, undefined)
    const next = await s.offer(() => true, mark)
    const vol = next.resources.find((x) => x.disk?.persistence?.id === 'vol1')
    assert.ok(vol, 'the new volume is offered')
    assert.equal(vol!.reservations![0].role, 'web')
  })

  it('reports delivered tasks an agent no longer knows as lost when it re-registers', async () => {
    const s = await Scheduler.subscribe(master.url, {failover_timeout: 60})
    schedulers.push(s)
    const offer = await s.offer()
    await s.launch(offer, [task('vanished', offer)])
    await waitFor('run_task', () => agent.callsTo('run_task').length === 1)
    await waitFor('delivered', async () => (await master.state()).frameworks[0].tasks.length === 1)
    await sleep(20)
    await agent.register([])
    const lost = await s.update('vanished', 'TASK_LOST')
    assert.equal(lost.reason, 'REASON_RECONCILIATION')
    assert.equal((await master.state()).slaves[0].used_resources.cpus, 0)
  })

  it('rejects malformed agent protocol requests with 4xx', async () => {
    const base = `${master.url}/internal/v1/agent`
    const bad: [string, unknown][] = [
      ['register', {}],
      ['register', {agent_info: {hostname: 'h'}, url: 'ftp://x', version: '1', resources: []}],
      ['register', {agent_info: {hostname: 'h'}, url: 'http://x', version: '1', resources: [{name: 'cpus', type: 'SCALAR'}]}],
      ['register', {agent_id: '../x', agent_info: {hostname: 'h'}, url: 'http://x', version: '1', resources: []}],
      ['heartbeat', {}],
      ['heartbeat', []],
      ['status', {agent_id: agent.agentId, framework_id: 'f', status: {task_id: {value: 't'}, state: 'TASK_BOGUS'}}],
      ['status', {agent_id: agent.agentId}],
    ]
    for (const [path, body] of bad) {
      const r = await postJson(`${base}/${path}`, body)
      assert.ok(r.status >= 400 && r.status < 500, `${path} ${JSON.stringify(body)} -> ${r.status} ${r.text}`)
    }
    assert.equal((await request(`${base}/register`, {method: 'POST', body: '{'})).status, 400)
  })
})

describe('master: restart', () => {
  it('keeps its id, agents and frameworks; agents re-register and frameworks re-subscribe with their tasks', async () => {
    const master = await TestMaster.start({agentUnreachableTimeoutMs: 2000})
    const agent = await FakeAgent.start(master.url)
    const schedulers: Scheduler[] = []
    try {
      await agent.register()
      const s = await Scheduler.subscribe(master.url, {failover_timeout: 60})
      schedulers.push(s)
      const offer = await s.offer()
      await s.launch(offer, [task('t1', offer)])
      const run = (await waitFor('run_task', () => agent.callsTo('run_task')[0])).task
      await agent.status(s.frameworkId, 't1', 'TASK_RUNNING')
      const id = master.id

      s.close()
      await master.restart()
      assert.equal(master.id, id)
      let state = await master.state()
      assert.equal(state.slaves.length, 0)
      assert.equal(state.recovered_slaves[0].id, agent.agentId)
      assert.equal(state.frameworks[0].id, s.frameworkId)
      assert.equal(state.frameworks[0].active, false)
      assert.equal(state.frameworks[0].recovered, true)

      // The agent's next heartbeat is told to re-register; it brings its task.
      assert.deepEqual(await agent.heartbeat(), {reregister: true})
      await agent.register([
        {framework_id: s.frameworkId, task: run, state: 'TASK_RUNNING', statuses: [{task_id: {value: 't1'}, state: 'TASK_RUNNING', timestamp: 5}]},
      ])
      state = await master.state()
      assert.equal(state.slaves[0].id, agent.agentId)
      assert.equal(state.recovered_slaves.length, 0)
      assert.equal(state.frameworks[0].tasks[0].id, 't1')

      const again = await Scheduler.subscribe(master.url, {id: {value: s.frameworkId}, failover_timeout: 60})
      schedulers.push(again)
      assert.equal(again.frameworkId, s.frameworkId)
      // An agent that never comes back is unreachable once the re-registration grace has passed.
      const ghost = await FakeAgent.start(master.url)
      ghost.agentId = `${id}-S99`
      assert.deepEqual(await ghost.heartbeat(), {reregister: true})
      await ghost.close()
      const offer2 = await again.offer()
      assert.notEqual(offer2.id.value, offer.id.value, 'offer ids are not reused')
      const fresh = await Scheduler.subscribe(master.url)
      schedulers.push(fresh)
      assert.equal(fresh.frameworkId, `${id}-0001`, 'framework ids are not reused')
    } finally {
      for (const s of schedulers) s.close()
      await agent.close()
      await master.close()
    }
  })
})

describe('master: endpoints', () => {
  let master: TestMaster
  let agent: FakeAgent

  beforeEach(async () => {
    master = await TestMaster.start()
    agent = await FakeAgent.start(master.url)
    await agent.register()
    agent.startHeartbeats(50)
  })
  afterEach(async () => {
    await agent.close()
    await master.close()
  })

  it('serves /master/state in the Mesos shape, delegated and with .json aliases and jsonp', async () => {
    const state = await master.state()
    for (const key of ['version', 'build_date', 'build_time', 'build_user', 'start_time', 'elected_time', 'id', 'pid', 'hostname', 'activated_slaves', 'deactivated_slaves', 'unreachable_slaves', 'leader', 'leader_info', 'flags', 'slaves', 'recovered_slaves', 'frameworks', 'completed_frameworks', 'orphan_tasks', 'unregistered_frameworks'])
      assert.ok(key in state, key)
    assert.equal(state.version, '1.11.0')
    assert.equal(state.pid, `master@127.0.0.1:${new URL(master.url).port}`)
    assert.equal(state.leader, state.pid)
    assert.equal(state.activated_slaves, 1)
    const slave = state.slaves[0]
    assert.equal(slave.pid, `slave(1)@127.0.0.1:${new URL(agent.url).port}`)
    assert.deepEqual(slave.resources, {cpus: 2, gpus: 0, mem: 1024, disk: 2048, ports: '[31000-32000]'})
    assert.deepEqual(slave.attributes, {rack: 'r1'})
    assert.equal(slave.active, true)
    for (const alias of ['/state', '/master/state.json', '/state.json']) assert.equal((await getJson(master.url + alias)).id, state.id)
    const wrapped = await request(`${master.url}/master/state?jsonp=cb`)
    assert.match(wrapped.text, /^cb\(\{.*\}\);$/s)
    const slaves = await master.state('/master/slaves')
    assert.ok(Array.isArray(slaves.slaves[0].unreserved_resources_full))
    assert.deepEqual(slaves.recovered_slaves, [])
    const summary = await master.state('/master/state-summary')
    assert.equal(summary.slaves[0].TASK_RUNNING, 0)
  })

  it('serves state from a cache that follows every change', async () => {
    const first = (await request(`${master.url}/master/state`)).text
    assert.equal((await request(`${master.url}/master/state`)).text, first)
    const s = await Scheduler.subscribe(master.url)
    try {
      assert.notEqual((await request(`${master.url}/master/state`)).text, first)
      assert.equal((await master.state()).frameworks[0].id, s.frameworkId)
    } finally {
      s.close()
    }
  })

  it('pages /master/tasks and checks its parameters', async () => {
    const s = await Scheduler.subscribe(master.url)
    try {
      const offer = await s.offer()
      await s.launch(offer, ['a', 'b', 'c'].map((id) => task(id, offer)))
      for (const [i, id] of ['a', 'b', 'c'].entries()) await agent.status(s.frameworkId, id, 'TASK_RUNNING', {timestamp: 100 + i})
      await waitFor('statuses', async () => (await master.state('/master/tasks')).tasks.every((t: {statuses: unknown[]}) => t.statuses.length))
      assert.deepEqual((await master.state('/master/tasks')).tasks.map((t: {id: string}) => t.id), ['c', 'b', 'a'])
      assert.deepEqual((await master.state('/master/tasks?order=asc&limit=2')).tasks.map((t: {id: string}) => t.id), ['a', 'b'])
      assert.deepEqual((await master.state('/master/tasks?order=asc&offset=2')).tasks.map((t: {id: string}) => t.id), ['c'])
      assert.deepEqual((await master.state('/master/tasks?task_id=b')).tasks.map((t: {id: string}) => t.id), ['b'])
      assert.equal((await request(`${master.url}/master/tasks?limit=abc`)).status, 400)
      const frameworks = await master.state(`/master/frameworks?framework_id=${s.frameworkId}`)
      assert.equal(frameworks.frameworks[0].tasks.length, 3)
      const roles = await master.state('/master/roles')
      assert.equal(roles.roles[0].name, '*')
      assert.deepEqual(roles.roles[0].frameworks, [s.frameworkId])
    } finally {
      s.close()
    }
  })

  it('tears down through /master/teardown with the Mesos errors', async () => {
    const s = await Scheduler.subscribe(master.url, {failover_timeout: 60})
    try {
      const form = (body: string) => request(`${master.url}/master/teardown`, {method: 'POST', body, headers: {'Content-Type': 'application/x-www-form-urlencoded'}})
      assert.equal((await request(`${master.url}/master/teardown`)).status, 405)
      let r = await form('')
      assert.equal(r.status, 400)
      assert.equal(r.text, "Missing 'frameworkId' query parameter in the request body")
      r = await form('frameworkId=nope')
      assert.equal(r.text, 'No framework found with specified ID')
      assert.equal((await form(`frameworkId=${s.frameworkId}`)).status, 200)
      assert.equal((await master.state()).completed_frameworks[0].id, s.frameworkId)
    } finally {
      s.close()
    }
  })

  it('answers redirect, health, version, flags and metrics', async () => {
    const redirect = await request(`${master.url}/master/redirect`)
    assert.equal(redirect.status, 307)
    assert.equal(redirect.headers.location, `//127.0.0.1:${new URL(master.url).port}`)
    assert.equal((await request(`${master.url}/master/health`)).status, 200)
    assert.equal((await request(`${master.url}/health`)).status, 200)
    assert.equal((await getJson(`${master.url}/version`)).version, '1.11.0')
    assert.equal((await getJson(`${master.url}/master/flags`)).flags.cluster, 'unit')
    const metrics = await getJson(`${master.url}/metrics/snapshot`)
    assert.equal(metrics['master/slaves_active'], 1)
    assert.equal(metrics['master/cpus_total'], 2)
    assert.equal(metrics['master/elected'], 1)
    assert.ok(metrics['allocator/mesos/allocation_runs'] > 0)
  })

  it('answers the v1 operator API', async () => {
    const call = (type: string) => postJson(`${master.url}/api/v1`, {type})
    const state = (await call('GET_STATE')).json()
    assert.equal(state.type, 'GET_STATE')
    assert.equal(state.get_state.get_agents.agents[0].agent_info.id.value, agent.agentId)
    assert.ok(state.get_state.get_agents.agents[0].registered_time.nanoseconds > 0)
    assert.deepEqual(state.get_state.get_tasks.tasks, [])
    assert.deepEqual((await call('GET_HEALTH')).json(), {type: 'GET_HEALTH', get_health: {healthy: true}})
    assert.equal((await call('GET_VERSION')).json().get_version.version_info.version, '1.11.0')
    assert.deepEqual((await call('GET_FRAMEWORKS')).json().get_frameworks.frameworks, [])
    assert.equal((await call('NOPE')).status, 400)
    assert.equal((await call('GET_QUOTA')).status, 501)
  })

  it('rejects malformed scheduler requests with 4xx, never 5xx', async () => {
    const url = `${master.url}/api/v1/scheduler`
    const cases: [string, Record<string, string>, number][] = [
      ['', {'Content-Type': 'application/json'}, 400],
      ['{"type":', {'Content-Type': 'application/json'}, 400],
      ['{"type":"SUBSCRIBE"}', {'Content-Type': 'application/json'}, 400],
      ['{"type":"NOPE"}', {'Content-Type': 'application/json'}, 400],
      ['{"type":"REVIVE"}', {'Content-Type': 'application/json'}, 400],
      ['[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]', {'Content-Type': 'application/json'}, 400],
      ['{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u"}}}', {'Content-Type': 'application/json'}, 400],
      ['{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n","roles":["a b"]}}}', {'Content-Type': 'application/json'}, 400],
      ['{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n","failover_timeout":-1}}}', {'Content-Type': 'application/json'}, 400],
      ['{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":1,"name":"n"}}}', {'Content-Type': 'application/json'}, 400],
      ['{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n","id":{"value":"../x"}}},"framework_id":{"value":"../x"}}', {'Content-Type': 'application/json'}, 400],
      ['{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n"}}}', {'Content-Type': 'application/json', Accept: 'application/x-protobuf'}, 406],
      ['{"type":"SUBSCRIBE"}', {}, 400],
      ['{"type":"SUBSCRIBE"}', {'Content-Type': 'text/plain'}, 415],
    ]
    for (const [body, headers, status] of cases) {
      const r = await request(url, {method: 'POST', body, headers})
      assert.equal(r.status, status, `${body.slice(0, 60)} ${JSON.stringify(headers)} -> ${r.status} ${r.text}`)
    }
    assert.equal((await request(url)).status, 405)
    assert.equal((await request(`${master.url}/master/state`, {method: 'POST', body: 'x'})).status, 405)
  })
})

describe('master: files', () => {
  it('reads its own log through /files/read with the Mesos offset semantics', async () => {
    const master = await TestMaster.start()
    const fs = await import('node:fs')
    const logFile = `${master.dir}/master.log`
    fs.writeFileSync(logFile, 'x'.repeat(70_000) + 'tail')
    await master.component.close()
    const {startMaster} = await import('../../src/runtime/master')
    const {silentLogger} = await import('../../src/runtime/log')
    master.component = await startMaster({...master.config, logFile}, {log: silentLogger})
    try {
      const read = (q: string) => request(`${master.url}/files/read?path=/master/log${q}`)
      assert.deepEqual((await read('')).json(), {offset: 70_004, data: ''})
      assert.deepEqual((await read('&offset=70000')).json(), {offset: 70_000, data: 'tail'})
      assert.equal((await read('&offset=0')).json().data.length, 65_536)
      assert.deepEqual((await read('&offset=0&length=3')).json(), {offset: 0, data: 'xxx'})
      assert.deepEqual((await read('&offset=90000')).json(), {offset: 90_000, data: ''})
      assert.equal((await read('&offset=-2')).status, 400)
      assert.equal((await read('&offset=abc')).status, 400)
      assert.equal((await request(`${master.url}/files/read`)).status, 400)
      assert.equal((await request(`${master.url}/files/read?path=/nope`)).status, 404)
      assert.equal((await request(`${master.url}/files/read.json?path=/master/log`)).json().offset, 70_004)
      const browse = (await request(`${master.url}/files/browse?path=/master`)).json()
      assert.equal(browse[0].path, '/master/log')
      assert.equal(browse[0].size, 70_004)
    } finally {
      await master.close()
    }
  })
})
