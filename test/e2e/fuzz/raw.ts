/**
 * Requests no HTTP client library would send, written to the socket byte for byte: request
 * targets that are not paths (`//[`, absolute-form, `*`), bad versions, conflicting lengths
 * (request smuggling), broken chunked encoding, folded and malformed headers, bare LF line ends,
 * HTTP/2 and TLS prefaces, plain garbage. The server must answer with a 4xx or close the
 * connection, and must not die.
 */
import net from 'node:net'
import type {Random} from './random'
import {randomText} from './values'

export interface RawCase {
  label: string
  /** Written in order, `gapMs` apart. */
  chunks: Buffer[]
  /** The request is complete: the server owes an answer or a close (an incomplete one is just dropped). */
  complete: boolean
}

export interface RawAnswer {
  /** The status of the first response, 0 when none came. */
  status: number
  closed: boolean
  /** The server neither answered nor closed a complete request in time. */
  hung: boolean
  excerpt: string
}

const TARGETS = [
  '//[',
  '//x/master/state',
  'http://evil.example/master/state',
  '*',
  '',
  'master/state',
  '/a b',
  '/%',
  '/%zz',
  '/\u0000',
  '/..\\..\\etc',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/\u00ff\u00fe',
  '/?%',
  '//',
  '/#frag',
  `/${'a'.repeat(20_000)}`,
]
const METHODS = ['GET', 'POST', 'get', 'PUT', 'FOO', 'CONNECT', 'G\u0000T', '', 'PRI', 'GET GET']
const VERSIONS = ['HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', 'HTTP/1.1 x', '', 'http/1.1', 'HTTP/1.01']
const PATHS = ['/master/state', '/api/v1/scheduler', '/internal/v1/run_task', '/acs/api/v1/auth/login', '/mesos/master/state', '/state', '/health']
const LENGTH_CONFLICTS = ['Content-Length: 6', 'Transfer-Encoding: chunked', 'Transfer-Encoding: chunked, identity', 'Content-Length: -1', 'Content-Length: 5x']
const BAD_CHUNKS = ['zz\r\n{}\r\n0\r\n\r\n', 'ffffffffffffffffff\r\n{}\r\n', '2\r\n{}0\r\n\r\n', '-1\r\n\r\n', '2;ext=\u0000\r\n{}\r\n0\r\n\r\n']
const BAD_HEADERS = ['NoColon', ' Folded: value', 'Bad Name: v', 'X: a\u0000b', ': empty', 'X:\u0001', 'Host: a', 'Content-Length: 0\r\n Content-Length: 5']

const bytes = (s: string) => Buffer.from(s, 'latin1')
const requestLine = (method: string, target: string, version = 'HTTP/1.1') => `${method} ${target} ${version}`.trimEnd()
const head = (first: string, headers: string[], eol = '\r\n') => [first, ...headers].join(eol) + eol + eol

/** One raw request; `auth` (a valid Authorization value) goes with most, so they reach the handlers. */
export function rawCase(rng: Random, auth: string): RawCase {
  const withAuth = (headers: string[]) => (rng.chance(0.8) ? [...headers, `Authorization: ${auth}`] : headers)
  const path = rng.pick(PATHS)
  const complete = (label: string, text: string): RawCase => ({label, chunks: [bytes(text)], complete: true})
  return rng.weighted<() => RawCase>([
    [4, () => complete('odd request target', head(requestLine(rng.pick(['GET', 'POST']), rng.pick(TARGETS)), withAuth(['Host: x', 'Content-Length: 0'])))],
    [2, () => complete('odd method or version', head(requestLine(rng.pick(METHODS), path, rng.pick(VERSIONS)), withAuth(['Host: x'])))],
    [2, () => complete('conflicting lengths', head(requestLine('POST', path), withAuth(['Host: x', 'Content-Length: 5', rng.pick(LENGTH_CONFLICTS)])) + '{}{}{}0\r\n\r\n')],
    [2, () => complete('broken chunked body', head(requestLine('POST', path), withAuth(['Host: x', 'Content-Type: application/json', 'Transfer-Encoding: chunked'])) + rng.pick(BAD_CHUNKS))],
    [2, () => complete('malformed headers', head(requestLine('GET', path), withAuth(['Host: x', rng.pick(BAD_HEADERS)])))],
    [1, () => complete('bare LF line ends', head(requestLine('GET', path), withAuth(['Host: x']), '\n'))],
    [1, () => complete('HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')],
    [1, () => ({label: 'TLS hello', chunks: [Buffer.from('16030100a5010000a10303', 'hex'), Buffer.alloc(160, 7)], complete: true})],
    [1, () => complete('random bytes', randomText(rng, rng.range(1, 400), true) + '\r\n\r\n')],
    [1, () => complete('pipelined with garbage', head(requestLine('GET', '/health'), ['Host: x']) + head(requestLine('GET', path), withAuth(['Host: x'])) + 'GARBAGE\r\n\r\n')],
    [1, () => ({label: 'truncated body', chunks: [bytes(head(requestLine('POST', path), withAuth(['Host: x', 'Content-Length: 100'])) + '{"type":')], complete: false})],
    [1, () => complete('huge head', head(requestLine('GET', path), withAuth(['Host: x', `X-Big: ${'b'.repeat(rng.pick([17_000, 70_000]))}`])))],
  ])()
}

/** Sends `c` to host:port and reads the answer; a complete request unanswered after `waitMs` has hung. */
export function sendRaw(url: string, c: RawCase, waitMs: number): Promise<RawAnswer> {
  const {hostname, port} = new URL(url)
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname)
    let text = ''
    let done = false
    const finish = (closed: boolean, timedOut: boolean) => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0)
      resolve({status, closed, hung: timedOut && c.complete && status === 0, excerpt: text.slice(0, 200)})
    }
    const timer = setTimeout(() => finish(false, true), c.complete ? waitMs : 300)
    socket.setEncoding('latin1')
    socket.on('data', (d: string) => {
      text += d
      // One answer is enough: the connection may stay open for the next request.
      if (/\r\n\r\n/.test(text)) setTimeout(() => finish(false, false), 20)
    })
    socket.on('error', () => finish(true, false))
    socket.on('close', () => finish(true, false))
    socket.on('connect', () => {
      for (const chunk of c.chunks) socket.write(chunk)
    })
  })
}
