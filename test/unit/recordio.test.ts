import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {RecordIODecoder, encodeRecord} from '../../src/mesos/recordio'

/** Three events framed back to back, one of them with multi-byte characters. */
const events = [{type: 'SUBSCRIBED', subscribed: {framework_id: {value: 'F'}}}, {type: 'HEARTBEAT'}, {type: 'UPDATE', update: {status: {message: 'naïve ✓'}}}]
const stream = Buffer.concat(events.map((e) => encodeRecord(e)))

describe('RecordIO', () => {
  test('encodes `<byte length>\\n<bytes>` with no trailing newline, counting bytes not characters', () => {
    assert.equal(encodeRecord({type: 'HEARTBEAT'}).toString(), '20\n{"type":"HEARTBEAT"}')
    assert.equal(encodeRecord('ü').toString(), '2\nü')
    assert.equal(encodeRecord('raw text').toString(), '8\nraw text')
  })

  test('decodes a whole stream pushed at once', () => {
    const d = new RecordIODecoder()
    assert.deepEqual(d.push(stream).map((r) => JSON.parse(r)), events)
  })

  test('decodes the same records however the stream is split into chunks', () => {
    for (let size = 1; size <= stream.length; size++) {
      const d = new RecordIODecoder()
      const out: string[] = []
      for (let i = 0; i < stream.length; i += size) out.push(...d.push(stream.subarray(i, i + size)))
      assert.deepEqual(out.map((r) => JSON.parse(r)), events, `chunk size ${size}`)
    }
  })

  test('splits inside the length prefix and inside a multi-byte character', () => {
    const record = encodeRecord('x'.repeat(1234) + '✓')
    const d = new RecordIODecoder()
    assert.deepEqual(d.push(record.subarray(0, 2)), []) // "12"
    assert.deepEqual(d.push(record.subarray(2, record.length - 1)), []) // up to the middle of ✓
    assert.deepEqual(d.push(record.subarray(record.length - 1)), ['x'.repeat(1234) + '✓'])
  })

  test('holds a partial record until the rest arrives, then yields it once', () => {
    const d = new RecordIODecoder()
    assert.deepEqual(d.push(Buffer.from('5\nab')), [])
    assert.deepEqual(d.push(Buffer.from('cde3\nxy')), ['abcde'])
    assert.deepEqual(d.push(Buffer.from('z')), ['xyz'])
    assert.deepEqual(d.push(Buffer.alloc(0)), [])
  })

  for (const bad of ['abc\n{}', '-1\n{}', ' 2\n{}', '2 \n{}', '2\r\n{}', '0x2\n{}', '\n{}']) {
    test(`rejects the bad length prefix ${JSON.stringify(bad.split('\n')[0])}`, () => {
      assert.throws(() => new RecordIODecoder().push(Buffer.from(bad)), /RecordIO: bad length prefix/)
    })
  }

  test('rejects a length prefix that never ends', () => {
    const d = new RecordIODecoder()
    assert.deepEqual(d.push(Buffer.from('1'.repeat(20))), [])
    assert.throws(() => d.push(Buffer.from('1')), /RecordIO: length prefix too long/)
  })

  test('rejects a record over the size limit before buffering it', () => {
    const d = new RecordIODecoder(100)
    assert.deepEqual(d.push(Buffer.from(`100\n${'a'.repeat(100)}`)), ['a'.repeat(100)])
    assert.throws(() => d.push(Buffer.from('101\n')), /RecordIO: record of 101 bytes exceeds the limit/)
  })
})
