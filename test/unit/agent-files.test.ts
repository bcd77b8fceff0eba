/**
 * The agent's files API: browse, read (Mesos' offset/length rules), download and debug over a
 * task's sandbox by its real and its virtual path, and refusals for everything outside the
 * sandboxes (`..`, /etc/passwd, /proc, symlinks that lead out) and for what is not a regular file.
 */
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, it} from 'node:test'
import {FRAMEWORK_ID, commandTask, get, startTestAgent, type TestAgent} from './agent-harness'

describe('agent files API', () => {
  let t: TestAgent
  let sandbox = ''
  const virtual = `/frameworks/${FRAMEWORK_ID}/executors/files-task/runs/latest`
  const read = (p: string, query = '') => get(`${t.agent.url}/files/read?path=${encodeURIComponent(p)}${query}`)

  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcos-agent-log-'))
  const logFile = path.join(logDir, 'agent.log')

  before(async () => {
    fs.writeFileSync(logFile, 'I agent: started\n')
    t = await startTestAgent({logFile})
    await t.run(commandTask('files-task', 'printf "hello world\\n" ; mkdir sub; echo nested > sub/n.txt; ln -s /etc escape; ln -s /etc/passwd passwd; ln -s sub/n.txt inner'))
    const finished = await t.master.waitForState('files-task', 'TASK_FINISHED')
    const cid = (finished.container_status as {container_id: {value: string}}).container_id.value
    sandbox = path.join(t.workDir, 'slaves', 'stand-in-S0', 'frameworks', FRAMEWORK_ID, 'executors', 'files-task', 'runs', cid)
  })
  after(async () => {
    await t.cleanup()
    fs.rmSync(logDir, {recursive: true, force: true})
  })

  it('reads a sandbox file by its absolute path, with Mesos offset rules', async () => {
    const file = path.join(sandbox, 'stdout')
    assert.deepEqual((await read(file)).json(), {offset: 12, data: ''})
    assert.deepEqual((await read(file, '&offset=0')).json(), {offset: 0, data: 'hello world\n'})
    assert.deepEqual((await read(file, '&offset=6&length=5')).json(), {offset: 6, data: 'world'})
    assert.deepEqual((await read(file, '&offset=100')).json(), {offset: 100, data: ''})
    assert.equal((await read(file, '&offset=-2')).status, 400)
    assert.equal((await read(file, '&offset=abc')).status, 400)
    const dir = await read(sandbox, '&offset=0')
    assert.equal(dir.status, 400)
    assert.equal(dir.text, 'Cannot read a directory.')
    const missing = await get(`${t.agent.url}/files/read`)
    assert.equal(missing.status, 400)
    assert.equal(missing.text, "Expecting 'path=value' in query.")
  })

  it('caps one read at 64 KiB', async () => {
    fs.writeFileSync(path.join(sandbox, 'big'), 'x'.repeat(200_000))
    const body = (await read(path.join(sandbox, 'big'), '&offset=0')).json() as {data: string}
    assert.equal(body.data.length, 65536)
  })

  it('serves the virtual runs/latest path and the .json aliases', async () => {
    assert.deepEqual((await get(`${t.agent.url}/files/read.json?path=${encodeURIComponent(virtual + '/stdout')}&offset=0`)).json(), {offset: 0, data: 'hello world\n'})
    const listing = (await get(`${t.agent.url}/files/browse?path=${encodeURIComponent(virtual)}`)).json() as {path: string; mode: string; size: number; uid: string}[]
    const names = listing.map((e) => e.path)
    assert.deepEqual(names, [...names].sort())
    assert.ok(names.includes(`${virtual}/stdout`) && names.includes(`${virtual}/sub`))
    const sub = listing.find((e) => e.path === `${virtual}/sub`)!
    assert.match(sub.mode, /^drwx/)
    assert.equal(listing.find((e) => e.path === `${virtual}/stdout`)!.size, 12)
    assert.equal(listing.find((e) => e.path === `${virtual}/stdout`)!.uid, 'root')
    // A link out of the sandbox is listed as a link, not as what it points to.
    assert.match(listing.find((e) => e.path === `${virtual}/escape`)!.mode, /^l/)
    const debug = (await get(`${t.agent.url}/files/debug`)).json() as Record<string, string>
    assert.equal(debug[virtual], sandbox)
    assert.equal(debug[sandbox], sandbox)
  })

  it('follows links that stay inside the sandbox', async () => {
    assert.deepEqual((await read(path.join(sandbox, 'inner'), '&offset=0')).json(), {offset: 0, data: 'nested\n'})
  })

  it('serves the agent log as /slave/log', async () => {
    assert.deepEqual((await read('/slave/log', '&offset=0')).json(), {offset: 0, data: 'I agent: started\n'})
    assert.equal(((await get(`${t.agent.url}/files/debug`)).json() as Record<string, string>)['/slave/log'], logFile)
  })

  it('downloads a file as an attachment', async () => {
    const res = await get(`${t.agent.url}/files/download?path=${encodeURIComponent(path.join(sandbox, 'sub', 'n.txt'))}`)
    assert.equal(res.status, 200)
    assert.equal(res.text, 'nested\n')
    assert.equal(res.headers.get('content-disposition'), 'attachment; filename=n.txt')
    assert.equal(res.headers.get('content-type'), 'text/plain')
    assert.equal((await get(`${t.agent.url}/files/download?path=${encodeURIComponent(sandbox)}`)).status, 400)
  })

  it('downloads no more than the Content-Length it announced of a file that grows meanwhile (a log)', async () => {
    const file = path.join(sandbox, 'growing.log')
    fs.writeFileSync(file, 'x'.repeat(4 * 1024 * 1024))
    const {hostname, port} = new URL(t.agent.url)
    const socket = net.connect(Number(port), hostname)
    socket.write(`GET /files/download?path=${encodeURIComponent(file)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)
    socket.pause()
    await new Promise((r) => setTimeout(r, 200))
    fs.appendFileSync(file, 'y'.repeat(1024 * 1024))
    const chunks: Buffer[] = []
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.resume()
    await new Promise((r) => socket.on('close', r))
    const text = Buffer.concat(chunks).toString('latin1')
    const head = text.slice(0, text.indexOf('\r\n\r\n'))
    assert.match(head, /Content-Length: 4194304/)
    assert.equal(text.length - head.length - 4, 4 * 1024 * 1024, 'the body is exactly what was announced')
  })

  it('refuses to read or download what is not a regular file (a FIFO would block the agent), and keeps serving', async () => {
    const fifo = path.join(sandbox, 'fifo')
    execFileSync('mkfifo', [fifo])
    for (const op of ['read', 'download']) {
      const res = await get(`${t.agent.url}/files/${op}?path=${encodeURIComponent(fifo)}&offset=0`)
      assert.equal(res.status, 400, `${op} of a FIFO`)
      assert.match(res.text, /not a regular file/)
    }
    const listing = (await get(`${t.agent.url}/files/browse?path=${encodeURIComponent(fifo)}`)).json() as {mode: string}[]
    assert.match(listing[0].mode, /^p/, 'browsing it describes it')
    assert.deepEqual((await read(path.join(sandbox, 'stdout'), '&offset=0')).json(), {offset: 0, data: 'hello world\n'})
  })

  it('refuses everything outside the sandboxes, never serving it', async () => {
    const refused = [
      '/etc/passwd',
      '/proc/self/environ',
      '../../../../etc/passwd',
      `${sandbox}/../../../../../../../etc/passwd`,
      `${virtual}/../../../../../../etc/passwd`,
      path.join(sandbox, 'passwd'),
      path.join(sandbox, 'escape', 'passwd'),
      path.join(t.workDir, 'meta', 'log.jsonl'),
      logFile,
    ]
    for (const p of refused) {
      for (const op of ['read', 'browse', 'download']) {
        const res = await get(`${t.agent.url}/files/${op}?path=${encodeURIComponent(p)}&offset=0`)
        assert.ok(res.status === 403 || res.status === 404, `${op} ${p} → ${res.status}`)
        assert.doesNotMatch(res.text, /root:/)
        assert.ok(res.text.length > 0, 'a refusal says why')
      }
    }
  })
})
