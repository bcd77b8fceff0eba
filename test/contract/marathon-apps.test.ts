/**
 * `dcos marathon app ...` against a real Marathon's responses (./fixtures/marathon-real, served
 * as they are): the exact requests (paths, force, token), the exact output (CORE's app table,
 * `Created deployment <id>`, `Killed tasks: ...`), and the real CLI's error texts (PY
 * tests/integrations/test_marathon.py, CORE pkg/cmd/marathon/app/*_test.go).
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {describe, test} from 'node:test'
import nock from 'nock'
import AppAdd from '../../commands/marathon/app/add'
import AppKill from '../../commands/marathon/app/kill'
import AppList from '../../commands/marathon/app/list'
import AppRemove from '../../commands/marathon/app/remove'
import AppRestart from '../../commands/marathon/app/restart'
import AppShow from '../../commands/marathon/app/show'
import AppStart from '../../commands/marathon/app/start'
import AppStop from '../../commands/marathon/app/stop'
import AppUpdate from '../../commands/marathon/app/update'
import AppVersionList from '../../commands/marathon/app/version/list'
import type {MarathonApp} from '../../src/clients/marathon-types'
import {runCommand} from './harness'
import {JSON_HEADERS, M, marathon, marathonContract, real, realFile} from './marathon-setup'

const ctx = marathonContract()
const env = () => ctx.env()

const DEPLOYMENT = '5ed4c0c5-9ff8-4a6f-a0cd-f57f59a34b43'
const myapp = () => real<{apps: MarathonApp[]}>('examples/app_list.json').apps[0]

/** POST /v2/apps's answer for app-simple.json (marathon-mesos-api.md §1.3: the pre-deployment AppInfo). */
function created(id: string, deploymentId = DEPLOYMENT) {
  return {id, instances: 2, cmd: 'sleep 1000', cpus: 0.1, mem: 16.0, disk: 0.0, tasksStaged: 0, tasksRunning: 0, deployments: [{id: deploymentId}]}
}

