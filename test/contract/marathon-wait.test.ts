/**
 * `--wait` against Marathon's own answers, poll by poll: the deployment (in the recorded
 * /v2/deployments shape) disappearing is success; an app's lastTaskFailure of the deployment's
 * version, a rollback deployment taking its place, or a stop that leaves the app short are
 * failures (exit 1). Progress is on stderr: plain lines without a terminal, a spinner with one.
 */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import AppAdd from '../../commands/marathon/app/add'
import AppKill from '../../commands/marathon/app/kill'
import AppRemove from '../../commands/marathon/app/remove'
import AppRestart from '../../commands/marathon/app/restart'
import AppUpdate from '../../commands/marathon/app/update'
import DeploymentRollback from '../../commands/marathon/deployment/rollback'
import GroupScale from '../../commands/marathon/group/scale'
import type {Deployment, MarathonApp} from '../../src/clients/marathon-types'
import {runCommand} from './harness'
import {JSON_HEADERS, M, marathon, marathonContract, real, realFile} from './marathon-setup'

const ctx = marathonContract()
const env = () => ctx.env()

const D = '5ed4c0c5-9ff8-4a6f-a0cd-f57f59a34b43'
const VERSION = '2015-09-29T15:59:51.164Z'

/** The recorded deployment (examples/deployments.json) as it would be for `app` and `id`. */
function deployment(id: string, app: string, action = 'ScaleApplication', version = VERSION): Deployment {
  const recorded = real<Deployment[]>('examples/deployments.json')[0]
  return {
    ...recorded,
    id,
    version,
    affectedApps: [app],
    affectedPods: [],
    steps: [{actions: [{action, app}]}],
    currentActions: [{action, app, readinessCheckResults: []}],
    currentStep: 1,
    totalSteps: 1,
  }
}

/** The app as GET /v2/apps/{id} answers during and after the deployment (real app_list fields). */
function app(id: string, fields: Partial<MarathonApp>): {app: MarathonApp} {
  const recorded = real<{apps: MarathonApp[]}>('examples/app_list.json').apps[0]
  return {app: {...recorded, id, ...fields}}
}

describe('--wait: the deployment disappears', () => {
  test('app add --wait: Created deployment on stdout, then the wait on stderr, exit 0', async () => {
    marathon()
      .post(`${M}/v2/apps`)
      .reply(201, {id: '/sleep', instances: 1, deployments: [{id: D}]}, {'Marathon-Deployment-Id': D})
      .get(`${M}/v2/deployments`)
      .reply(200, [deployment(D, '/sleep', 'StartApplication')])
      .get(`${M}/v2/apps/sleep`)
      .reply(200, app('/sleep', {instances: 1, tasksRunning: 0, deployments: [{id: D}]}))
      .get(`${M}/v2/deployments`)
      .reply(200, [deployment(D, '/sleep')])
      .get(`${M}/v2/apps/sleep`)
      .reply(200, app('/sleep', {instances: 1, tasksStaged: 1, tasksRunning: 0, deployments: [{id: D}]}))
      .get(`${M}/v2/deployments`)
      .reply(200, [])
      .get(`${M}/v2/apps/sleep`)
      .reply(200, app('/sleep', {instances: 1, tasksRunning: 1, deployments: []}))
    const run = await runCommand(AppAdd, ['--wait', realFile('system-apps/sleep-app.json')], {env: env()})
    assert.equal(run.exit, 0, run.stderr)
    assert.equal(run.stdout, `Created deployment ${D}\n`)
    assert.equal(run.stderr, `Waiting for deployment ${D}...\nDeployment ${D} finished\n`)
  })

  test('without --wait nothing is polled (every recorded request must be made, and none more)', async () => {
    marathon().post(`${M}/v2/apps`).reply(201, {id: '/sleep', deployments: [{id: D}]})
    const run = await runCommand(AppAdd, [realFile('system-apps/sleep-app.json')], {env: env()})
    assert.equal(run.stdout, `Created deployment ${D}\n`)
    assert.equal(run.stderr, '')
  })

  test('app remove --wait: the app is gone (404) once the deployment is', async () => {
    marathon()
      .delete(`${M}/v2/apps/sleep`)
      .replyWithFile(200, realFile('examples/deployments_result.json'), JSON_HEADERS)
      .get(`${M}/v2/deployments`)
      .reply(200, [deployment(D, '/sleep', 'StopApplication')])
      .get(`${M}/v2/apps/sleep`)
      .reply(200, app('/sleep', {instances: 0, tasksRunning: 1, deployments: [{id: D}]}))
      .get(`${M}/v2/deployments`)
      .reply(200, [])
      .get(`${M}/v2/apps/sleep`)
      .reply(404, {message: "App '/sleep' does not exist"})
    const run = await runCommand(AppRemove, ['--wait', 'sleep'], {env: env()})
    assert.equal(run.exit, 0, run.stderr)
    assert.equal(run.stdout, '')
    assert.equal(run.stderr, `Waiting for deployment ${D}...\nDeployment ${D} finished\n`)
  })

  test('a deployment already over at the first poll is finished', async () => {
    marathon()
      .put(`${M}/v2/groups/tools`, {scaleBy: 2})
      .replyWithFile(200, realFile('examples/deployments_result.json'), JSON_HEADERS)
      .get(`${M}/v2/deployments`)
      .replyWithFile(200, realFile('examples/deployments.json'), JSON_HEADERS)
    const run = await runCommand(GroupScale, ['tools', '2', '--wait'], {env: env()})
    assert.equal(run.exit, 0, run.stderr)
    assert.equal(run.stderr, `Waiting for deployment ${D}...\nDeployment ${D} finished\n`)
  })

  test('app kill --scale --wait and deployment rollback --wait follow the deployment they started', async () => {
    const R = 'a4c9e1f2-0b3d-4e5f-8a7b-6c5d4e3f2a1b'
    marathon()
      .delete(`${M}/v2/apps/myapp/tasks`)
      .query({scale: 'true'})
      .replyWithFile(200, realFile('examples/deployments_result.json'), JSON_HEADERS)
      .get(`${M}/v2/deployments`)
      .reply(200, [])
      .delete(`${M}/v2/deployments/${D}`)
      .reply(200, {deploymentId: R, version: '2015-09-29T16:00:00.000Z'})
      .get(`${M}/v2/deployments`)
      .reply(200, [deployment(R, '/myapp', 'ScaleApplication', '2015-09-29T16:00:00.000Z')])
      .get(`${M}/v2/apps/myapp`)
      .reply(200, app('/myapp', {instances: 3, tasksRunning: 2, deployments: [{id: R}]}))
      .get(`${M}/v2/deployments`)
      .reply(200, [])
      .get(`${M}/v2/apps/myapp`)
      .reply(200, app('/myapp', {instances: 3, tasksRunning: 3, deployments: []}))
    const kill = await runCommand(AppKill, ['--scale', '--wait', 'myapp'], {env: env()})
    assert.equal(kill.exit, 0, kill.stderr)
    assert.match(kill.stdout, /^Started deployment: /)
    assert.equal(kill.stderr, `Waiting for deployment ${D}...\nDeployment ${D} finished\n`)
    const rollback = await runCommand(DeploymentRollback, ['--wait', D], {env: env()})
    assert.equal(rollback.exit, 0, rollback.stderr)
    assert.equal(rollback.stderr, `Waiting for deployment ${R}...\nDeployment ${R} finished\n`)
  })
})

