/**
 * The task wrapper (executor.ts): a kill that reaches the task's process group while only the
 * wrapper is in it, before its command started, is not lost. The wrapper is kept in that phase
 * by a long list of "cgroup.procs" files to join (/dev/null, 20,000 times: ~200 ms of writes).
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {after, describe, it} from 'node:test'
import {readExitStatus, spawnTask, watchExit} from '../../src/runtime/agent/executor'

describe('task wrapper', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcos-wrapper-'))
  after(() => fs.rmSync(dir, {recursive: true, force: true}))

  it('does not start the command when the task was killed before it started, and says so in its status', async () => {
    const marker = path.join(dir, 'started')
    const statusFile = path.join(dir, 'exit_status')
    const {leader, child} = await spawnTask({
      argv: ['/bin/sh', '-c', `touch ${marker}; sleep 30`],
      env: {PATH: process.env.PATH ?? '/usr/bin:/bin'},
      sandbox: dir,
      exitStatusFile: statusFile,
      cgroupProcs: Array(20_000).fill('/dev/null'),
    })
    const watcher = watchExit(leader, child, 50)
    // Past the shell's start-up (its traps are set), well before its last join.
    await new Promise((r) => setTimeout(r, 50))
    process.kill(-leader.pid, 'SIGTERM')
    const seen = await Promise.race([watcher.ended, new Promise<undefined>((r) => setTimeout(() => r(undefined), 5000))])
    if (!seen) process.kill(-leader.pid, 'SIGKILL')
    assert.ok(seen, 'the wrapper ended at once, not after its command ran')
    assert.equal(fs.existsSync(marker), false, 'the command never started')
    assert.equal(readExitStatus(statusFile, seen).status, 143)
  })
})
