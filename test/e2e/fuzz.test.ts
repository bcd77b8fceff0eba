/**
 * The fuzz test: thousands of random and mutated requests to every write endpoint of a real
 * cluster (and to the GET endpoints that take paths and ids), directly on each component's port
 * and through the gateway, most with a valid token so they reach the handlers. Then: no 5xx,
 * no request without an answer, no 2xx for what must be refused, nothing of the host in any
 * answer, every component alive and never restarted, and no state changed by a refused request
 * (the master's and the agent's state, the users, Chronos's jobs, Marathon's apps, groups and tasks outside the
 * fuzz group, which the test removes after the run).
 *
 * The run is seeded (the same seed every time unless told): a failure prints the seed and the
 * request's index; `FUZZ_SEED=<seed>` replays a run, `FUZZ_SEED=random` explores a new one,
 * `FUZZ_ONLY=<i,j>` sends only some of its requests, `FUZZ_COUNT` sizes it.
 *
 * Last, the limits with raw sockets: bodies over the limit (413, declared and chunked), JSON
 * nested too deeply (400), heads too large or with too many headers (431), slow heads held by
 * many connections while others are served, and connections beyond the limit.
 */
import assert from 'node:assert/strict'
import {randomBytes} from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import path from 'node:path'
import {after, before, describe, it} from 'node:test'
import {SchedulerDriver} from '../../src/mesos/driver'
import {RecordIODecoder} from '../../src/mesos/recordio'
import type {Offer, TaskStatus} from '../../src/mesos/types'
import {FUZZ_GROUP, INJECTED, MARATHON_WITNESS_APP, TARGETS, USERS_TARGET, describeFinding, runFuzz, seedFromEnv, summarize, uidOf, type FuzzContext, type FuzzReport} from './fuzz'
import {CHRONOS_WITNESS_JOB} from './fuzz/targets-chronos'
import {Sandbox, alive, waitFor} from './harness'

type Json = Record<string, unknown>

const COUNT = Number(process.env.FUZZ_COUNT ?? 6000)
const ONLY = process.env.FUZZ_ONLY ? new Set(process.env.FUZZ_ONLY.split(',').map(Number)) : undefined

/** A request with any method and body; resolves with status and body (never rejects on a status). */
function request(url: string, method: string, headers: Record<string, string>, body?: string): Promise<{status: number; body: string; headers: http.IncomingHttpHeaders}> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {method, headers}, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (text += d))
      res.on('end', () => resolve({status: res.statusCode ?? 0, body: text, headers: res.headers}))
    })
    req.on('error', reject)
    req.setTimeout(15_000, () => req.destroy(new Error(`${method} ${url}: no answer`)))
    req.end(body)
  })
}

/**
 * What must not change: the frameworks, agents and tasks as the master shows them, the agent's
 * frameworks, executors, tasks and resources. Times and offers move on their own; the fuzzer's
 * own framework may be changed by the calls it makes (its info, its roles), but keeps no tasks.
 */
function stable(value: unknown, victimId: string): unknown {
  const drop = /^(build_time|elected_time|start_time|registered_time|reregistered_time|unregistered_time|timestamp|unreachable_time)$|^offer/
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk)
    if (v === null || typeof v !== 'object') return v
    const o = v as Json
    if (o.id === victimId && ('active' in o || 'framework_id' in o)) return {id: victimId, tasks: walk(o.tasks ?? []), completed_tasks: walk(o.completed_tasks ?? [])}
    return Object.fromEntries(Object.keys(o).sort().filter((k) => !drop.test(k)).map((k) => [k, walk(o[k])]))
  }
  return walk(value)
}

/**
 * What of Marathon must not change: every app outside the fuzz group (definition, version,
 * instances), every group outside it, and the witness app's tasks (same ids, still running).
 */
function marathonStable(apps: {apps: Json[]}, groups: Json, tasks: {tasks: Json[]}): unknown {
  const outside = (id: unknown) => typeof id === 'string' && id !== FUZZ_GROUP && !id.startsWith(`${FUZZ_GROUP}/`)
  const groupIds: string[] = []
  const walk = (g: Json) => {
    groupIds.push(g.id as string)
    for (const child of (g.groups as Json[]) ?? []) walk(child)
  }
  walk(groups)
  return {
    apps: apps.apps.filter((a) => outside(a.id)).map((a) => ({id: a.id, version: a.version, instances: a.instances, cmd: a.cmd, versionInfo: a.versionInfo})),
    groups: groupIds.filter(outside).sort(),
    tasks: tasks.tasks.filter((t) => outside(t.appId)).map((t) => ({id: t.id, appId: t.appId, state: t.state, startedAt: t.startedAt})),
  }
}

