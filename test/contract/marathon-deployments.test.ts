/**
 * `dcos marathon deployment ...`: the PY golden tables (cli/tests/unit/data/deployment/{app,pod}.txt
 * @0.6.6, trailing blanks aside), a real /v2/deployments answer, `There are no deployments`
 * (exit 1 as the real CLI), rollback, stop and watch.
 */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import DeploymentList from '../../commands/marathon/deployment/list'
import DeploymentRollback from '../../commands/marathon/deployment/rollback'
import DeploymentStop from '../../commands/marathon/deployment/stop'
import DeploymentWatch from '../../commands/marathon/deployment/watch'
import {runCommand} from './harness'
import {JSON_HEADERS, M, marathon, marathonContract, real, realFile} from './marathon-setup'

const ctx = marathonContract()
const env = () => ctx.env()
const REAL_ID = '97c136bf-5a28-4821-9d94-480d9fbb01c8'

/** PY cli/tests/fixtures/marathon.py deployment fixtures (pre-pods, post-pods, pod). */
const cassandra = {
  currentStep: 2,
  id: 'bebb8ffd-118e-4067-8fcb-d19e44126911',
  totalSteps: 2,
  version: '2015-05-29T01:13:47.694Z',
}
const prePods = {
  ...cassandra,
  affectedApps: ['/cassandra/dcos'],
  currentActions: [{action: 'ScaleApplication', app: '/cassandra/dcos'}],
  steps: [[{action: 'StartApplication', app: '/cassandra/dcos'}], [{action: 'ScaleApplication', app: '/cassandra/dcos'}]],
}
const postPods = {...prePods, affectedPods: []}
const pod = {
  ...cassandra,
  affectedApps: [],
  affectedPods: ['/cassandra/dcos'],
  currentActions: [{action: 'ScalePod', pod: '/cassandra/dcos'}],
  steps: [[{action: 'StartPod', pod: '/cassandra/dcos'}], [{action: 'ScalePod', pod: '/cassandra/dcos'}]],
}

const APP_TXT = [
  'APP              POD  ACTION  PROGRESS  ID',
  '/cassandra/dcos  -    scale     1/2     bebb8ffd-118e-4067-8fcb-d19e44126911',
  '',
].join('\n')

describe('dcos marathon deployment list', () => {
  for (const [name, fixture] of [
    ['pre-pods', prePods],
    ['post-pods', postPods],
  ] as const) {
    test(`the PY golden app table (${name} Marathon)`, async () => {
      marathon().get(`${M}/v2/deployments`).reply(200, [fixture])
      assert.equal((await runCommand(DeploymentList, [], {env: env()})).stdout, APP_TXT)
    })
  }

  test('the PY golden pod table', async () => {
    marathon().get(`${M}/v2/deployments`).reply(200, [pod])
    assert.equal(
      (await runCommand(DeploymentList, [], {env: env()})).stdout,
      ['APP  POD              ACTION  PROGRESS  ID', '-    /cassandra/dcos  scale     1/2     bebb8ffd-118e-4067-8fcb-d19e44126911', ''].join('\n'),
    )
  })

  test('a real /v2/deployments answer; actions on several resources name them; APP-ID filters', async () => {
    marathon().get(`${M}/v2/deployments`).replyWithFile(200, realFile('examples/deployments.json'), JSON_HEADERS)
    const run = await runCommand(DeploymentList, [], {env: env()})
    assert.equal(run.stdout, ['APP   POD   ACTION  PROGRESS  ID', `/foo  /bla  scale     0/1     ${REAL_ID}`, ''].join('\n'))
    const several = {...prePods, affectedApps: ['/a', '/b'], currentActions: [{action: 'StartApplication', app: '/a'}, {action: 'RestartApplication', app: '/b'}]}
    marathon().get(`${M}/v2/deployments`).reply(200, [several])
    const multi = await runCommand(DeploymentList, [], {env: env()})
    assert.equal(
      multi.stdout,
      ['APP  POD  ACTION      PROGRESS  ID', '/a   -    start /a      1/2     bebb8ffd-118e-4067-8fcb-d19e44126911', '/b        restart /b', ''].join('\n'),
    )
    marathon().get(`${M}/v2/deployments`).replyWithFile(200, realFile('examples/deployments.json'), JSON_HEADERS)
    const quiet = await runCommand(DeploymentList, ['foo', '--quiet'], {env: env()})
    assert.equal(quiet.stdout, `${REAL_ID}\n`)
  })

  test("none: There are no deployments (exit 1), for an app too; --json []", async () => {
    marathon().get(`${M}/v2/deployments`).times(3).reply(200, [])
    const none = await runCommand(DeploymentList, [], {env: env()})
    assert.equal(none.exit, 1)
    assert.equal(none.stderr, 'Error: There are no deployments\n')
    const forApp = await runCommand(DeploymentList, ['zero-instance-app'], {env: env()})
    assert.equal(forApp.stderr, "Error: There are no deployments for 'zero-instance-app'\n")
    const json = await runCommand(DeploymentList, ['--json'], {env: env()})
    assert.equal(json.exit, 0)
    assert.equal(json.stdout, '[]\n')
  })
})

