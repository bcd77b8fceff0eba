/**
 * Bad input and faults: the CLI with no cluster or an unreachable one (one line, no stack),
 * malformed requests to the cluster's endpoints (4xx, never 5xx), a task over its memory,
 * a task that forks without end, and an agent that stops answering.
 */
import assert from 'node:assert/strict'
import http from 'node:http'
import {after, before, describe, it} from 'node:test'
import fs from 'node:fs'
import {DCOS, MESOS_EXECUTE, Sandbox, waitFor} from './harness'

function request(url: string, method: string, body: string, headers: Record<string, string> = {}): Promise<{status: number; body: string}> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {method, headers: {'Content-Length': Buffer.byteLength(body), ...headers}}, (res) => {
      let data = ''
      res.on('data', (d) => (data += d))
      res.on('end', () => resolve({status: res.statusCode ?? 0, body: data}))
    })
    req.on('error', reject)
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')))
    req.end(body)
  })
}

describe('the CLI without a reachable cluster', () => {
  const sb = new Sandbox()
  after(() => sb.cleanup())

  it('says no cluster is attached, in one line, exit 1', async () => {
    const r = await sb.dcos('node', 'list')
    assert.equal(r.code, 1)
    assert.match(r.stderr, /cluster/i)
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
    assert.doesNotMatch(r.stderr, /\bat .*\.js:\d+/)
  })

  it('names an unreachable URL and the fix', async () => {
    const r = await sb.run(DCOS, ['task', 'list'], {env: {DCOS_URL: 'http://127.0.0.1:9'}})
    assert.equal(r.code, 1)
    assert.match(r.stderr, /127\.0\.0\.1:9/)
    assert.match(r.stderr, /dcos cluster/)
    assert.doesNotMatch(r.stderr, /\bat .*\.js:\d+/)
  })
})

describe('a cluster facing bad input and misbehaving tasks', () => {
  const sb = new Sandbox()
  let url = ''
  let master = ''

  before(async () => {
    url = await sb.up(1)
    master = url.replace(/^https?:\/\//, '') + '/mesos'
  })
  after(() => sb.cleanup())

  it('answers malformed requests with 4xx', async () => {
    const cases: [string, string, string, Record<string, string>][] = [
      ['/mesos/api/v1/scheduler', 'POST', '', {'Content-Type': 'application/json'}],
      ['/mesos/api/v1/scheduler', 'POST', '{"type":', {'Content-Type': 'application/json'}],
      ['/mesos/api/v1/scheduler', 'POST', '{"type":"SUBSCRIBE"}', {'Content-Type': 'application/json'}],
      ['/mesos/api/v1/scheduler', 'POST', '{"type":"NOPE"}', {'Content-Type': 'application/json'}],
      ['/mesos/api/v1/scheduler', 'POST', '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]', {'Content-Type': 'application/json'}],
      ['/mesos/master/teardown', 'POST', '', {'Content-Type': 'application/x-www-form-urlencoded'}],
      ['/mesos/master/teardown', 'POST', 'frameworkId=nope', {'Content-Type': 'application/x-www-form-urlencoded'}],
      ['/mesos/master/state', 'POST', 'x', {}],
      ['/mesos/files/read', 'GET', '', {}],
      ['/agent/nope/state', 'GET', '', {}],
      ['/mesos/master/tasks?limit=abc', 'GET', '', {}],
    ]
    // With the token: each must be refused for what it is, not for the missing login.
    const auth = await sb.authHeaders()
    for (const [path, method, body, headers] of cases) {
      const res = await request(url + path, method, body, {...auth, ...headers})
      assert.ok(res.status >= 400 && res.status < 500 && res.status !== 401, `${method} ${path} ${body.slice(0, 20)} → ${res.status} ${res.body}`)
    }
  })

  it('fails a task over its memory with REASON_CONTAINER_LIMITATION_MEMORY', async () => {
    const r = await sb.run(MESOS_EXECUTE, [
      `--master=${master}`,
      '--name=hog',
      '--resources=cpus:0.1;mem:32',
      '--command=head -c 300000000 /dev/zero | tail',
    ])
    assert.notEqual(r.code, 0)
    assert.match(r.stdout, /TASK_FAILED/)
    const tasks = JSON.parse((await sb.dcos('task', 'list', '--completed', '--json')).stdout) as {id: string; state: string}[]
    assert.equal(tasks.find((t) => t.id === 'hog')?.state, 'TASK_FAILED')
    const masterState = await request(`${url}/mesos/master/tasks`, 'GET', '', await sb.authHeaders())
    assert.match(masterState.body, /hog/)
    assert.match(r.stdout, /REASON_CONTAINER_LIMITATION_MEMORY|Memory limit/i, r.stdout)
  })

  it('stops a task that forks without end, and the host carries on', async () => {
    const r = await sb.run(
      MESOS_EXECUTE,
      [`--master=${master}`, '--name=forker', '--command=i=0; while [ $i -lt 5000 ]; do sleep 60 & i=$((i+1)); done; wait'],
      {timeoutMs: 60_000},
    )
    assert.notEqual(r.code, 0)
    assert.match(r.stdout, /TASK_FAILED|TASK_KILLED/)
    const ok = await sb.run(MESOS_EXECUTE, [`--master=${master}`, '--name=after-forker', '--command=echo fine'])
    assert.equal(ok.code, 0, ok.stdout + ok.stderr)
    await waitFor('the forked sleeps to be gone', () => !sb.strayProcesses().some((p) => {
      try {
        return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').startsWith('sleep\u000060')
      } catch {
        return false
      }
    }), 10_000)
  })
})
