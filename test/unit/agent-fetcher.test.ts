/**
 * The fetcher: file:// and http URIs into the sandbox, tar.gz / zip / tar.bz2 extraction,
 * `executable`, `output_file`, the cache, refusals of archive entries and output files that
 * leave the sandbox, size limits, and a failed fetch failing the task as Mesos fails it.
 */
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, it} from 'node:test'
import {zipSync, strToU8} from 'fflate'
import * as tar from 'tar'
import {FetchError, fetchUris, type FetchOptions} from '../../src/runtime/agent/fetcher'
import {FRAMEWORK_ID, commandTask, startTestAgent, type TestAgent} from './agent-harness'

describe('fetcher', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcos-fetch-test-'))
  const src = path.join(dir, 'src')
  let sandboxCount = 0
  let server: http.Server
  let base = ''
  let downloads = 0
  const lines: string[] = []

  const options = (over: Partial<FetchOptions> = {}): FetchOptions => {
    const sandbox = path.join(dir, `sandbox-${++sandboxCount}`)
    fs.mkdirSync(sandbox)
    return {sandbox, cacheDir: path.join(dir, 'cache'), progress: (l) => lines.push(l), signal: new AbortController().signal, maxBytes: 1024 * 1024, timeoutMs: 5000, ...over}
  }

  before(async () => {
    fs.mkdirSync(path.join(src, 'app', 'bin'), {recursive: true})
    fs.writeFileSync(path.join(src, 'app', 'hello.txt'), 'hello from the archive\n')
    fs.writeFileSync(path.join(src, 'app', 'bin', 'run.sh'), '#!/bin/sh\necho running\n', {mode: 0o755})
    await tar.c({gzip: true, file: path.join(dir, 'app.tgz'), cwd: src}, ['app'])
    execFileSync('tar', ['-cjf', path.join(dir, 'app.tar.bz2'), '-C', src, 'app'])
    fs.writeFileSync(path.join(dir, 'app.zip'), zipSync({'app/hello.txt': strToU8('hello from the zip\n'), 'app/deep/x.txt': strToU8('x')}))
    fs.writeFileSync(path.join(dir, 'evil.zip'), zipSync({'../evil.txt': strToU8('gotcha')}))
    fs.writeFileSync(path.join(dir, 'script.sh'), '#!/bin/sh\necho script ran\n')
    fs.writeFileSync(path.join(dir, 'big.bin'), Buffer.alloc(2 * 1024 * 1024))
    server = http.createServer((req, res) => {
      if (req.url === '/files/app.tgz') {
        downloads++
        res.writeHead(200, {'Content-Type': 'application/gzip'})
        fs.createReadStream(path.join(dir, 'app.tgz')).pipe(res)
      } else if (req.url === '/slow') {
        res.writeHead(200)
        res.write('x')
      } else {
        res.writeHead(404)
        res.end('no')
      }
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  after(async () => {
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
    fs.rmSync(dir, {recursive: true, force: true})
  })

  it('extracts a tar.gz from a file:// URI, keeping modes', async () => {
    const o = options()
    await fetchUris([{value: `file://${path.join(dir, 'app.tgz')}`}], o)
    assert.equal(fs.readFileSync(path.join(o.sandbox, 'app', 'hello.txt'), 'utf8'), 'hello from the archive\n')
    assert.ok(fs.statSync(path.join(o.sandbox, 'app', 'bin', 'run.sh')).mode & 0o100)
    assert.ok(fs.existsSync(path.join(o.sandbox, 'app.tgz')), 'the archive stays, as with Mesos')
    assert.ok(lines.includes(`Fetching URI 'file://${path.join(dir, 'app.tgz')}'`))
  })

  it('extracts a zip and a tar.bz2 given as absolute paths', async () => {
    const o = options()
    await fetchUris([{value: path.join(dir, 'app.zip')}, {value: path.join(dir, 'app.tar.bz2'), output_file: 'other.tar.bz2'}], o)
    assert.equal(fs.readFileSync(path.join(o.sandbox, 'app', 'deep', 'x.txt'), 'utf8'), 'x')
    assert.equal(fs.readFileSync(path.join(o.sandbox, 'app', 'bin', 'run.sh'), 'utf8'), '#!/bin/sh\necho running\n')
    assert.ok(fs.existsSync(path.join(o.sandbox, 'other.tar.bz2')))
  })

  it('makes an executable URI executable and does not extract it', async () => {
    const o = options()
    await fetchUris([{value: path.join(dir, 'app.tgz'), executable: true, output_file: 'tool'}], o)
    assert.ok(fs.statSync(path.join(o.sandbox, 'tool')).mode & 0o100)
    assert.ok(!fs.existsSync(path.join(o.sandbox, 'app')))
  })

  it('keeps an archive as is with extract: false', async () => {
    const o = options()
    await fetchUris([{value: path.join(dir, 'app.zip'), extract: false}], o)
    assert.deepEqual(fs.readdirSync(o.sandbox), ['app.zip'])
  })

  it('downloads over http once into the cache and reuses it', async () => {
    const uri = {value: `${base}/files/app.tgz`, cache: true}
    const first = options()
    await fetchUris([uri], first)
    const second = options()
    await fetchUris([uri], second)
    assert.equal(downloads, 1)
    assert.equal(fs.readFileSync(path.join(second.sandbox, 'app', 'hello.txt'), 'utf8'), 'hello from the archive\n')
  })

  it('refuses zip entries and output files that leave the sandbox', async () => {
    const o = options()
    await assert.rejects(fetchUris([{value: path.join(dir, 'evil.zip')}], o), /outside/)
    assert.ok(!fs.existsSync(path.join(dir, 'evil.txt')))
    await assert.rejects(fetchUris([{value: path.join(dir, 'script.sh'), output_file: '../x.sh'}], options()), /leaves the sandbox/)
  })

  it('fails on HTTP errors, unknown schemes, limits and timeouts, naming the URI', async () => {
    await assert.rejects(fetchUris([{value: `${base}/missing.tgz`}], options()), (e: Error) => e instanceof FetchError && /missing\.tgz.*HTTP 404/.test(e.message))
    await assert.rejects(fetchUris([{value: 'ftp://example.com/x'}], options()), /unsupported URI scheme 'ftp'/)
    await assert.rejects(fetchUris([{value: 'relative/path'}], options()), /not an absolute path or URL/)
    await assert.rejects(fetchUris([{value: path.join(dir, 'big.bin')}], options()), /limit/)
    await assert.rejects(fetchUris([{value: `${base}/slow`}], options({timeoutMs: 200})), /slow/)
  })

  describe('in a task', () => {
    let t: TestAgent
    before(async () => {
      t = await startTestAgent()
    })
    after(() => t.cleanup())

    it('fetches before the command runs and logs it to the sandbox stderr', async () => {
      const task = commandTask('fetched', './script.sh && ./app/bin/run.sh && cat app/hello.txt')
      task.command!.uris = [{value: `file://${path.join(dir, 'script.sh')}`, executable: true}, {value: `${base}/files/app.tgz`}]
      await t.run(task)
      const finished = await t.master.waitForState('fetched', 'TASK_FINISHED')
      const cid = (finished.container_status as {container_id: {value: string}}).container_id.value
      const sandbox = path.join(t.workDir, 'slaves', 'stand-in-S0', 'frameworks', FRAMEWORK_ID, 'executors', 'fetched', 'runs', cid)
      assert.equal(fs.readFileSync(path.join(sandbox, 'stdout'), 'utf8'), 'script ran\nrunning\nhello from the archive\n')
      const stderr = fs.readFileSync(path.join(sandbox, 'stderr'), 'utf8')
      assert.match(stderr, /fetcher\.cpp\] Fetching URI 'file:\/\/.*script\.sh'/)
      assert.match(stderr, /Successfully fetched all URIs into/)
    })

    it('fails the task with REASON_CONTAINER_LAUNCH_FAILED when a URI cannot be fetched', async () => {
      const task = commandTask('unfetchable', 'true')
      task.command!.uris = [{value: `${base}/nope.tgz`}]
      await t.run(task)
      const failed = await t.master.waitForState('unfetchable', 'TASK_FAILED')
      assert.equal(failed.reason, 'REASON_CONTAINER_LAUNCH_FAILED')
      assert.match(failed.message!, /^Failed to launch container: Failed to fetch '.*nope\.tgz': HTTP 404/)
    })
  })
})
