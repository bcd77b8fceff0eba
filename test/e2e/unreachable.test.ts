/**
 * An agent that stops answering (SIGSTOP: alive but silent, like a partitioned node) is marked
 * unreachable after the configured timeout, and the frameworks of its tasks are told: TASK_LOST
 * for a framework without the PARTITION_AWARE capability, as mesos-execute is.
 */
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'
import {MESOS_EXECUTE, Sandbox, waitFor} from './harness'

describe('an agent that stops answering', () => {
  const sb = new Sandbox()
  let url = ''
  let stopped = 0

  before(async () => {
    url = await sb.up(1, ['--agent-timeout', '2000'])
  })
  after(async () => {
    if (stopped) process.kill(stopped, 'SIGCONT')
    await sb.cleanup()
  })

  it('is marked unreachable and its task reported lost', async () => {
    const master = url.replace(/^https?:\/\//, '') + '/mesos'
    const exec = sb.start(MESOS_EXECUTE, [`--master=${master}`, '--name=stranded', '--command=sleep 120'])
    await waitFor('TASK_RUNNING', () => /TASK_RUNNING/.test(exec.output()))
    const agent = Object.entries(sb.components()).find(([n]) => n.startsWith('agent'))![1]
    process.kill(agent.pid, 'SIGSTOP')
    stopped = agent.pid
    const code = await new Promise<number | null>((resolve) => exec.on('exit', resolve))
    assert.match(exec.output(), /TASK_LOST/, exec.output())
    assert.notEqual(code, 0)
    const state = JSON.parse((await sb.get(`${url}/mesos/master/state`)).body)
    assert.equal(state.unreachable_slaves, 1)
    process.kill(agent.pid, 'SIGCONT')
    stopped = 0
    await waitFor('the agent to come back', async () => {
      const s = JSON.parse((await sb.get(`${url}/mesos/master/slaves`)).body)
      return s.slaves.length === 1 && s.slaves[0].active
    }, 20_000)
  })
})