describe('--wait: the deployment fails', () => {
  test("a task of the deployment's version fails: exit 1, with Marathon's failure and how to roll back", async () => {
    const failure = {
      appId: '/myapp',
      host: 'srv5.hw.ca1.mesosphere.com',
      message: 'Command exited with status 1',
      state: 'TASK_FAILED',
      taskId: 'myapp.instance-0664256e-6771-11e5-94e1-be5b2935a987._app.1',
      timestamp: '2015-09-29T16:00:02.681Z',
      version: VERSION,
      slaveId: '20150707-153709-218108076-5050-25588-S6',
    }
    marathon()
      .get(`${M}/v2/apps/myapp`)
      .reply(200, app('/myapp', {instances: 3}))
      .put(`${M}/v2/apps/myapp`, {cmd: 'exit 1'})
      .replyWithFile(200, realFile('examples/deployments_result.json'), JSON_HEADERS)
      .get(`${M}/v2/deployments`)
      .reply(200, [deployment(D, '/myapp', 'RestartApplication')])
      .get(`${M}/v2/apps/myapp`)
      .reply(200, app('/myapp', {instances: 3, tasksRunning: 3, deployments: [{id: D}], lastTaskFailure: failure}))
    const run = await runCommand(AppUpdate, ['myapp', "cmd='exit 1'", '--wait'], {env: env()})
    assert.equal(run.exit, 1)
    assert.equal(run.stdout, `Created deployment ${D}\n`)
    assert.equal(
      run.stderr,
      `Waiting for deployment ${D}...\n` +
        `Error: Deployment ${D} failed: task myapp.instance-0664256e-6771-11e5-94e1-be5b2935a987._app.1 of /myapp failed on srv5.hw.ca1.mesosphere.com (TASK_FAILED: Command exited with status 1). ` +
        `Marathon keeps retrying it: 'dcos marathon deployment rollback ${D}' reverts the change.\n`,
    )
  })

  test('an older failure is not this deployment\'s; a new one during the wait is', async () => {
    const old = {appId: '/myapp', taskId: 'myapp.1', state: 'TASK_FAILED', timestamp: '2015-09-01T00:00:00.000Z', version: '2015-09-01T00:00:00.000Z'}
    const fresh = {...old, taskId: 'myapp.2', timestamp: '2015-09-29T16:00:05.000Z', version: '2015-09-29T15:59:50.000Z', host: 'h'}
    marathon()
      .post(`${M}/v2/apps/myapp/restart`)
      .replyWithFile(200, realFile('examples/deployments_result.json'), JSON_HEADERS)
      .get(`${M}/v2/apps/myapp`)
      .reply(200, app('/myapp', {instances: 2}))
      .get(`${M}/v2/deployments`)
      .reply(200, [deployment(D, '/myapp', 'RestartApplication')])
      .get(`${M}/v2/apps/myapp`)
      .reply(200, app('/myapp', {instances: 2, deployments: [{id: D}], lastTaskFailure: old}))
      .get(`${M}/v2/deployments`)
      .reply(200, [deployment(D, '/myapp', 'RestartApplication')])
      .get(`${M}/v2/apps/myapp`)
      .reply(200, app('/myapp', {instances: 2, deployments: [{id: D}], lastTaskFailure: fresh}))
    const run = await runCommand(AppRestart, ['myapp', '--wait'], {env: env()})
    assert.equal(run.exit, 1)
    assert.match(run.stderr, new RegExp(`^Waiting for deployment ${D}\\.\\.\\.\\nError: Deployment ${D} failed: task myapp\\.2 of /myapp failed on h \\(TASK_FAILED\\)\\.`))
  })

  test('rolled back: a new deployment of the same app replaced it', async () => {
    const R = 'a4c9e1f2-0b3d-4e5f-8a7b-6c5d4e3f2a1b'
    marathon()
      .post(`${M}/v2/apps/myapp/restart`)
      .replyWithFile(200, realFile('examples/deployments_result.json'), JSON_HEADERS)
      .get(`${M}/v2/apps/myapp`)
      .reply(200, app('/myapp', {instances: 2}))
      .get(`${M}/v2/deployments`)
      .reply(200, [deployment(D, '/myapp', 'RestartApplication')])
      .get(`${M}/v2/apps/myapp`)
      .reply(200, app('/myapp', {instances: 2, deployments: [{id: D}]}))
      .get(`${M}/v2/deployments`)
      .reply(200, [deployment(R, '/myapp', 'RestartApplication', '2015-09-29T16:01:00.000Z')])
      .get(`${M}/v2/apps/myapp`)
      .reply(200, app('/myapp', {instances: 2, deployments: [{id: R}]}))
    const run = await runCommand(AppRestart, ['myapp', '--wait'], {env: env()})
    assert.equal(run.exit, 1)
    assert.equal(
      run.stderr,
      `Waiting for deployment ${D}...\nError: Deployment ${D} failed: it was replaced by deployment ${R} (a rollback or a forced change). ` +
        "See 'dcos marathon deployment list' and 'dcos marathon app show <app-id>'.\n",
    )
  })

  test('stopped (deployment stop): gone, and the app short of its instances with nothing deploying it', async () => {
    marathon()
      .get(`${M}/v2/apps/myapp`)
      .reply(200, app('/myapp', {instances: 1}))
      .put(`${M}/v2/apps/myapp`, {instances: 3})
      .replyWithFile(200, realFile('examples/deployments_result.json'), JSON_HEADERS)
      .get(`${M}/v2/deployments`)
      .reply(200, [deployment(D, '/myapp')])
      .get(`${M}/v2/apps/myapp`)
      .reply(200, app('/myapp', {instances: 3, tasksRunning: 1, deployments: [{id: D}]}))
      .get(`${M}/v2/deployments`)
      .reply(200, [])
      .get(`${M}/v2/apps/myapp`)
      .reply(200, app('/myapp', {instances: 3, tasksRunning: 1, tasksStaged: 0, deployments: []}))
    const run = await runCommand(AppUpdate, ['myapp', 'instances=3', '--wait'], {env: env()})
    assert.equal(run.exit, 1)
    assert.match(run.stderr, new RegExp(`Error: Deployment ${D} failed: it stopped before /myapp reached its instances \\(1 of 3 launched\\)\\.`))
  })
})