describe('dcos marathon app list', () => {
  test('renders the old serialisation (nulls, ints) in CORE columns, with deployments and the queue', async () => {
    marathon()
      .get(`${M}/v2/apps`)
      .replyWithFile(200, realFile('examples/app_list.json'), JSON_HEADERS)
      .get(`${M}/v2/deployments`)
      .replyWithFile(200, realFile('examples/deployments.json'), JSON_HEADERS)
      .get(`${M}/v2/queue`)
      .replyWithFile(200, realFile('examples/queue.json'), JSON_HEADERS)
    const run = await runCommand(AppList, [], {env: env()})
    assert.equal(run.exit, 0, run.stderr)
    assert.equal(
      run.stdout,
      [
        'ID      MEM  CPUS  TASKS  HEALTH  DEPLOYMENT  WAITING  CONTAINER  CMD              ROLE',
        '/myapp  5    0.1   0/3    ---     ---         false    MESOS      env && sleep 60  ---',
        '',
      ].join('\n'),
    )
    assert.equal(run.stderr, '')
  })

  test("CORE's golden row (app_list_test.go): floats as humanize.Ftoa, the role", async () => {
    const apps = {apps: [{id: 'test-id', cpus: 1.0, mem: 2.0, cmd: 'test cmd', role: 'public_agent', tasksRunning: 3, instances: 4}]}
    marathon().get(`${M}/v2/apps`).reply(200, apps).get(`${M}/v2/deployments`).reply(200, []).get(`${M}/v2/queue`).reply(200, {})
    const run = await runCommand(AppList, [], {env: env()})
    assert.equal(
      run.stdout,
      [
        'ID       MEM  CPUS  TASKS  HEALTH  DEPLOYMENT  WAITING  CONTAINER  CMD       ROLE',
        'test-id  2    1     3/4    ---     ---         false    MESOS      test cmd  public_agent',
        '',
      ].join('\n'),
    )
  })

  test("DEPLOYMENT shows the deployment's current action on the app, WAITING the queue's overdue, HEALTH healthy/running", async () => {
    const apps = {
      apps: [
        {
          id: '/foo',
          cpus: 0.5,
          mem: 64.0,
          instances: 2,
          args: ['python3', '-m', 'http.server', '8080', '--bind', '127.0.0.1'],
          container: {type: 'DOCKER', docker: {image: 'python:3'}},
          healthChecks: [{protocol: 'HTTP', path: '/'}],
          tasksRunning: 2,
          tasksHealthy: 1,
          deployments: [{id: '97c136bf-5a28-4821-9d94-480d9fbb01c8'}],
          role: 'slave_public',
        },
      ],
    }
    marathon()
      .get(`${M}/v2/apps`)
      .reply(200, apps)
      .get(`${M}/v2/deployments`)
      .replyWithFile(200, realFile('examples/deployments.json'), JSON_HEADERS)
      .get(`${M}/v2/queue`)
      .replyWithFile(200, realFile('examples/queue.json'), JSON_HEADERS)
    const run = await runCommand(AppList, [], {env: env()})
    assert.equal(
      run.stdout.split('\n')[1],
      '/foo  64   0.5   2/2    1/2     scale       true     DOCKER     [python3, -m, http.server, ...  slave_public',
    )
  })

  test('a real 100-app dump (benchmark 155_100.json): sorted by ID, missing counts and commands read as empty', async () => {
    marathon()
      .get(`${M}/v2/apps`)
      .replyWithFile(200, realFile('benchmark/155_100.json'), JSON_HEADERS)
      .get(`${M}/v2/deployments`)
      .reply(200, [])
      .get(`${M}/v2/queue`)
      .reply(200, {queue: []})
    const run = await runCommand(AppList, [], {env: env()})
    const lines = run.stdout.trimEnd().split('\n')
    assert.equal(lines.length, 101)
    assert.equal(lines[1], '/cudcos/mactest1    10   0.1   0/0    ---     ---         false    DOCKER     ---  ---')
    assert.equal(lines[3], '/cudcos/mactest100  10   0.1   0/0    ---     ---         false    DOCKER     ---  ---')
  })

  test('--json prints the apps as Marathon sent them; --quiet their IDs in its order', async () => {
    marathon().get(`${M}/v2/apps`).twice().replyWithFile(200, realFile('benchmark/155_100.json'), JSON_HEADERS)
    const json = await runCommand(AppList, ['--json'], {env: env()})
    assert.deepEqual(JSON.parse(json.stdout), real<{apps: unknown[]}>('benchmark/155_100.json').apps)
    const quiet = await runCommand(AppList, ['--quiet'], {env: env()})
    const ids = real<{apps: {id: string}[]}>('benchmark/155_100.json').apps.map((a) => a.id)
    assert.equal(quiet.stdout, ids.join('\n') + '\n')
  })

  test('no apps: the header alone; with --json []', async () => {
    marathon().get(`${M}/v2/apps`).twice().reply(200, {apps: []}).get(`${M}/v2/deployments`).reply(200, []).get(`${M}/v2/queue`).reply(200, {queue: []})
    const table = await runCommand(AppList, [], {env: env()})
    assert.equal(table.stdout, 'ID  MEM  CPUS  TASKS  HEALTH  DEPLOYMENT  WAITING  CONTAINER  CMD  ROLE\n')
    const json = await runCommand(AppList, ['--json'], {env: env()})
    assert.equal(json.exit, 0)
    assert.deepEqual(JSON.parse(json.stdout), [])
  })

  test('marathon.url replaces <dcos_url>/service/marathon', async () => {
    const scope = marathon().get('/my-marathon/v2/apps').reply(200, {apps: []})
    const run = await runCommand(AppList, ['--quiet'], {env: {...env(), DCOS_MARATHON_URL: 'http://dcos.example.com/my-marathon/'}})
    assert.equal(run.exit, 0, run.stderr)
    assert.ok(scope.isDone())
  })
})

