/**
 * The limits every runtime server gets from serve(), on a real socket with small limits so that
 * nothing waits for the production timeouts: request targets that are not paths, bodies over
 * the limit (declared and chunked) answered 413 while the rest is discarded, JSON nested too
 * deeply, heads that are too large, carry too many headers or arrive too slowly (slowloris),
 * idle connections, and the connection count.
 */
import assert from 'node:assert/strict'
import net from 'node:net'
import {after, before, describe, it} from 'node:test'
import {Router, parseTarget, serve, type Server} from '../../src/runtime/http'

interface RawAnswer {
  /** Everything the server sent. */
  text: string
  /** The server closed the connection (within the wait). */
  closed: boolean
  ms: number
}

/** Writes `chunks` to a fresh connection, `gapMs` apart, and collects the answer for up to `waitMs`. */
function exchange(port: number, chunks: string[], {gapMs = 0, waitMs = 2000} = {}): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const started = Date.now()
    const socket = net.connect(port, '127.0.0.1')
    let text = ''
    let done = false
    const finish = (closed: boolean) => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      resolve({text, closed, ms: Date.now() - started})
    }
    const timer = setTimeout(() => finish(false), waitMs)
    socket.setEncoding('latin1')
    socket.on('data', (d: string) => (text += d))
    socket.on('error', () => {})
    socket.on('close', () => finish(true))
    void (async () => {
      for (const chunk of chunks) {
        if (socket.destroyed || done) return
        socket.write(chunk)
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs))
      }
    })()
  })
}

const statusOf = (a: RawAnswer) => Number(/^HTTP\/1\.1 (\d{3})/.exec(a.text)?.[1] ?? 0)

describe('serve() limits', () => {
  let server: Server
  const HEADERS_TIMEOUT_MS = 300
  before(async () => {
    const router = new Router()
    router.get('/ok', () => 'ok')
    router.post('/size', async (req) => ({bytes: (await req.body()).length}))
    router.post('/json', async (req) => ({type: typeof (await req.json())}))
    server = await serve({
      router,
      limits: {maxBodyBytes: 1000, maxJsonDepth: 8},
      connections: {maxHeaderBytes: 2048, maxHeaders: 20, headersTimeoutMs: HEADERS_TIMEOUT_MS, requestTimeoutMs: 600, maxConnections: 6},
    })
  })
  after(() => server.close())

  const get = (path: string, extra = '') => exchange(server.port, [`GET ${path} HTTP/1.1\r\nHost: x\r\n${extra}Connection: close\r\n\r\n`])

  it('reads a request target as a path: `//[` is a path, not a malformed host, and the server lives on', async () => {
    assert.equal(statusOf(await get('//[')), 404)
    assert.equal(statusOf(await get('//ok')), 200, 'runs of slashes route as one, as before')
    assert.equal(parseTarget('//x/master/state')?.pathname, '//x/master/state')
    assert.equal(parseTarget('http://other:1/ok?a=1')?.pathname, '/ok')
    assert.equal(parseTarget('*'), undefined)
    assert.equal(parseTarget('ok'), undefined)
    assert.equal(statusOf(await get('http://other:1/ok')), 200, 'absolute-form is accepted (RFC 9112 §3.2.2)')
    assert.equal(statusOf(await get('*')), 400)
    assert.equal(statusOf(await get('/ok')), 200)
  })

  it('answers a body over the limit with 413, declared or chunked, and discards the rest: the connection stays usable', async () => {
    const next = 'GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
    const declared = await exchange(server.port, [`POST /size HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n${'x'.repeat(5000)}`, next], {gapMs: 20})
    assert.equal(statusOf(declared), 413, declared.text)
    assert.match(declared.text, /limit of 1000 bytes[\s\S]*HTTP\/1\.1 200 OK/, 'the next request on the connection is served')
    const chunk = `3e8\r\n${'x'.repeat(1000)}\r\n`
    const chunks = Array.from({length: 40}, () => chunk)
    const chunked = await exchange(server.port, [`POST /size HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n`, ...chunks, '0\r\n\r\n', next], {gapMs: 2})
    assert.equal(statusOf(chunked), 413, `a chunked body over the limit is answered, not reset: ${JSON.stringify(chunked.text.slice(0, 100))}`)
    assert.match(chunked.text, /HTTP\/1\.1 200 OK/)
    const within = await exchange(server.port, [`POST /size HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`, chunk, '0\r\n\r\n'], {gapMs: 10})
    assert.equal(statusOf(within), 200)
    assert.match(within.text, /\{"bytes":1000\}/)
  })

  it('answers JSON nested deeper than the limit with 400', async () => {
    const body = '['.repeat(9) + ']'.repeat(9)
    const deep = await exchange(server.port, [`POST /json HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`])
    assert.equal(statusOf(deep), 400)
    assert.match(deep.text, /JSON nesting is 9 levels deep; the limit is 8/)
    const ok = '['.repeat(8) + ']'.repeat(8)
    assert.equal(statusOf(await exchange(server.port, [`POST /json HTTP/1.1\r\nHost: x\r\nContent-Length: ${ok.length}\r\nConnection: close\r\n\r\n${ok}`])), 200)
  })

  it('answers a head over the size limit with 431, too many headers with 431, garbage with 400', async () => {
    const big = await get('/ok', `X-Big: ${'a'.repeat(4000)}\r\n`)
    assert.equal(statusOf(big), 431)
    assert.ok(big.closed)
    const many = await get('/ok', Array.from({length: 21}, (_, i) => `X-${i}: ${i}\r\n`).join(''))
    assert.equal(statusOf(many), 431)
    assert.equal(statusOf(await get('/ok', Array.from({length: 17}, (_, i) => `X-${i}: ${i}\r\n`).join(''))), 200, '20 headers in all are fine')
    const garbage = await exchange(server.port, ['\u0000\u0001 not http at all\r\n\r\n'])
    assert.equal(statusOf(garbage), 400)
    assert.ok(garbage.closed)
  })

  it('closes a head sent one byte at a time once the header timeout passes (slowloris), with 408', async () => {
    const head = `GET /ok HTTP/1.1\r\nHost: x\r\nX-Slow: ${'s'.repeat(60)}\r\n\r\n`
    const slow = await exchange(server.port, head.split(''), {gapMs: 25, waitMs: 5000})
    assert.ok(slow.closed, 'the connection is closed')
    assert.equal(statusOf(slow), 408)
    assert.ok(slow.ms >= HEADERS_TIMEOUT_MS && slow.ms < HEADERS_TIMEOUT_MS + 1500, `closed after ${slow.ms} ms`)
  })

  it('closes a connection that never sends anything', async () => {
    const idle = await exchange(server.port, [], {waitMs: 5000})
    assert.ok(idle.closed)
    assert.ok(idle.ms < 2500, `closed after ${idle.ms} ms`)
  })

  it('closes connections beyond the limit at once, and serves again when some go', async () => {
    const held: net.Socket[] = []
    try {
      for (let i = 0; i < 6; i++) held.push(net.connect(server.port, '127.0.0.1').on('error', () => {}))
      await Promise.all(held.map((s) => new Promise((r) => (s.connecting ? s.once('connect', r) : r(undefined)))))
      await new Promise((r) => setTimeout(r, 50))
      const extra = await get('/ok')
      assert.equal(extra.text, '', 'nothing is answered over the limit')
      assert.ok(extra.closed && extra.ms < 500)
    } finally {
      for (const s of held) s.destroy()
    }
    await new Promise((r) => setTimeout(r, 50))
    assert.equal(statusOf(await get('/ok')), 200)
  })
})
