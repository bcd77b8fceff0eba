import assert from 'node:assert/strict'
import {after, describe, test} from 'node:test'
import {agentMaster} from '../../src/frameworks/chronos/agent-master'
import {UsageError, masterUrl, parseFlags} from '../../src/frameworks/chronos/flags'
import {Router, reply, serve, type Server} from '../../src/runtime/http'

describe('Chronos flags', () => {
  test('defaults come from the agent and Marathon environment', () => {
    const {flags} = parseFlags([], {PORT0: '31005', HOST: '127.0.0.3', MESOS_SANDBOX: '/sb'})
    assert.equal(flags.httpPort, 31005)
    assert.equal(flags.hostname, '127.0.0.3')
    assert.equal(flags.httpAddress, '127.0.0.3', 'binds the agent IP it was given, not every address')
    assert.equal(flags.stateDir, '/sb/state')
    assert.equal(flags.frameworkName, 'chronos')
    assert.equal(flags.master, undefined)
    assert.equal(flags.failoverTimeoutSeconds, 604800)
    assert.equal(flags.failureRetryMs, 60000)
    assert.deepEqual([flags.taskCpus, flags.taskMem, flags.taskDisk, flags.taskEpsilonSeconds], [0.1, 128, 256, 60])
  })

  test("the real chronos flags, both forms; flags for what is not here are accepted and reported", () => {
    const parsed = parseFlags(
      ['--master', '127.0.0.1:5050', '--http_port=8081', '--mesos_framework_name', 'cron', '--zk_hosts', 'master.mesos:2181', '--revive_offers_for_new_jobs', '--failure_retry', '1000', '--state_dir', '/data'],
      {},
    )
    assert.equal(parsed.flags.master, '127.0.0.1:5050')
    assert.equal(parsed.flags.httpPort, 8081)
    assert.equal(parsed.flags.frameworkName, 'cron')
    assert.equal(parsed.flags.failureRetryMs, 1000)
    assert.equal(parsed.flags.stateDir, '/data')
    assert.deepEqual(parsed.ignored, ['zk_hosts', 'revive_offers_for_new_jobs'])
  })

  test('bad command lines are UsageErrors that say why', () => {
    const cases: [string[], RegExp][] = [
      [['--nope'], /unknown flag '--nope'/],
      [['--http_port'], /needs a value/],
      [['--http_port', 'abc'], /non-negative number/],
      [['--http_port', '70000'], /not a port/],
      [['--master', 'zk://master.mesos:2181/mesos'], /ZooKeeper/],
      [['stray'], /unexpected argument/],
    ]
    for (const [argv, message] of cases) assert.throws(() => parseFlags(argv, {}), (e: Error) => e instanceof UsageError && message.test(e.message), argv.join(' '))
  })

  test('master URLs', () => {
    assert.equal(masterUrl('127.0.0.1:5050'), 'http://127.0.0.1:5050')
    assert.equal(masterUrl('http://gw/mesos'), 'http://gw/mesos')
  })
})

describe("the master from the agent's /state", () => {
  const servers: Server[] = []
  after(async () => {
    for (const s of servers) await s.close()
  })
  async function agent(state: unknown, status = 200): Promise<string> {
    const router = new Router().get('/state', (req) => {
      if (req.header('authorization') !== 'token=t') return reply(401, 'unauthorized')
      return status === 200 ? state : Promise.reject(new Error('down'))
    })
    const s = await serve({router})
    servers.push(s)
    return `${s.host}:${s.port}`
  }

  test('flags.master, with the headers given', async () => {
    const endpoint = await agent({flags: {master: '127.0.0.1:5050'}})
    assert.equal(await agentMaster(endpoint, {Authorization: 'token=t'}), 'http://127.0.0.1:5050')
    await assert.rejects(agentMaster(endpoint, {}), /the agent answered 401/)
  })

  test('a ZooKeeper master or a state without one is a clear error', async () => {
    await assert.rejects(agentMaster(await agent({flags: {master: 'zk://m:2181/mesos'}}), {Authorization: 'token=t'}), /ZooKeeper/)
    await assert.rejects(agentMaster(await agent({flags: {}}), {Authorization: 'token=t'}), /no flags.master/)
    await assert.rejects(agentMaster(await agent({}, 500), {Authorization: 'token=t'}), /answered 500/)
  })
})