describe('dcos marathon app add', () => {
  test('a file: POSTs it as it is and prints the deployment', async () => {
    marathon()
      .post(`${M}/v2/apps`, real('examples/app-simple.json') as nock.RequestBodyMatcher)
      .reply(201, created('/simple'), {'Marathon-Deployment-Id': DEPLOYMENT, Location: `${M}/v2/apps/simple`})
    const run = await runCommand(AppAdd, [realFile('examples/app-simple.json')], {env: env()})
    assert.equal(run.exit, 0, run.stderr)
    assert.equal(run.stdout, `Created deployment ${DEPLOYMENT}\n`)
    assert.equal(run.stderr, '')
  })

  test('standard input when no resource is given (the deployment from the body without the header)', async () => {
    marathon()
      .post(`${M}/v2/apps`, real('system-apps/sleep-app.json') as nock.RequestBodyMatcher)
      .reply(201, created('/sleep', 'b6ac7b9f-7e3d-4a1c-9e25-3f1f3d7c2f10'))
    const input = fs.readFileSync(realFile('system-apps/sleep-app.json'), 'utf8')
    const run = await runCommand(AppAdd, [], {env: env(), input})
    assert.equal(run.stdout, 'Created deployment b6ac7b9f-7e3d-4a1c-9e25-3f1f3d7c2f10\n')
  })

  test('YAML on standard input and in a .yaml file is sent as the same JSON', async () => {
    const yaml = 'id: /sleep\ninstances: 1\ncmd: sleep 100000000\ncpus: 0.01\nmem: 32\ndisk: 0\n'
    marathon().post(`${M}/v2/apps`, real('system-apps/sleep-app.json') as nock.RequestBodyMatcher).twice().reply(201, created('/sleep'))
    const stdin = await runCommand(AppAdd, [], {env: env(), input: yaml})
    assert.equal(stdin.stdout, `Created deployment ${DEPLOYMENT}\n`, stdin.stderr)
    const file = path.join(ctx.dir(), 'sleep.yaml')
    fs.writeFileSync(file, yaml)
    const fromFile = await runCommand(AppAdd, [file], {env: env()})
    assert.equal(fromFile.stdout, `Created deployment ${DEPLOYMENT}\n`, fromFile.stderr)
  })

  test('an ID of 55 characters or more is warned about (SRV records), and sent', async () => {
    const id = '/' + 'a'.repeat(54)
    marathon().post(`${M}/v2/apps`, {id, cmd: 'sleep 1'}).reply(201, created(id))
    const run = await runCommand(AppAdd, [], {env: env(), input: JSON.stringify({id, cmd: 'sleep 1'})})
    assert.equal(run.stdout, `Created deployment ${DEPLOYMENT}\n`)
    assert.equal(run.stderr, 'Warning: Service IDs must be less than 55 characters in order to have SRV records generated correctly.\n')
  })

  test('an http(s) URL is fetched without the cluster token', async () => {
    nock('http://apps.example.org', {badheaders: ['authorization']}).get('/sleep.json').replyWithFile(200, realFile('system-apps/sleep-app.json'))
    marathon().post(`${M}/v2/apps`, real('system-apps/sleep-app.json') as nock.RequestBodyMatcher).reply(201, created('/sleep'))
    const run = await runCommand(AppAdd, ['http://apps.example.org/sleep.json'], {env: env()})
    assert.equal(run.stdout, `Created deployment ${DEPLOYMENT}\n`, run.stderr)
  })

  test('on a terminal, with no resource: the real message, and nothing is sent', async () => {
    const run = await runCommand(AppAdd, [], {env: env(), isTTY: true})
    assert.equal(run.exit, 1)
    assert.equal(
      run.stderr,
      "Error: We currently don't support reading from the TTY. Please specify an application JSON.\nE.g.: dcos marathon app add < app_resource.json\n",
    )
    assert.equal(run.stdout, '')
  })

  test("an existing ID: Application '/x' already exists", async () => {
    marathon().post(`${M}/v2/apps`).reply(409, {message: 'An app with id [/simple] already exists.'})
    const run = await runCommand(AppAdd, [realFile('examples/app-simple.json')], {env: env()})
    assert.equal(run.exit, 1)
    assert.equal(run.stderr, "Error: Application '/simple' already exists\n")
  })

  test("a resource that is neither a file nor a URL: Can't read from resource", async () => {
    const run = await runCommand(AppAdd, ['bad_resource'], {env: env()})
    assert.equal(run.exit, 1)
    assert.equal(run.stderr, "Error: Can't read from resource: bad_resource.\nPlease check that it exists.\n")
  })

  test('bad JSON and empty input are refused before any request', async () => {
    const bad = await runCommand(AppAdd, [], {env: env(), input: '{"id": "/x",\n'})
    assert.equal(bad.exit, 1)
    assert.match(bad.stderr, /^Error: error loading JSON: /)
    const yamlFile = path.join(ctx.dir(), 'bad.yml')
    fs.writeFileSync(yamlFile, 'id: [unclosed\n')
    const badYaml = await runCommand(AppAdd, [yamlFile], {env: env()})
    assert.match(badYaml.stderr, /^Error: error loading YAML: /)
    const empty = await runCommand(AppAdd, [], {env: env(), input: ''})
    assert.equal(empty.stderr, 'Error: error loading JSON: standard input is empty.\n')
  })

  test("Marathon's validation (422) is shown with its details, path by path", async () => {
    const body = {
      message: 'Object is not valid',
      details: [{path: '/', errors: ["AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'."]}],
    }
    marathon().post(`${M}/v2/apps`, real('examples/app.json') as nock.RequestBodyMatcher).reply(422, body)
    const run = await runCommand(AppAdd, [realFile('examples/app.json')], {env: env()})
    assert.equal(run.exit, 1)
    assert.equal(run.stderr, "Error: Object is not valid\n/: AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'.\n")
  })

  test("a JSON syntax error (400, details as a string) and an unreachable Marathon", async () => {
    marathon().post(`${M}/v2/apps`).reply(400, {message: 'Invalid JSON', details: 'Unexpected end-of-input: expected close marker for OBJECT'})
    const run = await runCommand(AppAdd, [realFile('examples/app-simple.json')], {env: env()})
    assert.equal(run.stderr, 'Error: Invalid JSON\nUnexpected end-of-input: expected close marker for OBJECT\n')
    marathon().post(`${M}/v2/apps`).reply(502, '<html><body>Bad Gateway</body></html>')
    const down = await runCommand(AppAdd, [realFile('examples/app-simple.json')], {env: env()})
    assert.equal(
      down.stderr,
      'Error: POST http://dcos.example.com/service/marathon/v2/apps failed: HTTP 502 Bad Gateway. Is Marathon running on the cluster? It is expected at http://dcos.example.com/service/marathon (set marathon.url to change that).\n',
    )
  })
})

