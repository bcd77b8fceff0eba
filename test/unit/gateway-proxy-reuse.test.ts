/**
 * The gateway proxy and kept-alive upstream connections: a request with a body that meets a
 * pooled connection the upstream has just closed goes out once on a fresh one (nothing of it was
 * written to the dead one), and pooled connections are dropped before the upstream's announced
 * keep-alive timeout, so the race is not met in the first place.
 */
import assert from 'node:assert/strict'
import http from 'node:http'
import type {AddressInfo, Socket} from 'node:net'
import {after, before, describe, it} from 'node:test'
import {Router, serve, type Request, type Server} from '../../src/runtime/http'
import {Proxy} from '../../src/runtime/gateway/proxy'

interface Upstream {
  server: http.Server
  base: URL
  sockets: Set<Socket>
  /** Bodies of the requests that reached the handler, in order. */
  bodies: string[]
}

async function upstream(keepAliveTimeoutMs: number): Promise<Upstream> {
  const sockets = new Set<Socket>()
  const bodies: string[] = []
  const server = http.createServer({keepAliveTimeout: keepAliveTimeoutMs}, (req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      bodies.push(body)
      // A handler that dies mid-request: the connection goes without an answer.
      if (req.url === '/crash') {
        req.socket.destroy()
        return
      }
      res.writeHead(200, {'Content-Type': 'text/plain'})
      res.end(`got ${body}`)
    })
  })
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {server, sockets, bodies, base: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)}
}

function closeUpstream(u: Upstream): Promise<void> {
  return new Promise((resolve) => {
    u.server.close(() => resolve())
    u.server.closeAllConnections()
  })
}

function send(url: string, method: string, body?: string): Promise<{status: number; body: string}> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {method, agent: false, headers: body === undefined ? {} : {'Content-Type': 'text/plain'}}, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (text += d))
      res.on('end', () => resolve({status: res.statusCode ?? 0, body: text}))
    })
    req.on('error', reject)
    req.end(body)
  })
}

describe('proxy: a pooled upstream connection closed as it is reused', () => {
  let up: Upstream
  let proxy: Proxy
  let gateway: Server
  /** Set by a test: the upstream closes its idle connections just as the proxy takes one from its pool. */
  let closeIdleFirst = false

  before(async () => {
    // A long keep-alive: the upstream never closes on its own during the test; the test closes.
    up = await upstream(60_000)
    proxy = new Proxy()
    const router = new Router()
    const handler = (req: Request) => {
      if (closeIdleFirst) {
        closeIdleFirst = false
        // Synchronously, before the proxy asks its pool: the upstream's FIN is on its way (on
        // loopback, already in the gateway's socket) but not yet seen by the gateway's loop.
        assert.equal(up.sockets.size, 1, 'one pooled connection to the upstream')
        for (const s of up.sockets) s.destroy()
      }
      return proxy.forward(req, {describe: 'test upstream', base: up.base}, req.path, '')
    }
    router.post('/echo', handler)
    router.put('/echo', handler)
    router.get('/echo', handler)
    router.post('/crash', handler)
    gateway = await serve({router, host: '127.0.0.1', port: 0, errorBody: (e) => ({message: e.message})})
  })
  after(async () => {
    await gateway.close()
    proxy.close()
    await closeUpstream(up)
  })

  for (const method of ['POST', 'PUT']) {
    it(`a ${method} with a body goes out once on a fresh connection, not as a 502`, async () => {
      const warm = await send(`${gateway.url}/echo`, method, 'first')
      assert.equal(warm.status, 200)
      up.bodies.length = 0
      closeIdleFirst = true
      const res = await send(`${gateway.url}/echo`, method, `second ${method}`)
      assert.equal(res.status, 200, res.body)
      assert.equal(res.body, `got second ${method}`)
      assert.deepEqual(up.bodies, [`second ${method}`], 'the upstream handled it exactly once')
    })
  }

  it('a POST the upstream read and then dropped is a 502, never sent twice', async () => {
    assert.equal((await send(`${gateway.url}/echo`, 'POST', 'warm')).status, 200)
    up.bodies.length = 0
    const res = await send(`${gateway.url}/crash`, 'POST', 'once only')
    assert.equal(res.status, 502, res.body)
    assert.match(res.body, /test upstream is unreachable \(ECONNRESET\)/)
    assert.deepEqual(up.bodies, ['once only'], 'the upstream handled it exactly once')
  })

  it('a GET, as before, goes out again on a fresh connection', async () => {
    await send(`${gateway.url}/echo`, 'GET')
    up.bodies.length = 0
    closeIdleFirst = true
    const res = await send(`${gateway.url}/echo`, 'GET')
    assert.equal(res.status, 200, res.body)
    assert.deepEqual(up.bodies, [''])
  })
})

describe("proxy: pooled connections and the upstream's keep-alive timeout", () => {
  it('drops a pooled connection before the timeout the upstream announces (Keep-Alive: timeout=2)', async () => {
    const up = await upstream(2_000)
    const proxy = new Proxy()
    const router = new Router()
    router.post('/echo', (req) => proxy.forward(req, {describe: 'test upstream', base: up.base}, req.path, ''))
    const gateway = await serve({router, host: '127.0.0.1', port: 0})
    try {
      assert.equal((await send(`${gateway.url}/echo`, 'POST', 'x')).status, 200)
      assert.equal(up.sockets.size, 1)
      // The agent keeps it for timeout - 1 s: closed by the proxy's side well before the upstream's 2 s.
      const closedAt = Date.now()
      await new Promise<void>((resolve) => {
        const [s] = up.sockets
        s.on('close', () => resolve())
      })
      const idleMs = Date.now() - closedAt
      assert.ok(idleMs < 1_700, `closed after ${idleMs} ms: the pool must let go before the upstream's 2,000 ms`)
    } finally {
      await gateway.close()
      proxy.close()
      await closeUpstream(up)
    }
  })
})
