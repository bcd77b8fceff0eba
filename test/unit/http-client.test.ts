/**
 * The runtime's node:http client (src/runtime/http/client): any status is an answer, the body is
 * read whole under a limit, the whole exchange is timed, and failures carry the socket's code.
 */
import assert from 'node:assert/strict'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import {after, before, describe, it} from 'node:test'
import {call, CallError} from '../../src/runtime/http/client'

describe('runtime http client', () => {
  let server: http.Server
  let base = ''
  const seen: {method?: string; body: string; auth?: string}[] = []

  before(async () => {
    server = http.createServer((req, res) => {
      let body = ''
      req.on('data', (d) => (body += d))
      req.on('end', () => {
        seen.push({method: req.method, body, auth: req.headers.authorization})
        if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2000)
        if (req.url === '/trickle') {
          res.write('a')
          return void setTimeout(() => res.end('b'), 2000)
        }
        if (req.url === '/big') return void res.end('x'.repeat(10_000))
        res.writeHead(req.url === '/missing' ? 404 : 200, {'Content-Type': 'application/json'}).end(JSON.stringify({url: req.url}))
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  after(() => {
    server.closeAllConnections()
    server.close()
  })

  it('sends method, headers and body; answers any status with the whole body', async () => {
    const ok = await call(`${base}/x`, {method: 'POST', headers: {Authorization: 'token=t'}, body: 'héllo', timeoutMs: 1000})
    assert.deepEqual(ok, {status: 200, text: '{"url":"/x"}'})
    assert.deepEqual(seen.at(-1), {method: 'POST', body: 'héllo', auth: 'token=t'})
    assert.equal((await call(`${base}/missing`, {timeoutMs: 1000})).status, 404)
  })

  it('fails with the socket code, TimeoutError (headers or body late) and TooLarge', async () => {
    const codeOf = (p: Promise<unknown>) =>
      p.then(
        () => 'answered',
        (e: unknown) => (assert.ok(e instanceof CallError), e.code),
      )
    const closed = http.createServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r))
    const port = (closed.address() as AddressInfo).port
    await new Promise((r) => closed.close(r))
    assert.equal(await codeOf(call(`http://127.0.0.1:${port}/`, {timeoutMs: 1000})), 'ECONNREFUSED')
    assert.equal(await codeOf(call(`${base}/slow`, {timeoutMs: 100})), 'TimeoutError')
    assert.equal(await codeOf(call(`${base}/trickle`, {timeoutMs: 100})), 'TimeoutError')
    assert.equal(await codeOf(call(`${base}/big`, {timeoutMs: 1000, maxBytes: 1000})), 'TooLarge')
    assert.equal(await codeOf(call('not a url', {timeoutMs: 1000})), 'ERR_INVALID_URL')
  })
})
