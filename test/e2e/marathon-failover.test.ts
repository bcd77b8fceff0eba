/**
 * Marathon killed with SIGKILL in the middle of a deployment: the supervisor starts it again,
 * it re-subscribes with its stored framework id, reconciles its tasks with the master, finishes
 * the deployment, and never runs more tasks than the app asks for (no duplicates).
 */
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'
import {alive, Sandbox, waitFor} from './harness'
import {MarathonClient} from './marathon-client'

describe('marathon failover', () => {
  const sb = new Sandbox('dcos-e2e-marathon-failover-')
  let m: MarathonClient

  before(async () => {
    m = await MarathonClient.of(sb, await sb.up(2))
  })
  after(() => sb.cleanup())

  /** The app's tasks the master says are running. */
  const masterRunning = async (prefix: string): Promise<string[]> => {
    const state = JSON.parse((await sb.get(`${m.base.replace(/\/service\/marathon$/, '')}/mesos/master/tasks`)).body)
    return state.tasks.filter((t: any) => t.id.startsWith(prefix) && t.state === 'TASK_RUNNING').map((t: any) => t.id)
  }

  it('finishes a deployment after a kill -9, without duplicate tasks', async () => {
    const frameworkId = (await m.json('GET', '/v2/info')).frameworkId
    // Readiness makes the deployment take a few seconds: time to kill Marathon in the middle.
    await m.json('POST', '/v2/apps', {
      id: '/steady',
      cmd: 'sleep 2; python3 -m http.server $PORT0',
      cpus: 0.05,
      mem: 32,
      instances: 4,
      portDefinitions: [{port: 0, name: 'http'}],
      readinessChecks: [{portName: 'http', path: '/', intervalSeconds: 2, timeoutSeconds: 1}],
    })
    await waitFor('some tasks running, the deployment not done', async () => {
      const tasks = await m.tasks('/steady')
      const deployments = await m.json('GET', '/v2/deployments')
      return tasks.some((t) => t.state === 'TASK_RUNNING') && deployments.length === 1
    })
    const before = sb.components().marathon
    process.kill(before.pid, 'SIGKILL')
    await waitFor('the supervisor to restart Marathon', () => {
      const now = sb.components().marathon
      return now.pid && now.pid !== before.pid && alive(now.pid) && now.restarts === before.restarts + 1
    })
    await waitFor('Marathon to answer again', async () => (await m.call('GET', '/ping').catch(() => undefined))?.status === 200, 20_000)
    assert.equal((await m.json('GET', '/v2/info')).frameworkId, frameworkId, 'it failed over to its own framework id')
    await m.deploymentsDone(40_000)
    const tasks = await m.running('/steady', 4)
    assert.equal(new Set(tasks.map((t) => t.id)).size, 4)
    const onMaster = await masterRunning('steady.')
    assert.deepEqual(onMaster.sort(), tasks.map((t) => t.id).sort(), 'the master runs exactly the tasks Marathon knows')

    // A change after the failover works as before, and still nothing runs twice.
    await m.json('PUT', '/v2/apps/steady', {instances: 2})
    await m.running('/steady', 2)
    await m.deploymentsDone()
    assert.equal((await masterRunning('steady.')).length, 2)
  })

  it('abdicates on DELETE /v2/leader: elected again, it re-subscribes with its framework id, its tasks untouched', async () => {
    const frameworkId = (await m.json('GET', '/v2/info')).frameworkId
    const before = (await m.running('/steady', 2)).map((t) => t.id).sort()
    const stream = await m.events(['scheduler_registered_event', 'scheduler_reregistered_event'])
    try {
      const r = await sb.dcos('marathon', 'leader', 'delete')
      assert.equal(r.code, 0, r.stderr)
      assert.match(r.stdout + r.stderr, /Leadership abdicated/)
      const event = await waitFor('the new subscription', () => stream.events[0])
      assert.equal(event.data.frameworkId, frameworkId)
    } finally {
      stream.close()
    }
    // Abdications at once: each answered, and one subscription at the end.
    const many = await Promise.all([1, 2, 3].map(() => m.call('DELETE', '/v2/leader')))
    assert.deepEqual(many.map((x) => x.status), [200, 200, 200], many.map((x) => x.text).join(' '))
    assert.equal(sb.components().marathon.restarts, 1, 'the process was not restarted: only its subscription')
    assert.deepEqual((await m.running('/steady', 2)).map((t) => t.id).sort(), before)
    // The new subscription gets offers: a scale-up launches.
    await m.json('PUT', '/v2/apps/steady', {instances: 3})
    await m.running('/steady', 3)
    await m.deploymentsDone()
    assert.equal((await masterRunning('steady.')).length, 3)
    const frameworks = JSON.parse((await sb.get(`${m.base.replace(/\/service\/marathon$/, '')}/mesos/master/frameworks`)).body).frameworks
    assert.deepEqual(frameworks.filter((f: any) => f.name === 'marathon').map((f: any) => [f.id, f.active]), [[frameworkId, true]])
  })
})
