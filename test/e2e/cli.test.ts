/**
 * The CLI's commands against a real local cluster, as a user runs them: task ls/log (also
 * --follow), node log, service list/shutdown, config, cluster list/setup/attach, and a cluster
 * brought down and up again with its state.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {after, before, describe, it} from 'node:test'
import {MESOS_EXECUTE, Sandbox, waitFor} from './harness'

describe('dcos commands on a running cluster', () => {
  const sb = new Sandbox()
  let url = ''
  let master = ''
  let exec: ReturnType<Sandbox['start']>

  before(async () => {
    url = await sb.up(2)
    master = url.replace(/^https?:\/\//, '') + '/mesos'
    const lines = Array.from({length: 15}, (_, i) => `echo line${i + 1}`).join('; ')
    exec = sb.start(MESOS_EXECUTE, [`--master=${master}`, '--name=web-1', `--command=${lines}; echo oops >&2; while true; do echo tick; sleep 0.2; done`])
    await waitFor('web-1 to run', () => /TASK_RUNNING/.test(exec.output()))
  })
  after(() => sb.cleanup())

  it('takes no argument from piped stdin', async () => {
    const r = await sb.run(path.join(__dirname, '..', '..', 'bin', 'dcos'), ['task', 'list', '--quiet'], {input: 'no-such-filter\n'})
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /web-1/)
  })

  it('lists a task sandbox and prints its logs', async () => {
    const ls = await sb.dcos('task', 'ls', 'web')
    assert.equal(ls.code, 0, ls.stderr)
    assert.equal(ls.stdout.trim(), 'stderr  stdout')
    const long = await sb.dcos('task', 'ls', '--long', 'web-1')
    assert.match(long.stdout, /^MODE\s+LINKS\s+UID\s+GID\s+SIZE\s+DATE\s+NAME/)
    assert.match(long.stdout, /-rw.*stdout$/m)

    const log = await sb.dcos('task', 'log', '--lines=3', 'web-1')
    assert.equal(log.code, 0, log.stderr)
    assert.equal(log.stdout.trim().split('\n').length, 3)
    const err = await sb.dcos('task', 'log', 'web-1', 'stderr')
    assert.equal(err.stdout.trim(), 'oops')
    const none = await sb.dcos('task', 'log', 'no-such-task')
    assert.equal(none.code, 1)
    assert.match(none.stderr, /no-such-task/)
  })

  it('follows a task log as it grows', async () => {
    const follow = sb.start(path.join(__dirname, '..', '..', 'bin', 'dcos'), ['task', 'log', '--follow', '--lines=1', 'web-1'])
    await waitFor('three more ticks', () => (follow.output().match(/tick/g) ?? []).length >= 4, 10_000)
    follow.kill('SIGINT')
  })

  it('prints the logs of the leading master and of an agent', async () => {
    const leader = await sb.dcos('node', 'log', '--leader', '--lines', '5')
    assert.equal(leader.code, 0, leader.stderr)
    assert.match(leader.stdout, /master/)
    assert.ok(leader.stdout.trim().split('\n').length <= 5)
    const nodes = JSON.parse((await sb.dcos('node', 'list', '--json')).stdout) as {id: string}[]
    const agent = nodes.find((n) => /-S\d+$/.test(n.id))!
    const agentLog = await sb.dcos('node', 'log', `--mesos-id=${agent.id}`)
    assert.equal(agentLog.code, 0, agentLog.stderr)
    assert.match(agentLog.stdout, /agent/)
    const neither = await sb.dcos('node', 'log')
    assert.equal(neither.code, 1)
    assert.match(neither.stderr, /--leader/)
  })

  it('lists services and shuts one down with its tasks', async () => {
    const list = await sb.dcos('service', 'list')
    assert.equal(list.code, 0, list.stderr)
    assert.match(list.stdout, /^NAME\s+HOST\s+ACTIVE\s+TASKS\s+CPU\s+MEM\s+DISK\s+ID/)
    const services = JSON.parse((await sb.dcos('service', 'list', '--json')).stdout) as {id: string; name: string}[]
    const fw = services.find((s) => s.name === 'mesos-execute instance')!
    const down = await sb.dcos('service', 'shutdown', fw.id)
    assert.equal(down.code, 0, down.stderr)
    await waitFor('the task to be killed', async () => {
      const tasks = JSON.parse((await sb.dcos('task', 'list', '--json')).stdout) as {id: string}[]
      return !tasks.some((t) => t.id === 'web-1')
    })
    const completed = await sb.dcos('service', 'list', '--completed', '--json')
    assert.ok((JSON.parse(completed.stdout) as {id: string}[]).some((s) => s.id === fw.id))
  })

  it('sets, shows and unsets configuration', async () => {
    const set = await sb.dcos('config', 'set', 'core.timeout', '10')
    assert.equal(set.code, 0, set.stderr)
    assert.match(set.stderr, /\[core\.timeout\]: set to '10'/)
    assert.equal((await sb.dcos('config', 'show', 'core.timeout')).stdout.trim(), '10')
    assert.equal((await sb.dcos('config', 'show', 'core.dcos_url')).stdout.trim(), url)
    const unset = await sb.dcos('config', 'unset', 'core.timeout')
    assert.equal(unset.code, 0, unset.stderr)
    const missing = await sb.dcos('config', 'show', 'core.timeout')
    assert.notEqual(missing.code, 0)
    const bad = await sb.dcos('config', 'set', 'nonsense.key', 'x')
    assert.notEqual(bad.code, 0)
  })

  it('sets up a cluster by URL as a DC/OS cluster, keyed by its CLUSTER_ID', async () => {
    const setup = await sb.dcos('cluster', 'setup', url, '--name', 'by-url')
    assert.equal(setup.code, 0, setup.stderr)
    const clusters = JSON.parse((await sb.dcos('cluster', 'list', '--json')).stdout) as {name: string; attached: boolean; url: string}[]
    // The gateway's /metadata names the same CLUSTER_ID as the local cluster: one cluster, renamed.
    assert.equal(clusters.length, 1, JSON.stringify(clusters))
    assert.equal(clusters[0].name, 'by-url')
    assert.equal(clusters[0].attached, true)
    assert.equal((await sb.dcos('node', 'list', '--json')).code, 0)
    const attach = await sb.dcos('cluster', 'attach', 'by-url')
    assert.equal(attach.code, 0, attach.stderr)
    const missing = await sb.dcos('cluster', 'attach', 'nope')
    assert.equal(missing.code, 1)
    assert.match(missing.stderr, /nope/)
  })
})

describe('a cluster brought down and up again', () => {
  const sb = new Sandbox()
  after(() => sb.cleanup())

  it('comes back with its agents, and --purge removes it', async () => {
    const url = await sb.up(1)
    const before = JSON.parse((await sb.dcos('node', 'list', '--json')).stdout) as {id: string}[]
    const dir = sb.clusterDir()
    assert.equal((await sb.dcos('cluster', 'down')).code, 0)
    assert.deepEqual(sb.strayProcesses(), [])
    const down = await sb.dcos('cluster', 'list')
    assert.match(down.stdout, /UNAVAILABLE/)

    const again = await sb.dcos('cluster', 'up', '--random-ports')
    assert.equal(again.code, 0, again.stderr)
    const after = JSON.parse((await sb.dcos('node', 'list', '--json')).stdout) as {id: string}[]
    assert.deepEqual(after.map((n) => n.id).sort(), before.map((n) => n.id).sort(), 'same master and agent ids')
    assert.ok(url)

    assert.equal((await sb.dcos('cluster', 'down', '--purge')).code, 0)
    assert.equal(fs.existsSync(dir), false)
    const list = await sb.dcos('cluster', 'list', '--json')
    assert.deepEqual(JSON.parse(list.stdout), [])
  })
})
