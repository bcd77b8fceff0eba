import assert from 'node:assert/strict'
import type {ServerResponse} from 'node:http'
import {describe, test} from 'node:test'
import type {RegisterAgentRequest} from '../../src/mesos/agent-protocol'
import {MasterLink} from '../../src/runtime/agent/master-link'
import {Router, STREAMED, reply, serve} from '../../src/runtime/http'
import {silentLogger} from '../../src/runtime/log'

describe('agent master link', () => {
  test('heartbeats keep going while status updates wait on a slow master', async () => {
    let heartbeats = 0
    let answering = false
    const held: ServerResponse[] = []
    const router = new Router()
    router.post('/internal/v1/agent/register', () => ({agent_id: 'S0', master_id: 'M', heartbeat_interval_ms: 30}))
    router.post('/internal/v1/agent/heartbeat', () => {
      heartbeats++
      return {reregister: false}
    })
    router.post('/internal/v1/agent/status', (req) => {
      if (answering) return reply(202)
      held.push(req.res)
      return STREAMED
    })
    const master = await serve({router, host: '127.0.0.1', port: 0})
    let disconnected = 0
    const link = new MasterLink({
      masterUrl: master.url,
      log: silentLogger,
      registration: () => ({}) as RegisterAgentRequest,
      onRegistered: async () => {},
      onDisconnected: () => disconnected++,
    })
    try {
      link.start()
      const updates = Array.from({length: 40}, () => link.post('/agent/status', {status: {}}))
      // Five heartbeats (30 ms apart) while every update is held; a loaded machine may take longer than 150 ms.
      const deadline = Date.now() + 5000
      while (heartbeats < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
      assert.ok(held.length > 0, 'the updates reached the master')
      assert.ok(heartbeats >= 5, `heartbeats while 40 updates wait: ${heartbeats}`)
      assert.equal(answering, false, 'no update was answered meanwhile')
      assert.equal(disconnected, 0)
      answering = true
      for (const res of held.splice(0)) res.writeHead(202).end()
      assert.ok((await Promise.all(updates)).every((a) => a?.status === 202))
    } finally {
      for (const res of held) res.destroy()
      await master.close()
      await link.close()
    }
  })
})
