/**
 * Bad input never breaks Marathon's API: every app fixture, each field replaced by values of
 * every JSON type (and edge values), sent to POST, PUT and PATCH of apps and to groups; odd
 * paths and query values. Each answer is a 2xx, 400, 404, 409 or 422 in Marathon's JSON error
 * shape, never a 500, and the state stays readable. Marathon runs without a master here: only
 * the API is under test.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, it} from 'node:test'
import type {Logger} from '../../src/runtime/log'
import {startMarathon, type MarathonComponent} from '../../src/runtime/marathon'
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
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'marathon-robust-'))
  const bugs: string[] = []
  const log: Logger = {info() {}, warn() {}, error: (m) => bugs.push(m)}
  let marathon: MarathonComponent

  before(async () => {
    marathon = await startMarathon({role: 'marathon', host: '127.0.0.1', port: 0, masterUrl: 'http://127.0.0.1:1', workDir: path.join(dir, 'marathon')}, {log, reconnect: {minMs: 1000, maxMs: 5000}})
  })
  after(async () => {
    await marathon?.close()
    fs.rmSync(dir, {recursive: true, force: true})
  })

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
})
