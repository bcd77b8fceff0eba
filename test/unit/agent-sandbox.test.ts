import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {after, describe, it} from 'node:test'
import {createSandbox, removeDir} from '../../src/runtime/agent/sandbox'

describe('createSandbox', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dcos-sandbox-'))
  after(() => fs.rmSync(root, {recursive: true, force: true}))
  const runs = path.join(root, 'slaves', 'S0', 'frameworks', 'F0', 'executors', 'e1', 'runs')

  it('makes the sandbox with empty stdout and stderr and links runs/latest to it', async () => {
    await createSandbox(path.join(runs, 'c1'))
    assert.deepEqual(fs.readdirSync(path.join(runs, 'c1')).sort(), ['stderr', 'stdout'])
    assert.equal(fs.readFileSync(path.join(runs, 'c1', 'stdout'), 'utf8'), '')
    assert.equal(fs.readlinkSync(path.join(runs, 'latest')), 'c1')
  })

  it('points runs/latest at a later run of the same executor, leaving no temporary link', async () => {
    await createSandbox(path.join(runs, 'c2'))
    assert.equal(fs.readlinkSync(path.join(runs, 'latest')), 'c2')
    assert.deepEqual(fs.readdirSync(runs).sort(), ['c1', 'c2', 'latest'])
  })
})

describe('removeDir', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dcos-removedir-'))
  after(() => fs.rmSync(root, {recursive: true, force: true}))

  it('removes a directory holding its known files, some missing, or more than them, and one already gone', async () => {
    const known = path.join(root, 'known')
    fs.mkdirSync(known)
    fs.writeFileSync(path.join(known, 'stdout'), 'x')
    await removeDir(known, ['stdout', 'stderr'])
    assert.equal(fs.existsSync(known), false)

    const more = path.join(root, 'more')
    fs.mkdirSync(path.join(more, 'sub', 'deeper'), {recursive: true})
    fs.writeFileSync(path.join(more, 'stdout'), 'x')
    fs.writeFileSync(path.join(more, 'sub', 'deeper', 'data'), 'x')
    fs.symlinkSync(root, path.join(more, 'volume'))
    await removeDir(more, ['stdout', 'stderr'])
    assert.equal(fs.existsSync(more), false)
    assert.ok(fs.existsSync(root), 'a symlink inside is removed, not followed')

    await removeDir(path.join(root, 'never-made'), ['stdout'])
  })
})
