import assert from 'node:assert/strict'
import fs from 'node:fs'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {after, afterEach, before, beforeEach, describe, test} from 'node:test'
import NodeList from '../../commands/node/list'
import TaskList from '../../commands/task/list'
import {HttpClient} from '../../src/clients/http'
import {DcosCommand} from '../../src/cli/base'
import {DcosError, toDcosError} from '../../src/cli/errors'
import {runCommand} from '../contract/harness'

const MARKER = 'MARKER-TOKEN-7f3a9c'

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const s = http.createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const {port} = s.address() as AddressInfo
  await new Promise((r) => s.close(r))
  return port
}

interface Seen {
  url?: string
  authorization?: string
}

async function server(handler: (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen[]) => void) {
  const seen: Seen[] = []
  const s = http.createServer((req, res) => {
    seen.push({url: req.url, authorization: req.headers.authorization})
    handler(req, res, seen)
  })
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`
  const close = () => {
    s.closeAllConnections()
    return new Promise<void>((r) => s.close(() => r()))
  }
  return {url, seen, close}
}

let dcosDir: string
beforeEach(() => {
  dcosDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcos-errors-'))
})
afterEach(() => fs.rmSync(dcosDir, {recursive: true, force: true}))

describe('the HTTP client boundary', () => {
  test('connection refused: one line naming the URL and what to do', async () => {
    const port = await closedPort()
    const client = new HttpClient({baseUrl: `http://127.0.0.1:${port}/mesos`, token: MARKER})
    await assert.rejects(client.getJson('/master/state'), (e: DcosError) => {
      assert.equal(e.code, 'UNREACHABLE')
      assert.equal(e.exit, 1)
      assert.equal(e.message, `cannot reach http://127.0.0.1:${port} (connection refused). Is the cluster up? Try 'dcos cluster up'.`)
      assert.ok(!JSON.stringify({...e, message: e.message}).includes(MARKER))
      return true
    })
  })

  describe('against a server', () => {
    let srv: Awaited<ReturnType<typeof server>>
    before(async () => {
      srv = await server((req, res) => {
        if (req.url === '/401') return void res.writeHead(401).end('{"title":"Unauthorized"}')
        if (req.url === '/403') return void res.writeHead(403).end()
        if (req.url?.startsWith('/404')) return void res.writeHead(404, {'content-type': 'text/plain'}).end('No agent found\n')
        if (req.url === '/500') {
          res.writeHead(500, {'content-type': 'application/json'})
          return void res.end(JSON.stringify({message: `upstream said: ${req.headers.authorization}`}))
        }
        if (req.url === '/html') return void res.writeHead(502, {'content-type': 'text/html'}).end('<html>bad gateway</html>')
        if (req.url === '/notjson') return void res.writeHead(200).end('hello')
        if (req.url === '/hang') return // never answers
        res.writeHead(200, {'content-type': 'application/json'}).end('{"ok":true}')
      })
    })
    after(() => srv.close())

    test('sends Authorization: token=<token>', async () => {
      const client = new HttpClient({baseUrl: srv.url, token: MARKER})
      assert.deepEqual(await client.getJson('/ok'), {ok: true})
      assert.equal(srv.seen.at(-1)?.authorization, `token=${MARKER}`)
    })

    test('401 is exit 4 with the auth hint; 403 is not authorized', async () => {
      const client = new HttpClient({baseUrl: srv.url, token: MARKER})
      await assert.rejects(client.getJson('/401'), (e: DcosError) => e.exit === 4 && e.code === 'AUTH_REQUIRED' && e.message === "authentication failed, please run 'dcos auth login'")
      await assert.rejects(client.getJson('/403'), (e: DcosError) => e.exit === 1 && e.code === 'FORBIDDEN')
    })

    test('4xx/5xx carry the server message, with the token redacted; HTML pages are dropped', async () => {
      const client = new HttpClient({baseUrl: srv.url, token: MARKER})
      await assert.rejects(client.getJson('/404', {query: {path: '/x'}}), {
        message: `GET ${srv.url}/404?path=%2Fx failed: HTTP 404 Not Found: No agent found`,
      })
      await assert.rejects(client.getJson('/500'), (e: DcosError) => {
        assert.equal(e.message, `GET ${srv.url}/500 failed: HTTP 500 Internal Server Error: upstream said: token=********`)
        return e.code === 'HTTP_ERROR' && e.status === 500
      })
      await assert.rejects(client.getJson('/html'), {message: `GET ${srv.url}/html failed: HTTP 502 Bad Gateway`})
      await assert.rejects(client.getJson('/notjson'), (e: DcosError) => e.code === 'BAD_RESPONSE')
    })

    test('a silent server times out with the core.timeout hint', async () => {
      const client = new HttpClient({baseUrl: srv.url, timeoutMs: 150})
      await assert.rejects(client.getJson('/hang'), (e: DcosError) => e.code === 'TIMEOUT' && /no response within/.test(e.message))
    })
  })

  test('redirects are followed, and the token is not sent to another origin', async () => {
    const target = await server((_req, res) => res.writeHead(200, {'content-type': 'application/json'}).end('{"leader":true}'))
    const origin = await server((req, res) => {
      if (req.url === '/same') return void res.writeHead(307, {location: '/ok'}).end()
      if (req.url === '/ok') return void res.writeHead(200, {'content-type': 'application/json'}).end('{"same":true}')
      res.writeHead(307, {location: `//${new URL(target.url).host}/master/state`}).end()
    })
    try {
      const client = new HttpClient({baseUrl: origin.url, token: MARKER})
      assert.deepEqual(await client.getJson('/same'), {same: true})
      assert.equal(origin.seen.at(-1)?.authorization, `token=${MARKER}`)
      assert.deepEqual(await client.getJson('/master/state'), {leader: true})
      assert.equal(target.seen.at(-1)?.authorization, undefined)
    } finally {
      await origin.close()
      await target.close()
    }
  })
})

