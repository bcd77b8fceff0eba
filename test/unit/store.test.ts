import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterEach, describe, test} from 'node:test'
import {Store} from '../../src/runtime/store'

const cleanups: (() => unknown)[] = []

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'store-test-'))
  cleanups.push(() => fs.rmSync(dir, {recursive: true, force: true}))
  return dir
}

const logOf = (dir: string) => fs.readFileSync(path.join(dir, 'log.jsonl'), 'utf8')

describe('Store', () => {
  test('takes any key as an ordinary key, even the names on Object.prototype, across a reopen', async () => {
    const dir = tempDir()
    const store = Store.open(dir, {compactAfter: 2})
    assert.equal(store.get('users', 'constructor'), undefined)
    assert.equal(store.get('users', '__proto__'), undefined)
    await store.put('users', '__proto__', {uid: '__proto__'})
    await store.put('users', 'constructor', {uid: 'constructor'})
    await store.put('__proto__', 'toString', 1)
    assert.deepEqual(store.get('users', '__proto__'), {uid: '__proto__'})
    assert.equal(store.get('users', 'uid'), undefined, 'a value is never seen under other keys')
    assert.deepEqual(store.list('users').map(([key]) => key).sort(), ['__proto__', 'constructor'])
    await store.delete('users', 'constructor')
    await store.close()
    const reopened = Store.open(dir)
    cleanups.push(() => reopened.close())
    assert.deepEqual(reopened.list('users'), [['__proto__', {uid: '__proto__'}]])
    assert.equal(reopened.get('users', 'constructor'), undefined)
    assert.equal(reopened.get('__proto__', 'toString'), 1)
  })

  test('put, get, list and delete, durable across a reopen', async () => {
    const dir = tempDir()
    const store = Store.open(dir)
    await store.put('agents', 'a1', {hostname: 'h1', port: 5051})
    await store.put('agents', 'a2', {hostname: 'h2'})
    await store.put('frameworks', 'f1', {name: 'marathon'})
    await store.put('agents', 'a2', {hostname: 'h2b'})
    await store.delete('frameworks', 'f1')
    assert.deepEqual(store.get('agents', 'a1'), {hostname: 'h1', port: 5051})
    assert.equal(store.get('frameworks', 'f1'), undefined)
    assert.equal(store.get('nope', 'x'), undefined)
    await store.close()

    const reopened = Store.open(dir)
    cleanups.push(() => reopened.close())
    assert.deepEqual(reopened.list('agents'), [
      ['a1', {hostname: 'h1', port: 5051}],
      ['a2', {hostname: 'h2b'}],
    ])
    assert.deepEqual(reopened.list('frameworks'), [])
    assert.deepEqual(reopened.list('never-written'), [])
  })

  test('a put is on disk when its promise resolves, and stores a copy of the value', async () => {
    const dir = tempDir()
    const store = Store.open(dir)
    cleanups.push(() => store.close())
    const value = {n: 1}
    const written = store.put('ns', 'k', value)
    value.n = 2
    assert.equal(logOf(dir), '', 'nothing is written synchronously')
    await written
    assert.deepEqual(JSON.parse(logOf(dir).trim()), {seq: 1, op: 'put', ns: 'ns', key: 'k', value: {n: 1}})
    assert.deepEqual(store.get('ns', 'k'), {n: 1})
  })

  test('log lines and snapshots are plain JSON whatever the names hold; get gives a fresh copy', async () => {
    const dir = tempDir()
    const store = Store.open(dir, {compactAfter: 3})
    const odd = 'a "quoted"\\ key \u00e9\n'
    await store.put(odd, odd, {nested: [1, {x: odd}], none: null})
    assert.deepEqual(JSON.parse(logOf(dir).trim()), {seq: 1, op: 'put', ns: odd, key: odd, value: {nested: [1, {x: odd}], none: null}})
    const copy = store.get<{nested: unknown[]}>(odd, odd)!
    copy.nested.push('changed')
    assert.deepEqual(store.get(odd, odd), {nested: [1, {x: odd}], none: null})
    await store.put('ns', 'u', undefined)
    assert.equal(store.get('ns', 'u'), null, 'undefined is stored as null, as JSON has it')
    await store.delete(odd, odd)
    await store.put(odd, 'k', 'v')
    await store.close()
    const snapshot = JSON.parse(fs.readFileSync(path.join(dir, 'snapshot.json'), 'utf8'))
    assert.deepEqual(snapshot, {seq: 3, data: {[odd]: {}, ns: {u: null}}})
    const reopened = Store.open(dir)
    cleanups.push(() => reopened.close())
    assert.deepEqual(reopened.list(odd), [['k', 'v']])
    assert.deepEqual(reopened.list('ns'), [['u', null]])
  })

  test('deleting a missing key writes nothing', async () => {
    const dir = tempDir()
    const store = Store.open(dir)
    cleanups.push(() => store.close())
    await store.delete('ns', 'missing')
    assert.equal(logOf(dir), '')
  })

  test('a torn last line (a crash mid-append) is dropped, never half-applied', async () => {
    const dir = tempDir()
    const store = Store.open(dir)
    await store.put('ns', 'a', 1)
    await store.put('ns', 'b', 2)
    await store.close()
    const intact = logOf(dir)
    fs.appendFileSync(path.join(dir, 'log.jsonl'), '{"seq":3,"op":"put","ns":"ns","key":"c","va')

    const recovered = Store.open(dir)
    assert.deepEqual(recovered.list('ns'), [
      ['a', 1],
      ['b', 2],
    ])
    assert.equal(logOf(dir), intact, 'the torn bytes are truncated away')
    await recovered.put('ns', 'c', 3)
    await recovered.close()

    const again = Store.open(dir)
    cleanups.push(() => again.close())
    assert.deepEqual(again.get('ns', 'c'), 3)
  })

  test('a complete record without its newline was never acknowledged and is dropped', async () => {
    const dir = tempDir()
    const store = Store.open(dir)
    await store.put('ns', 'a', 1)
    await store.close()
    fs.appendFileSync(path.join(dir, 'log.jsonl'), JSON.stringify({seq: 2, op: 'put', ns: 'ns', key: 'b', value: 2}))
    const recovered = Store.open(dir)
    cleanups.push(() => recovered.close())
    assert.equal(recovered.get('ns', 'b'), undefined)
  })

  test('compaction snapshots the state and empties the log', async () => {
    const dir = tempDir()
    const store = Store.open(dir, {compactAfter: 5})
    for (let i = 0; i < 12; i++) await store.put('ns', `k${i % 4}`, i)
    await store.delete('ns', 'k0')
    await store.close()
    const snapshot = JSON.parse(fs.readFileSync(path.join(dir, 'snapshot.json'), 'utf8'))
    assert.equal(snapshot.seq, 10)
    assert.equal(logOf(dir).trim().split('\n').length, 3, 'only the records after the last snapshot remain')

    const reopened = Store.open(dir, {compactAfter: 5})
    cleanups.push(() => reopened.close())
    assert.deepEqual(reopened.list('ns'), [
      ['k1', 9],
      ['k2', 10],
      ['k3', 11],
    ])
  })

  test('log records already in the snapshot are not replayed (crash between snapshot and truncation)', async () => {
    const dir = tempDir()
    fs.writeFileSync(path.join(dir, 'snapshot.json'), JSON.stringify({seq: 5, data: {ns: {k: 'new'}}}))
    const stale = [
      {seq: 4, op: 'put', ns: 'ns', key: 'k', value: 'old'},
      {seq: 5, op: 'del', ns: 'ns', key: 'k'},
      {seq: 6, op: 'put', ns: 'ns', key: 'j', value: 'after'},
    ]
    fs.writeFileSync(path.join(dir, 'log.jsonl'), stale.map((r) => JSON.stringify(r) + '\n').join(''))
    const store = Store.open(dir)
    cleanups.push(() => store.close())
    assert.equal(store.get('ns', 'k'), 'new')
    assert.equal(store.get('ns', 'j'), 'after')
    await store.put('ns', 'z', 1)
    assert.equal(JSON.parse(logOf(dir).trim().split('\n').at(-1)!).seq, 7, 'sequence numbers continue')
  })

  test('concurrent puts share one write and one fsync (group commit)', async (t) => {
    const dir = tempDir()
    const store = Store.open(dir)
    cleanups.push(() => store.close())
    const fsync = t.mock.method(fs, 'fsync')
    const write = t.mock.method(fs, 'writeSync')
    await Promise.all(Array.from({length: 100}, (_, i) => store.put('ns', `k${i}`, i)))
    assert.equal(fsync.mock.callCount(), 1)
    assert.equal(write.mock.callCount(), 1)
    assert.equal(logOf(dir).trim().split('\n').length, 100)
    await Promise.all([store.put('ns', 'x', 1), store.put('ns', 'y', 2)])
    assert.equal(fsync.mock.callCount(), 2, 'a later batch has its own fsync')
  })

  test('writes issued while an fsync runs form the next batch; nothing is visible or resolved before its own fsync', async (t) => {
    const dir = tempDir()
    const store = Store.open(dir)
    cleanups.push(() => store.close())
    const realFsync = fs.fsync
    const held: (() => void)[] = []
    const fsync = t.mock.method(fs, 'fsync', (fd: number, cb: (e: NodeJS.ErrnoException | null) => void) => {
      held.push(() => realFsync(fd, cb))
    })
    const resolved: string[] = []
    const first = store.put('ns', 'a', 1).then(() => resolved.push('a'))
    await new Promise((r) => setImmediate(r))
    assert.equal(held.length, 1, 'the first batch is being synced')
    // The event loop is free meanwhile: more writes come in and wait for the next batch.
    const later = Array.from({length: 20}, (_, i) => store.put('ns', `b${i}`, i).then(() => resolved.push(`b${i}`)))
    await new Promise((r) => setImmediate(r))
    assert.equal(held.length, 1, 'no second fsync while one is in flight')
    assert.equal(store.get('ns', 'a'), undefined, 'not visible before its fsync completed')
    assert.deepEqual(resolved, [])
    held.shift()!()
    await first
    assert.deepEqual(resolved, ['a'])
    assert.equal(store.get('ns', 'b0'), undefined)
    await new Promise((r) => setImmediate(r))
    assert.equal(held.length, 1, 'the writes that waited go out as one batch')
    held.shift()!()
    await Promise.all(later)
    assert.equal(fsync.mock.callCount(), 2)
    assert.equal(store.get('ns', 'b19'), 19)
    assert.equal(logOf(dir).trim().split('\n').length, 21)
  })

  test('close() waits for the batch in flight and the writes queued behind it; later writes are refused', async () => {
    const dir = tempDir()
    const store = Store.open(dir)
    const first = store.put('ns', 'a', 1)
    await new Promise((r) => setImmediate(r))
    const second = store.put('ns', 'b', 2)
    await store.close()
    await Promise.all([first, second])
    await assert.rejects(store.put('ns', 'c', 3), /closed/)
    const reopened = Store.open(dir)
    cleanups.push(() => reopened.close())
    assert.deepEqual(reopened.list('ns'), [
      ['a', 1],
      ['b', 2],
    ])
  })

  test('a failed write rejects every put of its batch', async (t) => {
    const dir = tempDir()
    const store = Store.open(dir)
    cleanups.push(() => store.close())
    t.mock.method(fs, 'writeSync', () => {
      throw Object.assign(new Error('ENOSPC: no space left on device'), {code: 'ENOSPC'})
    })
    const results = await Promise.allSettled([store.put('ns', 'a', 1), store.put('ns', 'b', 2)])
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected'],
    )
  })
})
