/**
 * Pure verdicts over time: launch backoff (docs/backoff.md), health-check verdicts (grace
 * period, consecutive failures), the label selector, and the probes against real sockets.
 */
import assert from 'node:assert/strict'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import {describe, it} from 'node:test'
import {normalizeApp} from '../../src/runtime/marathon/app-definition'
import {Violations} from '../../src/runtime/marathon/errors'
import {healthVerdict, probe} from '../../src/runtime/marathon/health'
import {LaunchQueue, nextBackoff} from '../../src/runtime/marathon/launch-queue'
import {parseLabelSelector} from '../../src/runtime/marathon/api/label-selector'

const app = normalizeApp({id: '/crash', cmd: 'exit 1', backoffSeconds: 1, backoffFactor: 2, maxLaunchDelaySeconds: 10}, {base: '/', role: '*', version: 'v'}, new Violations())

describe('backoff', () => {
  it('grows by the factor up to the maximum, and starts over after a quiet spell or a new config', () => {
    let b = nextBackoff(undefined, app, 'c1', 0)
    assert.deepEqual([b.delaySeconds, b.until], [1, 1000])
    const delays = [b.delaySeconds]
    for (let i = 1; i < 6; i++) {
      b = nextBackoff(b, app, 'c1', i * 1000)
      delays.push(b.delaySeconds)
    }
    assert.deepEqual(delays, [1, 2, 4, 8, 10, 10])
    assert.equal(nextBackoff(b, app, 'c1', 5000 + 20_001).delaySeconds, 1, 'no failure for delay + max')
    assert.equal(nextBackoff(b, app, 'c2', 6000).delaySeconds, 1, 'a new configuration')
  })

  it('is what the launch queue reports, until it runs out or is reset', () => {
    const q = new LaunchQueue()
    q.failed(app, 'c1', 0)
    assert.equal(q.delay('/crash', 'c1', 500)?.until, 1000)
    assert.equal(q.delay('/crash', 'c1', 1000), undefined)
    q.failed(app, 'c1', 1000)
    q.resetDelay('/crash')
    assert.equal(q.delay('/crash', 'c1', 1001), undefined)
    q.failed(app, 'c1', 2000)
    assert.equal(q.delay('/crash', 'c2', 2001), undefined, 'a new configuration launches at once')
  })
})

describe('health verdicts', () => {
  const check = {gracePeriodSeconds: 10, maxConsecutiveFailures: 3}
  it('ignores failures in the grace period until a first success', () => {
    assert.deepEqual(healthVerdict(undefined, {ok: false}, check, 0, 5_000), {result: undefined, kill: false})
    const ok = healthVerdict(undefined, {ok: true}, check, 0, 5_000).result!
    assert.equal(ok.alive, true)
    const after = healthVerdict(ok, {ok: false, cause: 'HTTP 500'}, check, 0, 6_000)
    assert.deepEqual([after.result?.alive, after.result?.consecutiveFailures, after.result?.lastFailureCause, after.kill], [false, 1, 'HTTP 500', false])
  })

  it('kills after maxConsecutiveFailures in a row past the grace period; 0 never kills', () => {
    let r = healthVerdict(undefined, {ok: false}, check, 0, 11_000)
    r = healthVerdict(r.result, {ok: false}, check, 0, 12_000)
    assert.equal(r.kill, false)
    r = healthVerdict(r.result, {ok: false}, check, 0, 13_000)
    assert.equal(r.kill, true)
    assert.equal(healthVerdict(r.result, {ok: true}, check, 0, 14_000).result?.consecutiveFailures, 0)
    assert.equal(healthVerdict(r.result, {ok: false}, {...check, maxConsecutiveFailures: 0}, 0, 14_000).kill, false)
  })

  it('probes HTTP (200-399 passes), TCP and COMMAND for real', async () => {
    let status = 200
    const server = http.createServer((req, res) => {
      res.statusCode = req.url === '/health' ? status : 404
      res.end()
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const port = (server.address() as AddressInfo).port
    try {
      const hc = (over: object) => normalizeApp({id: '/h', cmd: 'x', healthChecks: [{path: '/health', timeoutSeconds: 2, ...over}]}, {base: '/', role: '*', version: 'v'}, new Violations()).healthChecks![0]
      const task = {host: '127.0.0.1', ports: [port]}
      assert.deepEqual(await probe(hc({}), task, {}), {ok: true})
      status = 503
      assert.deepEqual(await probe(hc({}), task, {}), {ok: false, cause: 'HTTP 503'})
      assert.equal((await probe(hc({protocol: 'TCP'}), task, {})).ok, true)
      assert.equal((await probe(hc({protocol: 'MESOS_TCP'}), {host: '127.0.0.1', ports: [1]}, {})).ok, false)
      assert.equal((await probe(hc({protocol: 'COMMAND', command: {value: 'test "$PORT0" = 42'}}), task, {PORT0: '42'})).ok, true)
      assert.equal((await probe(hc({protocol: 'COMMAND', command: {value: 'exit 3'}}), task, {})).cause, 'exit status 3')
    } finally {
      server.close()
    }
  })
})

describe('label selector', () => {
  it('has Marathon’s terms', () => {
    const labels = {env: 'prod', tier: 'web', 'a.b': 'x y'}
    const yes = ['env', 'env==prod', 'env!=dev', 'tier in (web,db)', 'tier notin (db)', 'env==prod,tier==web', 'a.b==x\\ y', 'missing!=x']
    const no = ['missing', 'env==dev', 'tier in (db)', 'env notin (prod)', 'env==prod,tier==db']
    for (const s of yes) assert.equal(parseLabelSelector(s)(labels), true, s)
    for (const s of no) assert.equal(parseLabelSelector(s)(labels), false, s)
    assert.throws(() => parseLabelSelector('env ~ x'))
  })
})
