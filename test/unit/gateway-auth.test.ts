/**
 * The gateway with auth on, against a stand-in master and agent: the one check in front of
 * every route, the public routes, the ACS API (login, service login, users, logout), the failed
 * login limit, tokens forwarded upstream unchanged, and no credential in any answer or log line.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, it} from 'node:test'
import {hashPassword} from '../../src/runtime/auth/passwords'
import {generateSigningKeys, signToken, TokenVerifier, type SigningKeys} from '../../src/runtime/auth/tokens'
import type {Component, GatewayConfig} from '../../src/runtime/config'
import {startGateway, type GatewayDeps} from '../../src/runtime/gateway'
import type {Logger} from '../../src/runtime/log'

const ADMIN_PASSWORD = 'correct horse battery staple'

interface Seen {
  url: string
  authorization?: string
}

/** A stand-in master (/master/slaves, an echo) or agent; records what reached it. */
async function standIn(routes: (req: http.IncomingMessage) => unknown): Promise<{url: string; seen: Seen[]; close: () => Promise<void>}> {
  const seen: Seen[] = []
  const server = http.createServer((req, res) => {
    seen.push({url: req.url ?? '', authorization: req.headers.authorization})
    res.writeHead(200, {'Content-Type': 'application/json'})
    res.end(JSON.stringify(routes(req)))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

interface Res {
  status: number
  headers: Headers
  text: string
  body: any
  ms: number
}

async function call(url: string, init: RequestInit = {}): Promise<Res> {
  const t = Date.now()
  const res = await fetch(url, init)
  const text = await res.text()
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    body = undefined
  }
  return {status: res.status, headers: res.headers, text, body, ms: Date.now() - t}
}

const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: {'Content-Type': 'application/json', ...headers},
  body: JSON.stringify(body),
})

const withToken = (token: string): RequestInit => ({headers: {Authorization: `token=${token}`}})

