/**
 * Faults a node survives: kill -9 of an agent while its task runs (the supervisor restarts it,
 * the task lives on, its exit is reported later), and kill -9 of the master (the registry of
 * agents survives, the agents re-register).
 */
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'
import {MESOS_EXECUTE, Sandbox, alive, waitFor} from './harness'

describe('recovery', () => {
  const sb = new Sandbox()
  let url = ''
  let master = ''

  before(async () => {
    url = await sb.up(1)
    master = url.replace(/^https?:\/\//, '') + '/mesos'
  })
  after(() => sb.cleanup())

  it('keeps a task running across kill -9 of its agent and reports its exit later', async () => {
    const exec = sb.start(MESOS_EXECUTE, [`--master=${master}`, '--name=survivor', '--command=echo started; sleep 4; echo done'])
    await waitFor('TASK_RUNNING', () => /TASK_RUNNING/.test(exec.output()))
    const tasks = JSON.parse((await sb.dcos('task', 'list', '--json')).stdout) as {id: string}[]
    assert.ok(tasks.some((t) => t.id === 'survivor'))

    const agentName = Object.keys(sb.components()).find((n) => n.startsWith('agent'))!
    const agentPid = sb.components()[agentName].pid
    const taskPids = sb.strayProcesses().filter((p) => p !== agentPid)
    process.kill(agentPid, 'SIGKILL')

    await waitFor('the supervisor to restart the agent', () => {
      const c = sb.components()[agentName]
      return c.pid !== agentPid && alive(c.pid)
    })
    assert.ok(taskPids.some(alive), 'the task process outlived its agent')

    const code = await new Promise<number | null>((resolve) => exec.on('exit', resolve))
    assert.match(exec.output(), /TASK_FINISHED/, exec.output())
    assert.equal(code, 0)
    const log = await sb.dcos('task', 'log', '--completed', 'survivor')
    assert.match(log.stdout, /done/)
  })

  it('keeps its registry of agents across kill -9 of the master', async () => {
    const before = JSON.parse((await sb.get(`${url}/mesos/master/slaves`)).body).slaves as {id: string}[]
    const masterPid = sb.components().master.pid
    process.kill(masterPid, 'SIGKILL')
    await waitFor('the master to come back', () => sb.components().master.pid !== masterPid && alive(sb.components().master.pid))
    await waitFor('the agent to re-register', async () => {
      const res = await sb.get(`${url}/mesos/master/slaves`)
      if (res.status !== 200) return false
      const slaves = JSON.parse(res.body).slaves as {id: string; active: boolean}[]
      return slaves.length === before.length && slaves.every((s) => s.active)
    })
    const after = JSON.parse((await sb.get(`${url}/mesos/master/slaves`)).body).slaves as {id: string}[]
    assert.deepEqual(after.map((s) => s.id).sort(), before.map((s) => s.id).sort())
    const r = await sb.run(MESOS_EXECUTE, [`--master=${master}`, '--name=after-restart', '--command=true'])
    assert.equal(r.code, 0, r.stdout + r.stderr)
  })
})
