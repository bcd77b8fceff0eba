/**
 * `dcos marathon group ...`: the PY golden group table (cli/tests/unit/data/group.txt@0.6.6,
 * trailing blanks aside), a real /v2/groups tree, and the group writes.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import {describe, test} from 'node:test'
import type nock from 'nock'
import GroupAdd from '../../commands/marathon/group/add'
import GroupList from '../../commands/marathon/group/list'
import GroupRemove from '../../commands/marathon/group/remove'
import GroupScale from '../../commands/marathon/group/scale'
import GroupShow from '../../commands/marathon/group/show'
import GroupUpdate from '../../commands/marathon/group/update'
import {runCommand} from './harness'
import {JSON_HEADERS, M, marathon, marathonContract, real, realFile} from './marathon-setup'

const ctx = marathonContract()
const env = () => ctx.env()
const DEPLOYMENT = '5ed4c0c5-9ff8-4a6f-a0cd-f57f59a34b43'

/** PY cli/tests/fixtures/marathon.py group_fixture(), the apps' fields trimmed to those counted. */
const groupFixture = {
  apps: [],
  dependencies: [],
  groups: [
    {
      apps: [{id: '/test-group/sleep/goodnight', cmd: 'sleep 1', cpus: 1.0, mem: 128.0, instances: 0}],
      dependencies: [],
      groups: [],
      id: '/test-group/sleep',
      version: '2015-05-29T23:12:46.187Z',
    },
  ],
  id: '/test-group',
  version: '2015-05-29T23:12:46.187Z',
}

describe('dcos marathon group list', () => {
  test('the PY golden table: every group with its apps counted through its subgroups, APPS centred', async () => {
    marathon().get(`${M}/v2/groups`).reply(200, {id: '/', apps: [], groups: [groupFixture], dependencies: []})
    const run = await runCommand(GroupList, [], {env: env()})
    assert.equal(run.stdout, ['ID                 APPS', '/test-group         1', '/test-group/sleep   1', ''].join('\n'))
  })

  test('a real /v2/groups tree (apps in nested groups, an empty group); --json the groups below the root', async () => {
    marathon().get(`${M}/v2/groups`).twice().replyWithFile(200, realFile('examples/group.json'), JSON_HEADERS)
    const run = await runCommand(GroupList, [], {env: env()})
    assert.equal(run.stdout, ['ID             APPS', '/tools          3', '/tools/docker   1', '/tools/log      0', ''].join('\n'))
    const json = await runCommand(GroupList, ['--json'], {env: env()})
    assert.deepEqual(JSON.parse(json.stdout), real<{groups: unknown[]}>('examples/group.json').groups)
  })

  test('no groups: nothing printed; --json []', async () => {
    marathon().get(`${M}/v2/groups`).twice().reply(200, {id: '/', apps: [], groups: [], dependencies: [], version: '2015-09-17T10:38:20.875Z'})
    assert.equal((await runCommand(GroupList, [], {env: env()})).stdout, '')
    assert.equal((await runCommand(GroupList, ['--json'], {env: env()})).stdout, '[]\n')
  })
})

