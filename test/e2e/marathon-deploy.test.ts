/**
 * Marathon's deployments in a real local cluster: a rolling restart under HTTP health checks
 * that never drops below minimumHealthCapacity (watched throughout), a crash loop that backs off
 * (visible in /v2/queue, reset with DELETE /v2/queue/{id}/delay), an unhealthy task killed and
 * replaced, and a group whose app starts only once its dependency is ready.
 */
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'
import {Sandbox, waitFor} from './harness'
import {MarathonClient} from './marathon-client'

describe('marathon deployments', () => {
  const sb = new Sandbox('dcos-e2e-marathon-deploy-')
  let m: MarathonClient

  before(async () => {
    m = await MarathonClient.of(sb, await sb.up(2))
  })
  after(() => sb.cleanup())

  it('restarts under HTTP health checks without dropping below minimumHealthCapacity', async () => {
    const app = {
      id: '/rolling',
      cmd: 'python3 -m http.server $PORT0',
      cpus: 0.05,
      mem: 32,
      instances: 3,
      healthChecks: [{protocol: 'HTTP', path: '/', intervalSeconds: 1, timeoutSeconds: 1, gracePeriodSeconds: 15, maxConsecutiveFailures: 3}],
      upgradeStrategy: {minimumHealthCapacity: 1, maximumOverCapacity: 0.34},
    }
    await m.json('POST', '/v2/apps', app)
    await m.deploymentsDone()
    const before = (await m.tasks('/rolling', 'TASK_RUNNING')).map((t) => t.id)
    assert.equal(before.length, 3)

    let minHealthy = Infinity
    let maxActive = 0
    let watching = true
    const watcher = (async () => {
      while (watching) {
        const tasks = await m.tasks('/rolling')
        const healthy = tasks.filter((t) => t.state === 'TASK_RUNNING' && t.healthCheckResults?.[0]?.alive === true)
        minHealthy = Math.min(minHealthy, healthy.length)
        maxActive = Math.max(maxActive, tasks.length)
        await new Promise((r) => setTimeout(r, 25))
      }
    })()
    const r = await m.call('POST', '/v2/apps/rolling/restart')
    assert.equal(r.status, 200, r.text)
    try {
      await m.deploymentsDone(45_000)
    } finally {
      watching = false
      await watcher
    }
    const after = await m.tasks('/rolling', 'TASK_RUNNING')
    assert.equal(after.length, 3)
    assert.ok(after.every((t) => !before.includes(t.id)), 'every task was replaced')
    assert.ok(minHealthy >= 3, `healthy tasks dropped to ${minHealthy}`)
    assert.ok(maxActive <= 4, `${maxActive} tasks at once (maximumOverCapacity allows 4)`)
    await m.json('DELETE', '/v2/apps/rolling')
  })

  it('backs off a crash loop, shows the delay in /v2/queue, and resets it on request', async () => {
    const started = Date.now()
    await m.json('POST', '/v2/apps', {id: '/crash', cmd: 'exit 1', cpus: 0.01, mem: 8, backoffSeconds: 1, backoffFactor: 2, maxLaunchDelaySeconds: 60})
    const delayed = await waitFor('a delay in the queue', async () => {
      const {queue} = await m.json('GET', '/v2/queue')
      const item = queue.find((q: any) => q.app.id === '/crash')
      return item?.delay.timeLeftSeconds >= 2 && item
    }, 20_000)
    assert.equal(delayed.count, 1)
    assert.equal(delayed.delay.overdue, false)
    const {app} = await m.json('GET', '/v2/apps/crash')
    assert.equal(app.lastTaskFailure.state, 'TASK_FAILED')
    assert.equal(app.lastTaskFailure.appId, '/crash')
    const stats = await m.json('GET', '/v2/apps/crash?embed=apps.taskStats')
    assert.ok(stats.app.tasksStats.totalSummary)
    const elapsed = (Date.now() - started) / 1000
    assert.ok(elapsed >= 0.9, `the second launch waited for the first delay (${elapsed} s)`)
    const reset = await sb.dcos('marathon', 'delay', 'reset', 'crash')
    assert.deepEqual([reset.code, reset.stdout, reset.stderr], [0, '', ''])
    await waitFor('the delay to be gone', async () => {
      const {queue} = await m.json('GET', '/v2/queue')
      const item = queue.find((q: any) => q.app.id === '/crash')
      return !item || item.delay.timeLeftSeconds <= 1
    })
    assert.equal((await m.call('DELETE', '/v2/queue/nothing/delay')).status, 404)
    const none = await sb.dcos('marathon', 'delay', 'reset', '/nothing')
    assert.equal(none.code, 1)
    assert.match(none.stderr, /Application \/nothing not found in tasks queue/)
    await m.json('DELETE', '/v2/apps/crash')
    await waitFor('crash out of the queue', async () => !(await m.json('GET', '/v2/queue')).queue.some((q: any) => q.app.id === '/crash'))
  })

  it('kills a task that turns unhealthy and replaces it', async () => {
    // Healthy while the marker file is absent; the test creates it to make the task fail its check.
    await m.json('POST', '/v2/apps', {
      id: '/flaky',
      cmd: 'python3 -m http.server $PORT0',
      cpus: 0.05,
      mem: 32,
      healthChecks: [{protocol: 'COMMAND', command: {value: 'test ! -e "$MARK"'}, intervalSeconds: 1, timeoutSeconds: 1, gracePeriodSeconds: 1, maxConsecutiveFailures: 2, delaySeconds: 0}],
      env: {MARK: `/tmp/dcos-e2e-unhealthy-${process.pid}`},
    })
    const [first] = await m.running('/flaky', 1)
    await waitFor('healthy', async () => (await m.tasks('/flaky'))[0]?.healthCheckResults?.[0]?.alive === true)
    const fs = await import('node:fs')
    const mark = `/tmp/dcos-e2e-unhealthy-${process.pid}`
    fs.writeFileSync(mark, '')
    try {
      const stream = await m.events(['unhealthy_instance_kill_event'])
      try {
        const kill = await waitFor('the unhealthy kill', () => stream.events.find((e) => e.data.taskId === first.id), 20_000)
        assert.equal(kill.data.appId, '/flaky')
      } finally {
        stream.close()
      }
    } finally {
      fs.rmSync(mark, {force: true})
    }
    await waitFor('a healthy replacement', async () => {
      const tasks = await m.tasks('/flaky', 'TASK_RUNNING')
      return tasks.length === 1 && tasks[0].id !== first.id && tasks[0].healthCheckResults?.[0]?.alive === true
    }, 30_000)
    await m.json('DELETE', '/v2/apps/flaky')
  })

  it('starts a group’s app only after its dependency is ready', async () => {
    const r = await m.call('POST', '/v2/groups', {
      id: '/shop',
      apps: [
        {
          id: 'db',
          cmd: 'sleep 1; python3 -m http.server $PORT0',
          cpus: 0.05,
          mem: 32,
          portDefinitions: [{port: 0, name: 'api'}],
          readinessChecks: [{portName: 'api', path: '/', intervalSeconds: 2, timeoutSeconds: 1}],
        },
        {id: 'web', cmd: 'sleep 1000', cpus: 0.01, mem: 8, dependencies: ['/shop/db']},
      ],
    })
    assert.equal(r.status, 201, r.text)
    await m.deploymentsDone()
    const [db] = await m.tasks('/shop/db', 'TASK_RUNNING')
    const [web] = await m.tasks('/shop/web', 'TASK_RUNNING')
    assert.ok(db && web)
    assert.ok(Date.parse(web.stagedAt) >= Date.parse(db.startedAt) + 500, `web staged at ${web.stagedAt}, db started at ${db.startedAt}`)
    const tree = await m.json('GET', '/v2/groups/shop')
    assert.deepEqual(tree.apps.map((a: any) => a.id), ['/shop/db', '/shop/web'])
    await m.json('DELETE', '/v2/groups/shop')
  })
})
