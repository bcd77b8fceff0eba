/**
 * The fuzz test's generator, without a cluster: a seed replays the same requests (the promise
 * FUZZ_SEED makes), request i does not depend on the others, protected fields survive every
 * mutation the server could parse, forged tokens are never the real one, and bodies stay bounded.
 */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {Random, TARGETS, brokenAuthorization, generate, type FuzzContext, type FuzzRequest} from '../e2e/fuzz'
import {mutate, toJsonText} from '../e2e/fuzz/values'

const ctx: FuzzContext = {
  bases: {master: ['http://127.0.0.1:1', 'http://127.0.0.1:3/mesos'], agent: ['http://127.0.0.2:2', 'http://127.0.0.1:3/agent/S0'], gateway: ['http://127.0.0.1:3'],
    marathon: ['http://127.0.0.1:4', 'http://127.0.0.1:3/marathon', 'http://127.0.0.1:3/service/marathon'],
    chronos: ['http://127.0.0.3:5', 'http://127.0.0.1:3/service/chronos'],
  },
  authorization: 'token=eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1aWQiOiJhZG1pbiIsImV4cCI6NDEwMjQ0NDgwMH0.c2lnbmF0dXJlLXNpZ25hdHVyZQ',
  victim: {frameworkId: 'F-0001', streamId: 'stream-1', frameworkInfo: {user: 'root', name: 'victim'}},
  witness: {frameworkId: 'F-0000', taskId: 'witness-task'},
  ghostFrameworkId: 'F-0002',
  agentId: 'S0',
  sandbox: '/var/lib/agent/slaves/S0/frameworks/F-0000/executors/witness-task/runs/c1',
  adminUid: 'admin',
  knownIds: ['F-0000', 'F-0001', 'F-0002', 'S0', 'witness-task'],
  liveFrameworkIds: ['F-0000', 'F-0001'],
}

function requestFor(seed: number, index: number): FuzzRequest {
  const rng = Random.forRequest(seed, index)
  const target = rng.weighted(TARGETS.map((t) => [t.weight ?? 1, t] as const))
  return generate(target, ctx, rng, index)
}

const comparable = (r: FuzzRequest) => ({...r, body: r.body === undefined ? undefined : Buffer.from(r.body).toString('base64'), json: toJsonText(r.json)})

describe('the fuzz generator', () => {
  it('replays a seed exactly, each request on its own', () => {
    const first = Array.from({length: 300}, (_, i) => comparable(requestFor(7, i)))
    const again = Array.from({length: 300}, (_, i) => comparable(requestFor(7, 299 - i))).reverse()
    assert.deepEqual(again, first)
    const other = Array.from({length: 300}, (_, i) => comparable(requestFor(8, i)))
    assert.notDeepEqual(other, first)
  })

  it('spreads requests over every target and keeps bodies within 3 MB', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 1500; i++) {
      const r = requestFor(11, i)
      seen.add(r.target)
      assert.ok((r.body?.length ?? 0) <= 3_000_000, `request ${i} has a body of ${r.body?.length}`)
      assert.ok(r.url.startsWith('http://127.0.0.'), r.url)
    }
    assert.deepEqual([...seen].sort(), TARGETS.map((t) => t.name).sort())
  })

  it('never lets a parsable body lose a protected field (a registration always names an invalid framework)', () => {
    const register = TARGETS.find((t) => t.name.includes('/agent/register'))!
    const invalid = toJsonText((register.seeds!(ctx)[0].body as {frameworks: unknown}).frameworks)
    for (let i = 0; i < 1000; i++) {
      const r = generate(register, ctx, Random.forRequest(3, i), i)
      const json = r.json as Record<string, unknown> | undefined
      if (json === null || typeof json !== 'object' || Array.isArray(json)) continue
      assert.equal(toJsonText(json.frameworks), invalid, `request ${i} (${r.strategy}: ${r.steps.join('; ')})`)
    }
  })

  it('mutates a copy, and leaves protected paths alone', () => {
    const valid = {a: {b: 'keep', c: 'x'}, d: [1, 2]}
    const before = toJsonText(valid)
    for (let i = 0; i < 500; i++) {
      const {value, steps} = mutate(new Random(i), valid, ['a.b'], {knownIds: ['id']}, 3)
      const text = toJsonText(value)
      const sent = text === '' ? undefined : (JSON.parse(text) as {a?: unknown} | null)
      const a = sent !== null && typeof sent === 'object' ? sent.a : undefined
      if (a !== null && typeof a === 'object' && !Array.isArray(a)) assert.equal((a as {b?: unknown}).b, 'keep', steps.join('; '))
    }
    assert.equal(toJsonText(valid), before)
  })

  it('forges tokens, never sending the real one', () => {
    const rng = new Random(5)
    for (let i = 0; i < 500; i++) assert.notEqual(brokenAuthorization(rng, ctx.authorization), ctx.authorization)
  })
})
