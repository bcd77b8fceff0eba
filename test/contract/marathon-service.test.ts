/**
 * `dcos marathon about|ping|leader show`: the real /v2/info answer, `Marathon ping
 * response[Nx]: "pong"` (PY test_marathon.py, CORE marathon_ping_test.go), the leader from
 * /v2/leader, and the client's errors (unreachable, authentication, not Marathon).
 */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import nock from 'nock'
import About from '../../commands/marathon/about'
import LeaderShow from '../../commands/marathon/leader/show'
import Ping from '../../commands/marathon/ping'
import {runCommand} from './harness'
import {DCOS, JSON_HEADERS, M, marathon, marathonContract, real, realFile} from './marathon-setup'

const ctx = marathonContract()
const env = () => ctx.env()

describe('dcos marathon about', () => {
  test("prints Marathon's /v2/info as JSON", async () => {
    marathon().get(`${M}/v2/info`).replyWithFile(200, realFile('examples/info.json'), JSON_HEADERS)
    const run = await runCommand(About, [], {env: env()})
    assert.equal(run.exit, 0, run.stderr)
    assert.equal(run.stderr, '')
    assert.deepEqual(JSON.parse(run.stdout), real('examples/info.json'))
    assert.equal(JSON.parse(run.stdout).name, 'marathon')
  })

  test('an unreachable Marathon, a missing token, a URL that is not Marathon', async () => {
    nock.enableNetConnect('127.0.0.1:1')
    const refused = await runCommand(About, [], {env: {...env(), DCOS_MARATHON_URL: 'http://127.0.0.1:1'}})
    nock.disableNetConnect()
    assert.equal(refused.exit, 1)
    assert.equal(refused.stderr, "Error: cannot reach http://127.0.0.1:1 (connection refused). Is the cluster up? Try 'dcos cluster up'.\n")
    nock(DCOS).get(`${M}/v2/info`).reply(401, '', {'WWW-Authenticate': 'acsjwt'})
    const noToken = await runCommand(About, [], {env: {...env(), DCOS_ACS_TOKEN: undefined}})
    assert.equal(noToken.exit, 4)
    assert.equal(noToken.stderr, "Error: authentication required, please run 'dcos auth login'\n")
    marathon().get(`${M}/v2/info`).reply(200, '<html>admin router</html>', {'Content-Type': 'text/html'})
    const html = await runCommand(About, [], {env: env()})
    assert.equal(html.exit, 1)
    assert.match(html.stderr, /^Error: http:\/\/dcos\.example\.com\/service\/marathon\/v2\/info did not return JSON\./)
  })
})

describe('dcos marathon ping', () => {
  test('--once: one GET /ping', async () => {
    marathon().get(`${M}/ping`).reply(200, 'pong', {'Content-Type': 'text/plain'})
    const run = await runCommand(Ping, ['--once'], {env: env()})
    assert.equal(run.stdout, 'Marathon ping response[1x]: "pong"\n')
  })

  test('without --once, once per master as Mesos-DNS lists them (one without Mesos-DNS); a JSON "pong" too', async () => {
    marathon()
      .get('/mesos_dns/v1/hosts/master.mesos')
      .reply(200, [{host: 'master.mesos.', ip: '10.0.0.1'}, {host: 'master.mesos.', ip: '10.0.0.2'}])
      .get(`${M}/ping`)
      .twice()
      .reply(200, '"pong"', JSON_HEADERS)
    assert.equal((await runCommand(Ping, [], {env: env()})).stdout, 'Marathon ping response[2x]: "pong"\n')
    marathon().get('/mesos_dns/v1/hosts/master.mesos').reply(404, '').get(`${M}/ping`).reply(200, 'pong')
    assert.equal((await runCommand(Ping, [], {env: env()})).stdout, 'Marathon ping response[1x]: "pong"\n')
  })

  test('a failed ping says which one (CORE) and why', async () => {
    marathon()
      .get('/mesos_dns/v1/hosts/master.mesos')
      .reply(200, [{}, {}])
      .get(`${M}/ping`)
      .reply(200, 'pong')
      .get(`${M}/ping`)
      .reply(500, '500 - Something bad happened!')
    const run = await runCommand(Ping, [], {env: env()})
    assert.equal(run.exit, 1)
    assert.equal(
      run.stderr,
      'Error: unable to ping leading Marathon master 2 time(s): GET http://dcos.example.com/service/marathon/ping failed: HTTP 500 Internal Server Error\n',
    )
  })
})

describe('dcos marathon leader show', () => {
  test('the leader from /v2/leader: HOST IP table, --json {host, ip, port}', async () => {
    marathon().get(`${M}/v2/leader`).twice().reply(200, {leader: '10.0.4.7:8080'})
    const table = await runCommand(LeaderShow, [], {env: env()})
    assert.equal(table.stdout, ['HOST         IP', '10.0.4.7  10.0.4.7', ''].join('\n'))
    const json = await runCommand(LeaderShow, ['--json'], {env: env()})
    assert.deepEqual(JSON.parse(json.stdout), {host: '10.0.4.7', ip: '10.0.4.7', port: 8080})
  })

  test("no leader: Marathon's 404", async () => {
    marathon().get(`${M}/v2/leader`).reply(404, {message: 'There is no leader'})
    const run = await runCommand(LeaderShow, [], {env: env()})
    assert.equal(run.stderr, 'Error: There is no leader\n')
  })
})