/** A framework subscribed by hand, so the test knows its Mesos-Stream-Id. */
async function subscribeByHand(masterUrl: string, auth: Record<string, string>, info: Json): Promise<{frameworkId: string; streamId: string; close: () => void}> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({type: 'SUBSCRIBE', subscribe: {framework_info: info, suppressed_roles: info.roles}})
    const req = http.request(`${masterUrl}/api/v1/scheduler`, {method: 'POST', headers: {...auth, 'Content-Type': 'application/json', Accept: 'application/json'}}, (res) => {
      const streamId = res.headers['mesos-stream-id']
      if (res.statusCode !== 200 || typeof streamId !== 'string') {
        reject(new Error(`SUBSCRIBE answered ${res.statusCode}`))
        return
      }
      const decoder = new RecordIODecoder()
      let subscribed = false
      res.on('data', (chunk: Buffer) => {
        for (const record of decoder.push(chunk)) {
          const event = JSON.parse(record.toString()) as {type: string; subscribed?: {framework_id: {value: string}}}
          if (!subscribed && event.type === 'SUBSCRIBED') {
            subscribed = true
            resolve({frameworkId: event.subscribed!.framework_id.value, streamId, close: () => req.destroy()})
          }
        }
      })
      res.on('error', () => {})
    })
    req.on('error', reject)
    req.end(body)
  })
}