describe('dcos marathon app show', () => {
  test('prints the app as JSON', async () => {
    marathon().get(`${M}/v2/apps/myapp`).reply(200, {app: myapp()})
    const run = await runCommand(AppShow, ['myapp'], {env: env()})
    assert.equal(run.exit, 0, run.stderr)
    assert.equal(run.stdout, JSON.stringify(myapp(), null, 2) + '\n')
  })

  test('--app-version=-1 counts back through /versions; an absolute version is asked for as it is', async () => {
    const versions = ['2015-09-25T15:13:48.343Z', '2015-09-24T10:00:00.000Z']
    marathon()
      .get(`${M}/v2/apps/myapp/versions`)
      .reply(200, {versions})
      .get(`${M}/v2/apps/myapp/versions/2015-09-24T10%3A00%3A00.000Z`)
      .twice()
      .reply(200, myapp())
    const relative = await runCommand(AppShow, ['--app-version=-1', '/myapp'], {env: env()})
    assert.equal(relative.exit, 0, relative.stderr)
    assert.equal(JSON.parse(relative.stdout).id, '/myapp')
    const absolute = await runCommand(AppShow, ['--app-version', '2015-09-24T10:00:00.000Z', 'myapp'], {env: env()})
    assert.equal(absolute.exit, 0, absolute.stderr)
  })

  test('relative versions must be negative; and exist', async () => {
    const positive = await runCommand(AppShow, ['--app-version=2', 'myapp'], {env: env()})
    assert.equal(positive.stderr, 'Error: relative versions must be negative: 2\n')
    marathon().get(`${M}/v2/apps/myapp/versions`).reply(200, {versions: ['2015-09-25T15:13:48.343Z']})
    const tooFar = await runCommand(AppShow, ['--app-version=-3', 'myapp'], {env: env()})
    assert.equal(tooFar.stderr, "Error: application '/myapp' only has 1 version(s)\n")
  })

  test("a missing app: Marathon's words", async () => {
    marathon().get(`${M}/v2/apps/missing-id`).reply(404, {message: "App '/missing-id' does not exist"})
    const run = await runCommand(AppShow, ['missing-id'], {env: env()})
    assert.equal(run.exit, 1)
    assert.equal(run.stderr, "Error: App '/missing-id' does not exist\n")
  })
})

