/**
 * Marathon in a real local cluster, as a user meets it behind the gateway: the seed's curl
 * workflow (hello2.json → 201, scale to 3, to 1, destroy), every app of Marathon's own fixtures
 * that needs no container engine accepted and running (the rest refused with a 422 that says
 * why), `hostname:UNIQUE` with more instances than agents (the rest waits in /v2/queue), the
 * event stream, and `dcos task log <app>` finding Marathon's tasks.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {after, before, describe, it} from 'node:test'
import {Sandbox, waitFor} from './harness'
import {MarathonClient} from './marathon-client'

const FIXTURES = '/work/shared/fixtures/marathon-real'
const fixture = (f: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, f), 'utf8'))
/** DC/OS ships its own python; here the system's python3 stands in for it (tests may rewrite cmd only). */
const withPython3 = (app: any) => ({...app, ...(app.cmd && {cmd: app.cmd.replaceAll('/opt/mesosphere/bin/python', 'python3')})})

describe('marathon in a local cluster', () => {
  const sb = new Sandbox('dcos-e2e-marathon-')
  let url = ''
  let m: MarathonClient

  before(async () => {
    // 8 cpus per agent: large-sleep.json's 3.5 must fit on one agent however the other apps
    // (2.7 cpus in all) were spread; with 4, a spread leaving no agent 3.5 free kept it waiting.
    url = await sb.up(3, ['--cpus', '8'])
    m = await MarathonClient.of(sb, url)
  })
  after(() => sb.cleanup())

  it('runs the seed workflow with curl: hello2.json → 201 and the app, scale to 3, to 1, destroy', async () => {
    const file = path.join(sb.dir, 'hello2.json')
    fs.writeFileSync(file, JSON.stringify({id: 'hello2', cmd: 'echo hello; sleep 1000', mem: 16, cpus: 0.1, instances: 1, disk: 0.0, ports: [0]}))
    const token = m.headers.Authorization
    const curl = (...args: string[]) => sb.run('curl', ['-s', '-i', '-H', `Authorization: ${token}`, ...args])
    const created = await curl('-H', 'Content-Type: application/json', '-d@' + file, `${url}/marathon/v2/apps`)
    assert.equal(created.code, 0, created.stderr)
    const [head, body] = created.stdout.split('\r\n\r\n')
    assert.match(head, /^HTTP\/1\.1 201 Created/)
    assert.match(head, /^location: \/marathon\/v2\/apps\/hello2$/im)
    assert.match(head, /^marathon-deployment-id: [0-9a-f-]{36}$/im)
    const app = JSON.parse(body)
    assert.equal(app.id, '/hello2')
    assert.deepEqual(app.portDefinitions, [{port: 0, protocol: 'tcp'}])
    assert.equal(app.tasksRunning, 0)
    await m.running('/hello2', 1)

    const log = await waitFor('hello in the task log', async () => {
      const r = await sb.dcos('task', 'log', 'hello2')
      return r.code === 0 && r.stdout.includes('hello') && r
    })
    assert.match(log.stdout, /hello/)

    for (const n of [3, 1]) {
      const r = await m.call('PUT', '/v2/apps/hello2', {instances: n})
      assert.equal(r.status, 200, r.text)
      await m.running('/hello2', n)
      await m.deploymentsDone()
    }
    const gone = await m.call('DELETE', '/v2/apps/hello2')
    assert.equal(gone.status, 200)
    await waitFor('hello2 to be gone', async () => (await m.call('GET', '/v2/apps/hello2')).status === 404 && (await m.json('GET', '/v2/tasks')).tasks.length === 0)
  })

  it('accepts and runs every fixture app that needs no container engine; refuses the others, naming the field', async () => {
    const dir = path.join(FIXTURES, 'system-apps')
    const runs = ['http-server.json', 'large-sleep.json', 'mesos-app.json', 'sleep-app.json', 'persistent-volume-app.json']
    const examples = ['examples/app-simple.json', 'examples/app-check-http-example.json']
    // large-sleep.json last: its relative id `sleep` is sleep-app.json's `/sleep`.
    const files = fs.readdirSync(dir).sort((a, b) => Number(a === 'large-sleep.json') - Number(b === 'large-sleep.json'))
    for (const f of files) {
      const r = await m.call('POST', '/v2/apps', withPython3(fixture(`system-apps/${f}`)))
      if (f === 'large-sleep.json') {
        assert.deepEqual([r.status, r.json()], [409, {message: 'An app with id [/sleep] already exists.'}])
        continue
      }
      if (runs.includes(f)) {
        assert.equal(r.status, 201, `${f}: ${r.text}`)
        continue
      }
      assert.equal(r.status, 422, `${f}: ${r.text}`)
      const {message, details} = r.json()
      assert.equal(message, 'Object is not valid')
      assert.ok(
        details.some((d: any) => /^\/(container|ipAddress|networks)/.test(d.path) && d.errors.some((e: string) => /no container engine/.test(e))),
        `${f}: ${r.text}`,
      )
    }
    for (const f of examples) assert.equal((await m.call('POST', '/v2/apps', withPython3(fixture(f)))).status, 201, f)
    const ids = ['/http-server', '/sleep', '/mesos-app', '/persistent-volume-app', '/simple', '/http-index-test']
    const instances: Record<string, number> = {'/simple': 2}
    for (const id of new Set(ids)) await m.running(id, instances[id] ?? 1, 30_000)
    // The servers answer on the ports Marathon gave them.
    // Its running task is asked again on each try: a loaded machine may fail a health check, and
    // Marathon replaces the task on another port.
    for (const id of ['/http-server', '/http-index-test', '/persistent-volume-app']) {
      await waitFor(`${id} to serve`, async () => {
        const [task] = await m.tasks(id, 'TASK_RUNNING')
        return task && (await fetch(`http://${task.host}:${task.ports[0]}/`).catch(() => undefined))?.ok
      })
    }
    const [volume] = await m.tasks('/persistent-volume-app', 'TASK_RUNNING')
    assert.equal(volume.localVolumes[0].containerPath, 'data')
    await m.deploymentsDone()
    // large-sleep.json: 3.5 cpus under the relative id `sleep`.
    await m.json('DELETE', '/v2/apps/sleep')
    await waitFor('/sleep to go', async () => (await m.call('GET', '/v2/apps/sleep')).status === 404)
    // As in Marathon, the app is gone at once but the deployment stopping its tasks holds /sleep's lock (409) until it ends.
    await m.deploymentsDone()
    const again = await m.call('POST', '/v2/apps', fixture('system-apps/large-sleep.json'))
    assert.equal(again.status, 201, again.text)
    const [large] = await m.running('/sleep', 1)
    assert.equal((await m.json('GET', '/v2/apps/sleep')).app.cpus, 3.5)
    assert.ok(large.host)
    await m.deploymentsDone()
    for (const id of new Set(ids)) await m.json('DELETE', `/v2/apps${id}`)
    await waitFor('every task to end', async () => (await m.json('GET', '/v2/tasks')).tasks.length === 0, 20_000)
  })

  it('places hostname:UNIQUE once per agent: 4 instances on 3 agents run 3, the 4th waits in /v2/queue', async () => {
    await m.json('POST', '/v2/apps', {id: '/unique', cmd: 'sleep 1000', cpus: 0.01, mem: 8, instances: 4, constraints: [['hostname', 'UNIQUE']]})
    const tasks = await m.running('/unique', 3)
    assert.equal(new Set(tasks.map((t) => t.host)).size, 3)
    const item = await waitFor('the 4th in the queue', async () => {
      const {queue} = await m.json('GET', '/v2/queue')
      const q = queue.find((x: any) => x.app.id === '/unique')
      return q?.processedOffersSummary?.processedOffersCount > 0 && q
    })
    assert.equal(item.count, 1)
    assert.equal(item.delay.overdue, true)
    assert.ok(item.processedOffersSummary.rejectSummaryLastOffers.some((r: any) => r.reason === 'UnfulfilledConstraint' && r.declined > 0))
    // `dcos marathon debug`: the 4th waits; every agent's last offer failed the constraint, and nothing else.
    const list = await sb.dcos('marathon', 'debug', 'list')
    assert.match(list.stdout, /^\/unique\s+\S+Z\s+1\s+True\s+\d+/m, list.stdout + list.stderr)
    const summary = await waitFor('each agent to have declined an offer', async () => {
      const r = await sb.dcos('marathon', 'debug', 'summary', '/unique')
      return /^CONSTRAINTS\s+\[\["hostname","UNIQUE"\]\]\s+0 \/ 3\s+0\.00%$/m.test(r.stdout) && r.stdout
    })
    assert.match(summary, /^CPUS\s+0\.01\s+3 \/ 3\s+100\.00%$/m)
    const details = await sb.dcos('marathon', 'debug', 'details', '/unique')
    const rows = details.stdout.trim().split('\n').slice(1)
    assert.equal(rows.length, 3, details.stdout)
    for (const row of rows) assert.match(row, /^127\.0\.0\.\d+\s+ok\s+-\s+ok\s+ok\s+ok\s+ok\s+\S+Z$/)
    const deployments = await m.json('GET', '/v2/deployments')
    assert.ok(deployments.some((d: any) => d.affectedApps.length === 1 && d.affectedApps[0] === '/unique'), 'the deployment waits for the 4th')
    await m.json('DELETE', '/v2/apps/unique')
    await waitFor('unique to go', async () => !(await m.json('GET', '/v2/tasks')).tasks.some((t: any) => t.appId === '/unique'))
  })

  it('streams events through the gateway, health included', async () => {
    const stream = await m.events()
    try {
      await waitFor('attached', () => stream.events.some((e) => e.type === 'event_stream_attached'))
      await m.json('POST', '/v2/apps', {
        id: '/web',
        cmd: 'python3 -m http.server $PORT0',
        cpus: 0.1,
        mem: 64,
        healthChecks: [{protocol: 'HTTP', path: '/', intervalSeconds: 1, gracePeriodSeconds: 10}],
      })
      const success = await waitFor('deployment_success', () => stream.events.find((e) => e.type === 'deployment_success' && e.data.plan.steps.some((s: any) => s.actions.some((a: any) => a.app === '/web'))), 20_000)
      const types = new Set(stream.events.map((e) => e.type))
      for (const t of ['api_post_event', 'deployment_info', 'status_update_event', 'instance_changed_event', 'health_status_changed_event', 'deployment_step_success'])
        assert.ok(types.has(t), `${t} in ${[...types].join(', ')}`)
      assert.equal(success.data.eventType, 'deployment_success')
      const health = stream.events.find((e) => e.type === 'health_status_changed_event')!.data
      assert.deepEqual([health.appId, health.alive], ['/web', true])
      const [task] = await m.tasks('/web', 'TASK_RUNNING')
      assert.equal(task.healthCheckResults[0].alive, true)
      const {app} = await m.json('GET', '/v2/apps/web')
      assert.equal(app.tasksHealthy, 1)
    } finally {
      stream.close()
    }
    const filtered = await m.events(['app_terminated_event'])
    try {
      await m.json('DELETE', '/v2/apps/web')
      const ended = await waitFor('app_terminated_event', () => filtered.events.find((e) => e.type === 'app_terminated_event'))
      assert.equal(ended.data.appId, '/web')
      assert.ok(filtered.events.every((e) => e.type === 'app_terminated_event'), 'the filter holds')
    } finally {
      filtered.close()
    }
  })

  it('refuses requests without a token, but answers /ping', async () => {
    const anonymous = new MarathonClient(m.base, {})
    const r = await anonymous.call('GET', '/v2/apps')
    assert.equal(r.status, 401)
    const info = await m.json('GET', '/v2/info')
    const direct = new MarathonClient(info.marathon_config.webui_url, {})
    assert.equal((await direct.call('GET', '/v2/apps')).status, 401, 'its own port checks the token too')
    assert.equal((await direct.call('GET', '/ping')).text, 'pong')
  })
})
