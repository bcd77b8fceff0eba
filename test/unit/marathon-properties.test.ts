/**
 * key=value typing of `marathon app|group update`, ported from the Python CLI's
 * tests/test_jsonitem.py (the schema-less path the marathon commands use).
 */
import assert from 'node:assert/strict'
import {test} from 'node:test'
import {DcosError} from '../../src/cli/errors'
import {cleanValue, guessValue, parseJsonItem, parseProperties} from '../../src/cli/marathon/properties'

test('values are typed as jsonitem._find_type: integer, number, boolean, array, object, else string', () => {
  assert.equal(guessValue('42'), 42)
  assert.equal(guessValue('-3'), -3)
  assert.equal(guessValue('4.2'), 4.2)
  assert.equal(guessValue('45.0'), 45)
  assert.equal(guessValue('1e3'), 1000)
  assert.equal(guessValue('1_000'), 1000)
  assert.equal(guessValue('true'), true)
  assert.equal(guessValue('True'), true)
  assert.equal(guessValue('FaLsE'), false)
  assert.equal(guessValue('null'), null)
  assert.deepEqual(guessValue('[1,2,3]'), [1, 2, 3])
  assert.deepEqual(guessValue('{"key":"value"}'), {key: 'value'})
  assert.equal(guessValue('http://test.com:12'), 'http://test.com:12')
  assert.equal(guessValue('this is a string'), 'this is a string')
  assert.equal(guessValue('[1,2,3'), '[1,2,3')
  assert.equal(guessValue('{"key":value}'), '{"key":value}')
  // JSON has no infinities: they stay text rather than becoming an invalid body.
  assert.equal(guessValue('inf'), 'inf')
  assert.equal(guessValue('NaN'), 'NaN')
})

test('one pair of matching outer quotes is dropped, from the key and from the value', () => {
  assert.equal(cleanValue('"a"'), 'a')
  assert.equal(cleanValue("'a'"), 'a')
  assert.equal(cleanValue('"a\''), '"a\'')
  assert.equal(cleanValue('"'), '"')
  assert.deepEqual(parseJsonItem('string=null'), ['string', null])
  assert.deepEqual(parseJsonItem('string="this is a string with ="'), ['string', 'this is a string with ='])
  assert.deepEqual(parseJsonItem("string='this is a string with ='"), ['string', 'this is a string with ='])
  assert.deepEqual(parseJsonItem(`object='{"key":"value"}'`), ['object', {key: 'value'}])
  assert.deepEqual(parseJsonItem("array='[1,2,3]'"), ['array', [1, 2, 3]])
  assert.deepEqual(parseJsonItem('"cmd"=sleep 1'), ['cmd', 'sleep 1'])
  assert.deepEqual(parseJsonItem('string=val'), ['string', 'val'])
  assert.deepEqual(parseJsonItem('integer='), ['integer', ''])
  assert.deepEqual(parseJsonItem('===='), ['', '==='])
})

test('an item without = and a key given twice are refused with the real messages', () => {
  assert.throws(() => parseJsonItem('no equals'), (e: unknown) => e instanceof DcosError && e.detail === "'no equals' is not a valid json-item")
  assert.throws(
    () => parseProperties(['cpus=1', 'mem=2', 'cpus=3']),
    (e: unknown) => e instanceof DcosError && e.message === "Key 'cpus' was specified more than once",
  )
  assert.deepEqual(parseProperties(['instances=3', "cmd='sleep 100'", 'env={"A":"b"}']), {instances: 3, cmd: 'sleep 100', env: {A: 'b'}})
})