describe('--wait on a terminal', () => {
  test('a spinner on stderr redrawn in place, cleared, then the outcome line; stdout untouched', async () => {
    marathon()
      .get(`${M}/v2/apps/myapp`)
      .reply(200, app('/myapp', {instances: 2}))
      .post(`${M}/v2/apps/myapp/restart`)
      .replyWithFile(200, realFile('examples/deployments_result.json'), JSON_HEADERS)
      .get(`${M}/v2/deployments`)
      .reply(200, [deployment(D, '/myapp', 'RestartApplication')])
      .get(`${M}/v2/apps/myapp`)
      .reply(200, app('/myapp', {instances: 2, deployments: [{id: D}]}))
      .get(`${M}/v2/deployments`)
      .reply(200, [])
      .get(`${M}/v2/apps/myapp`)
      .reply(200, app('/myapp', {instances: 2, tasksRunning: 2, deployments: []}))
    const run = await runCommand(AppRestart, ['myapp', '--wait'], {env: env(), isTTY: true})
    assert.equal(run.exit, 0, run.stderr)
    assert.equal(run.stdout, `Created deployment ${D}\n`)
    assert.ok(run.stderr.startsWith(`\r\x1b[2K⠋ Waiting for deployment ${D}...`), JSON.stringify(run.stderr))
    assert.ok(run.stderr.endsWith(`\r\x1b[2KDeployment ${D} finished\n`), JSON.stringify(run.stderr))
  })
})
