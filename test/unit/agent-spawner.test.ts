/**
 * The agent's spawn workers: a process started from a worker thread is this process's child
 * (its parent pid is ours), its exit status and signal come back as an `exit` event, and a
 * failed spawn rejects with the spawn error.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import {after, describe, it} from 'node:test'
import {TaskSpawner, type TaskChild} from '../../src/runtime/agent/spawner'

function exit(child: TaskChild): Promise<[number | null, NodeJS.Signals | null]> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve([code, signal])))
}

describe('agent: spawn workers', () => {
  const spawner = new TaskSpawner(2)
  const out = fs.openSync('/dev/null', 'a')
  after(() => {
    spawner.close()
    fs.closeSync(out)
  })
  const req = (script: string) => ({file: '/bin/sh', args: ['-c', script], cwd: '/tmp', env: {PATH: process.env.PATH ?? '/usr/bin:/bin'}, stdout: out, stderr: out})

  it('starts a child of this process and reports its exit status', async () => {
    const child = await spawner.spawn(req('exit 7'))
    const ended = exit(child)
    assert.deepEqual(await ended, [7, null])
    assert.equal(child.exitCode, 7)
  })

  it('reports a process ended by a signal, and its parent is this process', async () => {
    const child = await spawner.spawn(req('sleep 30'))
    const ppid = Number(fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ')[1])
    assert.equal(ppid, process.pid)
    const ended = exit(child)
    process.kill(child.pid, 'SIGKILL')
    assert.deepEqual(await ended, [null, 'SIGKILL'])
  })

  it('rejects when the program cannot be started', async () => {
    await assert.rejects(spawner.spawn({...req(''), file: '/nonexistent/program'}), (e: NodeJS.ErrnoException) => e.code === 'ENOENT')
  })

  it('spawns many at once, each with its own exit', async () => {
    const children = await Promise.all(Array.from({length: 20}, (_, i) => spawner.spawn(req(`exit ${i}`))))
    const codes = await Promise.all(children.map((c) => (c.exitCode !== null ? [c.exitCode, null] : exit(c))))
    assert.deepEqual(
      codes.map((c) => c[0]),
      Array.from({length: 20}, (_, i) => i),
    )
  })

  it('keeps each request of one batch apart: a program that cannot start fails alone', async () => {
    const results = await Promise.allSettled([spawner.spawn(req('exit 7')), spawner.spawn({...req(''), file: '/nonexistent/program'}), spawner.spawn(req('exit 8'))])
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled'])
    const [a, , b] = results.map((r) => (r.status === 'fulfilled' ? r.value : undefined))
    const code = async (c: TaskChild) => (c.exitCode !== null ? c.exitCode : (await exit(c))[0])
    assert.deepEqual([await code(a!), await code(b!)], [7, 8])
  })
})
