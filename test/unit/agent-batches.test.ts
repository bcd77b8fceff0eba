/**
 * The agent's batches of the agent protocol: it says CALL_BATCH when it registers and runs the
 * calls of POST /internal/v1/batch each as it would alone, with a result per call; to a master
 * that says STATUS_BATCH it sends the status updates of one turn together.
 */
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'
import {FRAMEWORK_ID, commandTask, post, startTestAgent, waitFor, type TestAgent} from './agent-harness'

describe('agent: protocol batches', () => {
  let t: TestAgent
  before(async () => {
    t = await startTestAgent()
  })
  after(() => t.cleanup())

  it('says CALL_BATCH when it registers', () => {
    assert.deepEqual(t.master.registrations[0].capabilities, ['CALL_BATCH'])
  })

  it('runs the calls of a batch each on its own: a result per call, in order', async () => {
    const framework_info = {id: {value: FRAMEWORK_ID}, name: 'test', user: 'root', checkpoint: true}
    const run = (id: string) => ({path: 'run_task', body: {framework_info, task: {...commandTask(id, 'sleep 30'), agent_id: {value: t.agent.agentId()}}}})
    const res = await post(`${t.agent.url}/internal/v1/batch`, {
      calls: [run('b1'), run('b2'), run('b1'), {path: 'kill_task', body: {framework_id: FRAMEWORK_ID}}, {path: 'nope', body: {}}, {path: '__proto__', body: {}}],
    })
    assert.equal(res.status, 200, res.text)
    const results = (res.json() as {results: {status: number; message?: string}[]}).results
    assert.deepEqual(
      results.map((r) => r.status),
      [202, 202, 409, 400, 400, 400],
    )
    assert.match(results[2].message!, /already running/)
    await t.master.waitForState('b1', 'TASK_RUNNING')
    await t.master.waitForState('b2', 'TASK_RUNNING')
    const kills = await post(`${t.agent.url}/internal/v1/batch`, {
      calls: ['b1', 'b2'].map((id) => ({path: 'kill_task', body: {framework_id: FRAMEWORK_ID, task_id: id}})),
    })
    assert.deepEqual((kills.json() as {results: {status: number}[]}).results, [{status: 202}, {status: 202}])
    await t.master.waitForState('b1', 'TASK_KILLED')
    await t.master.waitForState('b2', 'TASK_KILLED')
  })

  it('refuses a batch that is not a list of calls, or too long', async () => {
    assert.equal((await post(`${t.agent.url}/internal/v1/batch`, {calls: 'x'})).status, 400)
    assert.equal((await post(`${t.agent.url}/internal/v1/batch`, {})).status, 400)
    const many = Array.from({length: 257}, () => ({path: 'ack', body: {}}))
    assert.equal((await post(`${t.agent.url}/internal/v1/batch`, {calls: many})).status, 400)
  })
})

describe('agent: status updates in batches', () => {
  let t: TestAgent
  before(async () => {
    t = await startTestAgent()
  })
  after(() => t.cleanup())

  it('sends the updates of one turn to a STATUS_BATCH master together, each acknowledged on its own', async () => {
    // The agent registered before the master said STATUS_BATCH: make it register again.
    t.master.statusBatch = true
    t.master.reregister = true
    const before = t.master.registrations.length
    await waitFor('re-registration', () => t.master.registrations.length > before)
    await waitFor('heartbeats after it', async () => {
      const n = t.master.heartbeats
      await new Promise((r) => setTimeout(r, 150))
      return t.master.heartbeats > n
    })
    const ids = Array.from({length: 8}, (_, i) => `s${i}`)
    await Promise.all(ids.map((id) => t.run(commandTask(id, 'exit 0'))))
    for (const id of ids) await t.master.waitForState(id, 'TASK_FINISHED')
    for (const id of ids) assert.deepEqual(t.master.states(id), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED'])
    assert.ok(t.master.batches.some((n) => n > 1), `batches: ${t.master.batches.join(',')}`)
  })
})
