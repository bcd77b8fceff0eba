/**
 * The master fuzzed deep, in-process, where valid requests may change state (the e2e fuzz test
 * must keep its cluster unchanged, so it cannot go there): mutations of ACCEPTs of real offers
 * (launches, reservations, volumes), of status updates for real tasks, of registrations that
 * add agents, and of the other scheduler calls. Whatever the master makes of them, it answers
 * with no 5xx, logs no bug, and keeps serving. FUZZ_SEED replays a run.
 */
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'
import type {Offer, Resource} from '../../src/mesos/types'
import {Random, seedFromEnv} from '../e2e/fuzz'
import {mutate, toJsonText} from '../e2e/fuzz/values'
import {FakeAgent, Scheduler, TestMaster, request, type HttpResult} from './master-harness'

const COUNT = Number(process.env.FUZZ_COUNT ?? 800)
const ROLE = 'fuzz'

const scalar = (name: string, value: number): Resource => ({name, type: 'SCALAR', scalar: {value}})
const reserved = (r: Resource): Resource => ({...r, reservations: [{type: 'DYNAMIC', role: ROLE, principal: 'p'}]})
const volume = (id: string): Resource => ({...reserved(scalar('disk', 16)), disk: {persistence: {id}, volume: {container_path: 'data', mode: 'RW'}}})