describe('dcos marathon group add|show|scale|update|remove', () => {
  test('add POSTs the file as it is; --id an empty group; an existing one is refused', async () => {
    marathon()
      .post(`${M}/v2/groups`, real('system-groups/sleep-group.json') as nock.DataMatcherMap)
      .replyWithFile(201, realFile('examples/deployments_result.json'), JSON_HEADERS)
      .post(`${M}/v2/groups`, {id: '/tools'})
      .reply(201, {deploymentId: 'a1b2', version: '2015-09-29T15:59:51.164Z'})
      .post(`${M}/v2/groups`)
      .reply(409, {message: 'Group /tools is already created. Use PUT to change this group.'})
    const file = await runCommand(GroupAdd, [realFile('system-groups/sleep-group.json')], {env: env()})
    assert.equal(file.stdout, `Created deployment ${DEPLOYMENT}\n`, file.stderr)
    assert.equal((await runCommand(GroupAdd, ['--id=/tools'], {env: env()})).stdout, 'Created deployment a1b2\n')
    const again = await runCommand(GroupAdd, ['--id', 'tools'], {env: env()})
    assert.equal(again.stderr, "Error: Group '/tools' already exists\n")
  })

  test('add reads standard input; a terminal is refused', async () => {
    marathon()
      .post(`${M}/v2/groups`, real('system-groups/sleep-group.json') as nock.DataMatcherMap)
      .replyWithFile(201, realFile('examples/deployments_result.json'), JSON_HEADERS)
    const input = fs.readFileSync(realFile('system-groups/sleep-group.json'), 'utf8')
    assert.equal((await runCommand(GroupAdd, [], {env: env(), input})).stdout, `Created deployment ${DEPLOYMENT}\n`)
    const tty = await runCommand(GroupAdd, [], {env: env(), isTTY: true})
    assert.equal(
      tty.stderr,
      "Error: We currently don't support reading from the TTY. Please specify a group JSON.\nE.g.: dcos marathon group add < group_resource.json\n",
    )
  })

  test('show prints the group, or one of its versions; a missing group in Marathon\'s words', async () => {
    const tools = real<{groups: Record<string, unknown>[]}>('examples/group.json').groups[0]
    marathon()
      .get(`${M}/v2/groups/tools`)
      .reply(200, tools)
      .get(`${M}/v2/groups/tools/versions/2015-09-17T10%3A38%3A20.875Z`)
      .reply(200, tools)
      .get(`${M}/v2/groups/nope`)
      .reply(404, {message: "Group '/nope' does not exist"})
    assert.deepEqual(JSON.parse((await runCommand(GroupShow, ['/tools'], {env: env()})).stdout), tools)
    const version = await runCommand(GroupShow, ['--group-version=2015-09-17T10:38:20.875Z', 'tools'], {env: env()})
    assert.equal(version.exit, 0, version.stderr)
    assert.equal((await runCommand(GroupShow, ['nope'], {env: env()})).stderr, "Error: Group '/nope' does not exist\n")
  })

  test('scale PUTs scaleBy (a float); a factor that is not a number is refused', async () => {
    marathon()
      .put(`${M}/v2/groups/tools`, {scaleBy: 1.5})
      .query({force: 'true'})
      .replyWithFile(200, realFile('examples/deployments_result.json'), JSON_HEADERS)
    assert.equal((await runCommand(GroupScale, ['--force', 'tools', '1.5'], {env: env()})).stdout, `Created deployment ${DEPLOYMENT}\n`)
    assert.equal((await runCommand(GroupScale, ['tools', 'twice'], {env: env()})).stderr, 'Error: Error parsing string as float\n')
  })

  test('update checks the group, then PUTs the typed properties', async () => {
    marathon()
      .get(`${M}/v2/groups/tools`)
      .reply(200, real<{groups: Record<string, unknown>[]}>('examples/group.json').groups[0])
      .put(`${M}/v2/groups/tools`, {dependencies: ['/db'], enforceRole: false})
      .replyWithFile(200, realFile('examples/deployments_result.json'), JSON_HEADERS)
    const run = await runCommand(GroupUpdate, ['tools', 'dependencies=["/db"]', 'enforceRole=false'], {env: env()})
    assert.equal(run.stdout, `Created deployment ${DEPLOYMENT}\n`, run.stderr)
  })

  test('remove DELETEs and prints nothing', async () => {
    marathon().delete(`${M}/v2/groups/tools`).replyWithFile(200, realFile('examples/deployments_result.json'), JSON_HEADERS)
    const run = await runCommand(GroupRemove, ['tools'], {env: env()})
    assert.equal(run.exit, 0, run.stderr)
    assert.equal(run.stdout, '')
  })
})
