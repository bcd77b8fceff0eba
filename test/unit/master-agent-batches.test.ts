/**
 * The master's calls to an agent that says CALL_BATCH: what is ready in one turn goes in one
 * POST /internal/v1/batch, each call settled by its own result; a call alone, or to an agent
 * without the capability, goes on its own path as before.
 */
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'
import {AgentCallError, AgentClient} from '../../src/runtime/master/agent-client'
import {Router, reply, serve, type Server} from '../../src/runtime/http'

describe('master: agent call batches', () => {
  let server: Server
  const requests: {path: string; body: any}[] = []
  const client = new AgentClient(5000)
  before(async () => {
    const router = new Router().post('/internal/v1/:call', async (req) => {
      const body = (await req.json()) as any
      requests.push({path: req.params.call, body})
      if (req.params.call !== 'batch') return reply(202)
      return {results: body.calls.map((c: any) => (c.path === 'ack' ? {status: 409, message: 'no such update'} : {status: 202}))}
    })
    server = await serve({router})
  })
  after(async () => {
    client.close()
    await server.close()
  })

  const kill = (id: string) => ({framework_id: 'f', task_id: id})

  it('sends the calls of one turn in one batch, each settled by its own result', async () => {
    requests.length = 0
    const agent = {id: 'a1', url: server.url, batchCalls: true}
    const calls = [client.post(agent, 'kill_task', kill('t1')), client.post(agent, 'kill_task', kill('t2')), client.post(agent, 'ack', {framework_id: 'f', task_id: 't3', uuid: 'u'})]
    const settled = await Promise.allSettled(calls)
    assert.deepEqual(
      requests.map((r) => r.path),
      ['batch'],
    )
    assert.deepEqual(requests[0].body.calls, [
      {path: 'kill_task', body: kill('t1')},
      {path: 'kill_task', body: kill('t2')},
      {path: 'ack', body: {framework_id: 'f', task_id: 't3', uuid: 'u'}},
    ])
    assert.equal(settled[0].status, 'fulfilled')
    assert.equal(settled[1].status, 'fulfilled')
    assert.equal(settled[2].status, 'rejected')
    const error = (settled[2] as PromiseRejectedResult).reason
    assert.ok(error instanceof AgentCallError)
    assert.equal(error.status, 409)
    assert.equal(error.message, 'no such update')
  })

  it('sends a call alone on its own path, and calls to an agent without batches one by one', async () => {
    requests.length = 0
    await client.post({id: 'a2', url: server.url, batchCalls: true}, 'kill_task', kill('t4'))
    assert.deepEqual(requests, [{path: 'kill_task', body: kill('t4')}])
    requests.length = 0
    const plain = {id: 'a3', url: server.url}
    await Promise.all([client.post(plain, 'kill_task', kill('t5')), client.post(plain, 'kill_task', kill('t6'))])
    assert.deepEqual(requests.map((r) => r.path).sort(), ['kill_task', 'kill_task'])
  })

  it('keeps a task\'s calls in order: a second call for the same task waits for the first', async () => {
    requests.length = 0
    const agent = {id: 'a4', url: server.url, batchCalls: true}
    await Promise.all([client.post(agent, 'kill_task', kill('t7')), client.post(agent, 'kill_task', kill('t7')), client.post(agent, 'kill_task', kill('t8'))])
    assert.deepEqual(
      requests.map((r) => r.path),
      ['batch', 'kill_task'],
    )
    assert.deepEqual(
      requests[0].body.calls.map((c: any) => c.body.task_id),
      ['t7', 't8'],
    )
    assert.equal(requests[1].body.task_id, 't7')
  })
})