describe('fuzzing every write endpoint', () => {
  const sb = new Sandbox('dcos-e2e-fuzz-')
  const seed = seedFromEnv()
  const drivers: SchedulerDriver[] = []
  let closeVictim = () => {}
  let gateway = ''
  let masterUrl = ''
  let agentUrl = ''
  let auth: Record<string, string> = {}
  let ctx: FuzzContext
  let canaries: Record<string, string> = {}
  let report: FuzzReport
  let marathonUrl = ''
  let chronosUrl = ''
  let before_: {components: ReturnType<Sandbox['components']>; master: unknown; agent: unknown; uids: string[]; marathon: unknown; chronos: unknown}

  const snapshot = async () => {
    const [master, agent, users, apps, groups, tasks, chronosJobs] = await Promise.all([
      request(`${masterUrl}/master/state`, 'GET', auth),
      request(`${agentUrl}/state`, 'GET', auth),
      request(`${gateway}/acs/api/v1/users`, 'GET', auth),
      request(`${marathonUrl}/v2/apps`, 'GET', auth),
      request(`${marathonUrl}/v2/groups`, 'GET', auth),
      request(`${marathonUrl}/v2/tasks`, 'GET', auth),
      request(`${chronosUrl}/scheduler/jobs`, 'GET', auth),
    ])
    for (const r of [master, agent, users, apps, groups, tasks, chronosJobs]) assert.equal(r.status, 200)
    return {
      chronos: JSON.parse(chronosJobs.body),
      master: stable(JSON.parse(master.body), ctx.victim.frameworkId),
      agent: stable(JSON.parse(agent.body), ctx.victim.frameworkId),
      uids: (JSON.parse(users.body) as {array: {uid: string}[]}).array.map((u) => u.uid).sort(),
      marathon: marathonStable(JSON.parse(apps.body), JSON.parse(groups.body), JSON.parse(tasks.body)),
    }
  }

  before(async () => {
    gateway = await sb.up(1)
    // The master's service token: it passes everywhere a user's does, and on the internal agent protocol too.
    auth = sb.serviceAuthHeaders('master')
    const components = sb.components()
    masterUrl = components.master.url
    const [agentName, agent] = Object.entries(components).find(([name]) => name.startsWith('agent'))!
    agentUrl = agent.url
    const slaves = JSON.parse((await request(`${masterUrl}/master/slaves`, 'GET', auth)).body) as {slaves: {id: string}[]}
    const agentId = slaves.slaves[0].id
    assert.ok(agentName && agentId)

    // Something outside every sandbox, that the witness task links to: it must never be served.
    const canary = `FUZZ-CANARY-${randomBytes(12).toString('hex')}`
    const canaryFile = path.join(sb.dir, 'canary.txt')
    fs.writeFileSync(canaryFile, `${canary}\n`)
    const admin = sb.adminCredential()
    canaries = {
      'the canary file outside every sandbox': canary,
      "the admin's password": admin.password,
      '/etc/passwd': 'root:x:0:0:',
      'a private key': 'PRIVATE KEY-----',
      "the caller's own token": auth.Authorization.slice('token='.length),
    }

    const driver = (name: string, failoverTimeout: number) => {
      const offers: Offer[] = []
      const statuses: TaskStatus[] = []
      const d = new SchedulerDriver({
        masterUrl: `${gateway}/mesos`,
        frameworkInfo: {user: 'root', name, failover_timeout: failoverTimeout},
        headers: () => auth,
        implicitAcknowledgements: true,
      })
      d.on('offers', (o) => offers.push(...o))
      d.on('update', (s) => statuses.push(s))
      d.on('error', () => {})
      drivers.push(d)
      d.start()
      return {d, offers, statuses}
    }

    // The witness: a running task (with links out of its sandbox and a FIFO in it) no request may touch.
    const witness = driver('fuzz-witness', 600)
    const offer = await waitFor('an offer for the witness', () => witness.offers.shift())
    const taskId = 'fuzz-witness-task'
    const command = [`ln -s / root_link`, `ln -s '${canaryFile}' canary_link`, 'ln -s ../../../../../../.. up_link', 'echo ok > ok.txt', 'mkfifo fifo', 'exec sleep 600'].join(' && ')
    await witness.d.accept([offer.id.value], [
      {
        type: 'LAUNCH',
        launch: {
          task_infos: [
            {
              name: taskId,
              task_id: {value: taskId},
              agent_id: offer.agent_id,
              resources: [
                {name: 'cpus', type: 'SCALAR', scalar: {value: 0.1}},
                {name: 'mem', type: 'SCALAR', scalar: {value: 32}},
              ],
              command: {value: command},
            },
          ],
        },
      },
    ])
    await waitFor('the witness task running', () => witness.statuses.some((s) => s.state === 'TASK_RUNNING'), 20_000)
    await witness.d.suppress()
    for (const o of witness.offers.splice(0)) await witness.d.decline([o.id.value])

    // The ghost: a framework torn down before the run.
    const ghost = driver('fuzz-ghost', 0)
    await waitFor('the ghost subscribed', () => ghost.d.subscribed)
    const ghostFrameworkId = ghost.d.frameworkId!
    await ghost.d.stop()

    // The fuzzer's own framework, subscribed by hand on the master's port for its stream id.
    const victimInfo = {user: 'root', name: 'fuzz-victim', roles: ['fuzz-role'], capabilities: [{type: 'MULTI_ROLE'}], failover_timeout: 0}
    const victim = await subscribeByHand(masterUrl, auth, victimInfo)
    closeVictim = victim.close

    // Marathon's witness: an app with a running task no request may touch.
    marathonUrl = components.marathon.url
    const json = {...auth, 'Content-Type': 'application/json'}
    const created = await request(`${marathonUrl}/v2/apps`, 'POST', json, JSON.stringify({id: MARATHON_WITNESS_APP, cmd: 'exec sleep 600', instances: 1, cpus: 0.01, mem: 16}))
    assert.equal(created.status, 201, created.body)
    const marathonTask = await waitFor('the Marathon witness task running', async () => {
      const r = JSON.parse((await request(`${marathonUrl}/v2/apps${MARATHON_WITNESS_APP}/tasks`, 'GET', auth)).body) as {tasks: {id: string; state: string}[]}
      return r.tasks.find((t) => t.state === 'TASK_RUNNING')?.id
    }, 30_000, 200)
    await waitFor('the witness deployment done', async () => (JSON.parse((await request(`${marathonUrl}/v2/deployments`, 'GET', auth)).body) as unknown[]).length === 0, 15_000, 100)

    // Chronos from the universe, with a witness job (in 2099) no request may run, change or delete.
    const installed = await sb.dcos('package', 'install', 'chronos', '--yes')
    assert.equal(installed.code, 0, installed.stderr)
    await waitFor('chronos healthy', async () => (JSON.parse((await request(`${marathonUrl}/v2/apps/chronos`, 'GET', auth)).body) as {app: {tasksHealthy: number}}).app.tasksHealthy === 1, 60_000, 250)
    const chronosFramework = (JSON.parse((await request(`${masterUrl}/master/state`, 'GET', auth)).body) as {frameworks: {id: string; name: string; webui_url: string}[]}).frameworks.find((f) => f.name === 'chronos')!
    chronosUrl = chronosFramework.webui_url
    const witnessJob = await request(`${chronosUrl}/scheduler/iso8601`, 'POST', json, JSON.stringify({name: CHRONOS_WITNESS_JOB, command: 'echo witness', schedule: 'R/2099-01-01T00:00:00Z/P1D'}))
    assert.equal(witnessJob.status, 204, witnessJob.body)

    const agentState = JSON.parse((await request(`${agentUrl}/state`, 'GET', auth)).body) as {frameworks: {executors: {id: string; directory: string}[]}[]}
    const sandbox = agentState.frameworks.flatMap((f) => f.executors).find((e) => e.id === taskId)?.directory
    assert.ok(sandbox, 'the witness sandbox is known')
    await waitFor('the witness sandbox links', () => fs.existsSync(path.join(sandbox, 'fifo')))

    ctx = {
      bases: {
        master: [masterUrl, `${gateway}/mesos`],
        agent: [agentUrl, `${gateway}/agent/${agentId}`, `${gateway}/slave/${agentId}`],
        gateway: [gateway],
        marathon: [marathonUrl, `${gateway}/marathon`, `${gateway}/service/marathon`],
        chronos: [chronosUrl, `${gateway}/service/chronos`],
      },
      authorization: auth.Authorization,
      victim: {frameworkId: victim.frameworkId, streamId: victim.streamId, frameworkInfo: victimInfo},
      witness: {frameworkId: witness.d.frameworkId!, taskId},
      ghostFrameworkId,
      agentId,
      sandbox,
      adminUid: admin.uid,
      knownIds: [victim.frameworkId, witness.d.frameworkId!, ghostFrameworkId, agentId, taskId, 'admin', MARATHON_WITNESS_APP],
      liveFrameworkIds: [victim.frameworkId, witness.d.frameworkId!, chronosFramework.id],
      marathonWitness: {appId: MARATHON_WITNESS_APP, taskId: marathonTask},
    }
    before_ = {components, ...(await snapshot())}
  })

  after(async () => {
    closeVictim()
    for (const d of drivers) await d.stop().catch(() => {})
    await sb.cleanup()
  })

  it(`answers ${COUNT} random and mutated requests with no 5xx, no hang, no leak and nothing wrongly accepted`, async () => {
    fs.rmSync(INJECTED, {force: true})
    report = await runFuzz(TARGETS, ctx, {seed, count: COUNT, concurrency: 8, timeoutMs: 10_000, rawShare: 0.06, canaries, only: ONLY, maxFindings: 40})
    console.log(summarize(report))
    assert.ok(!fs.existsSync(INJECTED), `a shell payload of the fuzz ran: ${INJECTED} exists (seed ${seed})`)
    const shown = report.findings.slice(0, 15).map((f) => describeFinding(f, seed))
    assert.equal(report.findings.length, 0, `${report.findings.length} finding(s) with seed ${seed} (replay with FUZZ_SEED=${seed}):\n${shown.join('\n')}`)
    if (!ONLY) {
      assert.ok(report.sent >= COUNT * 0.98, `only ${report.sent} of ${COUNT} requests were sent`)
      for (const target of TARGETS) assert.ok(report.byTarget.has(target.name), `no request reached ${target.name}`)
    }
  })

  it('leaves every component alive and never restarted', async () => {
    const now = sb.components()
    for (const [name, c] of Object.entries(before_.components)) {
      assert.ok(alive(c.pid), `${name} (pid ${c.pid}) is alive (seed ${seed})\n${sb.logs()}`)
      assert.equal(now[name].pid, c.pid, `${name} was restarted (seed ${seed})\n${sb.logs()}`)
      assert.equal(now[name].restarts, c.restarts, `${name} restarts (seed ${seed})`)
    }
    assert.equal((await request(`${gateway}/health`, 'GET', {})).status, 200)
    const nodes = await sb.dcos('node', 'list', '--json')
    assert.equal(nodes.code, 0, nodes.stderr)
  })

  it("removes the fuzz group's apps and groups (all with 0 instances) and no task ever ran for them", async () => {
    const json = {...auth, 'Content-Type': 'application/json'}
    const tasks = JSON.parse((await request(`${marathonUrl}/v2/tasks`, 'GET', auth)).body) as {tasks: {appId: string}[]}
    assert.deepEqual(tasks.tasks.filter((t) => t.appId.startsWith(`${FUZZ_GROUP}/`)), [], `tasks of the fuzz group (seed ${seed})`)
    await waitFor('the fuzz group removed', async () => {
      const r = await request(`${marathonUrl}/v2/groups${FUZZ_GROUP}?force=true`, 'DELETE', json)
      return r.status === 200 || r.status === 404
    }, 20_000, 200)
    await waitFor('no deployment left', async () => (JSON.parse((await request(`${marathonUrl}/v2/deployments`, 'GET', auth)).body) as unknown[]).length === 0, 20_000, 100)
    const apps = JSON.parse((await request(`${marathonUrl}/v2/apps`, 'GET', auth)).body) as {apps: {id: string}[]}
    assert.deepEqual(apps.apps.map((a) => a.id).sort(), ['/chronos', MARATHON_WITNESS_APP].sort(), `apps left after removing the fuzz group (seed ${seed})`)
  })

  it('changes no state: frameworks, agents, tasks, the agent, Marathon, Chronos, and users but those created', async () => {
    // Accepted requests settle quickly; give status updates and the like a moment.
    let after_ = await snapshot()
    await waitFor('the state to settle', async () => {
      const again = await snapshot()
      const settled = JSON.stringify(again) === JSON.stringify(after_)
      after_ = again
      return settled
    }, 10_000, 300)
    assert.deepEqual(after_.master, before_.master, `the master's state changed (seed ${seed})`)
    assert.deepEqual(after_.agent, before_.agent, `the agent's state changed (seed ${seed})`)
    assert.deepEqual(after_.marathon, before_.marathon, `Marathon's apps, groups or witness tasks changed (seed ${seed})`)
    assert.deepEqual(after_.chronos, before_.chronos, `Chronos's jobs changed (seed ${seed})`)
    const created = report.accepted.filter((o) => o.req.target === USERS_TARGET && o.req.method === 'PUT').map((o) => uidOf(o.req))
    assert.deepEqual(after_.uids, [...new Set([...before_.uids, ...created])].sort(), `users changed beyond the ${created.length} created (seed ${seed})`)
  })

  it('leaves nothing behind that keeps working on its own (e.g. status updates retried for ever)', async () => {
    const counter = async () => (JSON.parse((await request(`${masterUrl}/metrics/snapshot`, 'GET', auth)).body) as Json)['master/invalid_status_updates']
    const first = await counter()
    await new Promise((r) => setTimeout(r, 2500))
    assert.equal(await counter(), first, 'the agent keeps sending status updates the fuzz caused')
  })

  // ---- limits, with raw sockets ----

  /** Writes `text` (then `more`, slowly) and reads the first response status, or 0 if the server closed first. */
  function raw(url: string, text: string | Buffer, more: string[] = [], gapMs = 0, waitMs = 5000): Promise<{status: number; closed: boolean; text: string}> {
    const {hostname, port} = new URL(url)
    return new Promise((resolve) => {
      const socket = net.connect(Number(port), hostname)
      let out = ''
      let done = false
      const finish = (closed: boolean) => {
        if (done) return
        done = true
        clearTimeout(timer)
        socket.destroy()
        resolve({status: Number(/^HTTP\/1\.1 (\d{3})/.exec(out)?.[1] ?? 0), closed, text: out})
      }
      const timer = setTimeout(() => finish(false), waitMs)
      socket.setEncoding('latin1')
      socket.on('data', (d: string) => {
        out += d
        // One whole response is enough (the server may keep the connection open).
        const end = out.indexOf('\r\n\r\n')
        const length = Number(/Content-Length: (\d+)/i.exec(out.slice(0, end))?.[1] ?? 0)
        if (end >= 0 && out.length >= end + 4 + length) finish(false)
      })
      socket.on('error', () => finish(true))
      socket.on('close', () => finish(true))
      socket.write(text)
      void (async () => {
        for (const chunk of more) {
          if (done) return
          await new Promise((r) => setTimeout(r, gapMs))
          if (!done) socket.write(chunk)
        }
      })()
    })
  }

  const head = (method: string, target: string, headers: string[]) => [`${method} ${target} HTTP/1.1`, 'Host: x', `Authorization: ${auth.Authorization}`, ...headers, '', ''].join('\r\n')

  it('answers a body over each server limit with 413, declared or chunked, directly and through the gateway', async () => {
    const cases: [string, number][] = [
      [`${masterUrl}/api/v1/scheduler`, 16 * 1024 * 1024],
      [`${agentUrl}/internal/v1/run_task`, 1024 * 1024],
      [`${gateway}/mesos/api/v1/scheduler`, 32 * 1024 * 1024],
      [`${gateway}/agent/${ctx.agentId}/internal/v1/run_task`, 1024 * 1024],
      [`${gateway}/acs/api/v1/users/fuzz-big`, 1024 * 1024],
    ]
    for (const [url, limit] of cases) {
      const target = new URL(url).pathname
      const megabyte = ' '.repeat(0x100000)
      const body = [...Array.from({length: limit / 0x100000}, () => megabyte), ' ']
      const declared = await raw(url, head(target.includes('/users/') ? 'PUT' : 'POST', target, ['Content-Type: application/json', `Content-Length: ${limit + 1}`]), body, 1, 20_000)
      assert.equal(declared.status, 413, `declared ${limit + 1} bytes to ${url}: ${declared.text.slice(0, 200)}`)
      const chunk = `100000\r\n${megabyte}\r\n`
      const chunks = Array.from({length: Math.ceil(limit / 0x100000) + 1}, () => chunk)
      const chunked = await raw(url, head(target.includes('/users/') ? 'PUT' : 'POST', target, ['Content-Type: application/json', 'Transfer-Encoding: chunked']), chunks, 1, 20_000)
      assert.equal(chunked.status, 413, `chunked beyond ${limit} bytes to ${url}: ${JSON.stringify(chunked.text.slice(0, 200))}`)
    }
  })

  it('answers JSON nested beyond the limit with 400, and heads too large or with too many headers with 431', async () => {
    const deep = '['.repeat(65) + ']'.repeat(65)
    for (const url of [`${masterUrl}/api/v1/scheduler`, `${agentUrl}/internal/v1/kill_task`, `${gateway}/mesos/api/v1`]) {
      const target = new URL(url).pathname
      const r = await raw(url, head('POST', target, ['Content-Type: application/json', `Content-Length: ${deep.length}`, 'Connection: close']) + deep)
      assert.equal(r.status, 400, `${url}: ${r.text.slice(0, 300)}`)
      assert.match(r.text, /nesting is 65 levels deep/)
    }
    for (const base of [masterUrl, agentUrl, gateway]) {
      const big = await raw(base, head('GET', '/health', [`X-Big: ${'b'.repeat(20_000)}`]))
      assert.equal(big.status, 431, `${base}: ${big.text.slice(0, 100)}`)
      const many = await raw(base, head('GET', '/health', Array.from({length: 200}, (_, i) => `X-H${i}: ${i}`)))
      assert.equal(many.status, 431, `${base}: ${many.text.slice(0, 100)}`)
    }
  })

  it('keeps serving while many connections send their heads one byte at a time, and refuses none of the others', async () => {
    const slow: net.Socket[] = []
    try {
      for (const base of [masterUrl, agentUrl, gateway]) {
        const {hostname, port} = new URL(base)
        for (let i = 0; i < 100; i++) {
          const s = net.connect(Number(port), hostname).on('error', () => {})
          s.write('GET /health HTTP/1.1\r\nHo')
          slow.push(s)
        }
      }
      await new Promise((r) => setTimeout(r, 200))
      for (const s of slow) s.write('s')
      for (const base of [masterUrl, agentUrl, gateway]) {
        const ok = await request(`${base}/health`, 'GET', {})
        assert.equal(ok.status, 200, base)
      }
      const state = await request(`${gateway}/mesos/master/state`, 'GET', auth)
      assert.equal(state.status, 200)
    } finally {
      for (const s of slow) s.destroy()
    }
  })
})
