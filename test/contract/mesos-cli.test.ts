/**
 * The CLI's contract with a real DC/OS (admin router + Mesos 1.11) cluster: node, task and
 * service commands run in-process against recorded response shapes (./fixtures/mesos) replayed
 * by nock, asserting the exact requests (paths, token header, form bodies) and the exact output.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {after, afterEach, before, beforeEach, describe, test} from 'node:test'
import nock from 'nock'
import NodeList from '../../commands/node/list'
import NodeLog from '../../commands/node/log'
import ServiceList from '../../commands/service/list'
import ServiceShutdown from '../../commands/service/shutdown'
import TaskList from '../../commands/task/list'
import TaskLog from '../../commands/task/log'
import TaskLs from '../../commands/task/ls'
import type {AgentState, MasterState} from '../../src/clients/mesos-types'
import {ConfigManager} from '../../src/cli/config'
import {fixture, runCommand} from './harness'

const DCOS = 'http://dcos.example.com'
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.contract-test-token'
const S0 = '9c3b6f2e-7d41-4b8a-a2f5-1e0c7b9d4a63-S0'
const MARATHON = '9c3b6f2e-7d41-4b8a-a2f5-1e0c7b9d4a63-0001'

const state = fixture<MasterState>('mesos/master-state.json')
const agentState = fixture<AgentState>('mesos/agent-state.json')

let dcosDir: string
let env: NodeJS.ProcessEnv

before(() => nock.disableNetConnect())
after(() => nock.enableNetConnect())
beforeEach(() => {
  dcosDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcos-contract-'))
  env = {DCOS_DIR: dcosDir, DCOS_URL: DCOS, DCOS_ACS_TOKEN: TOKEN}
})
afterEach(() => {
  const pending = nock.pendingMocks()
  nock.cleanAll()
  fs.rmSync(dcosDir, {recursive: true, force: true})
  assert.deepEqual(pending, [], 'every recorded request was made')
})

/** The admin router, expecting the ACS token on every request. */
function dcos() {
  return nock(DCOS).matchHeader('authorization', `token=${TOKEN}`)
}

function masterEndpoints() {
  dcos()
    .get('/mesos/master/state')
    .reply(200, state)
    .get('/mesos/master/slaves')
    .reply(200, fixture('mesos/master-slaves.json'))
    .get('/mesos/master/state-summary')
    .reply(200, fixture('mesos/master-state-summary.json'))
}

/** Serves a file through the Mesos files API semantics: no offset = size, 64 KiB per read. */
function filesApi(scope: nock.Scope, prefix: string, files: Record<string, string>) {
  scope
    .get(`${prefix}/files/read`)
    .query(true)
    .times(100)
    .optionally()
    .reply((uri) => {
      const q = new URL(uri, DCOS).searchParams
      const text = files[q.get('path') ?? '']
      if (text === undefined) return [404, '']
      const bytes = Buffer.from(text)
      if (!q.has('offset')) return [200, {offset: bytes.length, data: ''}]
      const offset = Number(q.get('offset'))
      const length = Math.min(Number(q.get('length') ?? 65536), 65536)
      return [200, {offset, data: bytes.subarray(offset, offset + length).toString()}]
    })
}

describe('dcos node list', () => {
  test('renders agents then the leading master in CORE columns', async () => {
    masterEndpoints()
    const run = await runCommand(NodeList, [], {env})
    assert.equal(run.exit, 0, run.stderr)
    assert.equal(
      run.stdout,
      [
        'HOSTNAME   IP         PUBLIC IP(S)  ID                                       TYPE             STATUS    REGION         ZONE',
        '10.0.1.12  10.0.1.12  ---           9c3b6f2e-7d41-4b8a-a2f5-1e0c7b9d4a63-S0  agent            ACTIVE    aws/us-west-2  aws/us-west-2a',
        '10.0.5.33  10.0.5.33  ---           9c3b6f2e-7d41-4b8a-a2f5-1e0c7b9d4a63-S1  agent (public)   DRAINING  aws/us-west-2  aws/us-west-2b',
        '10.0.0.10  10.0.0.10  ---           9c3b6f2e-7d41-4b8a-a2f5-1e0c7b9d4a63     master (leader)  ---       aws/us-west-2  aws/us-west-2a',
        '',
      ].join('\n'),
    )
  })

  test('--json gives the agents as Mesos slave objects and the master as CORE does', async () => {
    masterEndpoints()
    const run = await runCommand(NodeList, ['--json'], {env})
    const nodes = JSON.parse(run.stdout)
    assert.equal(nodes.length, 3)
    assert.equal(nodes[0].id, S0)
    assert.equal(nodes[0].type, 'agent')
    assert.equal(nodes[0].pid, 'slave(1)@10.0.1.12:5051')
    assert.equal(nodes[0].TASK_RUNNING, 2)
    assert.equal(nodes[0].status, 'ACTIVE')
    assert.deepEqual(nodes[0].used_resources, {disk: 0, mem: 160, gpus: 0, cpus: 0.2, ports: '[8080-8080]'})
    assert.deepEqual(nodes[2], {
      host: '10.0.0.10',
      ip: '10.0.0.10',
      public_ips: [],
      type: 'master (leader)',
      region: 'aws/us-west-2',
      zone: 'aws/us-west-2a',
      id: '9c3b6f2e-7d41-4b8a-a2f5-1e0c7b9d4a63',
      pid: 'master@10.0.0.10:5050',
      version: '1.11.0',
    })
  })

  test('--field adds a column read from the node JSON', async () => {
    masterEndpoints()
    const run = await runCommand(NodeList, ['--field', 'used_resources.cpus', '--field', 'running:TASK_RUNNING'], {env})
    const lines = run.stdout.trimEnd().split('\n')
    assert.match(lines[0], /ZONE\s+USED_RESOURCES\.CPUS\s+RUNNING$/)
    assert.match(lines[1], /aws\/us-west-2a\s+0\.2\s+2$/)
    assert.match(lines[3], /---\s+---$/)
  })
})