describe('errors as users see them', () => {
  test('connection refused: one line on stderr, no stack, exit 1', async () => {
    const port = await closedPort()
    const run = await runCommand(TaskList, [], {env: {DCOS_DIR: dcosDir, DCOS_URL: `http://127.0.0.1:${port}`}})
    assert.equal(run.exit, 1)
    assert.equal(run.stdout, '')
    assert.equal(run.stderr, `Error: cannot reach http://127.0.0.1:${port} (connection refused). Is the cluster up? Try 'dcos cluster up'.\n`)
  })

  test('--json errors are {"error":{"code","message"}} only, never the token', async () => {
    const port = await closedPort()
    const run = await runCommand(NodeList, ['--json'], {
      env: {DCOS_DIR: dcosDir, DCOS_URL: `http://127.0.0.1:${port}`, DCOS_ACS_TOKEN: MARKER},
    })
    assert.equal(run.exit, 1)
    assert.deepEqual(JSON.parse(run.stdout), {
      error: {code: 'UNREACHABLE', message: `cannot reach http://127.0.0.1:${port} (connection refused). Is the cluster up? Try 'dcos cluster up'.`},
    })
    assert.ok(!run.stdout.includes(MARKER) && !run.stderr.includes(MARKER))
  })

  test('no cluster attached and no DCOS_URL: the not-attached error', async () => {
    const run = await runCommand(NodeList, [], {env: {DCOS_DIR: dcosDir}})
    assert.equal(run.exit, 1)
    assert.equal(
      run.stderr,
      "Error: no cluster is attached. Run 'dcos cluster up' to start a local cluster, or 'dcos cluster setup <url>' to use an existing one.\n",
    )
  })

  test('a usage error exits 2 and names the command help', async () => {
    const run = await runCommand(TaskList, ['--bogus'], {env: {DCOS_DIR: dcosDir}, id: 'task:list'})
    assert.equal(run.exit, 2)
    assert.equal(run.stderr, "Error: Nonexistent flag: --bogus. See 'dcos task list --help'.\n")
  })

  test('a bug is one line too (no stack), and the token never shows', async () => {
    class Broken extends DcosCommand<void> {
      static override id = 'broken'
      async run(): Promise<void> {
        await this.parse(Broken)
        throw new TypeError(`cannot read properties of undefined (token ${MARKER})`)
      }
    }
    const run = await runCommand(Broken, [], {env: {DCOS_DIR: dcosDir, DCOS_ACS_TOKEN: MARKER}})
    assert.equal(run.exit, 1)
    assert.equal(run.stderr, 'Error: unexpected error: cannot read properties of undefined (token ********). Set DCOS_DEBUG=1 for details.\n')
  })

  test('toDcosError keeps DcosErrors and exit codes', () => {
    const e = new DcosError('X', 'x', {exit: 4})
    assert.equal(toDcosError(e), e)
    assert.equal(toDcosError(Object.assign(new Error('Missing 1 required arg:\nname'), {oclif: {exit: 2}})).message, "Missing 1 required arg: See 'dcos <command> --help'.")
  })
})
