import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {HttpError} from '../../src/runtime/http'
import {validateOperations} from '../../src/runtime/agent/validation'

const volume = (reservation: unknown) => ({
  operations: [
    {
      type: 'CREATE',
      create: {
        volumes: [
          {
            name: 'disk',
            type: 'SCALAR',
            scalar: {value: 16},
            reservations: [reservation],
            disk: {persistence: {id: 'v1'}, volume: {container_path: 'data', mode: 'RW'}},
          },
        ],
      },
    },
  ],
})

describe('agent operation validation', () => {
  test('accepts a dynamic reservation for a named role', () => {
    assert.doesNotThrow(() => validateOperations(volume({type: 'DYNAMIC', role: 'db', principal: 'p'})))
  })

  test('refuses roles that are not names with a 400, never a 500 (found by the fuzz test)', () => {
    for (const role of [[0, ['x']], {}, 7, '', '..', '-x', 'a b', 'a\u0000b']) {
      assert.throws(
        () => validateOperations(volume({type: 'DYNAMIC', role})),
        (e: unknown) => e instanceof HttpError && e.status === 400 && /role/.test(e.message),
        JSON.stringify(role),
      )
    }
    assert.throws(() => validateOperations(volume({type: 'NOPE', role: 'db'})), HttpError)
    assert.throws(() => validateOperations(volume({type: 'DYNAMIC', role: 'db', principal: 5})), HttpError)
  })
})