describe('dcos task list', () => {
  test('lists running tasks sorted by name with CORE columns', async () => {
    dcos().get('/mesos/master/state').reply(200, state)
    const run = await runCommand(TaskList, [], {env})
    assert.equal(run.exit, 0, run.stderr)
    assert.equal(
      run.stdout,
      [
        'NAME   HOST       USER  STATE         ID                                          AGENT ID                                 REGION         ZONE',
        'sleep  10.0.1.12  root  TASK_RUNNING  sleep.4f6d3c7e-8b21-11ee-9a3c-0242ac110002  9c3b6f2e-7d41-4b8a-a2f5-1e0c7b9d4a63-S0  aws/us-west-2  aws/us-west-2a',
        'sleep  10.0.5.33  root  TASK_RUNNING  sleep.77c0f3aa-8b22-11ee-9a3c-0242ac110002  9c3b6f2e-7d41-4b8a-a2f5-1e0c7b9d4a63-S1  aws/us-west-2  aws/us-west-2b',
        'web    10.0.1.12  root  TASK_RUNNING  web.9a1e5b02-8b21-11ee-9a3c-0242ac110002    9c3b6f2e-7d41-4b8a-a2f5-1e0c7b9d4a63-S0  aws/us-west-2  aws/us-west-2a',
        '',
      ].join('\n'),
    )
  })

  test('--completed adds finished tasks, also those of completed frameworks', async () => {
    dcos().get('/mesos/master/state').reply(200, state)
    const run = await runCommand(TaskList, ['--completed', '--quiet'], {env})
    assert.deepEqual(run.stdout.trimEnd().split('\n'), [
      'hello.1b2c3d4e-8b20-11ee-9a3c-0242ac110002',
      'sleep.4f6d3c7e-8b21-11ee-9a3c-0242ac110002',
      'sleep.77c0f3aa-8b22-11ee-9a3c-0242ac110002',
      'driver-20231120-0001',
      'web.9a1e5b02-8b21-11ee-9a3c-0242ac110002',
    ])
  })

  test('a filter matches ids or names by substring or glob; --json gives Mesos task objects', async () => {
    dcos().get('/mesos/master/state').times(2).reply(200, state)
    const byGlob = await runCommand(TaskList, ['w?b*', '--json'], {env})
    const tasks = JSON.parse(byGlob.stdout)
    assert.deepEqual(
      tasks.map((t: {id: string}) => t.id),
      ['web.9a1e5b02-8b21-11ee-9a3c-0242ac110002'],
    )
    assert.equal(tasks[0].executor_id, '')
    assert.equal(tasks[0].statuses[1].state, 'TASK_RUNNING')
    const byAgent = await runCommand(TaskList, ['sleep', '--agent-id', S0, '-q'], {env})
    assert.equal(byAgent.stdout, 'sleep.4f6d3c7e-8b21-11ee-9a3c-0242ac110002\n')
  })

  test('no match: an error in text mode, [] with --json', async () => {
    dcos().get('/mesos/master/state').times(2).reply(200, state)
    const text = await runCommand(TaskList, ['nope'], {env})
    assert.equal(text.exit, 1)
    assert.equal(text.stdout, '')
    assert.match(text.stderr, /^Error: no task ID found containing 'nope'/)
    const json = await runCommand(TaskList, ['nope', '--json'], {env})
    assert.equal(json.exit, 0)
    assert.equal(json.stdout, '[]\n')
  })
})

