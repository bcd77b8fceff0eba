/**
 * Chronos's API under seeded random and mutated requests: every write endpoint answers 204 or a
 * 4xx, never a 5xx, and a refused request changes no job. CHRONOS_FUZZ_SEED replays a run.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import {startChronos, type ChronosService} from '../../src/frameworks/chronos'
import {StandInMaster} from './driver-stand-in-master'

const SEED = Number(process.env.CHRONOS_FUZZ_SEED ?? 20261121)
const REQUESTS = 1500

/** mulberry32: small, seedable, good enough to pick mutations. */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const ODD_VALUES: unknown[] = [
  null, true, false, 0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, '', ' ', 'x'.repeat(5000), '\u0000', '../..', '%2F', 'ü💥', '__proto__',
  [], [''], [null], [1, 2], {}, {name: 'A', value: 'b'}, {__proto__: {polluted: true}}, 'R', 'R/', 'R//', 'R-1//PT1S', 'R/2026-02-30T00:00:00Z/PT1S',
  'R/+275760-09-13T00:00:00Z/PT1S', 'R/0001-01-01T00:00:00Z/PT1S', 'R/9999-12-31T23:59:59Z/PT1S', 'R1//P1000000Y', 'R//PT0.001S', 'PT60S', 'P1000000Y', 'PT-1S',
  'America/New_York', 'Etc/GMT+14', 'UTC', 'Mars/Phobos', [['rack', 'EQUALS', 'a']], [['rack', 'LIKE']], ['a', 'b'],
]
const FIELDS = [
  'name', 'command', 'schedule', 'scheduleTimeZone', 'parents', 'epsilon', 'retries', 'cpus', 'mem', 'disk', 'shell', 'async', 'disabled', 'uris',
  'environmentVariables', 'arguments', 'constraints', 'container', 'successCount', 'errorCount', 'lastSuccess', 'lastError', 'owner', 'runAsUser', '__proto__', 'constructor',
]

function call(base: string, method: string, p: string, body?: string): Promise<{status: number; text: string}> {
  return new Promise((resolve, reject) => {
    const req = http.request(base + p, {method, agent: false, headers: body === undefined ? {} : {'Content-Type': 'application/json'}}, (res) => {
      let data = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (data += d))
      res.on('end', () => resolve({status: res.statusCode ?? 0, text: data}))
    })
    req.on('error', reject)
    req.end(body)
  })
}

describe(`Chronos API robustness (seed ${SEED})`, () => {
  let master: StandInMaster
  let service: ChronosService
  let dir: string

  before(async () => {
    master = await StandInMaster.start()
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chronos-fuzz-'))
    service = await startChronos({
      masterUrl: master.url,
      frameworkName: 'chronos-fuzz',
      hostname: '127.0.0.1',
      user: 'root',
      role: '*',
      failoverTimeoutSeconds: 60,
      failureRetryMs: 1000,
      disableAfterFailures: 0,
      declineOfferMs: 5000,
      stateDir: dir,
      bindHost: '127.0.0.1',
      port: 0,
    })
  })
  after(async () => {
    await service?.close()
    await master?.close()
    fs.rmSync(dir, {recursive: true, force: true})
  })

  test('mutated jobs and odd paths answer 204 or a 4xx, and a refused request changes nothing', async () => {
    const rand = rng(SEED)
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]
    const u = service.url
    const seeds: Record<string, unknown>[] = [
      {name: 'base', command: 'echo base', schedule: 'R/2099-01-01T00:00:00Z/P1D'},
      {name: 'dep', command: 'echo dep', parents: ['base']},
      {name: 'full', command: 'echo full', schedule: 'R5/2099-03-08T02:30:00/PT1H', scheduleTimeZone: 'America/New_York', epsilon: 'PT30S', retries: 3, cpus: 0.2, mem: 64, disk: 10, uris: ['http://x/y.tgz'], environmentVariables: [{name: 'A', value: 'b'}], arguments: ['-v']},
    ]
    for (const s of seeds) assert.equal((await call(u, 'POST', s.parents ? '/scheduler/dependency' : '/scheduler/iso8601', JSON.stringify(s))).status, 204)
    const counts: Record<number, number> = {}
    for (let i = 0; i < REQUESTS; i++) {
      const before = (await call(u, 'GET', '/scheduler/jobs')).text
      const kind = rand()
      let method: string
      let p: string
      let body: string | undefined
      if (kind < 0.7) {
        const job: Record<string, unknown> = structuredClone(pick(seeds))
        for (let k = 1 + Math.floor(rand() * 3); k > 0; k--) {
          const f = pick(FIELDS)
          if (rand() < 0.2) delete job[f]
          else job[f] = pick(ODD_VALUES)
        }
        if (rand() < 0.5) job.name = 'base'
        method = pick(['POST', 'PUT'])
        p = `${pick(['/scheduler', '/v1/scheduler'])}/${pick(['iso8601', 'dependency'])}`
        body = rand() < 0.05 ? JSON.stringify(job).slice(0, Math.floor(rand() * 50)) : JSON.stringify(job)
      } else {
        const name = pick(['base', 'missing', '..', '%2E%2E', 'a%2Fb', '%00', 'x'.repeat(300), '%E0%A4%A', 'dep', '__proto__'])
        const route = pick([['PUT', 'job/'], ['DELETE', 'job/'], ['DELETE', 'task/kill/'], ['PUT', 'job/success/'], ['GET', 'job/stat/'], ['GET', 'jobs/search?limit=']])
        method = route[0]
        p = `${pick(['/scheduler', '/v1/scheduler'])}/${route[1]}${name}${rand() < 0.3 ? `?arguments=${encodeURIComponent(String(pick(ODD_VALUES)))}` : ''}`
        // Runs and deletes of the seed jobs would change state legitimately: only odd names here.
        if (name === 'base' || name === 'dep') p = p.replace(/(base|dep)(?=$|\?)/, 'missing')
        body = rand() < 0.3 ? JSON.stringify(pick(ODD_VALUES)) : undefined
      }
      const r = await call(u, method, p, body).catch((e: Error) => {
        throw new Error(`${method} ${p} ${body?.slice(0, 200)}: ${e.message}`)
      })
      counts[r.status] = (counts[r.status] ?? 0) + 1
      assert.ok(r.status < 500, `${method} ${p} ${body?.slice(0, 200)}: ${r.status} ${r.text}`)
      assert.ok([200, 204, 400, 404, 405, 413].includes(r.status), `${method} ${p}: unexpected ${r.status}`)
      if (r.status >= 400) assert.equal((await call(u, 'GET', '/scheduler/jobs')).text, before, `${method} ${p} was refused (${r.status}) but changed the jobs`)
      if (r.status === 204 && method !== 'GET' && p.includes('iso8601')) {
        // An accepted replacement of `base` may turn it into a dependent job: put the seeds back.
        for (const s of seeds) await call(u, 'POST', s.parents ? '/scheduler/dependency' : '/scheduler/iso8601', JSON.stringify(s))
      }
    }
    assert.ok((counts[400] ?? 0) > REQUESTS / 4, `mostly refused: ${JSON.stringify(counts)}`)
    assert.ok((counts[204] ?? 0) > 10, `some accepted: ${JSON.stringify(counts)}`)
    assert.equal((await call(u, 'GET', '/ping')).status, 200)
  })
})