describe('dcos marathon deployment rollback|stop|watch', () => {
  test('rollback DELETEs without force and prints the rollback deployment; a missing one in Marathon\'s words', async () => {
    marathon()
      .delete(`${M}/v2/deployments/${REAL_ID}`)
      .replyWithFile(200, realFile('examples/deployments_result.json'), JSON_HEADERS)
      .delete(`${M}/v2/deployments/missing-deployment`)
      .reply(404, {message: 'DeploymentPlan missing-deployment does not exist'})
    const run = await runCommand(DeploymentRollback, [REAL_ID], {env: env()})
    assert.equal(run.stdout, JSON.stringify(real('examples/deployments_result.json'), null, 2) + '\n')
    const missing = await runCommand(DeploymentRollback, ['missing-deployment'], {env: env()})
    assert.equal(missing.stderr, 'Error: DeploymentPlan missing-deployment does not exist\n')
  })

  test('stop DELETEs with force (202, no body) and prints nothing', async () => {
    marathon().delete(`${M}/v2/deployments/${REAL_ID}`).query({force: 'true'}).reply(202)
    const run = await runCommand(DeploymentStop, [REAL_ID], {env: env()})
    assert.equal(run.exit, 0, run.stderr)
    assert.equal(run.stdout, '')
  })

  test('watch prints the deployment with its update time until it is gone; --max-count bounds it', async () => {
    marathon()
      .get(`${M}/v2/deployments`)
      .replyWithFile(200, realFile('examples/deployments.json'), JSON_HEADERS)
      .get(`${M}/v2/deployments`)
      .reply(200, [])
    const run = await runCommand(DeploymentWatch, ['--interval=0', REAL_ID], {env: env()})
    assert.equal(run.exit, 0, run.stderr)
    const [head, blank, ...json] = run.stdout.split('\n')
    assert.match(head, /^Deployment update time: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d $/)
    assert.equal(blank, '')
    assert.deepEqual(JSON.parse(json.join('\n')), real<unknown[]>('examples/deployments.json')[0])
    marathon().get(`${M}/v2/deployments`).times(2).replyWithFile(200, realFile('examples/deployments.json'), JSON_HEADERS)
    const bounded = await runCommand(DeploymentWatch, ['--max-count=2', '--interval=0', REAL_ID], {env: env()})
    assert.equal(bounded.stdout.match(/Deployment update time/g)?.length, 2)
    marathon().get(`${M}/v2/deployments`).reply(200, [])
    assert.equal((await runCommand(DeploymentWatch, ['gone'], {env: env()})).stdout, '')
  })
})