describe('dcos service', () => {
  test('list shows active frameworks with %.1f resources', async () => {
    dcos().get('/mesos/master/state').reply(200, state)
    const run = await runCommand(ServiceList, [], {env})
    assert.equal(
      run.stdout,
      [
        'NAME      HOST       ACTIVE  TASKS  CPU    MEM  DISK  ID',
        'marathon  10.0.0.10  True        3  0.3  192.0   0.0  9c3b6f2e-7d41-4b8a-a2f5-1e0c7b9d4a63-0001',
        '',
      ].join('\n'),
    )
  })

  test('--inactive and --completed add the other frameworks', async () => {
    dcos().get('/mesos/master/state').reply(200, state)
    const run = await runCommand(ServiceList, ['--inactive', '--completed', '--json'], {env})
    assert.deepEqual(
      JSON.parse(run.stdout).map((f: {name: string; active: boolean}) => [f.name, f.active]),
      [
        ['marathon', true],
        ['jenkins', false],
        ['spark', false],
      ],
    )
  })

  test('shutdown tears the framework down with the form body frameworkId=<id>', async () => {
    dcos().get('/mesos/master/frameworks').reply(200, fixture('mesos/master-frameworks.json'))
    dcos()
      .post('/mesos/master/teardown', `frameworkId=${MARATHON}`)
      .matchHeader('content-type', 'application/x-www-form-urlencoded')
      .reply(200)
    const run = await runCommand(ServiceShutdown, ['marathon', '--yes'], {env})
    assert.equal(run.exit, 0, run.stderr)
    assert.match(run.stderr, /Service 'marathon' \(.*-0001\) is shutting down/)
  })

  test('shutdown without --yes and without a terminal tears down at once, as the Python CLI', async () => {
    dcos().get('/mesos/master/frameworks').reply(200, fixture('mesos/master-frameworks.json'))
    dcos().post('/mesos/master/teardown', `frameworkId=${MARATHON}`).reply(200)
    const run = await runCommand(ServiceShutdown, [MARATHON], {env})
    assert.equal(run.exit, 0, run.stderr)
    assert.match(run.stderr, /is shutting down/)
  })
})

