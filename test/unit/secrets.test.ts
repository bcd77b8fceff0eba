/**
 * Secrets, without a cluster: secret paths, the gateway's SecretStore (durable, owner-only files)
 * and its Secrets API, the ACS's service accounts (provisioned credentials log in, JWKS verifies
 * the cluster's tokens), Marathon's `secrets` (validation, SECRET variables in TaskInfo, the
 * resolver), redaction of task infos, the agent's decoding, and the framework library.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, it} from 'node:test'
import {credentialFromEnv, frameworkAuth, jwksUrlOf, RequestVerifier, ServiceAuth} from '../../src/frameworks/service-auth'
import {isBase64, redactSecrets, variableValue} from '../../src/mesos/secrets'
import type {TaskInfo} from '../../src/mesos/types'
import {taskEnvironment} from '../../src/runtime/agent/executor'
import {validateRunTask} from '../../src/runtime/agent/validation'
import {hashPassword} from '../../src/runtime/auth/passwords'
import {Acs} from '../../src/runtime/auth'
import {mountSecrets, secretPath, secretPathProblem, SecretStore} from '../../src/runtime/auth/secrets'
import {generateSigningKeys, signToken, type SigningKeys} from '../../src/runtime/auth/tokens'
import {buildClusterSpec, gatewayOf, marathonOf, withPorts} from '../../src/runtime/cluster/spec'
import type {Component, GatewayConfig} from '../../src/runtime/config'
import {startGateway, type GatewayDeps} from '../../src/runtime/gateway'
import {Router, serve} from '../../src/runtime/http'
import type {Logger} from '../../src/runtime/log'
import {normalizeApp, type App} from '../../src/runtime/marathon/app-definition'
import {Violations} from '../../src/runtime/marathon/errors'
import type {PlannedLaunch} from '../../src/runtime/marathon/matcher'
import {SecretResolver} from '../../src/runtime/marathon/secrets'
import {buildTaskInfo} from '../../src/runtime/marathon/task-builder'
import * as wire from '../../src/runtime/master/wire'

const SECRET_VALUE = 'hunter2-\u00e9-value'
const ADMIN_PASSWORD = 'correct horse battery staple'

function tmp(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix))
}

async function waitUntil<T>(fn: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = fn()
    if (v !== undefined || Date.now() > deadline) return v
    await new Promise((r) => setTimeout(r, 50))
  }
}

function mode(file: string): number {
  return fs.statSync(file).mode & 0o777
}

describe('secret paths', () => {
  it('accepts slash-separated segments and canonicalises surrounding slashes', () => {
    for (const p of ['a', 'chronos/serviceCredential', '/x/y.z_1-2/', 'a/b/c/d']) assert.equal(secretPathProblem(p), undefined, p)
    assert.equal(secretPath('/chronos/cred/'), 'chronos/cred')
  })

  it('refuses traversal, empty segments, odd characters, and overlong paths', () => {
    for (const p of ['', '/', '..', 'a/../b', './a', 'a//b', 'a b', 'a/%2e', 'a\u0000b', 'ä', 'a/'.repeat(20) + 'a', 'x'.repeat(600), 'a\\b'])
      assert.ok(secretPathProblem(p), JSON.stringify(p))
    assert.throws(() => secretPath('a/../b'), (e: any) => e.status === 400 && e.body.code === 'ERR_INVALID_PATH')
  })
})

describe('cluster spec', () => {
  it('gives the gateway its secrets dir and Marathon the gateway URL, on the ports chosen', () => {
    const plan = {id: 'c', name: 'c', dir: '/x/local', createdAt: '', agentHosts: ['127.0.0.2'], cpus: 1, memMb: 1, diskMb: 1, agentUnreachableTimeoutMs: 1}
    const spec = withPorts(buildClusterSpec(plan), [1001, 1002, 1003, 1004])
    assert.equal(gatewayOf(spec).secretsDir, '/x/local/gateway/secrets')
    assert.equal(marathonOf(spec)!.gatewayUrl, `http://127.0.0.1:${gatewayOf(spec).port}`)
  })
})

describe('SecretStore', () => {
  const dir = tmp('dcos-secrets-store-')
  after(() => fs.rmSync(dir, {recursive: true, force: true}))

  it('creates, refuses a second create, updates, lists, deletes, and survives a reopen', async () => {
    const storeDir = path.join(dir, 's1')
    let store = SecretStore.open(storeDir)
    assert.equal(await store.create('apps/one', 'v1'), true)
    assert.equal(await store.create('apps/one', 'other'), false)
    assert.equal(store.get('apps/one'), 'v1')
    await store.put('/apps/one/', 'v2')
    await store.put('apps/two', 'w')
    await store.put('top', 't')
    assert.deepEqual(store.list(), ['apps/one', 'apps/two', 'top'])
    assert.deepEqual(store.list('apps'), ['one', 'two'])
    assert.deepEqual(store.list('nothing'), [])
    assert.equal(await store.delete('apps/two'), true)
    assert.equal(await store.delete('apps/two'), false)
    await store.close()
    store = SecretStore.open(storeDir)
    assert.equal(store.get('apps/one'), 'v2')
    assert.equal(store.get('apps/two'), undefined)
    await store.close()
  })

  it('keeps its directory 0700 and its files 0600', async () => {
    const storeDir = path.join(dir, 's2')
    const store = SecretStore.open(storeDir)
    await store.put('a', SECRET_VALUE)
    await store.close()
    assert.equal(mode(storeDir), 0o700)
    const files = fs.readdirSync(storeDir)
    assert.ok(files.length > 0)
    for (const f of files) assert.equal(mode(path.join(storeDir, f)), 0o600, f)
  })

  it('concurrent creates of one path: exactly one wins', async () => {
    const store = SecretStore.open(path.join(dir, 's3'))
    const results = await Promise.all([store.create('race', 'a'), store.create('race', 'b'), store.create('race', 'c')])
    assert.equal(results.filter(Boolean).length, 1)
    await store.close()
  })
})

describe('redaction and the agent side of SECRET variables', () => {
  const data = Buffer.from(SECRET_VALUE).toString('base64')
  const task: TaskInfo = {
    name: 't',
    task_id: {value: 't1'},
    agent_id: {value: 'S1'},
    resources: [],
    command: {
      shell: true,
      value: 'true',
      environment: {
        variables: [
          {name: 'PLAIN', type: 'VALUE', value: 'p'},
          {name: 'MYSECRET', type: 'SECRET', secret: {type: 'VALUE', value: {data}}},
        ],
      },
    },
  }

  it('redactSecrets drops every secret value and leaves the rest (and the original) alone', () => {
    const red = redactSecrets(task)
    assert.ok(!JSON.stringify(red).includes(data))
    assert.deepEqual(red.command!.environment!.variables[0], {name: 'PLAIN', type: 'VALUE', value: 'p'})
    assert.deepEqual(red.command!.environment!.variables[1], {name: 'MYSECRET', type: 'SECRET', secret: {type: 'VALUE'}})
    assert.ok(JSON.stringify(task).includes(data), 'the original is not modified')
    const plain: TaskInfo = {...task, command: {value: 'x'}}
    assert.equal(redactSecrets(plain), plain)
  })

  it('the agent decodes SECRET variables into the task environment', () => {
    assert.equal(variableValue(task.command!.environment!.variables[1]), SECRET_VALUE)
    const env = taskEnvironment(task, '/sandbox', {agentId: 'S1', endpoint: '127.0.0.1:5051', frameworkId: 'F', checkpoint: true, graceMs: 3000})
    assert.equal(env.MYSECRET, SECRET_VALUE)
    assert.equal(env.PLAIN, 'p')
  })

  it('validation: base64 values only, no references, and no message quotes the value', () => {
    assert.ok(isBase64(data) && isBase64('') && !isBase64('a') && !isBase64('!!!!'))
    const body = (variable: unknown) => ({
      framework_info: {id: {value: 'F'}},
      task: {name: 't', task_id: {value: 't1'}, resources: [], command: {value: 'true', environment: {variables: [variable]}}},
    })
    validateRunTask(body(task.command!.environment!.variables[1]))
    const bad = 'not base64 at all: ' + SECRET_VALUE
    for (const v of [
      {name: 'X', type: 'SECRET', secret: {type: 'VALUE', value: {data: bad}}},
      {name: 'X', type: 'SECRET', secret: {type: 'REFERENCE', reference: {name: '/x'}}},
      {name: 'X', type: 'SECRET'},
    ]) {
      assert.throws(
        () => validateRunTask(body(v)),
        (e: any) => e.status === 400 && !e.message.includes(SECRET_VALUE),
      )
    }
    assert.throws(
      () => wire.taskInfo({...task, command: {environment: {variables: [{name: 'X', type: 'SECRET', secret: {type: 'VALUE', value: {data: bad}}}]}}}, 'task'),
      (e: Error) => e instanceof wire.ShapeError && !e.message.includes(SECRET_VALUE),
    )
    wire.taskInfo(task, 'task')
  })
})

function normalize(input: unknown): {app: App; violations: {path: string; errors: string[]}[]} {
  const v = new Violations()
  const app = normalizeApp(input, {base: '/', role: '*', version: '2026-01-01T00:00:00.000Z'}, v)
  return {app, violations: v.list()}
}

describe('Marathon secrets', () => {
  const definition = {
    id: '/s',
    cmd: 'true',
    secrets: {serviceCredential: {source: 'chronos/serviceCredential'}},
    env: {DCOS_SERVICE_ACCOUNT_CREDENTIAL: {secret: 'serviceCredential'}, PLAIN: 'x'},
  }

  it('accepts the DC/OS shape and keeps only references', () => {
    const {app, violations} = normalize(definition)
    assert.deepEqual(violations, [])
    assert.deepEqual(app.secrets, {serviceCredential: {source: 'chronos/serviceCredential'}})
    assert.deepEqual(app.env, {DCOS_SERVICE_ACCOUNT_CREDENTIAL: {secret: 'serviceCredential'}, PLAIN: 'x'})
    const again = normalize(JSON.parse(JSON.stringify(app)))
    assert.deepEqual(again.violations, [])
  })

  it('422s a reference to an undeclared secret, a bad source, and a malformed declaration', () => {
    const undeclared = normalize({...definition, env: {X: {secret: 'nope'}}})
    assert.deepEqual(
      undeclared.violations.map((v) => v.path),
      ['/env/X'],
    )
    assert.match(undeclared.violations[0].errors[0], /undefined secret named 'nope'/)
    const traversal = normalize({...definition, secrets: {serviceCredential: {source: '../etc/passwd'}}})
    assert.ok(traversal.violations.some((v) => v.path === '/secrets/serviceCredential/source'), JSON.stringify(traversal.violations))
    const missing = normalize({...definition, secrets: {serviceCredential: {}}})
    assert.ok(missing.violations.some((v) => v.path === '/secrets/serviceCredential/source'))
    const notObject = normalize({...definition, secrets: {serviceCredential: 'x'}})
    assert.ok(notObject.violations.some((v) => v.path === '/secrets/serviceCredential'))
    const badRef = normalize({...definition, env: {X: {secret: 42}}})
    assert.ok(badRef.violations.some((v) => v.path === '/env/X/secret'))
  })

  it('builds SECRET variables with the resolved values; refuses to build without them', () => {
    const {app} = normalize(definition)
    const launch = {offerId: 'o', agentId: 'S1', app, placement: {hostname: 'h', attributes: []}, resources: [], hostPorts: [31000]} as unknown as PlannedLaunch
    const info = buildTaskInfo(app, launch, 's.1', new Map([['chronos/serviceCredential', SECRET_VALUE]]))
    const vars = info.command!.environment!.variables
    const v = vars.find((x) => x.name === 'DCOS_SERVICE_ACCOUNT_CREDENTIAL')!
    assert.equal(v.type, 'SECRET')
    assert.equal(Buffer.from(v.secret!.value!.data, 'base64').toString(), SECRET_VALUE)
    assert.equal(vars.find((x) => x.name === 'PLAIN')?.value, 'x')
    assert.ok(!vars.some((x) => x.type === 'VALUE' && typeof x.value === 'string' && x.value.includes(SECRET_VALUE)))
    assert.throws(() => buildTaskInfo(app, launch, 's.1'))
  })

  it('the resolver: pending, then ready; a missing secret is a problem, retried, and never logged with a value', async () => {
    const {app} = normalize(definition)
    const store = new Map<string, string>()
    const requests: {url: string; auth?: string}[] = []
    const lines: string[] = []
    let changes = 0
    let now = 1_000
    const fakeFetch = (async (url: string, init: RequestInit) => {
      requests.push({url, auth: (init.headers as Record<string, string>).Authorization})
      const key = decodeURIComponent(new URL(url).pathname.replace('/secrets/v1/secret/default/', ''))
      const value = store.get(key)
      return new Response(JSON.stringify(value === undefined ? {code: 'ERR_NOT_FOUND', message: 'x'} : {value}), {status: value === undefined ? 404 : 200})
    }) as typeof fetch
    const log: Logger = {info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m)}
    const resolver = new SecretResolver({
      gatewayUrl: 'http://gw',
      headers: () => ({Authorization: 'token=T'}),
      log,
      now: () => now,
      onChange: () => changes++,
      retryMs: 50,
      fetch: fakeFetch,
    })
    const settle = () => new Promise((r) => setTimeout(r, 20))
    assert.deepEqual(resolver.readiness(app), {ready: false})
    await settle()
    const missing = resolver.readiness(app)
    assert.equal(missing.ready, false)
    assert.match((missing as {problem: string}).problem, /does not exist/)
    assert.equal(requests[0].url, 'http://gw/secrets/v1/secret/default/chronos/serviceCredential')
    assert.equal(requests[0].auth, 'token=T')
    store.set('chronos/serviceCredential', SECRET_VALUE)
    now += 100
    resolver.readiness(app)
    await settle()
    const ready = resolver.readiness(app)
    assert.ok(ready.ready)
    assert.equal((ready as {values: ReadonlyMap<string, string>}).values.get('chronos/serviceCredential'), SECRET_VALUE)
    assert.ok(changes >= 2)
    assert.equal(requests.length, 2, 'a value is cached')
    assert.deepEqual(resolver.readiness(normalize({id: '/plain', cmd: 'true'}).app), {ready: true, values: new Map()})
    resolver.stop()
    assert.ok(!lines.some((l) => l.includes(SECRET_VALUE)))
  })

  it('the resolver refreshes a value once it is older than the TTL, and a deleted secret blocks launches', async () => {
    const {app} = normalize(definition)
    const store = new Map([['chronos/serviceCredential', 'v1']])
    let now = 0
    const fakeFetch = (async (url: string) => {
      const value = store.get(decodeURIComponent(new URL(url).pathname.replace('/secrets/v1/secret/default/', '')))
      return new Response(JSON.stringify(value === undefined ? {code: 'ERR_NOT_FOUND', message: 'x'} : {value}), {status: value === undefined ? 404 : 200})
    }) as typeof fetch
    const resolver = new SecretResolver({gatewayUrl: 'http://gw', headers: () => ({}), log: {info() {}, warn() {}, error() {}}, now: () => now, onChange: () => {}, ttlMs: 1_000, fetch: fakeFetch})
    const valueOf = () => {
      const r = resolver.readiness(app)
      return r.ready ? r.values.get('chronos/serviceCredential') : (r as {problem?: string}).problem ?? 'pending'
    }
    const settle = () => new Promise((r) => setTimeout(r, 20))
    valueOf()
    await settle()
    assert.equal(valueOf(), 'v1')
    store.set('chronos/serviceCredential', 'v2')
    assert.equal(valueOf(), 'v1', 'cached within the TTL')
    now = 2_000
    assert.equal(valueOf(), 'v1', 'the old value serves while it is refreshed')
    await settle()
    assert.equal(valueOf(), 'v2')
    store.delete('chronos/serviceCredential')
    now = 4_000
    valueOf()
    await settle()
    assert.match(valueOf()!, /does not exist/)
    resolver.stop()
  })

  it('without a gateway URL an app with secrets is blocked with a reason', async () => {
    const {app} = normalize(definition)
    const resolver = new SecretResolver({headers: () => ({}), log: {info() {}, warn() {}, error() {}}, now: Date.now, onChange: () => {}})
    resolver.readiness(app)
    await new Promise((r) => setTimeout(r, 10))
    const r = resolver.readiness(app)
    assert.equal(r.ready, false)
    assert.match((r as {problem: string}).problem, /no secret store/)
    resolver.stop()
  })
})

describe('gateway: Secrets API, service accounts, JWKS', () => {
  const dir = tmp('dcos-secrets-gw-')
  const lines: string[] = []
  const log: Logger = {info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m)}
  const gateways: Component[] = []
  let keys: SigningKeys
  let url: string
  let admin: string

  async function call(p: string, init: RequestInit = {}, token: string | undefined = admin): Promise<{status: number; body: any; text: string}> {
    const headers: Record<string, string> = {...(init.headers as Record<string, string>)}
    if (token) headers.Authorization = `token=${token}`
    const res = await fetch(`${url}${p}`, {...init, headers})
    const text = await res.text()
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      body = undefined
    }
    return {status: res.status, body, text}
  }
  const put = (p: string, body: unknown, method = 'PUT', token?: string) =>
    call(p, {method, headers: {'Content-Type': 'application/json'}, body: typeof body === 'string' ? body : JSON.stringify(body)}, token ?? admin)

  before(async () => {
    keys = await generateSigningKeys()
    const config: GatewayConfig = {
      role: 'gateway',
      host: '127.0.0.1',
      port: 0,
      masterUrl: 'http://127.0.0.1:1',
      clusterId: 'c',
      clusterName: 'c',
      auth: {
        publicKey: keys.publicKey,
        privateKey: keys.privateKey,
        token: await signToken(keys.privateKey, 'dcos_gateway', Math.floor(Date.now() / 1000) + 3600),
        usersDir: path.join(dir, 'users'),
        bootstrapUsers: [{uid: 'admin', description: 'admin', passwordHash: await hashPassword(ADMIN_PASSWORD)}],
      },
    }
    const deps: GatewayDeps = {log, acs: {failureDelayMs: 10}}
    const g = await startGateway(config, deps)
    gateways.push(g)
    url = g.url
    const res = await fetch(`${url}/acs/api/v1/auth/login`, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({uid: 'admin', password: ADMIN_PASSWORD})})
    admin = ((await res.json()) as {token: string}).token
  })

  after(async () => {
    for (const g of gateways) await g.close()
    fs.rmSync(dir, {recursive: true, force: true})
  })

  it('PUT 201, PUT again 409, GET, PATCH 204, list, DELETE 204, GET 404, in DC/OS error shape', async () => {
    const p = '/secrets/v1/secret/default/team/db'
    assert.equal((await put(p, {value: SECRET_VALUE})).status, 201)
    const again = await put(p, {value: 'x'})
    assert.equal(again.status, 409)
    assert.equal(again.body.code, 'ERR_ALREADY_EXISTS')
    assert.equal(typeof again.body.message, 'string')
    assert.deepEqual((await call(p)).body, {value: SECRET_VALUE})
    assert.equal((await put(p, {value: 'v2'}, 'PATCH')).status, 204)
    assert.deepEqual((await call(p)).body, {value: 'v2'})
    assert.equal((await put('/secrets/v1/secret/default/none', {value: 'v'}, 'PATCH')).status, 404)
    await put('/secrets/v1/secret/default/team/web', {value: 'w'})
    assert.deepEqual((await call('/secrets/v1/secret/default/team?list=true')).body, {array: ['db', 'web']})
    assert.deepEqual((await call('/secrets/v1/secret/default/?list=true')).body, {array: ['team/db', 'team/web']})
    assert.equal((await call(p, {method: 'DELETE'})).status, 204)
    const gone = await call(p)
    assert.equal(gone.status, 404)
    assert.equal(gone.body.code, 'ERR_NOT_FOUND')
  })

  it('refuses bad paths, bad bodies, big bodies and missing tokens, never quoting a value', async () => {
    assert.equal((await put('/secrets/v1/secret/default/a%2F..%2Fb', {value: 'v'})).status, 400)
    assert.equal((await put('/secrets/v1/secret/default/a%20b', {value: 'v'})).status, 400)
    assert.equal((await put('/secrets/v1/secret/default/', {value: 'v'})).status, 400)
    const notJson = await put('/secrets/v1/secret/default/j', `{"value": "${SECRET_VALUE}"`)
    assert.equal(notJson.status, 400)
    assert.ok(!notJson.text.includes(SECRET_VALUE))
    assert.equal((await put('/secrets/v1/secret/default/j', {value: 42})).status, 400)
    assert.equal((await put('/secrets/v1/secret/default/j', {value: 'x'.repeat(70 * 1024)})).status, 413)
    const anonymous = await call('/secrets/v1/secret/default/?list=true', {}, '')
    assert.equal(anonymous.status, 401)
    assert.ok(!lines.some((l) => l.includes(SECRET_VALUE)))
  })

  it('JWKS is public and has the public key only', async () => {
    const jwks = await call('/acs/api/v1/auth/jwks', {}, '')
    assert.equal(jwks.status, 200)
    assert.equal(jwks.body.keys.length, 1)
    assert.equal(jwks.body.keys[0].alg, 'RS256')
    assert.ok(!('d' in jwks.body.keys[0]), 'no private part')
  })

  it('a provisioned credential logs in (ServiceAuth), RequestVerifier checks tokens by the JWKS, its token may not read secrets', async () => {
    // An ACS with the secrets API, as the gateway composes them, reached in-process as the package service will.
    const acs = await Acs.open(
      {
        publicKey: keys.publicKey,
        privateKey: keys.privateKey,
        token: 't',
        usersDir: path.join(dir, 'users2'),
        bootstrapUsers: [{uid: 'admin', description: 'admin', passwordHash: await hashPassword(ADMIN_PASSWORD)}],
      },
      {log, failureDelayMs: 10},
    )
    const store = SecretStore.open(path.join(dir, 'secrets2'))
    const router = new Router()
    acs.mount(router)
    mountSecrets(router, store, {log, authorize: (req) => acs.authorizeSecrets(req)})
    const server = await serve({router, host: '127.0.0.1', port: 0})
    gateways.push({url: server.url, close: async () => (await server.close(), await store.close(), await acs.close())})
    acs.setUrl(server.url)

    const credential = await acs.provisionServiceAccount('chronos-principal', 'Chronos')
    assert.equal(credential.scheme, 'RS256')
    assert.equal(credential.uid, 'chronos-principal')
    assert.equal(credential.login_endpoint, `${server.url}/acs/api/v1/auth/login`)
    assert.match(credential.private_key, /BEGIN PRIVATE KEY/)
    const stored = fs
      .readdirSync(path.join(dir, 'users2'))
      .map((f) => fs.readFileSync(path.join(dir, 'users2', f), 'utf8'))
      .join('')
    assert.ok(stored.includes('chronos-principal') && !stored.includes('PRIVATE KEY'), 'the ACS stores the public key only')

    const auth = new ServiceAuth(credentialFromEnv({DCOS_SERVICE_ACCOUNT_CREDENTIAL: JSON.stringify(credential)})!, {log})
    await auth.start()
    const token = auth.token()!
    assert.ok(token)
    assert.equal(auth.headers().Authorization, `token=${token}`)
    assert.deepEqual(await acs.authenticate({header: () => `token=${token}`} as never), {uid: 'chronos-principal', exp: JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).exp})

    const verifier = new RequestVerifier(jwksUrlOf(credential))
    assert.deepEqual(await verifier.verify(`token=${admin}`), {ok: true, uid: 'admin'})
    assert.deepEqual(await verifier.verify(`token=${token}`), {ok: true, uid: 'chronos-principal'})
    const forged = await signToken((await generateSigningKeys()).privateKey, 'admin', Math.floor(Date.now() / 1000) + 60)
    const refused = await verifier.verify(`token=${forged}`)
    assert.equal(refused.ok, false)
    assert.equal((refused as {status: number}).status, 401)
    assert.equal((await verifier.verify(undefined)).ok, false)

    const forbidden = await fetch(`${server.url}/secrets/v1/secret/default/?list=true`, {headers: {Authorization: `token=${token}`}})
    assert.equal(forbidden.status, 403)
    const allowed = await fetch(`${server.url}/secrets/v1/secret/default/?list=true`, {headers: {Authorization: `token=${admin}`}})
    assert.equal(allowed.status, 200)
    auth.stop()
    assert.ok(!lines.some((l) => l.includes(token) || l.includes(credential.private_key)))
  })

  it('ServiceAuth logs in again before its token expires', async () => {
    const acs = await Acs.open(
      {publicKey: keys.publicKey, privateKey: keys.privateKey, token: 't', usersDir: path.join(dir, 'users4'), bootstrapUsers: []},
      {log, tokenLifetimeS: 3},
    )
    const router = new Router()
    acs.mount(router)
    const server = await serve({router, host: '127.0.0.1', port: 0})
    gateways.push({url: server.url, close: async () => (await server.close(), await acs.close())})
    acs.setUrl(server.url)
    const auth = new ServiceAuth(await acs.provisionServiceAccount('short-lived', 'x'), {log})
    await auth.start()
    try {
      const first = auth.token()
      assert.ok(first)
      const second = await waitUntil(() => (auth.token() !== first ? auth.token() : undefined), 4_000)
      assert.ok(second)
      assert.deepEqual((await acs.authenticate({header: () => `token=${second}`} as never)).uid, 'short-lived')
    } finally {
      auth.stop()
    }
  })

  it('frameworkAuth without a credential is no auth; a malformed credential throws without quoting it', async () => {
    const none = await frameworkAuth({env: {}})
    assert.deepEqual(none.headers(), {})
    assert.deepEqual(await none.verify(undefined), {ok: true})
    assert.throws(() => credentialFromEnv({DCOS_SERVICE_ACCOUNT_CREDENTIAL: `{"uid": "${SECRET_VALUE}"`}), (e: Error) => !e.message.includes(SECRET_VALUE))
    assert.throws(() => credentialFromEnv({DCOS_SERVICE_ACCOUNT_CREDENTIAL: '{"uid":"u"}'}), /lacks private_key, login_endpoint/)
  })

  it('provisionServiceAccount refuses a user uid and re-keys a service account; removeServiceAccount', async () => {
    const acs = await Acs.open(
      {
        publicKey: keys.publicKey,
        privateKey: keys.privateKey,
        token: 't',
        usersDir: path.join(dir, 'users3'),
        bootstrapUsers: [{uid: 'admin', description: 'admin', passwordHash: await hashPassword('pw')}],
      },
      {log},
    )
    try {
      await assert.rejects(acs.provisionServiceAccount('admin', 'x'), /user account/)
      await assert.rejects(acs.provisionServiceAccount('bad uid!', 'x'), /invalid/)
      const a = await acs.provisionServiceAccount('svc', 'x')
      const b = await acs.provisionServiceAccount('svc', 'x')
      assert.notEqual(a.private_key, b.private_key)
      assert.equal(await acs.removeServiceAccount('svc'), true)
      assert.equal(await acs.removeServiceAccount('svc'), false)
      await assert.rejects(acs.removeServiceAccount('admin'), /user account/)
    } finally {
      await acs.close()
    }
  })
})