describe('dcos marathon app update', () => {
  test('key=value typed as the Python jsonitem: numbers, booleans, null, JSON objects and arrays, quoted strings', async () => {
    const expected = {
      instances: 3,
      cpus: 0.5,
      requirePorts: true,
      cmd: 'sleep 100',
      env: {key: '/value'},
      constraints: [['hostname', 'UNIQUE']],
      user: null,
      executor: '//cmd',
    }
    marathon()
      .get(`${M}/v2/apps/zero-instance-app`)
      .reply(200, {app: {...myapp(), id: '/zero-instance-app'}})
      .put(`${M}/v2/apps/zero-instance-app`, expected)
      .replyWithFile(200, realFile('examples/deployments_result.json'), JSON_HEADERS)
    const run = await runCommand(
      AppUpdate,
      ['zero-instance-app', 'instances=3', 'cpus=0.5', 'requirePorts=TRUE', "cmd='sleep 100'", 'env=\'{"key":"/value"}\'', 'constraints=[["hostname","UNIQUE"]]', 'user=null', 'executor=//cmd'],
      {env: env()},
    )
    assert.equal(run.exit, 0, run.stderr)
    assert.equal(run.stdout, `Created deployment ${DEPLOYMENT}\n`)
  })

  test('without properties the change comes from standard input; --force is passed on', async () => {
    marathon()
      .get(`${M}/v2/apps/myapp`)
      .reply(200, {app: myapp()})
      .put(`${M}/v2/apps/myapp`, {cmd: 'sleep 10', instances: 1})
      .query({force: 'true'})
      .replyWithFile(200, realFile('examples/deployments_result.json'), JSON_HEADERS)
    const run = await runCommand(AppUpdate, ['myapp', '--force'], {env: env(), input: '{"cmd": "sleep 10", "instances": 1}'})
    assert.equal(run.stdout, `Created deployment ${DEPLOYMENT}\n`, run.stderr)
  })

  test('on a terminal without properties: the real message', async () => {
    marathon().get(`${M}/v2/apps/myapp`).reply(200, {app: myapp()})
    const run = await runCommand(AppUpdate, ['myapp'], {env: env(), isTTY: true})
    assert.equal(
      run.stderr,
      "Error: We currently don't support reading from the TTY. Please specify an application JSON.\nE.g. dcos marathon app update your-app-id < app_update.json\n",
    )
  })

  test('a missing app is reported before anything is changed (PUT would create it)', async () => {
    marathon().get(`${M}/v2/apps/missing-id`).reply(404, {message: "App '/missing-id' does not exist"})
    const run = await runCommand(AppUpdate, ['missing-id', 'instances=1'], {env: env()})
    assert.equal(run.stderr, "Error: App '/missing-id' does not exist\n")
  })

  test('a deployment in progress: Changes blocked, with the deployment that holds the app', async () => {
    marathon()
      .get(`${M}/v2/apps/myapp`)
      .reply(200, {app: myapp()})
      .put(`${M}/v2/apps/myapp`)
      .reply(409, {
        message: "App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/<DEPLOYMENT_ID>'.",
        deployments: [{id: '97c136bf-5a28-4821-9d94-480d9fbb01c8'}],
      })
    const run = await runCommand(AppUpdate, ['myapp', 'instances=2'], {env: env()})
    assert.equal(run.exit, 1)
    assert.equal(
      run.stderr,
      "Error: Changes blocked: deployment already in progress for app. Deployment in progress: 97c136bf-5a28-4821-9d94-480d9fbb01c8. Wait for it ('dcos marathon deployment watch'), or pass --force to override.\n",
    )
  })

  test("Marathon's type errors (422, play-json paths) and bad properties", async () => {
    marathon()
      .get(`${M}/v2/apps/myapp`)
      .times(3)
      .reply(200, {app: myapp()})
      .put(`${M}/v2/apps/myapp`, {cpus: 'a string'})
      .reply(422, {message: 'Invalid JSON', details: [{path: '/cpus', errors: ['error.expected.jsnumber']}]})
    const typed = await runCommand(AppUpdate, ['myapp', 'cpus="a string"'], {env: env()})
    assert.equal(typed.stderr, 'Error: Invalid JSON\n/cpus: error.expected.jsnumber\n')
    const twice = await runCommand(AppUpdate, ['myapp', 'cpus=1', 'cpus=2'], {env: env()})
    assert.equal(twice.stderr, "Error: Key 'cpus' was specified more than once\n")
    const noEquals = await runCommand(AppUpdate, ['myapp', 'instances'], {env: env()})
    assert.equal(noEquals.stderr, "Error: 'instances' is not a valid json-item. Properties are 'key=value', e.g. instances=3.\n")
  })
})