describe('the master fuzzed with calls that may change its state', () => {
  const seed = seedFromEnv()
  let master: TestMaster
  let agent: FakeAgent
  let scheduler: Scheduler
  /** Offers seen and not yet used. */
  let seenEvents = 0
  const offers: Offer[] = []
  const launched: string[] = []

  before(async () => {
    master = await TestMaster.start()
    agent = await FakeAgent.start(master.url, 'cpus:4;mem:4096;disk:4096;ports:[31000-31100]')
    await agent.register()
    agent.startHeartbeats(50)
    scheduler = await Scheduler.subscribe(master.url, {roles: [ROLE], capabilities: [{type: 'MULTI_ROLE'}, {type: 'RESERVATION_REFINEMENT'}], failover_timeout: 60})
  })
  after(async () => {
    scheduler.close()
    await agent.close()
    await master.close()
  })

  /** The next unused offer, reviving once when there is none. */
  async function nextOffer(): Promise<Offer | undefined> {
    for (let attempt = 0; attempt < 2; attempt++) {
      for (; seenEvents < scheduler.events.length; seenEvents++) {
        const e = scheduler.events[seenEvents]
        if (e.type === 'OFFERS') offers.push(...e.offers!.offers)
        if (e.type === 'RESCIND') offers.splice(offers.findIndex((o) => o.id.value === e.rescind!.offer_id.value) >>> 0, 1)
      }
      const offer = offers.shift()
      if (offer) return offer
      await scheduler.call('REVIVE', {revive: {roles: [ROLE]}})
      await new Promise((r) => setTimeout(r, 30))
    }
    return undefined
  }

  /** Lets the fake agent finish what it was asked to run, so resources come back. */
  async function finishLaunched(): Promise<void> {
    for (const call of agent.callsTo('run_task').slice(launched.length)) {
      launched.push(call.task.task_id.value)
      await agent.status(scheduler.frameworkId, call.task.task_id.value, 'TASK_FINISHED')
    }
  }

  function acceptBody(rng: Random, offer: Offer, n: number): {body: unknown; protect: string[]} {
    const operations = rng.weighted<() => unknown[]>([
      [4, () => [{type: 'LAUNCH', launch: {task_infos: [taskInfo(`t${n}`, offer)]}}]],
      [2, () => [{type: 'RESERVE', reserve: {resources: [reserved(scalar('cpus', 0.5)), reserved(scalar('disk', 64))]}}]],
      [2, () => [{type: 'CREATE', create: {volumes: [volume(`v${n % 5}`)]}}]],
      [1, () => [{type: 'UNRESERVE', unreserve: {resources: [reserved(scalar('cpus', 0.5))]}}]],
      [1, () => [{type: 'DESTROY', destroy: {volumes: [volume(`v${n % 5}`)]}}]],
      [1, () => [{type: 'LAUNCH_GROUP', launch_group: {executor: {executor_id: {value: 'e'}}, task_group: {tasks: [taskInfo(`g${n}`, offer)]}}}]],
      [1, () => [{type: 'RESERVE', reserve: {resources: [reserved(scalar('mem', 64))]}}, {type: 'LAUNCH', launch: {task_infos: [taskInfo(`r${n}`, offer, [reserved(scalar('mem', 64)), ports])]}}]],
    ])()
    return {
      body: {type: 'ACCEPT', framework_id: {value: scheduler.frameworkId}, accept: {offer_ids: [offer.id], operations, filters: {refuse_seconds: 0}}},
      protect: ['type', 'framework_id', 'accept.offer_ids'],
    }
  }

  const ports: Resource = {name: 'ports', type: 'RANGES', ranges: {range: [{begin: 31000, end: 31001}]}}

  function taskInfo(id: string, offer: Offer, resources: Resource[] = [scalar('cpus', 0.1), scalar('mem', 32), ports]): unknown {
    return {
      name: id,
      task_id: {value: id},
      agent_id: offer.agent_id,
      resources,
      command: {value: 'sleep 1', environment: {variables: [{name: 'A', value: 'b'}]}},
      labels: {labels: [{key: 'k', value: 'v'}]},
      kill_policy: {grace_period: {nanoseconds: 1000}},
      health_check: {type: 'COMMAND', command: {value: 'true'}},
      discovery: {visibility: 'FRAMEWORK', name: id, ports: {ports: [{number: 31000, name: 'http', protocol: 'tcp'}]}},
    }
  }

  function registration(rng: Random): unknown {
    return {
      ...(rng.chance(0.3) ? {agent_id: agent.agentId} : {}),
      agent_info: {hostname: '127.0.0.1', port: Number(new URL(agent.url).port), attributes: [{name: 'zone', type: 'TEXT', text: {value: 'z'}}, {name: 'n', type: 'SCALAR', scalar: {value: 1}}]},
      url: agent.url,
      version: '1.11.0',
      resources: [scalar('cpus', 1), scalar('mem', 512), {name: 'ports', type: 'RANGES', ranges: {range: [{begin: 1, end: 65535}]}}, volume('rv')],
      tasks: launched.slice(-2).map((id) => ({
        framework_id: scheduler.frameworkId,
        task: {name: id, task_id: {value: id}, agent_id: {value: agent.agentId}, resources: [scalar('cpus', 0.1)]},
        state: 'TASK_RUNNING',
        statuses: [{task_id: {value: id}, state: 'TASK_RUNNING', timestamp: 1}],
      })),
      frameworks: [{id: {value: scheduler.frameworkId}, user: 'root', name: 'test', roles: [ROLE], capabilities: [{type: 'MULTI_ROLE'}]}],
    }
  }

  it("takes protobuf's empty repeated fields (ranges without 'range', sets without 'item') in what it is sent", async () => {
    const offer = await nextOffer()
    assert.ok(offer)
    const res = await scheduler.call('ACCEPT', {
      accept: {
        offer_ids: [offer.id],
        operations: [{type: 'LAUNCH', launch: {task_infos: [taskInfo('empty-ranges', offer, [scalar('cpus', 0.1), scalar('mem', 32), {name: 'ports', type: 'RANGES', ranges: {}} as Resource])]}}],
        filters: {refuse_seconds: 0},
      },
    })
    assert.equal(res.status, 202, res.text)
    const update = await scheduler.call('UPDATE_FRAMEWORK', {
      update_framework: {framework_info: {user: 'root', name: 'test', id: {value: scheduler.frameworkId}, roles: [ROLE], capabilities: [{type: 'MULTI_ROLE'}]}},
    })
    assert.equal(update.status, 200, update.text)
    const registered = await request(`${master.url}/internal/v1/agent/register`, {
      method: 'POST',
      headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({...(registration(new Random(1)) as object), resources: [scalar('cpus', 1), {name: 'ports', type: 'RANGES', ranges: {range: null}}, {name: 'zones', type: 'SET', set: {}}]}),
    })
    assert.equal(registered.status, 200, registered.text)
    await finishLaunched()
  })

  it('refuses lists of more than 1024 resources, ranges, set items or attributes (resource math runs on them every allocation)', async () => {
    const register = (extra: Record<string, unknown>) =>
      request(`${master.url}/internal/v1/agent/register`, {
        method: 'POST',
        headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({...(registration(new Random(2)) as object), tasks: [], ...extra}),
      })
    const many = (n: number) => Array.from({length: n}, (_, i) => scalar(`r${i}`, 1))
    const res = await register({resources: many(1025)})
    assert.equal(res.status, 400)
    assert.match(res.text, /'body.resources' has 1025 entries; at most 1024 are accepted/)
    const ranges = Array.from({length: 1025}, (_, i) => ({begin: 3 * i, end: 3 * i + 1}))
    assert.equal((await register({resources: [{name: 'ports', type: 'RANGES', ranges: {range: ranges}}]})).status, 400)
    const attributes = Array.from({length: 1025}, (_, i) => ({name: `a${i}`, type: 'TEXT', text: {value: 'x'}}))
    assert.equal((await register({agent_info: {hostname: 'h', attributes}})).status, 400)
    assert.equal((await register({resources: many(1024)})).status, 200)
  })

  it(`answers ${COUNT} mutated calls that reach deep with no 5xx, and keeps serving`, async () => {
    const failures: string[] = []
    const post = (path: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpResult> =>
      request(`${master.url}${path}`, {method: 'POST', body: toJsonText(body), headers: {'Content-Type': 'application/json', Accept: 'application/json', ...headers}})
    const stream = {'Mesos-Stream-Id': scheduler.streamId}
    const ctx = {knownIds: [scheduler.frameworkId, agent.agentId, 'v1', 't1']}

    for (let i = 0; i < COUNT && failures.length < 10; i++) {
      const rng = Random.forRequest(seed, i)
      const kind = rng.weighted<string>([[6, 'accept'], [2, 'status'], [1, 'register'], [2, 'call']])
      let path = '/api/v1/scheduler'
      let valid: unknown
      let protect: string[] = []
      let headers: Record<string, string> = stream
      let offer: Offer | undefined
      if (kind === 'accept') {
        offer = await nextOffer()
        if (!offer) continue
        ;({body: valid, protect} = acceptBody(rng, offer, i))
      } else if (kind === 'status') {
        const taskId = launched.length && rng.chance(0.8) ? rng.pick(launched) : `t${i}`
        path = '/internal/v1/agent/status'
        headers = {}
        valid = {
          agent_id: agent.agentId,
          framework_id: scheduler.frameworkId,
          status: {task_id: {value: taskId}, state: rng.pick(['TASK_RUNNING', 'TASK_FAILED', 'TASK_KILLED', 'TASK_LOST', 'TASK_UNREACHABLE']), uuid: Buffer.from(`u${i}`).toString('base64'), source: 'SOURCE_EXECUTOR', timestamp: 1, healthy: true},
        }
        protect = ['agent_id']
      } else if (kind === 'register') {
        path = '/internal/v1/agent/register'
        headers = {}
        valid = registration(rng)
      } else {
        const id = {value: scheduler.frameworkId}
        valid = rng.pick<unknown>([
          {type: 'DECLINE', framework_id: id, decline: {offer_ids: offers.slice(0, 1).map((o) => o.id), filters: {refuse_seconds: 0}}},
          {type: 'REVIVE', framework_id: id, revive: {roles: [ROLE]}},
          {type: 'SUPPRESS', framework_id: id, suppress: {roles: [ROLE]}},
          {type: 'KILL', framework_id: id, kill: {task_id: {value: launched.at(-1) ?? 'none'}, agent_id: {value: agent.agentId}}},
          {type: 'RECONCILE', framework_id: id, reconcile: {tasks: launched.slice(-3).map((t) => ({task_id: {value: t}, agent_id: {value: agent.agentId}}))}},
          {type: 'ACKNOWLEDGE', framework_id: id, acknowledge: {agent_id: {value: agent.agentId}, task_id: {value: launched.at(-1) ?? 'none'}, uuid: 'dTE='}},
          {type: 'UPDATE_FRAMEWORK', framework_id: id, update_framework: {framework_info: {user: 'root', name: 'test', id, roles: [ROLE, 'other'], capabilities: [{type: 'MULTI_ROLE'}]}}},
        ])
        protect = ['type', 'framework_id']
      }
      const {value, steps} = mutate(rng, valid, protect, ctx, rng.weighted([[5, 1], [2, 2], [1, 0]]))
      const res = await post(path, value, headers)
      // A refused ACCEPT leaves its offer with the framework: it can be used again.
      if (offer && res.status !== 202) offers.unshift(offer)
      if (res.status >= 500) failures.push(`${res.status} ${res.text}\n  ${kind} #${i} (${steps.join('; ')}): ${toJsonText(value).slice(0, 600)}\n  replay: FUZZ_SEED=${seed}`)
      if (kind === 'accept' || i % 10 === 0) await finishLaunched()
      // A fuzzed SUPPRESS or filter would starve the next ACCEPTs; a fuzzed TEARDOWN cannot happen (type is protected).
      if (i % 25 === 0) await scheduler.call('REVIVE', {revive: {roles: [ROLE]}})
    }
    assert.deepEqual(failures, [], `seed ${seed}`)
    assert.equal((await request(`${master.url}/health`)).status, 200)
    const state = await master.state()
    assert.ok(state.frameworks.some((f: {id: string}) => f.id === scheduler.frameworkId), 'the framework is still registered')
    assert.ok(launched.length > 0, 'some launches got through to the agent')
  })
})
