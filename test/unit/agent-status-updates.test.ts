import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import type {TaskStatus} from '../../src/mesos/types'
import type {Checkpoint, StreamRecord} from '../../src/runtime/agent/checkpoint'
import {silentLogger} from '../../src/runtime/log'
import {MAX_BACKOFF_FACTOR, StatusUpdateManager} from '../../src/runtime/agent/status-updates'

/** A checkpoint that keeps streams in memory; each save resolves at once. */
function memoryCheckpoint(): Checkpoint {
  const streams = new Map<string, StreamRecord>()
  return {
    streams: () => [...streams.values()],
    saveStream: async (r: StreamRecord) => {
      if (r.pending.length) streams.set(`${r.framework_id}/${r.task_id}`, {framework_id: r.framework_id, task_id: r.task_id, pending: [...r.pending]})
      else streams.delete(`${r.framework_id}/${r.task_id}`)
    },
  } as unknown as Checkpoint
}

const status = (state: TaskStatus['state'], uuid: string): TaskStatus => ({task_id: {value: 't'}, state, uuid})

describe('status update manager', () => {
  test('re-sends an unacknowledged update with a doubling wait, capped, and starts over for the next update', async (t) => {
    t.mock.timers.enable({apis: ['setTimeout']})
    const sent: {state: string; at: number}[] = []
    let now = 0
    const manager = new StatusUpdateManager({
      checkpoint: memoryCheckpoint(),
      retryMs: 100,
      log: silentLogger,
      send: async (_fw, s) => {
        sent.push({state: s.state, at: now})
        return true
      },
      onAcknowledged: () => {},
    })
    manager.resume()
    await manager.update('f', status('TASK_STARTING', 'u1'))
    await manager.update('f', status('TASK_RUNNING', 'u2'))
    const advance = async (ms: number) => {
      for (let i = 0; i < ms; i += 10) {
        now += 10
        t.mock.timers.tick(10)
        await new Promise((r) => setImmediate(r))
      }
    }
    await advance(100 + 200 + 400 + 800 + 800 + 800)
    const gaps = sent.slice(1).map((s, i) => s.at - sent[i].at)
    assert.deepEqual(gaps, [100, 200, 400, 800, 800, 800], `waits of ${gaps}`)
    assert.equal(MAX_BACKOFF_FACTOR * 100, 800)
    assert.ok(sent.every((s) => s.state === 'TASK_STARTING'), 'nothing after an unacknowledged update')

    const before = sent.length
    assert.equal(await manager.acknowledge('f', 't', 'u1'), true)
    await advance(100)
    assert.deepEqual(sent.slice(before).map((s) => s.state), ['TASK_RUNNING', 'TASK_RUNNING'], 'the next update is sent at once and retried after retryMs again')
    assert.equal(sent.at(-1)!.at - sent.at(-2)!.at, 100)
    manager.close()
  })

  test('never re-sends while the previous attempt is on its way; the wait starts when it ends', async () => {
    const sent: number[] = []
    let deliver: (() => void) | undefined
    const started = Date.now()
    const manager = new StatusUpdateManager({
      checkpoint: memoryCheckpoint(),
      retryMs: 30,
      log: silentLogger,
      send: (_fw, _s) => {
        sent.push(Date.now() - started)
        return new Promise<boolean>((resolve) => (deliver = () => resolve(true)))
      },
      onAcknowledged: () => {},
    })
    manager.resume()
    await manager.update('f', status('TASK_STARTING', 'u1'))
    await new Promise((r) => setTimeout(r, 120))
    assert.equal(sent.length, 1, 'a slow master gets no duplicate while it has not answered')
    const answered = Date.now() - started
    deliver!()
    // Re-sent once the wait after the answer is over (waited for: a loaded machine runs timers late).
    for (const deadline = Date.now() + 2000; sent.length < 2 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 5))
    assert.equal(sent.length, 2, 're-sent once the answer came and the wait was over')
    await new Promise((r) => setTimeout(r, 60))
    assert.equal(sent.length, 2, 'and not again while that attempt is on its way')
    assert.ok(sent[1] - answered >= 25, `re-sent ${sent[1] - answered} ms after the answer`)
    manager.close()
  })

  test('an acknowledgement already received when a re-send falls due wins: no duplicate goes out', async () => {
    const sent: string[] = []
    let ackNow: (() => void) | undefined
    const manager = new StatusUpdateManager({
      checkpoint: memoryCheckpoint(),
      retryMs: 20,
      log: silentLogger,
      send: async (_fw, s) => {
        sent.push(s.uuid!)
        return true
      },
      onAcknowledged: () => {},
    })
    manager.resume()
    await manager.update('f', status('TASK_STARTING', 'u1'))
    assert.deepEqual(sent, ['u1'])
    // The event loop is busy past the retry time; meanwhile the acknowledgement arrives (I/O).
    const acknowledged = new Promise<void>((resolve) => (ackNow = () => void manager.acknowledge('f', 't', 'u1').then(() => resolve())))
    setTimeout(() => ackNow!(), 25)
    const until = Date.now() + 40
    while (Date.now() < until) {
      /* busy: both the retry (due at 20 ms) and the acknowledgement (25 ms) are due when this ends */
    }
    await acknowledged
    await new Promise((r) => setTimeout(r, 30))
    assert.deepEqual(sent, ['u1'], 'no re-send of an acknowledged update')
    manager.close()
  })
})