describe('dcos marathon app start|stop|restart|remove', () => {
  test('start scales a stopped app to N (1 by default)', async () => {
    const stopped = {app: {...myapp(), instances: 0}}
    marathon()
      .get(`${M}/v2/apps/myapp`)
      .twice()
      .reply(200, stopped)
      .put(`${M}/v2/apps/myapp`, {instances: 1})
      .replyWithFile(200, realFile('examples/deployments_result.json'), JSON_HEADERS)
      .put(`${M}/v2/apps/myapp`, {instances: 4})
      .query({force: 'true'})
      .replyWithFile(200, realFile('examples/deployments_result.json'), JSON_HEADERS)
    assert.equal((await runCommand(AppStart, ['myapp'], {env: env()})).stdout, `Created deployment ${DEPLOYMENT}\n`)
    assert.equal((await runCommand(AppStart, ['myapp', '4', '--force'], {env: env()})).stdout, `Created deployment ${DEPLOYMENT}\n`)
  })

  test('start: already started (CORE), instances must be positive', async () => {
    marathon().get(`${M}/v2/apps/myapp`).reply(200, {app: myapp()})
    const started = await runCommand(AppStart, ['myapp'], {env: env()})
    assert.equal(started.exit, 1)
    assert.equal(started.stderr, "Error: application '/myapp' already started: 3 instances\n")
    const zero = await runCommand(AppStart, ['myapp', '0'], {env: env()})
    assert.equal(zero.stderr, 'Error: the number of instances must be positive: 0\n')
    const word = await runCommand(AppStart, ['myapp', 'three'], {env: env()})
    assert.equal(word.exit, 2)
  })

  test('stop scales to 0; an app already stopped is refused', async () => {
    marathon()
      .get(`${M}/v2/apps/myapp`)
      .reply(200, {app: myapp()})
      .put(`${M}/v2/apps/myapp`, {instances: 0})
      .replyWithFile(200, realFile('examples/deployments_result.json'), JSON_HEADERS)
      .get(`${M}/v2/apps/myapp`)
      .reply(200, {app: {...myapp(), instances: 0}})
    assert.equal((await runCommand(AppStop, ['myapp'], {env: env()})).stdout, `Created deployment ${DEPLOYMENT}\n`)
    const again = await runCommand(AppStop, ['myapp'], {env: env()})
    assert.equal(again.stderr, "Error: app '/myapp' already stopped: 0 instances\n")
  })

  test('stop, restart and remove of a missing app say so', async () => {
    marathon().get(`${M}/v2/apps/missing-id`).twice().reply(404, {message: "App '/missing-id' does not exist"})
    marathon().delete(`${M}/v2/apps/missing-id`).reply(404, {message: "App '/missing-id' does not exist"})
    for (const Cmd of [AppStop, AppRestart, AppRemove]) {
      const run = await runCommand(Cmd, ['missing-id'], {env: env()})
      assert.equal(run.stderr, "Error: App '/missing-id' does not exist\n")
      assert.equal(run.exit, 1)
    }
  })

  test('restart POSTs /restart; an app without instances cannot be restarted', async () => {
    marathon()
      .get(`${M}/v2/apps/group/myapp`)
      .reply(200, {app: {...myapp(), id: '/group/myapp'}})
      .post(`${M}/v2/apps/group/myapp/restart`)
      .replyWithFile(200, realFile('examples/deployments_result.json'), JSON_HEADERS)
      .get(`${M}/v2/apps/group/myapp`)
      .reply(200, {app: {...myapp(), id: '/group/myapp', instances: 0}})
    assert.equal((await runCommand(AppRestart, ['/group/myapp/'], {env: env()})).stdout, `Created deployment ${DEPLOYMENT}\n`)
    const stopped = await runCommand(AppRestart, ['group/myapp'], {env: env()})
    assert.equal(stopped.stderr, "Error: unable to perform rolling restart of application '/group/myapp' because it has no running tasks\n")
  })

  test('remove DELETEs the app (force only when asked) and prints nothing, as the real CLI', async () => {
    marathon()
      .delete(`${M}/v2/apps/myapp`)
      .replyWithFile(200, realFile('examples/deployments_result.json'), JSON_HEADERS)
      .delete(`${M}/v2/apps/myapp`)
      .query({force: 'true'})
      .replyWithFile(200, realFile('examples/deployments_result.json'), JSON_HEADERS)
    const run = await runCommand(AppRemove, ['myapp'], {env: env()})
    assert.equal(run.exit, 0, run.stderr)
    assert.equal(run.stdout, '')
    assert.equal((await runCommand(AppRemove, ['--force', 'myapp'], {env: env()})).exit, 0)
  })
})

