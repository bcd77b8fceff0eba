import assert from 'node:assert/strict'
import {test} from 'node:test'
import type {FileChunk} from '../../src/clients/mesos-types'
import {DcosError} from '../../src/cli/errors'
import {follow, lastLines, type LogSource, printLogs, tail} from '../../src/cli/logs'

/** A file behind the files API semantics, with a small per-read cap to force several reads. */
function memorySource(label: string, file: {text: string}, cap = 7): LogSource & {reads: number} {
  const source = {
    label,
    reads: 0,
    async size() {
      return Buffer.byteLength(file.text)
    },
    async read(offset: number, length?: number): Promise<FileChunk> {
      source.reads++
      const bytes = Buffer.from(file.text)
      const n = Math.min(length ?? cap, cap)
      return {offset, data: bytes.subarray(offset, offset + n).toString()}
    },
  }
  return source
}

function sink() {
  const parts: string[] = []
  return {write: (s: string) => parts.push(s), text: () => parts.join('')}
}

test('lastLines keeps the last N lines and the final newline', () => {
  assert.equal(lastLines('a\nb\nc\n', 2), 'b\nc\n')
  assert.equal(lastLines('a\nb\nc', 2), 'b\nc')
  assert.equal(lastLines('a\n', 5), 'a\n')
  assert.equal(lastLines('a\nb\n', 0), '')
})

test('tail reads backwards in capped chunks and returns the end offset', async () => {
  const text = Array.from({length: 300}, (_, i) => `line-${i}`).join('\n') + '\n'
  const src = memorySource('f', {text})
  const {text: got, offset} = await tail(src, 3)
  assert.equal(got, 'line-297\nline-298\nline-299\n')
  assert.equal(offset, Buffer.byteLength(text))
  assert.equal((await tail(memorySource('f', {text: ''}), 3)).text, '')
  assert.equal((await tail(memorySource('f', {text: 'only\n'}), 10)).text, 'only\n')
  assert.equal((await tail(memorySource('f', {text}), 0)).text, '')
})

test('follow prints appended text from the saved offset until aborted', async () => {
  const file = {text: 'a\n'}
  const src = memorySource('f', file)
  const out = sink()
  const controller = new AbortController()
  const done = follow([{source: src, offset: 2}], {signal: controller.signal, intervalMs: 10, write: (_s, t) => out.write(t)})
  file.text += 'b\nc\n'
  await new Promise((r) => setTimeout(r, 60))
  controller.abort()
  await done
  assert.equal(out.text(), 'b\nc\n')
})

test('printLogs: headers for several sources, missing files skipped, none found is an error', async () => {
  const missing: LogSource = {
    label: 'task:gone:stdout',
    size: async () => {
      throw new DcosError('NOT_FOUND', 'gone')
    },
    read: async () => ({offset: 0, data: ''}),
  }
  const out = sink()
  const err = sink()
  await printLogs(out, err, [memorySource('task:a:stdout', {text: 'x\n'}), missing, memorySource('task:b:stdout', {text: 'y\n'})], {
    lines: 10,
    follow: false,
    fileName: 'stdout',
  })
  assert.equal(out.text(), '===> task:a:stdout <===\nx\n===> task:b:stdout <===\ny\n')
  await assert.rejects(printLogs(out, err, [missing], {lines: 10, follow: false, fileName: 'stdout'}), {
    message: "cannot access 'stdout': no such file or directory",
  })
  await printLogs(out, err, [memorySource('one', {text: ''})], {lines: 10, follow: false, fileName: 'stdout', emptyNotice: 'No logs for this task'})
  assert.equal(err.text(), 'No logs for this task\n')
})
