import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {
  add,
  allocate,
  contains,
  formatRanges,
  isPersistentVolume,
  isReserved,
  parseResources,
  ranges,
  reservationRole,
  scalar,
  subtract,
  subtractRanges,
  summary,
  takeRanges,
  takeScalar,
  unallocate,
} from '../../src/mesos/resources'
import type {Resource} from '../../src/mesos/types'

const p = parseResources

function volume(id: string, size = 10): Resource {
  return {
    name: 'disk',
    type: 'SCALAR',
    scalar: {value: size},
    reservations: [{type: 'DYNAMIC', role: 'db', principal: 'ops'}],
    disk: {persistence: {id}, volume: {container_path: 'data', mode: 'RW'}},
  }
}

describe('parseResources', () => {
  test('parses the Mesos flag form into v1 resources, combining repeats', () => {
    assert.deepEqual(p('cpus:2;mem:1024;ports:[31000-31005, 31010-31020];cpus(web):1;zones:{a,b};cpus:0.5'), [
      {name: 'cpus', type: 'SCALAR', scalar: {value: 2.5}},
      {name: 'mem', type: 'SCALAR', scalar: {value: 1024}},
      {name: 'ports', type: 'RANGES', ranges: {range: [{begin: 31000, end: 31005}, {begin: 31010, end: 31020}]}},
      {name: 'cpus', type: 'SCALAR', scalar: {value: 1}, reservations: [{type: 'STATIC', role: 'web'}]},
      {name: 'zones', type: 'SET', set: {item: ['a', 'b']}},
    ])
  })

  test('applies the default role to parts without one', () => {
    assert.deepEqual(p('cpus:1;mem(*):2', 'dev'), [
      {name: 'cpus', type: 'SCALAR', scalar: {value: 1}, reservations: [{type: 'STATIC', role: 'dev'}]},
      {name: 'mem', type: 'SCALAR', scalar: {value: 2}},
    ])
  })

  test('ignores empty parts and whitespace', () => {
    assert.deepEqual(p(' cpus : 1 ;; '), [{name: 'cpus', type: 'SCALAR', scalar: {value: 1}}])
    assert.deepEqual(p(''), [])
  })

  const errors: [string, RegExp][] = [
    ['cpus', /^invalid resource 'cpus' \(expected NAME:VALUE, e\.g\. cpus:0\.1\)$/],
    [':1', /^invalid resource ':1'/],
    ['cpus:-1', /^invalid value '-1' for resource 'cpus' \(expected a non-negative number\)$/],
    ['cpus:abc', /^invalid value 'abc' for resource 'cpus'/],
    ['cpus:Infinity', /^invalid value 'Infinity' for resource 'cpus'/],
    ['ports:[5-1]', /^invalid range '5-1': end is before begin$/],
    ['ports:[a-b]', /^invalid range 'a-b' \(expected BEGIN-END\)$/],
  ]
  for (const [spec, message] of errors) {
    test(`rejects '${spec}' naming the bad part`, () => assert.throws(() => p(spec), {message}))
  }
})

