/**
 * Marathon's v2 API in-process, with a real master and real agents (tasks are real processes):
 * the exact POST /v2/apps answer, errors as Marathon words them, updates, scaling, deletion,
 * versions and rollback, groups, deployment locks, task kills, events, and durability across a
 * Marathon restart without duplicate tasks.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import {after, before, describe, it} from 'node:test'
import {request} from './master-harness'
import {MarathonCluster, sleep, waitFor} from './marathon-harness'

const T = 10_000

describe('marathon v2 API', () => {
  let c: MarathonCluster

  before(async () => {
    c = await MarathonCluster.start({agents: 2})
  })
  after(async () => {
    await c?.close()
  })

  const running = (id: string, n: number) => waitFor(`${n} running tasks of ${id}`, async () => (await c.tasks(id)).length === n && (await c.tasks(id)), T)
  const noDeployments = () => waitFor('deployments to finish', async () => (await c.json('GET', '/v2/deployments')).length === 0, T)

  it('POST /v2/apps: 201, Location, Marathon-Deployment-Id and the default-filled app; the task runs', async () => {
    const r = await c.api('POST', '/v2/apps', {id: 'simple', cmd: 'sleep 1000', cpus: 0.1, mem: 16, instances: 2})
    assert.equal(r.status, 201, r.text)
    const body = r.json()
    const deployment = r.headers['marathon-deployment-id']
    assert.ok(typeof deployment === 'string' && deployment.length > 0)
    assert.match(String(r.headers.location), /\/v2\/apps\/simple$/)
    const {version, ...rest} = body
    assert.match(version, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    assert.deepEqual(rest, {
      id: '/simple',
      backoffFactor: 1.15,
      backoffSeconds: 1,
      cmd: 'sleep 1000',
      cpus: 0.1,
      disk: 0,
      executor: '',
      instances: 2,
      labels: {},
      maxLaunchDelaySeconds: 300,
      mem: 16,
      gpus: 0,
      networks: [{mode: 'host'}],
      portDefinitions: [{port: 0, protocol: 'tcp', name: 'default'}],
      requirePorts: false,
      upgradeStrategy: {minimumHealthCapacity: 1, maximumOverCapacity: 1},
      killSelection: 'YOUNGEST_FIRST',
      unreachableStrategy: {inactiveAfterSeconds: 0, expungeAfterSeconds: 0},
      role: '*',
      tasksStaged: 0,
      tasksRunning: 0,
      tasksHealthy: 0,
      tasksUnhealthy: 0,
      deployments: [{id: deployment}],
    })
    const tasks = await running('/simple', 2)
    assert.match(tasks[0].id, /^simple\.instance-[0-9a-f-]{36}\._app\.1$/)
    const {app} = await c.json('GET', '/v2/apps/simple')
    assert.equal(app.portDefinitions[0].port, 10000, 'a service port was assigned')
    assert.deepEqual(app.tasks.map((t: any) => t.servicePorts), [[10000], [10000]])
    assert.equal(app.versionInfo.lastConfigChangeAt, version)
    await noDeployments()
  })

  it('answers errors as Marathon does (and better for empty bodies)', async () => {
    const empty = await c.api('POST', '/v2/apps', '')
    assert.equal(empty.status, 400)
    assert.equal(empty.json().message, 'Please specify data in JSON format')
    const malformed = await c.api('POST', '/v2/apps', '{"id": ')
    assert.equal(malformed.status, 400)
    assert.equal(malformed.json().message, 'Invalid JSON')
    assert.equal(typeof malformed.json().details, 'string')
    const invalid = await c.api('POST', '/v2/apps', {id: '/x', cmd: 'a', args: ['b']})
    assert.equal(invalid.status, 422)
    assert.deepEqual(invalid.json(), {message: 'Object is not valid', details: [{path: '/', errors: ["AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'."]}]})
    const docker = await c.api('POST', '/v2/apps', {id: '/d', container: {type: 'DOCKER', docker: {image: 'nginx'}}})
    assert.equal(docker.status, 422)
    assert.ok(docker.json().details.some((d: any) => d.path === '/container/type' && /no container engine/.test(d.errors[0])))
    const missing = await c.api('GET', '/v2/apps/nope')
    assert.deepEqual([missing.status, missing.json()], [404, {message: "App '/nope' does not exist"}])
    const exists = await c.api('POST', '/v2/apps', {id: '/simple', cmd: 'x'})
    assert.deepEqual([exists.status, exists.json()], [409, {message: 'An app with id [/simple] already exists.'}])
    assert.equal((await c.api('GET', '/v2/nothing')).status, 404)
    assert.equal((await c.api('DELETE', '/v2/deployments/nope')).json().message, 'DeploymentPlan nope does not exist')
  })

  it('scales with PUT and PATCH, keeping the tasks that run; lists versions', async () => {
    const before = (await c.tasks('/simple')).map((t) => t.id).sort()
    const up = await c.api('PUT', '/v2/apps/simple', {instances: 3})
    assert.equal(up.status, 200)
    assert.deepEqual(Object.keys(up.json()).sort(), ['deploymentId', 'version'])
    assert.equal(up.headers['marathon-deployment-id'], up.json().deploymentId)
    const three = (await running('/simple', 3)).map((t) => t.id)
    assert.ok(before.every((id) => three.includes(id)), 'scaling up restarts nothing')
    const down = await c.api('PATCH', '/v2/apps/simple', {instances: 1})
    assert.equal(down.status, 200)
    const [survivor] = await running('/simple', 1)
    const oldest = three.map((id) => ({id})).find((t) => t.id === survivor.id)
    assert.ok(oldest, 'YOUNGEST_FIRST kept one of the earlier tasks')
    const {versions} = await c.json('GET', '/v2/apps/simple/versions')
    assert.equal(versions.length, 3)
    const first = await c.json('GET', `/v2/apps/simple/versions/${versions[2]}`)
    assert.equal(first.instances, 2)
    assert.equal((await c.api('GET', '/v2/apps/simple/versions/2000-01-01T00:00:00.000Z')).json().message, "App '/simple' does not exist in version 2000-01-01T00:00:00.000Z")
    await noDeployments()
  })

  it('restarts (rolling) with a new config; rolls back to a version', async () => {
    const [old] = await c.tasks('/simple')
    const r = await c.api('POST', '/v2/apps/simple/restart')
    assert.equal(r.status, 200)
    await waitFor('a new task', async () => {
      const tasks = await c.tasks('/simple')
      return tasks.length === 1 && tasks[0].id !== old.id
    }, T)
    await noDeployments()
    const {versions} = await c.json('GET', '/v2/apps/simple/versions')
    const back = await c.api('PUT', '/v2/apps/simple', {version: versions[versions.length - 1]})
    assert.equal(back.status, 200, back.text)
    await running('/simple', 2)
    assert.equal((await c.json('GET', '/v2/apps/simple')).app.instances, 2)
    await noDeployments()
  })

  it('PUT creates a missing app (201); PUT /v2/apps updates several in one deployment', async () => {
    const r = await c.api('PUT', '/v2/apps/made/by-put', {cmd: 'sleep 1000', cpus: 0.01, mem: 8})
    assert.equal(r.status, 201, r.text)
    assert.match(String(r.headers.location), /\/v2\/apps\/made\/by-put$/)
    await noDeployments()
    const many = await c.api('PUT', '/v2/apps', [
      {id: '/made/by-put', instances: 2},
      {id: '/made/other', cmd: 'sleep 1000', cpus: 0.01, mem: 8},
    ])
    assert.equal(many.status, 200, many.text)
    await running('/made/by-put', 2)
    await running('/made/other', 1)
    const group = await c.json('GET', '/v2/apps/made/*')
    assert.deepEqual(group['*'].map((a: any) => a.id).sort(), ['/made/by-put', '/made/other'])
    assert.equal((await c.api('PATCH', '/v2/apps', [{id: '/made/none', instances: 1}])).status, 404)
    await noDeployments()
  })

  it('locks apps in a deployment: 409 with Marathon’s message unless force=true', async () => {
    // Health checks that never pass keep the deployment running.
    const r = await c.api('POST', '/v2/apps', {
      id: '/locked',
      cmd: 'sleep 1000',
      cpus: 0.01,
      mem: 8,
      healthChecks: [{protocol: 'COMMAND', command: {value: 'false'}, gracePeriodSeconds: 300, intervalSeconds: 1, delaySeconds: 0}],
    })
    const id = r.headers['marathon-deployment-id']
    const conflict = await c.api('PUT', '/v2/apps/locked', {instances: 2})
    assert.equal(conflict.status, 409)
    assert.deepEqual(conflict.json(), {
      message: `App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/${id}'.`,
      deployments: [{id}],
    })
    const [d] = await c.json('GET', '/v2/deployments')
    assert.deepEqual([d.id, d.affectedApps, d.totalSteps, d.steps[0].actions[0].action], [id, ['/locked'], 2, 'StartApplication'])
    const forced = await c.api('PUT', '/v2/apps/locked?force=true', {instances: 2})
    assert.equal(forced.status, 200)
    const now = await c.json('GET', '/v2/deployments')
    assert.deepEqual(now.map((x: any) => x.id), [forced.json().deploymentId])
    const stop = await c.api('DELETE', `/v2/deployments/${forced.json().deploymentId}?force=true`)
    assert.deepEqual([stop.status, stop.text], [202, ''])
    const del = await c.api('DELETE', '/v2/apps/locked')
    assert.equal(del.status, 200, 'DELETE forces by default')
    await waitFor('the app’s tasks to go', async () => (await c.tasks('/locked')).length === 0 && (await c.api('GET', '/v2/apps/locked')).status === 404, T)
  })

  it('rolls a deployment back with DELETE /v2/deployments/{id}', async () => {
    await noDeployments()
    await c.json('POST', '/v2/apps', {id: '/rb', cmd: 'sleep 1000', cpus: 0.01, mem: 8, healthChecks: [{protocol: 'COMMAND', command: {value: 'false'}, intervalSeconds: 1, delaySeconds: 0}]})
    const d = (await c.json('GET', '/v2/deployments')).find((x: any) => x.affectedApps.includes('/rb'))
    const r = await c.api('DELETE', `/v2/deployments/${d.id}`)
    assert.equal(r.status, 200)
    assert.ok(r.json().deploymentId)
    await waitFor('the new app to be gone', async () => (await c.api('GET', '/v2/apps/rb')).status === 404 && (await c.tasks('/rb')).length === 0, T)
    await noDeployments()
  })

  it('kills tasks: plain (replaced), with scale (not), and refuses scale with wipe', async () => {
    await c.json('POST', '/v2/apps', {id: '/k', cmd: 'sleep 1000', cpus: 0.01, mem: 8, instances: 3})
    const tasks = await running('/k', 3)
    const killed = await c.json('POST', '/v2/tasks/delete', {ids: [tasks[0].id]})
    assert.deepEqual(killed.tasks.map((t: any) => t.id), [tasks[0].id])
    await waitFor('a replacement', async () => {
      const now = await c.tasks('/k')
      return now.length === 3 && !now.some((t) => t.id === tasks[0].id)
    }, T)
    const scaled = await c.api('DELETE', `/v2/apps/k/tasks/${tasks[1].id}?scale=true`)
    assert.equal(scaled.status, 200)
    assert.ok(scaled.json().deploymentId)
    await waitFor('two tasks', async () => {
      const now = await c.tasks('/k')
      return now.length === 2 && !now.some((t) => t.id === tasks[1].id)
    }, T)
    assert.equal((await c.json('GET', '/v2/apps/k')).app.instances, 2)
    const both = await c.api('POST', '/v2/tasks/delete?scale=true&wipe=true', {ids: []})
    assert.deepEqual([both.status, both.json().message], [400, 'You cannot use scale and wipe at the same time.'])
    assert.equal((await c.api('POST', '/v2/tasks/delete', {ids: ['../etc']})).status, 400)
    const text = await c.api('GET', '/v2/tasks', undefined, {Accept: 'text/plain'})
    assert.match(text.text, /^k\t1000\d\t127\.0\.0\.\d+:\d+\t/m)
    await c.json('DELETE', '/v2/apps/k')
  })

  it('groups: create the fixture group, read the tree, scale by, delete', async () => {
    const group = fs.readFileSync('/work/shared/fixtures/marathon-real/system-groups/sleep-group.json', 'utf8')
    const r = await c.api('POST', '/v2/groups', group)
    assert.equal(r.status, 201, r.text)
    assert.ok(r.json().deploymentId)
    await running('/sleep-group/sleep/goodnight-1', 1)
    await running('/sleep-group/sleep/goodnight-2', 1)
    const tree = await c.json('GET', '/v2/groups/sleep-group')
    assert.equal(tree.id, '/sleep-group')
    assert.deepEqual(tree.groups[0].apps.map((a: any) => a.id), ['/sleep-group/sleep/goodnight-1', '/sleep-group/sleep/goodnight-2'])
    assert.deepEqual(Object.keys(tree).sort(), ['apps', 'dependencies', 'enforceRole', 'groups', 'id', 'pods', 'version'])
    assert.equal((await c.api('POST', '/v2/groups', group)).status, 409)
    await noDeployments()
    const scale = await c.api('PUT', '/v2/groups/sleep-group', {scaleBy: 2})
    assert.equal(scale.status, 200, scale.text)
    await running('/sleep-group/sleep/goodnight-1', 2)
    const versions = await c.json('GET', '/v2/groups/sleep-group/versions')
    assert.ok(Array.isArray(versions) && versions.length >= 2)
    const dry = await c.json('PUT', '/v2/groups/sleep-group?dryRun=true', {scaleBy: 0.5})
    assert.deepEqual(dry.steps[0].actions.map((a: any) => a.action), ['ScaleApplication', 'ScaleApplication'])
    await noDeployments()
    assert.equal((await c.api('DELETE', '/v2/groups/sleep-group')).status, 200)
    await waitFor('the group’s tasks to go', async () => (await c.tasks('/sleep-group/sleep/goodnight-1')).length === 0, T)
    assert.equal((await c.api('GET', '/v2/groups/sleep-group')).status, 404)
  })

  it('starts a group’s apps in dependency order', async () => {
    const r = await c.api('POST', '/v2/groups', {
      id: '/dep',
      apps: [
        {id: 'db', cmd: 'sleep 1000', cpus: 0.01, mem: 8, readinessChecks: [{portName: 'http', intervalSeconds: 2, timeoutSeconds: 1}], portDefinitions: [{port: 0, name: 'http'}]},
        {id: 'web', cmd: 'sleep 1000', cpus: 0.01, mem: 8, dependencies: ['db']},
      ],
    })
    assert.equal(r.status, 201, r.text)
    const d = (await c.json('GET', '/v2/deployments')).find((x: any) => x.affectedApps.includes('/dep/db'))
    assert.deepEqual(
      d.steps.map((s: any) => s.actions.map((a: any) => `${a.action} ${a.app}`)),
      [['StartApplication /dep/db', 'StartApplication /dep/web'], ['ScaleApplication /dep/db'], ['ScaleApplication /dep/web']],
    )
    await running('/dep/db', 1)
    await sleep(300)
    assert.equal((await c.tasks('/dep/web')).length + (await c.tasks('/dep/web', 'TASK_STAGING')).length, 0, 'web waits for db to be ready')
    const current = (await c.json('GET', '/v2/deployments')).find((x: any) => x.id === d.id)
    assert.equal(current.currentStep, 2)
    assert.deepEqual(current.currentActions[0].readinessCheckResults.map((x: any) => x.ready), [false])
    await c.json('DELETE', '/v2/groups/dep?force=true')
  })

  it('streams events: api_post_event, deployment_info, status_update_event, deployment_success', async () => {
    const events: {type: string; data: any}[] = []
    const req = http.get(`${c.url}/v2/events?event_type=api_post_event&event_type=deployment_info&event_type=status_update_event&event_type=deployment_success`, {headers: {Accept: 'text/event-stream'}})
    const res = await new Promise<http.IncomingMessage>((resolve) => req.on('response', resolve))
    assert.equal(res.headers['content-type'], 'text/event-stream')
    let buffer = ''
    res.on('data', (d) => {
      buffer += d
      let i
      while ((i = buffer.indexOf('\r\n\r\n')) >= 0) {
        const frame = buffer.slice(0, i)
        buffer = buffer.slice(i + 4)
        const type = /^event: (.*)$/m.exec(frame)?.[1]
        const data = /^data: (.*)$/m.exec(frame)?.[1]
        if (type && data) events.push({type, data: JSON.parse(data)})
      }
    })
    try {
      await c.json('POST', '/v2/apps', {id: '/ev', cmd: 'sleep 1000', cpus: 0.01, mem: 8})
      const ours = (e: {type: string; data: any}) => e.data.plan?.steps.some((s: any) => s.actions.some((a: any) => a.app === '/ev'))
      await waitFor('deployment_success', () => events.some((e) => e.type === 'deployment_success' && ours(e)), T)
      const types = events.map((e) => e.type)
      assert.deepEqual([...new Set(types)].sort(), ['api_post_event', 'deployment_info', 'deployment_success', 'status_update_event'])
      const post = events.find((e) => e.type === 'api_post_event')!.data
      assert.equal(post.appDefinition.id, '/ev')
      assert.equal(post.eventType, 'api_post_event')
      assert.ok(post.timestamp)
      const running = events.find((e) => e.type === 'status_update_event' && e.data.taskStatus === 'TASK_RUNNING')!.data
      assert.deepEqual(Object.keys(running).sort(), ['appId', 'eventType', 'host', 'ipAddresses', 'message', 'ports', 'slaveId', 'taskId', 'taskStatus', 'timestamp', 'version'])
      assert.equal(events.find((e) => e.type === 'deployment_info')!.data.plan.steps[0].actions[0].action, 'StartApplication')
    } finally {
      req.destroy()
    }
    await c.json('DELETE', '/v2/apps/ev')
  })

  it('serves info, leader, ping, queue and metrics', async () => {
    const info = await c.json('GET', '/v2/info')
    assert.equal(info.name, 'marathon')
    assert.equal(info.frameworkId, c.marathon.frameworkId())
    assert.equal(info.marathon_config.local_port_min, 10000)
    assert.deepEqual(await c.json('GET', '/v2/leader'), {leader: new URL(c.url).host})
    assert.equal((await c.api('GET', '/ping')).text, 'pong')
    assert.deepEqual(await c.json('GET', '/v2/queue'), {queue: []})
    assert.ok((await c.json('GET', '/metrics')).gauges['marathon.apps.active.gauge'].value >= 1)
  })

  it('never loses one of many concurrent writes', async () => {
    const ids = Array.from({length: 25}, (_, i) => `/many/app-${i}`)
    const answers = await Promise.all(ids.map((id) => c.api('POST', '/v2/apps', {id, cmd: 'sleep 1000', cpus: 0.001, mem: 1, instances: 0})))
    assert.deepEqual(answers.map((a) => a.status), ids.map(() => 201))
    assert.equal(new Set(answers.map((a) => a.json().version)).size, ids.length, 'each change got its own version')
    const listed = (await c.json('GET', '/v2/apps?id=/many/')).apps.map((a: any) => a.id).sort()
    assert.deepEqual(listed, [...ids].sort())
    await noDeployments()
    assert.equal((await c.api('DELETE', '/v2/groups/many')).status, 200)
    await noDeployments()
  })

  it('runs a resident app: reserve and create, relaunch on its volume with the data kept, release on scale-down', async () => {
    const r = await c.api('POST', '/v2/apps', {
      id: '/resident',
      cmd: 'echo run >> data/runs; sleep 1000',
      cpus: 0.05,
      mem: 16,
      container: {type: 'MESOS', volumes: [{containerPath: 'data', mode: 'RW', persistent: {size: 8}}]},
    })
    assert.equal(r.status, 201, r.text)
    const [first] = await running('/resident', 1)
    assert.match(first.id, /\._app\.1$/)
    assert.equal(first.localVolumes[0].containerPath, 'data')
    const volume = path.join(c.dir, `agent-${c.agents.findIndex((a) => a.agentId() === first.slaveId) + 1}`, 'volumes', 'roles', 'marathon', first.localVolumes[0].persistenceId, 'runs')
    // running means started, not written: on a busy machine the kill would come before the first echo
    await waitFor('the first run in the volume', () => fs.existsSync(volume), T)
    await c.json('POST', '/v2/tasks/delete', {ids: [first.id]})
    const [second] = await waitFor('the relaunch', async () => {
      const tasks = await c.tasks('/resident')
      return tasks.length === 1 && tasks[0].id !== first.id && tasks
    }, T)
    assert.equal(second.id, first.id.replace(/\._app\.1$/, '._app.2'), 'the same instance, next incarnation')
    assert.equal(second.slaveId, first.slaveId)
    await waitFor('both runs in the volume', () => fs.existsSync(volume) && /^(run\n){2,}$/.test(fs.readFileSync(volume, 'utf8')), 2 * T)
    await noDeployments()
    const reserved = async () => {
      const slaves = JSON.parse((await request(`${c.master.url}/master/slaves`)).text).slaves
      return slaves.flatMap((s: any) => Object.keys(s.reserved_resources ?? {}))
    }
    assert.deepEqual(await reserved(), ['marathon'])
    await c.json('PUT', '/v2/apps/resident', {instances: 0})
    await waitFor('the reservation to be released', async () => (await reserved()).length === 0 && (await c.tasks('/resident', 'TASK_KILLED')).length === 0, T)
    await c.json('DELETE', '/v2/apps/resident')
  })

  it('keeps everything across a restart and launches no duplicate', async () => {
    await c.json('POST', '/v2/apps', {id: '/durable', cmd: 'sleep 1000', cpus: 0.01, mem: 8, instances: 2})
    const tasks = (await running('/durable', 2)).map((t) => t.id).sort()
    const frameworkId = c.marathon.frameworkId()
    await c.restartMarathon()
    await waitFor('re-subscription', () => c.marathon.frameworkId() === frameworkId, T)
    const {app} = await c.json('GET', '/v2/apps/durable')
    assert.deepEqual(app.tasks.map((t: any) => t.id).sort(), tasks)
    await sleep(500)
    assert.deepEqual((await c.tasks('/durable')).map((t) => t.id).sort(), tasks, 'still the same two tasks')
    const master = await new Promise<any>((resolve, reject) =>
      http.get(`${c.master.url}/master/tasks`, (res) => {
        let b = ''
        res.on('data', (d) => (b += d))
        res.on('end', () => resolve(JSON.parse(b)))
      }).on('error', reject),
    )
    assert.equal(master.tasks.filter((t: any) => t.id.startsWith('durable.') && t.state === 'TASK_RUNNING').length, 2)
  })
})
