/**
 * `dcos marathon task ...` (the real CLI runs these through its embedded Python): the PY golden
 * table (cli/tests/unit/data/app_task.txt@0.6.6, trailing blanks aside), real /v2/tasks answers,
 * `Killed tasks: [...]` as Python prints a list, and `Task '<id>' does not exist`.
 */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import TaskKill from '../../commands/marathon/task/kill'
import TaskList from '../../commands/marathon/task/list'
import TaskShow from '../../commands/marathon/task/show'
import TaskStop from '../../commands/marathon/task/stop'
import {runCommand} from './harness'
import {JSON_HEADERS, M, marathon, marathonContract, real, realFile} from './marathon-setup'

const ctx = marathonContract()
const env = () => ctx.env()

const FOOSBALL = 'frontend-foosball.083be411-5d1f-11e5-88f7-56b91e7a505b'
const REGISTRY = 'tools_docker_registry.002b4d28-46b9-11e5-b731-525400cce7ed'

/** PY cli/tests/fixtures/marathon.py app_task_fixture(). */
const appTaskFixture = {
  appId: '/zero-instance-app',
  host: 'dcos-01',
  id: 'zero-instance-app.027b3a83-063d-11e5-84a3-56847afe9799',
  ports: [8165],
  servicePorts: [10001],
  stagedAt: '2015-05-29T19:58:00.907Z',
  startedAt: '2015-05-29T19:58:01.114Z',
  version: '2015-05-29T18:50:58.941Z',
}

function tasks() {
  marathon().get(`${M}/v2/tasks`).replyWithFile(200, realFile('examples/tasks.json'), JSON_HEADERS)
}

describe('dcos marathon task list', () => {
  test('the PY golden table: APP left, HEALTHY STARTED HOST centred, ID left', async () => {
    marathon().get(`${M}/v2/tasks`).reply(200, {tasks: [appTaskFixture]})
    const run = await runCommand(TaskList, [], {env: env()})
    assert.equal(
      run.stdout,
      [
        'APP                 HEALTHY          STARTED             HOST   ID',
        '/zero-instance-app    True   2015-05-29T19:58:01.114Z  dcos-01  zero-instance-app.027b3a83-063d-11e5-84a3-56847afe9799',
        '',
      ].join('\n'),
    )
  })

  test('real /v2/tasks, sorted by app; HEALTHY is False when a health check is not alive, STARTED N/A when not started', async () => {
    tasks()
    const run = await runCommand(TaskList, [], {env: env()})
    assert.equal(
      run.stdout,
      [
        'APP                     HEALTHY          STARTED                 HOST        ID',
        `/frontend-foosball        True   2015-09-17T09:32:42.598Z  srv4.example.com  ${FOOSBALL}`,
        `/tools/docker/registry    True   2015-08-19T21:26:50.864Z  srv2.example.com  ${REGISTRY}`,
        '',
      ].join('\n'),
    )
    const staging = {...appTaskFixture, startedAt: null, healthCheckResults: [{alive: true}, {alive: false}]}
    marathon().get(`${M}/v2/tasks`).reply(200, {tasks: [staging]})
    const second = await runCommand(TaskList, [], {env: env()})
    assert.equal(second.stdout.split('\n')[1], '/zero-instance-app   False     N/A    dcos-01  zero-instance-app.027b3a83-063d-11e5-84a3-56847afe9799')
  })

  test('APP-ID filters (normalised); --quiet prints IDs; --json the tasks; nothing at all for no tasks', async () => {
    tasks()
    tasks()
    tasks()
    const quiet = await runCommand(TaskList, ['tools/docker/registry/', '--quiet'], {env: env()})
    assert.equal(quiet.stdout, `${REGISTRY}\n`)
    const json = await runCommand(TaskList, ['--json', '/frontend-foosball'], {env: env()})
    assert.deepEqual(JSON.parse(json.stdout), [real<{tasks: unknown[]}>('examples/tasks.json').tasks[0]])
    const none = await runCommand(TaskList, ['/nothing'], {env: env()})
    assert.equal(none.exit, 0)
    assert.equal(none.stdout, '')
  })
})

