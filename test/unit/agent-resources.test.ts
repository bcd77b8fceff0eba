/**
 * The agent's resources: detection and the Mesos flag forms (pure), offer operations on the
 * total (pure), and through a running agent: reservations and persistent volumes checkpointed
 * across a restart, volumes linked into the tasks that use them and outliving them.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {after, before, describe, it} from 'node:test'
import {applyOperations} from '../../src/runtime/agent/operations'
import {baseResources, parseAttributes, totalResources} from '../../src/runtime/agent/resources'
import {scalar} from '../../src/mesos/resources'
import type {Resource} from '../../src/mesos/types'
import {HttpError} from '../../src/runtime/http'
import {FRAMEWORK_ID, commandTask, post, startTestAgent, waitFor, type TestAgent} from './agent-harness'

const GiB = 1024 ** 3

const reservedDisk = (mb: number): Resource => ({name: 'disk', type: 'SCALAR', scalar: {value: mb}, reservations: [{type: 'DYNAMIC', role: 'db', principal: 'p'}]})
const volume = (mb: number, id: string): Resource => ({...reservedDisk(mb), disk: {persistence: {id}, volume: {container_path: 'data', mode: 'RW'}}})

describe('agent resources (pure)', () => {
  it('detects what is not declared, as a Mesos agent does', () => {
    const r = baseResources('cpus:2;ports:[5000-5010]', {cpus: 8, memBytes: 16 * GiB, diskFreeBytes: 100 * GiB})
    assert.equal(scalar(r, 'cpus'), 2)
    assert.equal(scalar(r, 'mem'), 15 * 1024)
    assert.equal(scalar(r, 'disk'), 95 * 1024)
    assert.deepEqual(r.find((x) => x.name === 'ports')?.ranges?.range, [{begin: 5000, end: 5010}])
    const small = baseResources(undefined, {cpus: 1, memBytes: 1 * GiB, diskFreeBytes: 4 * GiB})
    assert.equal(scalar(small, 'mem'), 512)
    assert.equal(scalar(small, 'disk'), 2048)
    assert.deepEqual(small.find((x) => x.name === 'ports')?.ranges?.range, [{begin: 31000, end: 32000}])
    assert.throws(() => baseResources('cpus:lots', {cpus: 1, memBytes: GiB, diskFreeBytes: GiB}), /cpus/)
  })

  it('parses attributes into text, scalar, range and set attributes', () => {
    assert.deepEqual(parseAttributes('rack:r1; level:3;ids:[1-5];tags:{a,b}'), [
      {name: 'rack', type: 'TEXT', text: {value: 'r1'}},
      {name: 'level', type: 'SCALAR', scalar: {value: 3}},
      {name: 'ids', type: 'RANGES', ranges: {range: [{begin: 1, end: 5}]}},
      {name: 'tags', type: 'SET', set: {item: ['a', 'b']}},
    ])
    assert.throws(() => parseAttributes('rack'), /expected NAME:VALUE/)
  })

  it('applies RESERVE, CREATE, DESTROY and UNRESERVE to the total', () => {
    const base: Resource[] = [{name: 'disk', type: 'SCALAR', scalar: {value: 1000}}]
    const none = () => undefined
    let r = applyOperations(base, [{type: 'RESERVE', reserve: {resources: [reservedDisk(300)]}}], none)
    assert.equal(scalar(r.total.filter((x) => !x.reservations), 'disk'), 700)
    r = applyOperations(r.total, [{type: 'CREATE', create: {volumes: [volume(100, 'v1')]}}], none)
    assert.deepEqual(r.created, [{role: 'db', persistenceId: 'v1'}])
    assert.equal(r.total.filter((x) => x.disk?.persistence?.id === 'v1').length, 1)
    assert.throws(() => applyOperations(r.total, [{type: 'CREATE', create: {volumes: [volume(100, 'v1')]}}], none), /already exists/)
    assert.throws(() => applyOperations(r.total, [{type: 'DESTROY', destroy: {volumes: [volume(100, 'v1')]}}], () => 't1'), (e: HttpError) => e.status === 409 && /in use by task 't1'/.test(e.message))
    assert.throws(() => applyOperations(r.total, [{type: 'RESERVE', reserve: {resources: [reservedDisk(5000)]}}], none), (e: HttpError) => e.status === 409)
    r = applyOperations(r.total, [{type: 'DESTROY', destroy: {volumes: [volume(100, 'v1')]}}, {type: 'UNRESERVE', unreserve: {resources: [reservedDisk(300)]}}], none)
    assert.deepEqual(r.destroyed, [{role: 'db', persistenceId: 'v1'}])
    assert.deepEqual(r.total, base)
  })

  it('carves checkpointed reservations and volumes out of the base resources', () => {
    const base: Resource[] = [{name: 'disk', type: 'SCALAR', scalar: {value: 1000}}]
    const {total, fits} = totalResources(base, [reservedDisk(200), volume(100, 'v1')])
    assert.ok(fits)
    assert.equal(scalar(total, 'disk'), 1000)
    assert.equal(scalar(total.filter((x) => !x.reservations), 'disk'), 700)
    assert.equal(totalResources([], [volume(100, 'v1')]).fits, false)
  })
})

describe('agent persistent volumes', () => {
  let t: TestAgent
  before(async () => {
    t = await startTestAgent()
  })
  after(() => t.cleanup())

  const apply = (operations: unknown[]) => post(`${t.agent.url}/internal/v1/apply_operations`, {operations})
  const volumeTask = (id: string, command: string) => commandTask(id, command, {resources: [{name: 'cpus', type: 'SCALAR', scalar: {value: 0.1}}, volume(100, 'pv1')]})

  it('creates a volume that tasks see at its container path and that outlives them', async () => {
    let res = await apply([{type: 'RESERVE', reserve: {resources: [reservedDisk(100)]}}, {type: 'CREATE', create: {volumes: [volume(100, 'pv1')]}}])
    assert.equal(res.status, 200, res.text)
    const resources = (res.json() as {resources: Resource[]}).resources
    assert.ok(resources.some((r) => r.disk?.persistence?.id === 'pv1'))
    const dir = path.join(t.workDir, 'volumes', 'roles', 'db', 'pv1')
    assert.ok(fs.statSync(dir).isDirectory())

    await t.run(volumeTask('writer', 'echo kept > data/file; sleep 30'))
    await t.master.waitForState('writer', 'TASK_RUNNING')
    // RUNNING means the process started, not that its shell has written yet: a busy machine kills it before the echo otherwise
    await waitFor('the writer task to write its file', () => fs.existsSync(path.join(dir, 'file')))
    res = await apply([{type: 'DESTROY', destroy: {volumes: [volume(100, 'pv1')]}}])
    assert.equal(res.status, 409, res.text)
    await t.kill('writer', 0)
    await t.master.waitForState('writer', 'TASK_KILLED')
    assert.equal(fs.readFileSync(path.join(dir, 'file'), 'utf8'), 'kept\n')

    await t.run(volumeTask('reader', 'cat data/file'))
    const finished = await t.master.waitForState('reader', 'TASK_FINISHED')
    const cid = (finished.container_status as {container_id: {value: string}}).container_id.value
    const sandbox = path.join(t.workDir, 'slaves', 'stand-in-S0', 'frameworks', FRAMEWORK_ID, 'executors', 'reader', 'runs', cid)
    assert.equal(fs.readFileSync(path.join(sandbox, 'stdout'), 'utf8'), 'kept\n')
  })

  it('reports its reservations and volumes after a restart', async () => {
    await t.agent.close()
    const registrations = t.master.registrations.length
    await t.restart()
    await waitFor('re-registration', () => t.master.registrations.length > registrations)
    const reg = t.master.registrations.at(-1)!
    assert.ok(reg.resources.some((r) => r.disk?.persistence?.id === 'pv1'))
  })

  it('fails a task whose volume does not exist, and destroys an unused volume', async () => {
    const task = commandTask('novol', 'true', {resources: [volume(10, 'ghost')]})
    await t.run(task)
    const failed = await t.master.waitForState('novol', 'TASK_FAILED')
    assert.equal(failed.reason, 'REASON_CONTAINER_LAUNCH_FAILED')
    assert.match(failed.message!, /Persistent volume 'ghost'/)
    const res = await apply([{type: 'DESTROY', destroy: {volumes: [volume(100, 'pv1')]}}])
    assert.equal(res.status, 200, res.text)
    assert.ok(!fs.existsSync(path.join(t.workDir, 'volumes', 'roles', 'db', 'pv1')))
    assert.equal((await apply([{type: 'LAUNCH'}])).status, 400)
  })
})
