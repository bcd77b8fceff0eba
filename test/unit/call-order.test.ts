import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {callScope} from '../../src/runtime/master/agent-client'
import {CallOrder, type CallScope, type Ticket} from '../../src/runtime/master/call-order'

const task = (frameworkId: string, taskId: string): CallScope => ({kind: 'task', frameworkId, taskId})
const framework = (frameworkId: string): CallScope => ({kind: 'framework', frameworkId})
const agent: CallScope = {kind: 'agent'}

/** Whether the ticket may go now (its `ready` resolved), after letting promise callbacks run. */
async function isReady(ticket: Ticket): Promise<boolean> {
  let ready = false
  void ticket.ready.then(() => (ready = true))
  await new Promise((r) => setImmediate(r))
  return ready
}

describe('CallOrder', () => {
  test('calls about different tasks go at once; a task call waits for the earlier call of its task', async () => {
    const order = new CallOrder()
    const launchA = order.admit(task('f', 'a'))
    const launchB = order.admit(task('f', 'b'))
    const killA = order.admit(task('f', 'a'))
    assert.equal(await isReady(launchA), true)
    assert.equal(await isReady(launchB), true, 'another task does not wait')
    assert.equal(await isReady(killA), false, 'a kill never overtakes the launch it kills')
    order.settled(launchB)
    assert.equal(await isReady(killA), false)
    order.settled(launchA)
    assert.equal(await isReady(killA), true)
    order.settled(killA)
    assert.equal(order.size, 0)
  })

  test('the same task id in two frameworks is two tasks', async () => {
    const order = new CallOrder()
    order.admit(task('f1', 'a'))
    assert.equal(await isReady(order.admit(task('f2', 'a'))), true)
  })

  test('a framework call follows every earlier call of its framework, and its later task calls follow it', async () => {
    const order = new CallOrder()
    const launch = order.admit(task('f', 'a'))
    const other = order.admit(task('g', 'x'))
    const shutdown = order.admit(framework('f'))
    const later = order.admit(task('f', 'b'))
    const unrelated = order.admit(task('g', 'y'))
    assert.equal(await isReady(shutdown), false)
    assert.equal(await isReady(later), false)
    assert.equal(await isReady(unrelated), true, 'other frameworks are not held up')
    order.settled(launch)
    assert.equal(await isReady(shutdown), true, 'it does not wait for other frameworks')
    assert.equal(await isReady(later), false)
    order.settled(shutdown)
    assert.equal(await isReady(later), true)
    order.settled(other)
  })

  test('an agent-wide call follows every earlier call and every later call follows it', async () => {
    const order = new CallOrder()
    const a = order.admit(task('f', 'a'))
    const b = order.admit(framework('g'))
    const ops = order.admit(agent)
    const after = order.admit(task('h', 'z'))
    assert.equal(await isReady(ops), false)
    order.settled(a)
    assert.equal(await isReady(ops), false)
    order.settled(b)
    assert.equal(await isReady(ops), true)
    assert.equal(await isReady(after), false)
    order.settled(ops)
    assert.equal(await isReady(after), true)
  })

  test('a failed call is settled like an answered one; settling twice changes nothing', async () => {
    const order = new CallOrder()
    const first = order.admit(task('f', 'a'))
    order.settled(first)
    order.settled(first)
    const second = order.admit(task('f', 'a'))
    assert.equal(await isReady(second), true)
    assert.equal(order.size, 1)
  })

  test('the scope of each agent protocol call', () => {
    assert.deepEqual(callScope('run_task', {framework_info: {id: {value: 'f'}}, task: {task_id: {value: 't'}}}), task('f', 't'))
    assert.deepEqual(callScope('kill_task', {framework_id: 'f', task_id: 't'}), task('f', 't'))
    assert.deepEqual(callScope('ack', {framework_id: 'f', task_id: 't', uuid: 'u'}), task('f', 't'))
    assert.deepEqual(callScope('shutdown_framework', {framework_id: 'f'}), framework('f'))
    assert.deepEqual(callScope('apply_operations', {operations: []}), agent)
  })
})