describe('add and subtract', () => {
  test('scalars combine by identity and round away float noise', () => {
    assert.deepEqual(add(p('cpus:0.1'), p('cpus:0.2')), p('cpus:0.3'))
    assert.deepEqual(subtract(p('cpus:0.3;mem:10'), p('cpus:0.1')), p('cpus:0.2;mem:10'))
    assert.deepEqual(subtract(p('cpus:1;mem:10'), p('cpus:1')), p('mem:10'), 'empty resources disappear')
  })

  test('ranges merge adjacent parts and split on subtraction', () => {
    assert.deepEqual(add(p('ports:[1-3]'), p('ports:[4-6,10-12]')), p('ports:[1-6,10-12]'))
    assert.deepEqual(subtract(p('ports:[31000-31010]'), p('ports:[31003-31004]')), p('ports:[31000-31002,31005-31010]'))
    assert.deepEqual(subtractRanges([{begin: 1, end: 10}], [{begin: 0, end: 2}, {begin: 9, end: 20}]), [{begin: 3, end: 8}])
  })

  test('sets union and difference', () => {
    assert.deepEqual(add(p('zones:{a,b}'), p('zones:{b,c}')), p('zones:{a,b,c}'))
    assert.deepEqual(subtract(p('zones:{a,b,c}'), p('zones:{b}')), p('zones:{a,c}'))
  })

  test("ranges without 'range' and sets without 'item' (protobuf's empty repeated fields) are empty", () => {
    const noRanges = {name: 'ports', type: 'RANGES', ranges: {}} as Resource
    const noItems = {name: 'zones', type: 'SET', set: {}} as Resource
    assert.deepEqual(add(p('cpus:1'), [noRanges, noItems]), p('cpus:1'))
    assert.deepEqual(subtract(p('ports:[1-3]'), [noRanges]), p('ports:[1-3]'))
    assert.ok(contains(p('zones:{a}'), [noItems]))
    assert.ok(contains([noItems], [noItems]))
  })

  test('costs one pass, not a search per resource: 20 000 distinct resources or ranges take well under 5 s', () => {
    // An agent may register with that many (a body of a few MB); the allocator runs these every cycle.
    const many: Resource[] = Array.from({length: 20_000}, (_, i) => ({name: `r${i}`, type: 'SCALAR', scalar: {value: 1}}))
    const ports: Resource = {name: 'ports', type: 'RANGES', ranges: {range: Array.from({length: 20_000}, (_, i) => ({begin: 3 * i, end: 3 * i + 1}))}}
    const started = Date.now()
    const sum = add(many, [...many, ports])
    assert.equal(sum.length, 20_001)
    assert.equal(subtract(sum, many).length, 20_001)
    assert.ok(contains(sum, [...many, ports]))
    assert.deepEqual(subtract([ports], [ports]), [])
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`)
  })

  test('reserved and unreserved resources are different identities', () => {
    const sum = add(p('cpus:1'), p('cpus(web):2'))
    assert.equal(sum.length, 2)
    assert.deepEqual(subtract(sum, p('cpus:1')), p('cpus(web):2'))
    assert.deepEqual(subtract(p('cpus:1'), p('cpus(web):1')), p('cpus:1'), 'what a lacks is ignored')
  })

  test('the deprecated `role` field and refined reservations name the same role', () => {
    const legacy: Resource = {name: 'cpus', type: 'SCALAR', scalar: {value: 1}, role: 'web'}
    assert.deepEqual(add([legacy], p('cpus(web):1')), [{...legacy, scalar: {value: 2}}])
  })

  test('persistent volumes never merge, and subtract only as the same volume', () => {
    assert.deepEqual(add([volume('a')], [volume('b')]), [volume('a'), volume('b')])
    assert.deepEqual(add([volume('a')], [volume('a')]), [volume('a'), volume('a')])
    assert.deepEqual(subtract([volume('a'), volume('b')], [volume('a')]), [volume('b')])
    assert.deepEqual(subtract([volume('a')], [volume('c')]), [volume('a')])
    const plainDisk: Resource = {name: 'disk', type: 'SCALAR', scalar: {value: 10}, reservations: [{type: 'DYNAMIC', role: 'db'}]}
    assert.deepEqual(subtract([volume('a'), plainDisk], [plainDisk]), [volume('a')])
  })

  test('inputs are never mutated', () => {
    const a = p('cpus:1;ports:[1-5]')
    const before = structuredClone(a)
    add(a, p('cpus:1;ports:[6-9]'))
    subtract(a, p('cpus:1;ports:[2-3]'))
    contains(a, p('cpus:1;ports:[2-3]'))
    assert.deepEqual(a, before)
  })

  test('results share no object with the inputs, changed parts or not', () => {
    const objects = (v: unknown, out = new Set<unknown>()): Set<unknown> => {
      if (typeof v === 'object' && v !== null) {
        out.add(v)
        for (const x of Object.values(v)) objects(x, out)
      }
      return out
    }
    const a = p('cpus:1;mem:64;ports:[1-5,10-20]')
    const b = p('cpus:1;ports:[6-9]')
    for (const result of [add(a, b), subtract(a, p('cpus:0.5;ports:[2-3]')), subtract(a, p('mem:1')), add(a, p('disk:5'))]) {
      const ours = objects(result)
      for (const o of [...objects(a), ...objects(b)]) assert.equal(ours.has(o), false)
      // Changing the result leaves the inputs as they were.
      for (const r of result) r.ranges?.range.push({begin: 100, end: 101})
    }
    assert.deepEqual(a, p('cpus:1;mem:64;ports:[1-5,10-20]'))
    assert.deepEqual(b, p('cpus:1;ports:[6-9]'))
  })

  test(
    'revocable resources are their own identity',

    () => {
      const revocable: Resource = {name: 'cpus', type: 'SCALAR', scalar: {value: 2}, revocable: {}}
      assert.equal(add(p('cpus:1'), [revocable]).length, 2)
      assert.equal(contains(p('cpus:3'), [revocable]), false)
    },
  )
})

describe('contains', () => {
  test('scalars, ranges and sets', () => {
    assert.ok(contains(p('cpus:1;mem:10'), p('cpus:1')))
    assert.ok(!contains(p('cpus:1;mem:10'), p('cpus:1.1')))
    assert.ok(contains(p('ports:[1-10]'), p('ports:[2-3,5-6]')))
    assert.ok(!contains(p('ports:[1-10]'), p('ports:[9-11]')))
    assert.ok(contains(p('zones:{a,b}'), p('zones:{a}')))
    assert.ok(!contains(p('zones:{a,b}'), p('zones:{c}')))
    assert.ok(contains(p('cpus:1'), []))
  })

  test('counts each resource once: two halves of the same thing need the whole', () => {
    const half: Resource = {name: 'cpus', type: 'SCALAR', scalar: {value: 0.6}}
    assert.ok(!contains(p('cpus:1'), [half, half]))
    assert.ok(contains(p('cpus:1.2'), [half, half]))
  })

  test('matches reservations and volumes by identity', () => {
    assert.ok(!contains(p('cpus(web):1'), p('cpus:1')))
    assert.ok(!contains(p('cpus:1'), p('cpus(web):1')))
    assert.ok(contains(p('cpus(web):1;cpus:1'), p('cpus(web):1')))
    assert.ok(contains([volume('a')], [volume('a')]))
    assert.ok(!contains([volume('a')], [volume('b')]))
  })
})

describe('queries and the state summary', () => {
  test('reservation helpers', () => {
    assert.equal(reservationRole(p('cpus:1')[0]), '*')
    assert.equal(reservationRole(p('cpus(web):1')[0]), 'web')
    assert.equal(reservationRole({name: 'cpus', type: 'SCALAR', reservation: {role: 'old'}}), 'old')
    assert.equal(
      reservationRole({name: 'cpus', type: 'SCALAR', reservations: [{type: 'STATIC', role: 'a'}, {type: 'DYNAMIC', role: 'a/b'}]}),
      'a/b',
      'the last refinement wins',
    )
    assert.ok(isReserved(p('cpus(web):1')[0]))
    assert.ok(!isReserved(p('cpus:1')[0]))
    assert.ok(isPersistentVolume(volume('a')))
    assert.ok(!isPersistentVolume(p('disk:10')[0]))
  })

  test('scalar() and ranges() sum across identities', () => {
    const r = p('cpus:0.1;cpus(web):0.2;ports:[1-3];ports(web):[4-6]')
    assert.equal(scalar(r, 'cpus'), 0.3)
    assert.equal(scalar(r, 'gpus'), 0)
    assert.deepEqual(ranges(r, 'ports'), [{begin: 1, end: 6}])
    assert.equal(formatRanges([{begin: 1, end: 6}, {begin: 8, end: 8}]), '[1-6, 8-8]')
  })

  test('summary() is the /master/state resources object', () => {
    assert.deepEqual(summary([]), {cpus: 0, gpus: 0, mem: 0, disk: 0})
    const revocable: Resource = {name: 'cpus', type: 'SCALAR', scalar: {value: 2}, revocable: {}}
    assert.deepEqual(summary([...p('cpus:2;mem:1024;cpus(web):1;ports:[31000-31005];ports(web):[31006-31010,32000-32000];zones:{a,b}'), revocable]), {
      cpus: 3,
      gpus: 0,
      mem: 1024,
      disk: 0,
      ports: '[31000-31010, 32000-32000]',
      zones: '{a, b}',
      cpus_revocable: 2,
    })
  })

  test('allocate() tags offered resources and unallocate() restores them', () => {
    const r = p('cpus:1;ports:[1-2]')
    const offered = allocate(r, 'web')
    assert.ok(offered.every((x) => x.allocation_info?.role === 'web'))
    assert.deepEqual(unallocate(offered), r)
    assert.deepEqual(r, p('cpus:1;ports:[1-2]'), 'allocate() copies')
  })
})

describe('taking resources out of an offer', () => {
  const reserved = (value: number): Resource => ({name: 'cpus', type: 'SCALAR', scalar: {value}, reservations: [{type: 'STATIC', role: 'web'}]})
  const unreserved = (value: number): Resource => ({name: 'cpus', type: 'SCALAR', scalar: {value}})

  test('a scalar comes from reservations first, then unreserved, and nothing moves when it does not fit', () => {
    const pool = [unreserved(1), reserved(0.5)]
    const picked: Resource[] = []
    assert.equal(takeScalar(pool, 'cpus', 0.75, picked), true)
    assert.deepEqual(picked, [reserved(0.5), unreserved(0.25)])
    assert.deepEqual(pool, [unreserved(0.75), reserved(0)])
    const none: Resource[] = []
    assert.equal(takeScalar(pool, 'cpus', 0.8, none), false)
    assert.deepEqual(none, [])
    assert.deepEqual(pool, [unreserved(0.75), reserved(0)], 'a failed take leaves the pool as it was')
  })

  test('ranges are taken piece by piece across resources, each piece tagged as its source', () => {
    const pool: Resource[] = [
      {name: 'ports', type: 'RANGES', ranges: {range: [{begin: 10, end: 12}]}, reservations: [{type: 'STATIC', role: 'web'}]},
      {name: 'ports', type: 'RANGES', ranges: {range: [{begin: 20, end: 29}]}},
    ]
    const picked: Resource[] = []
    assert.equal(takeRanges(pool, 'ports', [{begin: 12, end: 12}, {begin: 25, end: 26}], picked), true)
    assert.deepEqual(picked.map((r) => [r.ranges?.range, r.reservations?.[0]?.role]), [[[{begin: 12, end: 12}], 'web'], [[{begin: 25, end: 26}], undefined]])
    assert.deepEqual(pool.map((r) => r.ranges?.range), [[{begin: 10, end: 11}], [{begin: 20, end: 24}, {begin: 27, end: 29}]])
    assert.equal(takeRanges(pool, 'ports', [{begin: 30, end: 30}], []), false)
  })
})
