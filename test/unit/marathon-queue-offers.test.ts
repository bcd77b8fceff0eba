/**
 * What /v2/queue says of the offers an app saw (src/runtime/marathon/launch-queue): the launch
 * attempt counts every offer, the last-offers summary each agent's latest only, and
 * `lastUnusedOffers` lists each agent's latest declined offer in Marathon's shape.
 */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {LaunchQueue} from '../../src/runtime/marathon/launch-queue'
import type {OfferView} from '../../src/runtime/marathon/matcher'

const offer = (agent: string, n: number): OfferView => ({
  id: `O${n}`,
  agentId: agent,
  hostname: `host-${agent}`,
  role: '*',
  attributes: [{name: 'rack', type: 'TEXT', text: {value: 'r1'}}],
  resources: [
    {name: 'cpus', type: 'SCALAR', scalar: {value: 2}, role: '*'},
    {name: 'ports', type: 'RANGES', ranges: {range: [{begin: 31000, end: 31009}]}, role: '*'},
  ],
})

describe('launch queue: offers seen', () => {
  it('summarises the attempt over every offer and the last offers over each agent once', () => {
    const q = new LaunchQueue()
    q.offerSeen('/a', false, ['UnfulfilledConstraint'], 1000, offer('A', 1))
    q.offerSeen('/a', true, [], 2000, offer('B', 2))
    q.offerSeen('/a', false, ['UnfulfilledConstraint', 'InsufficientMemory'], 3000, offer('A', 3))
    const s = q.summary('/a') as any
    assert.deepEqual([s.processedOffersCount, s.unusedOffersCount], [3, 2])
    const of = (list: any[], reason: string) => list.find((r) => r.reason === reason)
    assert.deepEqual(of(s.rejectSummaryLaunchAttempt, 'UnfulfilledConstraint'), {reason: 'UnfulfilledConstraint', declined: 2, processed: 3})
    assert.deepEqual(of(s.rejectSummaryLastOffers, 'UnfulfilledConstraint'), {reason: 'UnfulfilledConstraint', declined: 1, processed: 2})
    assert.deepEqual(of(s.rejectSummaryLastOffers, 'InsufficientMemory'), {reason: 'InsufficientMemory', declined: 1, processed: 2})
    assert.deepEqual(q.lastUnusedOffers('/a'), [
      {
        offer: {
          id: 'O3',
          agentId: 'A',
          hostname: 'host-A',
          resources: [
            {name: 'cpus', role: '*', scalar: 2},
            {name: 'ports', role: '*', ranges: [{begin: 31000, end: 31009}]},
          ],
          attributes: [{name: 'rack', text: 'r1'}],
        },
        timestamp: new Date(3000).toISOString(),
        reason: ['UnfulfilledConstraint', 'InsufficientMemory'],
      },
    ])
  })

  it('forgets an agent declined before once its next offer is used', () => {
    const q = new LaunchQueue()
    q.offerSeen('/a', false, ['InsufficientCpus'], 1000, offer('A', 1))
    q.offerSeen('/a', true, [], 2000, offer('A', 2))
    assert.deepEqual(q.lastUnusedOffers('/a'), [])
    assert.deepEqual(q.lastUnusedOffers('/nothing'), [])
  })
})