describe('dcos task log / task ls (Mesos files API)', () => {
  const sleepDir = agentState.frameworks![0].executors![0].directory
  const doneDir = agentState.frameworks![0].completed_executors![0].directory

  test('prints the last N lines of stdout of one task', async () => {
    dcos().get('/mesos/master/state').reply(200, state)
    dcos().get(`/agent/${S0}/state`).reply(200, agentState)
    const lines = Array.from({length: 5000}, (_, i) => `line ${i + 1}`).join('\n') + '\n'
    filesApi(dcos(), `/agent/${S0}`, {[`${sleepDir}/stdout`]: lines})
    const run = await runCommand(TaskLog, ['sleep.4f6d', '--lines', '3'], {env})
    assert.equal(run.exit, 0, run.stderr)
    assert.equal(run.stdout, 'line 4998\nline 4999\nline 5000\n')
  })

  test('several tasks get ===> task:<id>:<file> <=== headers', async () => {
    dcos().get('/mesos/master/state').reply(200, state)
    dcos().get(`/agent/${S0}/state`).reply(200, agentState)
    const webDir = agentState.frameworks![0].executors![1].directory
    filesApi(dcos(), `/agent/${S0}`, {[`${sleepDir}/stderr`]: 'a\nb\n', [`${webDir}/stderr`]: 'c\n'})
    const run = await runCommand(TaskLog, ['*.*-8b21-*', 'stderr'], {env})
    assert.equal(
      run.stdout,
      [
        '===> task:sleep.4f6d3c7e-8b21-11ee-9a3c-0242ac110002:stderr <===',
        'a',
        'b',
        '===> task:web.9a1e5b02-8b21-11ee-9a3c-0242ac110002:stderr <===',
        'c',
        '',
      ].join('\n'),
    )
  })

  test('only a completed task matches: the real hint to use --completed; with it, its log', async () => {
    dcos().get('/mesos/master/state').times(2).reply(200, state)
    const hint = await runCommand(TaskLog, ['hello'], {env})
    assert.equal(hint.exit, 1)
    assert.equal(
      hint.stderr,
      'Error: No running tasks match ID [hello]; however, there is 1 matching completed task. Run with --completed to see these logs.\n',
    )
    dcos().get(`/agent/${S0}/state`).reply(200, agentState)
    filesApi(dcos(), `/agent/${S0}`, {[`${doneDir}/stdout`]: 'hello\n'})
    const run = await runCommand(TaskLog, ['hello', '--completed'], {env})
    assert.equal(run.stdout, 'hello\n')
  })

  test('--follow prints what is appended until interrupted', async () => {
    dcos().get('/mesos/master/state').reply(200, state)
    dcos().get(`/agent/${S0}/state`).reply(200, agentState)
    const files = {[`${sleepDir}/stdout`]: 'one\n'}
    filesApi(dcos(), `/agent/${S0}`, files)
    const controller = new AbortController()
    const running = runCommand(TaskLog, ['sleep.4f6d', '--follow'], {env, interrupt: controller.signal})
    await new Promise((r) => setTimeout(r, 100))
    files[`${sleepDir}/stdout`] += 'two\n'
    await new Promise((r) => setTimeout(r, 600))
    controller.abort()
    const run = await running
    assert.equal(run.exit, 0, run.stderr)
    assert.equal(run.stdout, 'one\ntwo\n')
  })

  test('a missing file: cannot access', async () => {
    dcos().get('/mesos/master/state').reply(200, state)
    dcos().get(`/agent/${S0}/state`).reply(200, agentState)
    filesApi(dcos(), `/agent/${S0}`, {})
    const run = await runCommand(TaskLog, ['sleep.4f6d', 'nofile'], {env})
    assert.equal(run.exit, 1)
    assert.equal(run.stderr, "Error: cannot access 'nofile': no such file or directory\n")
  })

  test('ls prints basenames; --long prints the CORE table', async () => {
    const entries = [
      {path: `${sleepDir}/stderr`, nlink: 1, size: 1234, mtime: 1700000200, mode: '-rw-r--r--', uid: 'root', gid: 'root'},
      {path: `${sleepDir}/stdout`, nlink: 1, size: 56, mtime: 1700000300, mode: '-rw-r--r--', uid: 'root', gid: 'root'},
    ]
    dcos().get('/mesos/master/state').times(2).reply(200, state)
    dcos().get(`/agent/${S0}/state`).times(2).reply(200, agentState)
    dcos().get(`/agent/${S0}/files/browse`).query({path: sleepDir}).times(2).reply(200, entries)
    const short = await runCommand(TaskLs, ['sleep.4f6d'], {env})
    assert.equal(short.stdout, 'stderr  stdout\n')
    const long = await runCommand(TaskLs, ['sleep.4f6d', '--long'], {env})
    assert.equal(
      long.stdout,
      [
        'MODE        LINKS  UID   GID   SIZE  DATE                 NAME',
        '-rw-r--r--      1  root  root  1234  14 Nov 23 22:16 UTC  stderr',
        '-rw-r--r--      1  root  root    56  14 Nov 23 22:18 UTC  stdout',
        '',
      ].join('\n'),
    )
  })

  test('ls of a missing path: cannot access', async () => {
    dcos().get('/mesos/master/state').reply(200, state)
    dcos().get(`/agent/${S0}/state`).reply(200, agentState)
    dcos().get(`/agent/${S0}/files/browse`).query({path: `${sleepDir}/nope`}).reply(404)
    const run = await runCommand(TaskLs, ['sleep.4f6d', '/nope'], {env})
    assert.equal(run.stderr, "Error: cannot access '/nope': no such file or directory\n")
  })
})

describe('dcos node log', () => {
  test('--leader reads /master/log through the master files API', async () => {
    filesApi(dcos(), '/mesos', {'/master/log': 'I1120 starting\nI1120 elected\nI1120 agent registered\n'})
    const run = await runCommand(NodeLog, ['--leader', '--lines', '2'], {env})
    assert.equal(run.exit, 0, run.stderr)
    assert.equal(run.stdout, 'I1120 elected\nI1120 agent registered\n')
  })

  test('neither --leader nor --mesos-id: the real message, exit 1', async () => {
    const run = await runCommand(NodeLog, [], {env})
    assert.equal(run.exit, 1)
    assert.equal(run.stderr, "Error: '--leader' or '--mesos-id' must be provided\n")
  })
})

describe('core.mesos_master_url', () => {
  test('the master is called directly and agents at the address of their pid', async () => {
    const manager = new ConfigManager(dcosDir, {})
    manager.save('c1', {'core.mesos_master_url': 'http://10.0.0.10:5050'})
    manager.attach('c1')
    const direct = {DCOS_DIR: dcosDir}
    nock('http://10.0.0.10:5050').get('/master/state').reply(200, state).get('/master/slaves').reply(200, fixture('mesos/master-slaves.json'))
    nock('http://10.0.1.12:5051').get('/state').reply(200, agentState)
    filesApi(nock('http://10.0.1.12:5051'), '', {[`${agentState.frameworks![0].executors![0].directory}/stdout`]: 'direct\n'})
    const run = await runCommand(TaskLog, ['sleep.4f6d'], {env: direct})
    assert.equal(run.exit, 0, run.stderr)
    assert.equal(run.stdout, 'direct\n')
  })
})