describe('dcos marathon app kill', () => {
  test('Killed tasks: the killed tasks as JSON (CORE); --host narrows them', async () => {
    marathon()
      .delete(`${M}/v2/apps/minecraft/survival-world/tasks`)
      .replyWithFile(200, realFile('examples/app_tasks.json'), JSON_HEADERS)
      .delete(`${M}/v2/apps/minecraft/survival-world/tasks`)
      .query({host: 'srv7.hw.ca1.mesosphere.com'})
      .replyWithFile(200, realFile('examples/app_tasks.json'), JSON_HEADERS)
    const tasks = real<{tasks: unknown[]}>('examples/app_tasks.json').tasks
    const run = await runCommand(AppKill, ['/minecraft/survival-world'], {env: env()})
    assert.equal(run.stdout, `Killed tasks: ${JSON.stringify(tasks)}\n`)
    const host = await runCommand(AppKill, ['--host=srv7.hw.ca1.mesosphere.com', 'minecraft/survival-world'], {env: env()})
    assert.equal(host.exit, 0, host.stderr)
  })

  test('--scale: Started deployment: {...}; --scale with --host is refused', async () => {
    marathon().delete(`${M}/v2/apps/myapp/tasks`).query({scale: 'true'}).replyWithFile(200, realFile('examples/deployments_result.json'), JSON_HEADERS)
    const run = await runCommand(AppKill, ['--scale', 'myapp'], {env: env()})
    assert.equal(run.stdout, `Started deployment: {"deploymentId":"${DEPLOYMENT}","version":"2015-09-29T15:59:51.164Z"}\n`)
    const both = await runCommand(AppKill, ['--scale', '--host=a', 'myapp'], {env: env()})
    assert.equal(both.exit, 2)
  })
})

describe('dcos marathon app version list', () => {
  const versions = ['2015-09-25T15:13:48.343Z', '2015-09-24T10:00:00.000Z', '2015-09-23T10:00:00.000Z']

  test('the versions as a JSON array, newest first; --max-count keeps the first N', async () => {
    marathon().get(`${M}/v2/apps/myapp/versions`).twice().reply(200, {versions})
    const all = await runCommand(AppVersionList, ['myapp'], {env: env()})
    assert.equal(all.stdout, JSON.stringify(versions, null, 2) + '\n')
    const two = await runCommand(AppVersionList, ['--max-count=2', 'myapp'], {env: env()})
    assert.deepEqual(JSON.parse(two.stdout), versions.slice(0, 2))
  })

  test('--max-count must be positive (checked before any request); a missing app', async () => {
    const negative = await runCommand(AppVersionList, ['missing-id', '--max-count=-1'], {env: env()})
    assert.equal(negative.stderr, 'Error: maximum count must be a positive number: -1\n')
    marathon().get(`${M}/v2/apps/missing-id/versions`).reply(404, {message: "App '/missing-id' does not exist"})
    const missing = await runCommand(AppVersionList, ['missing-id'], {env: env()})
    assert.equal(missing.stderr, "Error: App '/missing-id' does not exist\n")
  })
})
