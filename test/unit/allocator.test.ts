/**
 * The DRF allocator as a pure function: fairness, weights, filters, suppression, reserved
 * resources, the minimum allocatable quantity and inactive frameworks.
 */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {parseResources} from '../../src/mesos/resources'
import {allocate, dominantShare, type AllocationSnapshot, type AllocatorFramework} from '../../src/runtime/master/allocator'

const NOW = 1_000_000

function agents(n: number, spec = 'cpus:4;mem:4096') {
  return Array.from({length: n}, (_, i) => ({id: `a${i}`, available: parseResources(spec), reachable: true}))
}

function framework(id: string, fields: Partial<AllocatorFramework> = {}): AllocatorFramework {
  return {id, roles: ['*'], active: true, suppressedRoles: [], allocated: {}, allocations: {}, filters: [], ...fields}
}

function snapshot(fields: Partial<AllocationSnapshot>): AllocationSnapshot {
  const list = fields.agents ?? agents(2)
  return {agents: list, frameworks: [], weights: {}, total: list.flatMap((a) => a.available), now: NOW, ...fields}
}

const owners = (offers: ReturnType<typeof allocate>) => offers.map((o) => `${o.agentId}:${o.frameworkId}`)

describe('allocator', () => {
  it('offers each agent whole, to the framework with the lowest dominant share', () => {
    const offers = allocate(snapshot({agents: agents(4), frameworks: [framework('f1'), framework('f2')]}))
    assert.equal(offers.length, 4)
    const counts = new Map<string, number>()
    for (const o of offers) counts.set(o.frameworkId, (counts.get(o.frameworkId) ?? 0) + 1)
    assert.deepEqual([...counts.values()], [2, 2])
    assert.deepEqual(offers[0].resources, parseResources('cpus:4;mem:4096'))
  })

  it('breaks ties by allocation count, then by name', () => {
    const fresh = allocate(snapshot({agents: agents(1), frameworks: [framework('f2'), framework('f1')]}))
    assert.deepEqual(owners(fresh), ['a0:f1'])
    const counted = allocate(snapshot({agents: agents(1), frameworks: [framework('f1', {allocations: {'*': 3}}), framework('f2')]}))
    assert.deepEqual(owners(counted), ['a0:f2'])
  })

  it('favours the framework that holds less of its dominant resource', () => {
    const total = parseResources('cpus:8;mem:8192')
    const memHeavy = framework('mem-heavy', {allocated: {'*': parseResources('cpus:1;mem:4096')}}) // share 0.5
    const cpuLight = framework('cpu-light', {allocated: {'*': parseResources('cpus:2;mem:100')}}) // share 0.25
    const offers = allocate(snapshot({agents: agents(1, 'cpus:2;mem:2048'), total, frameworks: [memHeavy, cpuLight]}))
    assert.deepEqual(owners(offers), ['a0:cpu-light'])
    assert.equal(dominantShare(parseResources('cpus:1;mem:4096'), total), 0.5)
  })

  it('weights roles: a role of weight 2 may hold twice the share', () => {
    const total = parseResources('cpus:10;mem:10240')
    const frameworks = [
      framework('heavy', {roles: ['web'], allocated: {web: parseResources('cpus:3;mem:0')}}), // 0.3 / 2 = 0.15
      framework('light', {roles: ['batch'], allocated: {batch: parseResources('cpus:2;mem:0')}}), // 0.2
    ]
    assert.deepEqual(owners(allocate(snapshot({agents: agents(1), total, frameworks, weights: {web: 2}}))), ['a0:heavy'])
    assert.deepEqual(owners(allocate(snapshot({agents: agents(1), total, frameworks}))), ['a0:light'])
  })

  it('skips filtered agents until the filter expires or the resources grow', () => {
    const filter = {agentId: 'a0', role: '*', resources: parseResources('cpus:4;mem:4096'), expiresAt: NOW + 5000}
    const f = framework('f1', {filters: [filter]})
    assert.deepEqual(owners(allocate(snapshot({agents: agents(1), frameworks: [f]}))), [])
    assert.deepEqual(owners(allocate(snapshot({agents: agents(1), frameworks: [f], now: NOW + 5000}))), ['a0:f1'])
    const grown = [{id: 'a0', available: parseResources('cpus:6;mem:4096'), reachable: true}]
    assert.deepEqual(owners(allocate(snapshot({agents: grown, frameworks: [f]}))), ['a0:f1'])
    // Another framework is not bound by f1's filter.
    assert.deepEqual(owners(allocate(snapshot({agents: agents(1), frameworks: [f, framework('f2')]}))), ['a0:f2'])
  })

  it('skips suppressed roles, inactive frameworks and unreachable agents', () => {
    assert.deepEqual(owners(allocate(snapshot({frameworks: [framework('f1', {suppressedRoles: ['*']})]}))), [])
    assert.deepEqual(owners(allocate(snapshot({frameworks: [framework('f1', {active: false})]}))), [])
    const list = agents(2)
    list[1].reachable = false
    assert.deepEqual(owners(allocate(snapshot({agents: list, frameworks: [framework('f1')]}))), ['a0:f1'])
  })

  it('offers reserved resources only to their role (and its descendants)', () => {
    const list = [{id: 'a0', available: parseResources('cpus(web):2;mem(web):512;cpus:1;mem:256'), reachable: true}]
    const offers = allocate(snapshot({agents: list, frameworks: [framework('other', {roles: ['batch']}), framework('web', {roles: ['web']})]}))
    const byFramework = Object.fromEntries(offers.map((o) => [o.frameworkId, o]))
    // Equal shares: 'batch' sorts first and takes the unreserved part; the reservation waits for 'web'.
    assert.deepEqual(byFramework.other.resources, parseResources('cpus:1;mem:256'))
    assert.deepEqual(byFramework.web.resources, parseResources('cpus(web):2;mem(web):512'))
    const alone = allocate(snapshot({agents: list, frameworks: [framework('other', {roles: ['batch']})]}))
    assert.deepEqual(alone.map((o) => o.resources), [parseResources('cpus:1;mem:256')], 'never the reservation of another role')
    const child = allocate(snapshot({agents: list, frameworks: [framework('child', {roles: ['web/api']})]}))
    assert.equal(child[0].role, 'web/api')
    assert.deepEqual(child[0].resources, list[0].available)
    const star = allocate(snapshot({agents: list, frameworks: [framework('star')]}))
    assert.deepEqual(star[0].resources, parseResources('cpus:1;mem:256'))
  })

  it('gives a multi-role framework offers per role and leaves reservations of absent roles', () => {
    const list = [
      {id: 'a0', available: parseResources('cpus(db):1;mem(db):64'), reachable: true},
      {id: 'a1', available: parseResources('cpus:1;mem:64;cpus(gone):1;mem(gone):64'), reachable: true},
    ]
    const offers = allocate(snapshot({agents: list, frameworks: [framework('multi', {roles: ['*', 'db']})]}))
    assert.deepEqual(
      offers.map((o) => `${o.agentId}:${o.role}`),
      ['a0:db', 'a1:*'],
    )
    assert.deepEqual(offers[1].resources, parseResources('cpus:1;mem:64'))
  })

  it('does not offer less than cpus:0.01 or mem:32', () => {
    const list = [
      {id: 'small', available: parseResources('cpus:0.005;mem:16;disk:100'), reachable: true},
      {id: 'mem-only', available: parseResources('cpus:0;mem:32'), reachable: true},
    ]
    assert.deepEqual(owners(allocate(snapshot({agents: list, frameworks: [framework('f1')]}))), ['mem-only:f1'])
  })
})
