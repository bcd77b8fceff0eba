/**
 * Persistent volumes through the real v1 API: a framework RESERVEs resources for its role,
 * CREATEs a volume on them and launches a task that writes into it; the volume outlives the
 * task, comes back in the next offer, and the next task that uses it reads what was written.
 */
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'
import {SchedulerDriver} from '../../src/mesos/driver'
import type {Offer, Resource, TaskStatus} from '../../src/mesos/types'
import {Sandbox, waitFor} from './harness'

const ROLE = 'db'
const reservation = [{type: 'DYNAMIC' as const, role: ROLE, principal: 'e2e'}]
const scalar = (name: string, value: number): Resource => ({name, type: 'SCALAR', scalar: {value}, reservations: reservation})
const volume: Resource = {
  ...scalar('disk', 16),
  disk: {persistence: {id: 'pg-data', principal: 'e2e'}, volume: {container_path: 'data', mode: 'RW'}},
}

describe('persistent volumes', () => {
  const sb = new Sandbox()
  let driver: SchedulerDriver
  const offers: Offer[] = []
  const statuses: TaskStatus[] = []

  before(async () => {
    const url = await sb.up(1)
    const auth = await sb.authHeaders()
    driver = new SchedulerDriver({
      masterUrl: `${url}/mesos`,
      headers: () => auth,
      frameworkInfo: {
        user: 'root',
        name: 'volumes-e2e',
        roles: [ROLE],
        principal: 'e2e',
        capabilities: [{type: 'MULTI_ROLE'}, {type: 'RESERVATION_REFINEMENT'}],
      },
      implicitAcknowledgements: true,
    })
    driver.on('offers', (o) => offers.push(...o))
    driver.on('rescind', (id) => offers.splice(offers.findIndex((o) => o.id.value === id), 1))
    driver.on('update', (s) => statuses.push(s))
    driver.on('error', () => {})
    driver.start()
  })
  after(async () => {
    await driver?.stop()
    await sb.cleanup()
  })

  const nextOffer = (pred: (o: Offer) => boolean = () => true) =>
    waitFor('an offer', () => {
      const i = offers.findIndex(pred)
      return i >= 0 ? offers.splice(i, 1)[0] : undefined
    })
  const terminal = (taskId: string) =>
    waitFor(`${taskId} to end`, () => statuses.find((s) => s.task_id.value === taskId && /FINISHED|FAILED|KILLED|LOST|ERROR/.test(s.state)))

  it('keeps what a task wrote for the next task that uses the volume', async () => {
    const first = await nextOffer()
    await driver.accept(
      [first.id.value],
      [
        {type: 'RESERVE', reserve: {resources: [scalar('cpus', 0.1), scalar('mem', 32), scalar('disk', 16)]}},
        {type: 'CREATE', create: {volumes: [volume]}},
        {
          type: 'LAUNCH',
          launch: {
            task_infos: [
              {
                name: 'writer',
                task_id: {value: 'writer'},
                agent_id: first.agent_id,
                resources: [scalar('cpus', 0.1), scalar('mem', 32), volume],
                command: {value: 'echo kept-across-tasks > data/file'},
              },
            ],
          },
        },
      ],
      {refuse_seconds: 0},
    )
    const w = await terminal('writer')
    assert.equal(w.state, 'TASK_FINISHED', w.message)

    const withVolume = await nextOffer((o) => o.resources.some((r) => r.disk?.persistence?.id === 'pg-data'))
    await driver.accept(
      [withVolume.id.value],
      [
        {
          type: 'LAUNCH',
          launch: {
            task_infos: [
              {
                name: 'reader',
                task_id: {value: 'reader'},
                agent_id: withVolume.agent_id,
                resources: [scalar('cpus', 0.1), scalar('mem', 32), volume],
                command: {value: 'cat data/file'},
              },
            ],
          },
        },
      ],
      {refuse_seconds: 0},
    )
    const r = await terminal('reader')
    assert.equal(r.state, 'TASK_FINISHED', r.message)
    const log = await sb.dcos('task', 'log', '--completed', 'reader')
    assert.equal(log.stdout.trim(), 'kept-across-tasks')
  })
})
