/**
 * Framework failover through the gateway: a scheduler with a failover_timeout goes away and a
 * new instance re-subscribes with its framework id; it keeps its running task, and learns its
 * state by reconciliation.
 */
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'
import {SchedulerDriver} from '../../src/mesos/driver'
import type {Offer, TaskStatus} from '../../src/mesos/types'
import {Sandbox, waitFor} from './harness'

describe('framework failover', () => {
  const sb = new Sandbox()
  let url = ''
  let auth: Record<string, string> = {}
  const drivers: SchedulerDriver[] = []

  before(async () => {
    url = await sb.up(1)
    auth = await sb.authHeaders()
  })
  after(async () => {
    for (const d of drivers) await d.stop().catch(() => {})
    await sb.cleanup()
  })

  function framework(id?: string) {
    const offers: Offer[] = []
    const statuses: TaskStatus[] = []
    const d = new SchedulerDriver({
      masterUrl: `${url}/mesos`,
      frameworkInfo: {user: 'root', name: 'failover-e2e', failover_timeout: 60, ...(id && {id: {value: id}})},
      headers: () => auth,
      implicitAcknowledgements: true,
    })
    d.on('offers', (o) => offers.push(...o))
    d.on('update', (s) => statuses.push(s))
    d.on('error', () => {})
    drivers.push(d)
    d.start()
    return {d, offers, statuses}
  }

  it('keeps its task when it re-subscribes with its id', async () => {
    const a = framework()
    const offer = await waitFor('an offer', () => a.offers.shift())
    await a.d.accept([offer.id.value], [
      {
        type: 'LAUNCH',
        launch: {
          task_infos: [
            {
              name: 'keeper',
              task_id: {value: 'keeper'},
              agent_id: offer.agent_id,
              resources: [
                {name: 'cpus', type: 'SCALAR', scalar: {value: 0.1}},
                {name: 'mem', type: 'SCALAR', scalar: {value: 32}},
              ],
              command: {value: 'sleep 120'},
            },
          ],
        },
      },
    ])
    await waitFor('TASK_RUNNING', () => a.statuses.some((s) => s.state === 'TASK_RUNNING'))
    const frameworkId = a.d.frameworkId!
    await a.d.stop({failover: true})

    const services = JSON.parse((await sb.dcos('service', 'list', '--inactive', '--json')).stdout) as {id: string; active: boolean}[]
    assert.equal(services.find((s) => s.id === frameworkId)?.active, false)

    const b = framework(frameworkId)
    await waitFor('re-subscription', () => b.d.subscribed)
    assert.equal(b.d.frameworkId, frameworkId)
    await b.d.reconcile([])
    const s = await waitFor('reconciliation', () => b.statuses.find((x) => x.task_id.value === 'keeper'))
    assert.equal(s.state, 'TASK_RUNNING')
    assert.equal(s.reason, 'REASON_RECONCILIATION')
    const tasks = JSON.parse((await sb.dcos('task', 'list', '--json')).stdout) as {id: string; state: string}[]
    assert.equal(tasks.find((t) => t.id === 'keeper')?.state, 'TASK_RUNNING')
  })
})
