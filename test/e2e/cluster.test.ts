/**
 * The "Done when", as a new user would do it: cluster up with 3 agents, node list,
 * mesos-execute to TASK_FINISHED and TASK_FAILED, task log of a completed task, the files API
 * refusing paths outside sandboxes, and cluster down leaving no process behind.
 */
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'
import {MESOS_EXECUTE, Sandbox, waitFor} from './harness'

describe('a local cluster with 3 agents', () => {
  const sb = new Sandbox()
  let url = ''
  let master = ''

  before(async () => {
    const t0 = Date.now()
    url = await sb.up(3)
    assert.ok(Date.now() - t0 < 20_000, 'cluster up takes seconds, not minutes')
    master = url.replace(/^https?:\/\//, '') + '/mesos'
  })
  after(() => sb.cleanup())

  it('lists 3 agents and the leading master', async () => {
    const r = await sb.dcos('node', 'list')
    assert.equal(r.code, 0, r.stderr)
    const lines = r.stdout.trim().split('\n')
    assert.match(lines[0], /HOSTNAME\s+IP\s+.*ID\s+TYPE/)
    assert.equal(lines.filter((l) => /\bagent\b/.test(l)).length, 3, r.stdout)
    assert.equal(lines.filter((l) => /master \(leader\)/.test(l)).length, 1, r.stdout)
    const json = await sb.dcos('node', 'list', '--json')
    assert.equal(json.code, 0, json.stderr)
    const nodes = JSON.parse(json.stdout) as {id: string; hostname: string}[]
    const agents = nodes.filter((n) => /-S\d+$/.test(n.id))
    assert.equal(agents.length, 3)
    assert.equal(new Set(agents.map((a) => a.hostname)).size, 3, 'agents have distinct hostnames')
  })

  it('runs a task at the master\'s own address, as the Mesos tutorial does (the attached cluster\'s token goes along)', async () => {
    const own = sb.components().master.url.replace(/^https?:\/\//, '')
    const r = await sb.run(MESOS_EXECUTE, [`--master=${own}`, '--name=tutorial', '--command=sleep 0.2'])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.match(r.stdout, /TASK_FINISHED/)
  })

  it('runs a task to TASK_FINISHED and shows its output', async () => {
    const r = await sb.run(MESOS_EXECUTE, [`--master=${master}`, '--name=cluster-test', '--command=echo hi; sleep 1'])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.match(r.stdout, /TASK_RUNNING/)
    assert.match(r.stdout, /TASK_FINISHED/)
    const log = await sb.dcos('task', 'log', '--completed', 'cluster-test')
    assert.equal(log.code, 0, log.stderr)
    assert.match(log.stdout, /^hi$/m)
    const list = await sb.dcos('task', 'list', '--completed', '--json')
    const tasks = JSON.parse(list.stdout) as {id: string; state: string; statuses: {state: string}[]}[]
    const task = tasks.find((t) => t.id === 'cluster-test')
    assert.ok(task, list.stdout)
    assert.equal(task.state, 'TASK_FINISHED')
    assert.ok(task.statuses.some((s) => s.state === 'TASK_RUNNING'))
  })

  it('reports a failing command as TASK_FAILED and exits non-zero', async () => {
    const r = await sb.run(MESOS_EXECUTE, [`--master=${master}`, '--name=failing', '--command=exit 3'])
    assert.notEqual(r.code, 0)
    assert.match(r.stdout, /TASK_FAILED/)
    assert.doesNotMatch(r.stdout, /TASK_FINISHED/)
  })

  it('serves no file outside a sandbox', async () => {
    const nodes = JSON.parse((await sb.dcos('node', 'list', '--json')).stdout) as {id: string}[]
    const agent = nodes.find((n) => /-S\d+$/.test(n.id))!
    for (const p of ['/etc/passwd', '../../../../etc/passwd', '/proc/self/environ']) {
      const res = await sb.get(`${url}/agent/${agent.id}/files/read?path=${encodeURIComponent(p)}&offset=0&length=100`)
      assert.ok(res.status >= 400 && res.status < 500, `${p}: ${res.status}`)
      assert.doesNotMatch(res.body, /root:/)
    }
  })

  it('answers `cluster up` twice with one name without starting a second cluster', async () => {
    const before = sb.components()
    const r = await sb.dcos('cluster', 'up', '--agents', '3', '--random-ports')
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout + r.stderr, /already running/)
    assert.deepEqual(Object.keys(sb.components()), Object.keys(before))
    assert.equal(sb.components().master.pid, before.master.pid)
  })

  it('shows the cluster and its services', async () => {
    const list = await sb.dcos('cluster', 'list')
    assert.equal(list.code, 0, list.stderr)
    assert.match(list.stdout, /\*.*local.*AVAILABLE/)
    const version = await sb.get(`${url}/mesos/version`)
    assert.equal(version.status, 200)
    assert.match(JSON.parse(version.body).version, /^1\.\d+\.\d+/)
  })

  it('stops every process on `cluster down`', async () => {
    const running = sb.start(MESOS_EXECUTE, [`--master=${master}`, '--name=long', '--command=sleep 300'])
    await waitFor('the long task to run', async () => /TASK_RUNNING/.test(running.output()))
    const r = await sb.dcos('cluster', 'down')
    assert.equal(r.code, 0, r.stderr)
    await waitFor('no stray process', () => sb.strayProcesses().filter((p) => p !== running.pid).length === 0, 15_000)
  })
})