describe('dcos marathon task show|stop', () => {
  test('show prints the task; an unknown one is refused', async () => {
    tasks()
    tasks()
    const run = await runCommand(TaskShow, [FOOSBALL], {env: env()})
    assert.deepEqual(JSON.parse(run.stdout), real<{tasks: unknown[]}>('examples/tasks.json').tasks[0])
    const missing = await runCommand(TaskShow, ['bogus'], {env: env()})
    assert.equal(missing.exit, 1)
    assert.equal(missing.stderr, "Error: Task 'bogus' does not exist. Run 'dcos marathon task list' to see the tasks.\n")
  })

  test('stop POSTs /v2/tasks/delete (wipe when asked) and prints the stopped task', async () => {
    marathon()
      .post(`${M}/v2/tasks/delete`, {ids: [FOOSBALL]})
      .replyWithFile(200, realFile('examples/tasks.json'), JSON_HEADERS)
      .post(`${M}/v2/tasks/delete`, {ids: ['unknown-task-id']})
      .query({wipe: 'true'})
      .reply(200, {tasks: []})
    const run = await runCommand(TaskStop, [FOOSBALL], {env: env()})
    assert.equal(JSON.parse(run.stdout).id, FOOSBALL)
    const unknown = await runCommand(TaskStop, ['--wipe', 'unknown-task-id'], {env: env()})
    assert.equal(unknown.exit, 1)
    assert.match(unknown.stderr, /^Error: Task 'unknown-task-id' does not exist/)
  })
})

describe('dcos marathon task kill', () => {
  test("Killed tasks: ['id', 'id'] as Python prints it; --json the answer", async () => {
    marathon()
      .post(`${M}/v2/tasks/delete`, {ids: [FOOSBALL, REGISTRY]})
      .twice()
      .replyWithFile(200, realFile('examples/tasks.json'), JSON_HEADERS)
    const run = await runCommand(TaskKill, [FOOSBALL, REGISTRY], {env: env()})
    assert.equal(run.stdout, `Killed tasks: ['${FOOSBALL}', '${REGISTRY}']\n`)
    const json = await runCommand(TaskKill, ['--json', FOOSBALL, REGISTRY], {env: env()})
    assert.deepEqual(JSON.parse(json.stdout), real('examples/tasks.json'))
  })

  test('--scale: Created deployment: <id>; unknown IDs fail after printing the empty list', async () => {
    marathon()
      .post(`${M}/v2/tasks/delete`, {ids: [FOOSBALL]})
      .query({scale: 'true'})
      .replyWithFile(200, realFile('examples/deployments_result.json'), JSON_HEADERS)
      .post(`${M}/v2/tasks/delete`, {ids: ['nope']})
      .reply(200, {tasks: []})
    const scaled = await runCommand(TaskKill, ['--scale', FOOSBALL], {env: env()})
    assert.equal(scaled.stdout, 'Created deployment: 5ed4c0c5-9ff8-4a6f-a0cd-f57f59a34b43\n')
    const unknown = await runCommand(TaskKill, ['nope'], {env: env()})
    assert.equal(unknown.exit, 1)
    assert.equal(unknown.stdout, 'Killed tasks: []\n')
    assert.equal(unknown.stderr, 'Error: Failed to kill tasks. task-ids seems to be unknown\n')
  })

  test('--scale and --wipe together, or no task at all, are usage errors', async () => {
    assert.equal((await runCommand(TaskKill, ['--scale', '--wipe', FOOSBALL], {env: env()})).exit, 2)
    assert.equal((await runCommand(TaskKill, [], {env: env()})).exit, 2)
    assert.equal((await runCommand(TaskKill, ['--wait', FOOSBALL], {env: env()})).exit, 2)
  })
})
