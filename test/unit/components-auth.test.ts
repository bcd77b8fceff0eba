/**
 * A real master, agent and gateway in-process with auth on, as `cluster up` configures them:
 * each component's own port refuses requests without a token (but answers /health), the agent
 * registers and reports with its service token, the master launches with its own, and a
 * framework with a user's token runs a task through the gateway.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, it} from 'node:test'
import {SchedulerDriver} from '../../src/mesos/driver'
import {parseResources} from '../../src/mesos/resources'
import type {TaskStatus} from '../../src/mesos/types'
import {startAgent, type AgentComponent} from '../../src/runtime/agent'
import {hashPassword} from '../../src/runtime/auth/passwords'
import {generateSigningKeys, signToken, type SigningKeys} from '../../src/runtime/auth/tokens'
import type {AgentConfig, Component, ComponentAuth} from '../../src/runtime/config'
import {startGateway} from '../../src/runtime/gateway'
import type {Logger} from '../../src/runtime/log'
import {startMaster} from '../../src/runtime/master'
import {FAST, waitFor} from './master-harness'

const PASSWORD = 'the admin password'

describe('components with auth', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcos-components-auth-'))
  const errors: string[] = []
  const log: Logger = {info() {}, warn() {}, error: (m) => errors.push(m)}
  let keys: SigningKeys
  let master: Component & {masterId: string}
  let agent: AgentComponent
  let gateway: Component
  let agentConfig: AgentConfig
  const extraAgents: AgentComponent[] = []

  const serviceAuth = async (uid: string): Promise<ComponentAuth> => ({
    publicKey: keys.publicKey,
    token: await signToken(keys.privateKey, uid, Math.floor(Date.now() / 1000) + 3600),
  })

  before(async () => {
    keys = await generateSigningKeys()
    master = await startMaster({...FAST, workDir: path.join(dir, 'master'), auth: await serviceAuth('dcos_master')}, {log})
    agentConfig = {
      role: 'agent',
      index: 1,
      host: '127.0.0.1',
      port: 0,
      masterUrl: master.url,
      workDir: path.join(dir, 'agent'),
      resources: 'cpus:2;mem:1024;disk:1024;ports:[31000-31009]',
      statusRetryMs: 200,
      isolation: 'watchdog',
      maxTaskProcesses: 64,
      killGracePeriodMs: 1000,
      auth: await serviceAuth('dcos_agent'),
    }
    agent = await startAgent(agentConfig, {log})
    const gatewayAuth = await serviceAuth('dcos_gateway')
    gateway = await startGateway(
      {
        role: 'gateway',
        host: '127.0.0.1',
        port: 0,
        masterUrl: master.url,
        clusterId: 'c',
        clusterName: 'c',
        auth: {
          ...gatewayAuth,
          privateKey: keys.privateKey,
          usersDir: path.join(dir, 'users'),
          bootstrapUsers: [{uid: 'admin', description: '', passwordHash: await hashPassword(PASSWORD)}],
        },
      },
      {log},
    )
  })

  after(async () => {
    await gateway.close()
    for (const a of [agent, ...extraAgents]) await a.shutdown!()
    await master.close()
    fs.rmSync(dir, {recursive: true, force: true})
    assert.deepEqual(errors, [], 'nothing logged as an error')
  })

  async function adminToken(): Promise<string> {
    const res = await fetch(`${gateway.url}/acs/api/v1/auth/login`, {
      method: 'POST',
      headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({uid: 'admin', password: PASSWORD}),
    })
    assert.equal(res.status, 200)
    return ((await res.json()) as {token: string}).token
  }

  it('refuses requests without a valid token on the master and agent ports, but answers /health', async () => {
    const foreign = await signToken((await generateSigningKeys()).privateKey, 'admin', Math.floor(Date.now() / 1000) + 60)
    for (const base of [master.url, agent.url]) {
      for (const p of ['/state', '/master/state', '/files/browse?path=/', '/internal/v1/run_task', '/api/v1']) {
        for (const headers of [{}, {Authorization: `token=${foreign}`}] as Record<string, string>[]) {
          const res = await fetch(base + p, {method: p.startsWith('/internal') || p === '/api/v1' ? 'POST' : 'GET', headers})
          const body = (await res.json()) as {code: string}
          assert.equal(res.status, 401, `${base}${p}`)
          assert.equal(res.headers.get('www-authenticate'), 'acsjwt')
          assert.match(body.code, /^ERR_(MISSING|INVALID)_AUTH_TOKEN$/)
        }
      }
      const health = await fetch(`${base}/health`)
      await health.body?.cancel()
      assert.equal(health.status, 200, `${base}/health`)
    }
    const token = await adminToken()
    const state = await fetch(`${master.url}/master/state`, {headers: {Authorization: `token=${token}`}})
    await state.body?.cancel()
    assert.equal(state.status, 200, "a user's token works on the master's own port too")
  })

  it("refuses a user's valid token on the internal agent protocol, directly and through the gateway", async () => {
    const token = await adminToken()
    const headers = {Authorization: `token=${token}`, 'Content-Type': 'application/json'}
    const calls = [
      `${master.url}/internal/v1/agent/heartbeat`,
      `${master.url}//internal/v1/agent/status`,
      `${agent.url}/internal/v1/run_task`,
      `${agent.url}/internal/v1/kill_task`,
    ]
    await waitFor('the agent to register', () => agent.agentId())
    calls.push(`${gateway.url}/agent/${agent.agentId()}/internal/v1/run_task`, `${gateway.url}/mesos/internal/v1/agent/heartbeat`)
    for (const url of calls) {
      const res = await fetch(url, {method: 'POST', headers, body: '{}'})
      const body = (await res.json()) as {code: string}
      assert.equal(res.status, 403, url)
      assert.equal(body.code, 'ERR_FORBIDDEN', url)
    }
    const other = await fetch(`${agent.url}/state`, {headers})
    await other.body?.cancel()
    assert.equal(other.status, 200, "the rest of the agent's API still takes a user's token")
  })

  it('registers an agent with its service token, and not one without', async () => {
    const token = await adminToken()
    const slaves = async () =>
      ((await (await fetch(`${gateway.url}/mesos/master/slaves`, {headers: {Authorization: `token=${token}`}})).json()) as {slaves: {id: string; active: boolean}[]}).slaves
    await waitFor('the agent to register', async () => (await slaves()).some((s) => s.id === agent.agentId() && s.active))

    const {auth: _none, ...unauthenticated} = agentConfig
    const stray = await startAgent({...unauthenticated, index: 2, workDir: path.join(dir, 'stray')}, {log})
    extraAgents.push(stray)
    await new Promise((resolve) => setTimeout(resolve, 300))
    assert.equal(stray.agentId(), undefined)
    assert.equal((await slaves()).length, 1)
  })

  it("runs a task for a framework that subscribed through the gateway with a user's token", async () => {
    const token = await adminToken()
    const driver = new SchedulerDriver({
      masterUrl: `${gateway.url}/mesos`,
      frameworkInfo: {user: 'root', name: 'auth-test'},
      headers: () => ({Authorization: `token=${token}`}),
      implicitAcknowledgements: true,
      backoff: {minMs: 20, maxMs: 100},
    })
    const statuses: TaskStatus[] = []
    let launched = false
    driver.on('offers', (offers) => {
      const offer = offers.find((o) => o.agent_id.value === agent.agentId())
      if (!offer || launched) return
      launched = true
      void driver.accept(
        [offer.id.value],
        [
          {
            type: 'LAUNCH',
            launch: {task_infos: [{name: 't', task_id: {value: 't1'}, agent_id: offer.agent_id, resources: parseResources('cpus:0.1;mem:32'), command: {value: 'echo hi'}}]},
          },
        ],
      )
    })
    driver.on('update', (status) => statuses.push(status))
    driver.start()
    try {
      await waitFor('TASK_FINISHED', () => statuses.find((s) => s.state === 'TASK_FINISHED'), 15_000)
    } finally {
      await driver.stop()
    }
  })

  it('accepts a logged-out token on a component until it expires: only the gateway knows of logouts', async () => {
    const token = await adminToken()
    const logout = await fetch(`${gateway.url}/acs/api/v1/auth/logout`, {method: 'POST', headers: {Authorization: `token=${token}`}})
    assert.equal(logout.status, 204)
    const viaGateway = await fetch(`${gateway.url}/mesos/master/state`, {headers: {Authorization: `token=${token}`}})
    await viaGateway.body?.cancel()
    assert.equal(viaGateway.status, 401)
    const direct = await fetch(`${master.url}/master/state`, {headers: {Authorization: `token=${token}`}})
    await direct.body?.cancel()
    assert.equal(direct.status, 200)
  })
})
