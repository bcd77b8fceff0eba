/**
 * Bad input never breaks Marathon's API: every app fixture, each field replaced by values of
 * every JSON type (and edge values), sent to POST, PUT and PATCH of apps and to groups; odd
 * paths and query values. Each answer is a 2xx, 400, 404, 409 or 422 in Marathon's JSON error
 * shape, never a 500, and the state stays readable. Marathon runs without a master here: only
 * the API is under test.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import {after, before, describe, it} from 'node:test'
import {startBareMarathon} from './marathon-harness'
import {request} from './master-harness'

const FIXTURES = '/work/shared/fixtures/marathon-real'

/** A small deterministic PRNG (mulberry32), so a failure replays. */
function prng(seed: number): () => number {
  return () => {
    seed |= 0
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const ODD_VALUES: unknown[] = [null, true, false, 0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 2, '', ' ', 'x', '../..', '\u0000', 'é'.repeat(300), [], [null], [1, 'a'], {}, {a: {b: {c: []}}}, [[['deep']]]]

function appFixtures(): unknown[] {
  const apps: unknown[] = []
  for (const f of fs.readdirSync(path.join(FIXTURES, 'system-apps'))) apps.push(JSON.parse(fs.readFileSync(path.join(FIXTURES, 'system-apps', f), 'utf8')))
  for (const f of ['app.json', 'app-simple.json', 'app-check-http-example.json']) apps.push(JSON.parse(fs.readFileSync(path.join(FIXTURES, 'examples', f), 'utf8')))
  apps.push(...(JSON.parse(fs.readFileSync(path.join(FIXTURES, 'examples', 'app_list.json'), 'utf8')).apps as unknown[]))
  return apps
}

/** Every path of a JSON value (objects and arrays), for replacing one of them. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix]
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])))
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]))
  return out
}

function replaced(value: unknown, at: (string | number)[], by: unknown): unknown {
  if (at.length === 0) return by
  const copy = structuredClone(value) as Record<string | number, unknown>
  let node = copy
  for (const k of at.slice(0, -1)) node = node[k] as Record<string | number, unknown>
  node[at[at.length - 1]] = by
  return copy
}

describe('marathon API robustness', () => {
  let marathon: Awaited<ReturnType<typeof startBareMarathon>>
  const bugs: string[] = []

  before(async () => {
    marathon = await startBareMarathon('marathon-robust-', bugs)
  })
  after(() => marathon?.close())

  const send = async (method: string, p: string, body?: unknown) => {
    const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
    const r = await request(marathon.url + p, {method, ...(text !== undefined && {body: text}), headers: {'Content-Type': 'application/json'}})
    const what = `${method} ${p} ${text?.slice(0, 300)} → ${r.status} ${r.text.slice(0, 300)}`
    assert.ok([200, 201, 202, 204, 400, 404, 405, 409, 413, 422].includes(r.status), what)
    if (r.status >= 400) {
      const body = r.json()
      assert.equal(typeof body.message, 'string', what)
    }
    return r
  }

  it('answers thousands of mutated app definitions with 2xx or a 4xx in Marathon’s shape', async () => {
    const random = prng(Number(process.env.MARATHON_FUZZ_SEED ?? 20240601))
    const fixtures = appFixtures()
    let accepted = 0
    for (let i = 0; i < 1500; i++) {
      const base = fixtures[Math.floor(random() * fixtures.length)] as Record<string, unknown>
      const all = paths(base).filter((p) => p.length > 0 && p[0] !== 'id')
      const at = all[Math.floor(random() * all.length)]
      const value = ODD_VALUES[Math.floor(random() * ODD_VALUES.length)]
      const body = {...(replaced(base, at, value) as Record<string, unknown>), id: `/fuzz/a${i % 40}`}
      const method = ['POST', 'PUT', 'PATCH'][i % 3]
      const r = await send(method, method === 'POST' ? '/v2/apps?force=true' : `/v2/apps/fuzz/a${i % 40}?force=true`, body)
      if (r.status < 300) accepted++
    }
    assert.ok(accepted > 50, `only ${accepted} were accepted: the mutations should leave many valid`)
    assert.deepEqual(bugs, [])
  })

  it('answers odd paths, queries and bodies on every route', async () => {
    const routes = [
      ['GET', '/v2/apps?embed=apps.tasks&embed=bogus&label=a%20in%20(b'],
      ['GET', '/v2/apps?label=' + encodeURIComponent('a==b,c notin (d),e')],
      ['GET', '/v2/apps/%E0%A4%A'],
      ['GET', '/v2/apps/a/../../b'],
      ['PUT', '/v2/apps/Upper'],
      ['PUT', '/v2/apps/x?partialUpdate=maybe'],
      ['DELETE', '/v2/apps/x?force=perhaps'],
      ['GET', '/v2/apps/x/versions/%00'],
      ['POST', '/v2/apps/x/restart'],
      ['GET', '/v2/groups/%2e%2e/%2e%2e'],
      ['PUT', '/v2/groups/g?dryRun=true'],
      ['POST', '/v2/groups/restart'],
      ['DELETE', '/v2/groups/nope'],
      ['DELETE', '/v2/queue/%E0%A4%A/delay'],
      ['DELETE', '/v2/queue/../../delay'],
      ['POST', '/v2/tasks/delete?scale=true'],
      ['GET', '/v2/tasks?status=weird'],
      ['DELETE', '/v2/deployments/../../x'],
      ['PATCH', '/v2/apps'],
      ['PUT', '/v2/apps'],
    ]
    const bodies: unknown[] = ['', '{', '[]', '{}', 'null', '1', '"s"', {id: 5}, {apps: {}}, {groups: [1]}, {ids: 'x'}, {ids: [1]}, [{id: 3}], [{}], {scaleBy: -1}, {version: 7}]
    for (const [method, p] of routes) for (const b of method === 'GET' || method === 'DELETE' ? [undefined] : bodies) await send(method, p, b)
    assert.equal((await send('GET', '/v2/groups')).status, 200)
    assert.equal((await send('GET', '/v2/apps')).status, 200)
    assert.deepEqual(bugs, [])
  })

  /** A request with its path sent as written (a URL string would have `..` and `%2e%2e` resolved by the client). */
  const sendAsWritten = (method: string, p: string, body?: unknown): Promise<{status: number; text: string; json: () => any}> =>
    new Promise((resolve, reject) => {
      const text = body === undefined ? '' : JSON.stringify(body)
      const {hostname, port} = new URL(marathon.url)
      const req = http.request({hostname, port, path: p, method, agent: false, headers: {'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text)}}, (res) => {
        let out = ''
        res.setEncoding('utf8')
        res.on('data', (d) => (out += d))
        res.on('end', () => resolve({status: res.statusCode ?? 0, text: out, json: () => JSON.parse(out)}))
      })
      req.on('error', reject)
      req.end(text)
    })

  const app = (id: string, instances = 0) => ({id, cmd: 'sleep 1', instances, cpus: 0.01, mem: 16})
  const appIds = async () => ((await send('GET', '/v2/apps')).json().apps as {id: string}[]).map((a) => a.id).sort()

  it("refuses '.' and '..' behind encoded slashes in app and group ids of URLs: an app created elsewhere, the root group deleted", async () => {
    assert.equal((await send('POST', '/v2/apps', app('/dots/a'))).status, 201)
    const before = await appIds()
    for (const p of ['/v2/apps/dots/a%2f..%2f..%2fetc', '/v2/apps/dots/a%2F..%2Fb', '/v2/apps/dots%2f.%2fc', '/v2/apps/dots/a%2f..']) {
      const r = await sendAsWritten('PUT', p, app('x'))
      assert.equal(r.status, 400, `PUT ${p}: ${r.text}`)
      assert.match(r.json().message, /'\.' or '\.\.' segment/)
    }
    assert.equal((await sendAsWritten('DELETE', '/v2/apps/nope%2f..%2fdots/a')).status, 400)
    for (const [method, p] of [['DELETE', '/v2/groups/dots%2f..'], ['DELETE', '/v2/groups/dots/a%2f..%2f..'], ['PUT', '/v2/groups/x%2f%2e%2e'], ['POST', '/v2/groups/dots%2f.%2fg']]) {
      const r = await sendAsWritten(method, p, method === 'DELETE' ? undefined : {})
      assert.equal(r.status, 400, `${method} ${p}: ${r.text}`)
    }
    assert.deepEqual(await appIds(), before)
  })

  it('refuses a scaleBy that takes an app beyond the instance limit, and scales nothing (1e308 was stored as 1e308 instances, then Infinity)', async () => {
    assert.equal((await send('POST', '/v2/apps?force=true', app('/scale/a', 1))).status, 201)
    assert.equal((await send('POST', '/v2/apps?force=true', app('/scale/b', 0))).status, 201)
    for (const scaleBy of [1e308, 1e6, 100_001]) {
      const r = await send('PUT', '/v2/groups/scale?force=true', {scaleBy})
      assert.equal(r.status, 422, r.text)
      assert.equal(r.json().details[0].path, '/scaleBy')
      assert.match(r.json().details[0].errors[0], /\/scale\/a .* expected 100000 or less/)
    }
    assert.equal((await send('GET', '/v2/apps/scale/a')).json().app.instances, 1)
    assert.equal((await send('PUT', '/v2/groups/scale?force=true', {scaleBy: 3})).status, 200)
    assert.equal((await send('GET', '/v2/apps/scale/a')).json().app.instances, 3)
  })

  it('refuses a group depending on itself or on a group containing its apps: Marathon\'s cyclic graph, 422 at / (accepted, it failed every later app in the group as cyclic)', async () => {
    assert.equal((await send('POST', '/v2/apps?force=true', app('/cyc/a'))).status, 201)
    for (const [method, p, body] of [
      ['PUT', '/v2/groups', {id: '/cyc', dependencies: ['/cyc']}],
      ['PUT', '/v2/groups/cyc', {dependencies: ['.']}],
      ['POST', '/v2/groups', {id: '/cyc2', groups: [{id: 'sub', dependencies: ['/cyc2'], apps: [{id: 'x', cmd: 'sleep 1'}]}]}],
      ['PUT', '/v2/groups', {id: '/cyc', dependencies: ['/']}],
    ] as const) {
      const r = await send(method, `${p}?force=true`, body)
      assert.equal(r.status, 422, `${method} ${p} ${JSON.stringify(body)}: ${r.text}`)
      assert.deepEqual(r.json(), {message: 'Object is not valid', details: [{path: '/', errors: ['Dependency graph has cyclic dependencies.']}]})
    }
    assert.equal((await send('GET', '/v2/groups/cyc2')).status, 404)
    assert.equal((await send('POST', '/v2/apps?force=true', app('/cyc/b'))).status, 201)
    // A group's dependency on an app is no edge in Marathon's graph, even on an app inside it.
    assert.equal((await send('PUT', '/v2/groups?force=true', {id: '/cyc', dependencies: ['/cyc/a']})).status, 200)
    assert.deepEqual(bugs, [])
  })
})