describe('gateway with auth', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcos-gateway-auth-'))
  const logLines: string[] = []
  /** Every credential used below: none may show in a log line. */
  const secrets: string[] = [ADMIN_PASSWORD]
  let keys: SigningKeys
  let gatewayToken: string
  let config: GatewayConfig
  let master: Awaited<ReturnType<typeof standIn>>
  let agent: Awaited<ReturnType<typeof standIn>>
  const gateways: Component[] = []
  let url: string

  const log: Logger = {info: (m) => logLines.push(m), warn: (m) => logLines.push(m), error: (m) => logLines.push(m)}

  /** Every request comes from 127.0.0.1: a high failure limit here; the limit has its own test. */
  async function gateway(overrides: Partial<GatewayConfig['auth']> = {}, acs: GatewayDeps['acs'] = {failureDelayMs: 100, limits: {maxFailures: 50}}): Promise<string> {
    const g = await startGateway({...config, auth: {...config.auth!, ...overrides}}, {log, acs})
    gateways.push(g)
    return g.url
  }

  async function login(uid = 'admin', password = ADMIN_PASSWORD): Promise<string> {
    const res = await call(`${url}/acs/api/v1/auth/login`, json({uid, password}))
    assert.equal(res.status, 200, res.text)
    secrets.push(res.body.token)
    return res.body.token
  }

  before(async () => {
    keys = await generateSigningKeys()
    gatewayToken = await signToken(keys.privateKey, 'dcos_gateway', Math.floor(Date.now() / 1000) + 3600)
    secrets.push(gatewayToken)
    agent = await standIn((req) => ({agent: true, url: req.url}))
    const agentPort = new URL(agent.url).port
    master = await standIn((req) =>
      req.url === '/master/slaves' ? {slaves: [{id: 'S1', pid: `slave(1)@127.0.0.1:${agentPort}`}]} : {master: true, url: req.url},
    )
    config = {
      role: 'gateway',
      host: '127.0.0.1',
      port: 0,
      masterUrl: master.url,
      clusterId: 'c-auth',
      clusterName: 'auth',
      auth: {
        publicKey: keys.publicKey,
        privateKey: keys.privateKey,
        token: gatewayToken,
        usersDir: path.join(dir, 'users'),
        bootstrapUsers: [{uid: 'admin', description: 'the admin', passwordHash: await hashPassword(ADMIN_PASSWORD)}],
      },
    }
    url = await gateway()
  })

  after(async () => {
    for (const g of gateways) await g.close()
    await master.close()
    await agent.close()
    fs.rmSync(dir, {recursive: true, force: true})
  })

  it('answers 401 with WWW-Authenticate: acsjwt without a valid token, before anything is proxied', async () => {
    const before = master.seen.length
    const missing = await call(`${url}/mesos/master/state`)
    assert.equal(missing.status, 401)
    assert.equal(missing.headers.get('www-authenticate'), 'acsjwt')
    assert.equal(missing.body.code, 'ERR_MISSING_AUTH_TOKEN')
    assert.equal(missing.body.title, 'Unauthorized')
    assert.match(missing.body.description, /dcos auth login/)

    const foreign = await signToken((await generateSigningKeys()).privateKey, 'admin', Math.floor(Date.now() / 1000) + 60)
    const expired = await signToken(keys.privateKey, 'admin', Math.floor(Date.now() / 1000) - 1)
    for (const authorization of ['token=garbage', 'Bearer abc', `token=${foreign}`, `token=${expired}`]) {
      const res = await call(`${url}/mesos/master/state`, {headers: {Authorization: authorization}})
      assert.equal(res.status, 401, authorization)
      assert.equal(res.headers.get('www-authenticate'), 'acsjwt')
      assert.equal(res.body.code, 'ERR_INVALID_AUTH_TOKEN')
      assert.ok(!res.text.includes(authorization.slice(6)), 'the token is not repeated')
    }
    assert.match((await call(`${url}/mesos/master/state`, {headers: {Authorization: `token=${expired}`}})).body.description, /expired/)

    for (const p of ['/service/x/', '/agent/S1/state', '/acs/api/v1/users', '/pkgpanda/active.buildinfo.full.json', '/nonexistent']) {
      const res = await call(url + p)
      assert.equal(res.status, 401, p)
    }
    const logout = await call(`${url}/acs/api/v1/auth/logout`, {method: 'POST'})
    assert.equal(logout.status, 401)
    assert.equal(master.seen.length, before, 'nothing reached the master')
  })

  it('serves login, providers, health, metadata and the version without a token', async () => {
    for (const p of ['/health', '/', '/metadata', '/metadata/', '/dcos-metadata/dcos-version.json']) {
      assert.equal((await call(url + p)).status, 200, p)
    }
    assert.equal((await call(`${url}/health`, {method: 'HEAD'})).status, 200)
    const providers = await call(`${url}/acs/api/v1/auth/providers`)
    assert.equal(providers.status, 200)
    assert.deepEqual(providers.body, {
      'dcos-users': {
        'authentication-type': 'dcos-uid-password',
        'client-method': 'dcos-usercredential-post-receive-authtoken',
        'config': {start_flow_url: '/acs/api/v1/auth/login'},
        'description': 'Log in using a standard DC/OS user account (username and password)',
      },
      'dcos-services': {
        'authentication-type': 'dcos-uid-servicekey',
        'client-method': 'dcos-servicecredential-post-receive-authtoken',
        'config': {start_flow_url: '/acs/api/v1/auth/login'},
        'description': 'Log in using a DC/OS service user account (username and private key)',
      },
    })
    // Only the exact public routes: other methods on them, and paths that climb out, are not.
    assert.equal((await call(`${url}/health`, {method: 'POST'})).status, 401)
    assert.equal((await call(`${url}/acs/api/v1/auth/providers`, {method: 'DELETE'})).status, 401)
  })

  it('logs in with uid and password; the token (uid, 5 days) is forwarded upstream unchanged', async () => {
    const token = await login()
    const verified = await new TokenVerifier(keys.publicKey).verify(token)
    assert.ok(verified.ok && verified.token.uid === 'admin')
    assert.ok(verified.ok && Math.abs(verified.token.exp - (Date.now() / 1000 + 5 * 24 * 3600)) < 60)

    const res = await call(`${url}/mesos/master/state?x=1`, withToken(token))
    assert.equal(res.status, 200)
    assert.deepEqual(master.seen.at(-1), {url: '/master/state?x=1', authorization: `token=${token}`})
  })

  it("looks agents up on the master with its own service token, and forwards the user's to the agent", async () => {
    const token = await login()
    const res = await call(`${url}/agent/S1/files/browse?path=/x`, withToken(token))
    assert.equal(res.status, 200, res.text)
    assert.deepEqual(master.seen.filter((s) => s.url === '/master/slaves').at(-1), {url: '/master/slaves', authorization: `token=${gatewayToken}`})
    assert.deepEqual(agent.seen.at(-1), {url: '/files/browse?path=/x', authorization: `token=${token}`})
  })

  it('answers wrong credentials with one 401 whether the uid exists or not, after a delay', async () => {
    const wrong = await call(`${url}/acs/api/v1/auth/login`, json({uid: 'admin', password: 'hunter2-wrong'}))
    const unknown = await call(`${url}/acs/api/v1/auth/login`, json({uid: 'nobody', password: 'hunter2-wrong'}))
    for (const res of [wrong, unknown]) {
      assert.equal(res.status, 401)
      assert.equal(res.headers.get('www-authenticate'), 'acsjwt')
      assert.deepEqual(res.body, {title: 'Unauthorized', description: 'The UID or password is invalid.', code: 'ERR_INVALID_CREDENTIALS'})
      assert.ok(res.ms >= 100, `answered after ${res.ms} ms`)
    }
    assert.equal(wrong.text, unknown.text)
  })

  it('takes JSON only, within limits, and never repeats a password in an error', async () => {
    const loginUrl = `${url}/acs/api/v1/auth/login`
    const form = await call(loginUrl, {method: 'POST', headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: 'uid=admin&password=x'})
    assert.equal(form.status, 415)
    assert.equal(form.body.code, 'ERR_INVALID_DATA')
    const malformed = await call(loginUrl, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: `{"uid":"admin","password":"${ADMIN_PASSWORD}"`})
    assert.equal(malformed.status, 400)
    assert.ok(!malformed.text.includes(ADMIN_PASSWORD), malformed.text)
    const cases: [unknown, RegExp][] = [
      [[], /JSON object/],
      [{uid: 'admin'}, /exactly one/],
      [{uid: 'admin', password: 'x', token: 'y'}, /exactly one/],
      [{uid: 'a/b', password: 'x'}, /uid/],
      [{uid: 'x'.repeat(97), password: 'x'}, /uid/],
      [{uid: 'admin', password: 7}, /password/],
      [{uid: 'admin', password: 'x'.repeat(1025)}, /longer/],
    ]
    for (const [body, description] of cases) {
      const res = await call(loginUrl, json(body))
      assert.equal(res.status, 400, JSON.stringify(body))
      assert.match(res.body.description, description)
    }
    const huge = await call(loginUrl, json({uid: 'admin', password: 'x', pad: 'p'.repeat(20_000)}))
    assert.equal(huge.status, 413)
  })

  it('creates service accounts (authenticated) that log in with a token signed by their own key', async () => {
    const token = await login()
    const service = await generateSigningKeys()
    const account = {description: 'CI', public_key: service.publicKey}
    const put = (uid: string, body: unknown, headers: Record<string, string> = {Authorization: `token=${token}`}) =>
      call(`${url}/acs/api/v1/users/${uid}`, {...json(body, headers), method: 'PUT'})

    assert.equal((await put('ci', account, {})).status, 401)
    assert.equal((await put('ci', account)).status, 201)
    const dup = await put('ci', account)
    assert.equal(dup.status, 409)
    assert.equal(dup.body.code, 'ERR_USER_EXISTS')
    assert.equal((await put('bad', {public_key: 'not a key'})).status, 400)
    assert.equal((await put('both', {password: 'x', public_key: service.publicKey})).status, 400)

    const listed = await call(`${url}/acs/api/v1/users?type=service`, withToken(token))
    assert.deepEqual(
      listed.body.array.map((u: {uid: string; is_service: boolean}) => [u.uid, u.is_service]),
      [['ci', true]],
    )

    const now = Math.floor(Date.now() / 1000)
    const serviceLogin = (uid: string, loginToken: string) => call(`${url}/acs/api/v1/auth/login`, json({uid, token: loginToken}))
    const ok = await serviceLogin('ci', await signToken(service.privateKey, 'ci', now + 300))
    assert.equal(ok.status, 200, ok.text)
    const verified = await new TokenVerifier(keys.publicKey).verify(ok.body.token)
    assert.ok(verified.ok && verified.token.uid === 'ci')
    secrets.push(ok.body.token)

    const refused = [
      await serviceLogin('ci', await signToken(keys.privateKey, 'ci', now + 300)),
      await serviceLogin('ci', await signToken(service.privateKey, 'admin', now + 300)),
      await serviceLogin('ci', await signToken(service.privateKey, 'ci', now - 1)),
      await serviceLogin('admin', await signToken(service.privateKey, 'admin', now + 300)),
    ]
    for (const res of refused) {
      assert.equal(res.status, 401)
      assert.equal(res.body.code, 'ERR_INVALID_CREDENTIALS')
    }

    assert.equal((await put('bob', {description: 'Bob', password: 'bobs-password'})).status, 201)
    secrets.push('bobs-password')
    await login('bob', 'bobs-password')
    const one = await call(`${url}/acs/api/v1/users/bob`, withToken(token))
    assert.equal(one.body.is_service, false)
    assert.ok(!one.text.includes('scrypt'), 'no hash is shown')
    assert.equal((await call(`${url}/acs/api/v1/users/bob`, {method: 'DELETE', ...withToken(token)})).status, 204)
    assert.equal((await call(`${url}/acs/api/v1/auth/login`, json({uid: 'bob', password: 'bobs-password'}))).status, 401)
  })

  it('revokes a token on logout, at the gateway, across its restarts; other tokens stay good', async () => {
    const [token, other] = [await login(), await login()]
    assert.notEqual(token, other)
    const logout = await call(`${url}/acs/api/v1/auth/logout`, {method: 'POST', ...withToken(token)})
    assert.equal(logout.status, 204)
    const revoked = await call(`${url}/mesos/master/state`, withToken(token))
    assert.equal(revoked.status, 401)
    assert.equal(revoked.body.code, 'ERR_INVALID_AUTH_TOKEN')
    assert.match(revoked.body.description, /revoked/)
    assert.equal((await call(`${url}/mesos/master/state`, withToken(other))).status, 200)

    await gateways.shift()!.close()
    url = await gateway()
    assert.equal((await call(`${url}/mesos/master/state`, withToken(token))).status, 401)
    assert.equal((await call(`${url}/mesos/master/state`, withToken(other))).status, 200)
    assert.equal((await call(`${url}/acs/api/v1/auth/login`, json({uid: 'admin', password: ADMIN_PASSWORD}))).status, 200, 'the admin is still there')
  })

  it('limits failed logins per uid and per address: 429 with Retry-After, even for the right password', async () => {
    const limited = await gateway({usersDir: path.join(dir, 'limited')}, {failureDelayMs: 0, limits: {maxFailures: 3, windowMs: 60_000}})
    const attempt = (uid: string, password: string) => call(`${limited}/acs/api/v1/auth/login`, json({uid, password}))
    for (let i = 0; i < 3; i++) assert.equal((await attempt('admin', `wrong-${i}`)).status, 401)
    const refused = await attempt('admin', ADMIN_PASSWORD)
    assert.equal(refused.status, 429)
    assert.equal(refused.body.code, 'ERR_TOO_MANY_LOGIN_ATTEMPTS')
    const retryAfter = Number(refused.headers.get('retry-after'))
    assert.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After ${retryAfter}`)
    assert.equal((await attempt('someone-else', 'x')).status, 429, 'the address is limited too')
    // Concurrent guesses cannot outrun the limit: each is counted before it is checked.
    const burst = await gateway({usersDir: path.join(dir, 'burst')}, {failureDelayMs: 0, limits: {maxFailures: 3, windowMs: 60_000}})
    const statuses = await Promise.all(Array.from({length: 10}, (_, i) => call(`${burst}/acs/api/v1/auth/login`, json({uid: 'admin', password: `guess-${i}`}))))
    assert.equal(statuses.filter((r) => r.status === 401).length, 3, statuses.map((r) => r.status).join(' '))
  })

  it('never logs a token or a password; logs uids', () => {
    assert.ok(logLines.some((l) => l.includes("uid 'admin' logged in")))
    for (const line of logLines) for (const secret of secrets) assert.ok(!line.includes(secret), line)
  })
})

describe('gateway without auth', () => {
  it('has no ACS, and the pkgpanda probe answers 200 (how CLIs see that auth is off)', async () => {
    const g = await startGateway(
      {role: 'gateway', host: '127.0.0.1', port: 0, masterUrl: 'http://127.0.0.1:9', clusterId: 'c', clusterName: 'c'},
      {log: {info() {}, warn() {}, error() {}}},
    )
    try {
      assert.equal((await call(`${g.url}/acs/api/v1/auth/providers`)).status, 404)
      assert.equal((await call(`${g.url}/pkgpanda/active.buildinfo.full.json`)).status, 200)
    } finally {
      await g.close()
    }
  })

  it('refuses to bind anything but loopback', async () => {
    const config = {role: 'gateway', host: '0.0.0.0', port: 0, masterUrl: 'http://127.0.0.1:9', clusterId: 'c', clusterName: 'c'} as const
    await assert.rejects(startGateway(config, {log: {info() {}, warn() {}, error() {}}}), /without authentication/)
  })
})
