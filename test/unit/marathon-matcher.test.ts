/**
 * Pure placement: constraints, offer matching (many tasks per offer, reject reasons, roles,
 * resident reservations and relaunches), service and host ports, the task environment, and
 * the TaskInfo Marathon sends.
 */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {parseResources} from '../../src/mesos/resources'
import type {Attribute, Resource} from '../../src/mesos/types'
import {normalizeApp, type App} from '../../src/runtime/marathon/app-definition'
import {meetsConstraints, type Constraint, type Placement} from '../../src/runtime/marathon/constraints'
import {Violations} from '../../src/runtime/marathon/errors'
import {matchOffers, type LaunchRequest, type OfferView} from '../../src/runtime/marathon/matcher'
import {assignServicePorts, pickHostPorts, taskEnvironment} from '../../src/runtime/marathon/ports'
import {buildTaskInfo} from '../../src/runtime/marathon/task-builder'

const app = (over: Record<string, unknown> = {}): App => {
  const v = new Violations()
  const a = normalizeApp({id: '/web', cmd: 'run', cpus: 1, mem: 100, ...over}, {base: '/', role: '*', version: '2021-01-01T00:00:00.000Z'}, v)
  assert.deepEqual(v.list(), [])
  return a
}

const text = (name: string, value: string): Attribute => ({name, type: 'TEXT', text: {value}})
const at = (hostname: string, attributes: Attribute[] = []): Placement => ({hostname, attributes})

const offer = (id: string, resources = 'cpus:4;mem:1000;disk:1000;ports:[31000-31009]', over: Partial<OfferView> = {}): OfferView => ({
  id,
  agentId: `agent-${id}`,
  hostname: `host-${id}`,
  attributes: [],
  resources: parseResources(resources).map((r) => ({...r, allocation_info: {role: over.role ?? '*'}})),
  role: '*',
  ...over,
})

const OPTS = {
  maxPerOffer: 100,
  principal: 'marathon',
  reservationLabels: (id: string) => ({labels: [{key: 'marathon_task_id', value: id}]}),
  newInstanceId: () => 'web.instance-1',
  random: () => 0,
}

const request = (a: App, count: number, placed: Placement[] = []): LaunchRequest => ({app: a, count, relaunch: [], placed})

describe('constraints', () => {
  const c = (...x: string[]) => x as Constraint
  it('UNIQUE, CLUSTER, MAX_PER, GROUP_BY over hostnames and attributes', () => {
    const placed = [at('a', [text('rack', 'r1')]), at('b', [text('rack', 'r1')])]
    assert.equal(meetsConstraints([c('hostname', 'UNIQUE')], at('a'), placed), false)
    assert.equal(meetsConstraints([c('hostname', 'UNIQUE')], at('c'), placed), true)
    assert.equal(meetsConstraints([c('rack', 'CLUSTER', 'r1')], at('c', [text('rack', 'r1')]), []), true)
    assert.equal(meetsConstraints([c('rack', 'CLUSTER')], at('c', [text('rack', 'r2')]), placed), false)
    assert.equal(meetsConstraints([c('rack', 'MAX_PER', '2')], at('c', [text('rack', 'r1')]), placed), false)
    assert.equal(meetsConstraints([c('rack', 'MAX_PER', '3')], at('c', [text('rack', 'r1')]), placed), true)
    assert.equal(meetsConstraints([c('rack', 'GROUP_BY', '2')], at('c', [text('rack', 'r1')]), placed), false)
    assert.equal(meetsConstraints([c('rack', 'GROUP_BY', '2')], at('c', [text('rack', 'r2')]), placed), true)
  })

  it('LIKE and UNLIKE match the whole value; UNLIKE accepts agents without the field; IS compares scalars', () => {
    assert.equal(meetsConstraints([c('hostname', 'LIKE', 'srv[12]')], at('srv2'), []), true)
    assert.equal(meetsConstraints([c('hostname', 'LIKE', 'srv')], at('srv2'), []), false)
    assert.equal(meetsConstraints([c('rack', 'UNLIKE', 'r1')], at('x'), []), true)
    assert.equal(meetsConstraints([c('rack', 'LIKE', 'r1')], at('x'), []), false)
    assert.equal(meetsConstraints([c('gen', 'IS', '2')], at('x', [{name: 'gen', type: 'SCALAR', scalar: {value: 2.0001}}]), []), true)
  })
})

describe('offer matching', () => {
  it('launches many tasks per offer and says why the rest did not fit', () => {
    const a = app()
    const {launches, verdicts} = matchOffers([offer('1')], [request(a, 10)], OPTS)
    assert.equal(launches.length, 4, 'four cpus')
    assert.deepEqual(launches.map((l) => l.hostPorts), [[31000], [31001], [31002], [31003]])
    assert.deepEqual(verdicts, [{appId: '/web', offerId: '1', used: true, reasons: ['InsufficientCpus']}])
    const res = launches[0].resources
    assert.deepEqual(
      res.map((r) => [r.name, r.scalar?.value ?? r.ranges?.range]),
      [
        ['cpus', 1],
        ['mem', 100],
        ['ports', [{begin: 31000, end: 31000}]],
      ],
    )
  })

  it('places a hostname:UNIQUE app once per agent, counting this round', () => {
    const a = app({constraints: [['hostname', 'UNIQUE']]})
    const {launches, verdicts} = matchOffers([offer('1'), offer('2'), offer('3')], [request(a, 4, [at('host-2')])], OPTS)
    assert.deepEqual(launches.map((l) => l.offerId), ['1', '3'])
    assert.deepEqual(verdicts.find((v) => v.offerId === '2')?.reasons, ['UnfulfilledConstraint'])
  })

  it('honours acceptedResourceRoles and required ports', () => {
    assert.deepEqual(matchOffers([offer('1')], [request(app({acceptedResourceRoles: ['slave_public']}), 1)], OPTS).verdicts[0].reasons, ['UnfulfilledRole'])
    const fixed = app({requirePorts: true, portDefinitions: [{port: 31005}]})
    assert.deepEqual(matchOffers([offer('1')], [request(fixed, 1)], OPTS).launches[0].hostPorts, [31005])
    assert.deepEqual(matchOffers([offer('1', 'cpus:4;mem:1000;ports:[31000-31001]')], [request(fixed, 1)], OPTS).verdicts[0].reasons, ['InsufficientPorts'])
  })

  it('reserves and creates volumes for a new resident instance, only with a role it can reserve for', () => {
    const resident = app({disk: 0, container: {type: 'MESOS', volumes: [{containerPath: 'data', mode: 'RW', persistent: {size: 10}}]}})
    assert.deepEqual(matchOffers([offer('1')], [request(resident, 1)], OPTS).verdicts[0].reasons, ['UnfulfilledRole'])
    const {launches} = matchOffers([offer('1', undefined, {role: 'marathon'})], [request(resident, 1)], OPTS)
    assert.equal(launches.length, 1)
    const l = launches[0]
    assert.ok(l.reserve)
    assert.deepEqual(l.reserve.resources.map((r) => [r.name, r.reservations?.[0].role]), [
      ['cpus', 'marathon'],
      ['mem', 'marathon'],
      ['disk', 'marathon'],
      ['ports', 'marathon'],
    ])
    assert.equal(l.reserve.resources.find((r) => r.name === 'disk')?.scalar?.value, 10)
    assert.deepEqual(l.reserve.volumes[0].disk, {persistence: {id: 'web.instance-1#0', principal: 'marathon'}, volume: {container_path: 'data', mode: 'RW'}})
    assert.deepEqual(l.resources.map((r) => r.name).sort(), ['cpus', 'disk', 'mem', 'ports'], 'the task runs on the reservation and its volume')
  })

  it('relaunches a resident instance only where its reservation is', () => {
    const resident = app({container: {type: 'MESOS', volumes: [{containerPath: 'data', mode: 'RW', persistent: {size: 10}}]}})
    const reserved: Resource[] = parseResources('cpus:1;mem:100').map((r) => ({...r, reservations: [{type: 'DYNAMIC', role: 'marathon'}]}))
    const relaunch = {taskId: 'web.instance-1._app.1', reservation: {agentId: 'agent-2', resources: reserved, volumeIds: []}}
    const withReservation = offer('2', 'cpus:1;mem:100', {role: 'marathon'})
    withReservation.resources = reserved.map((r) => ({...r, allocation_info: {role: 'marathon'}}))
    const {launches} = matchOffers([offer('1', undefined, {role: 'marathon'}), withReservation], [{app: resident, count: 0, relaunch: [relaunch], placed: []}], OPTS)
    assert.deepEqual(launches.map((l) => [l.offerId, l.relaunchOf]), [['2', 'web.instance-1._app.1']])
  })
})

describe('ports and the task', () => {
  it('assigns free service ports from 10000 and host ports from the offer', () => {
    const used = new Set([10000, 10002])
    assert.deepEqual(assignServicePorts([{port: 0, protocol: 'tcp'}, {port: 0, protocol: 'tcp'}, {port: 12345, protocol: 'tcp'}], used)?.map((d) => d.port), [10001, 10003, 12345])
    assert.equal(assignServicePorts([{port: 0, protocol: 'tcp'}], new Set([10000]), {min: 10000, max: 10001}), undefined)
    const ranges = [{begin: 31000, end: 31000}, {begin: 31005, end: 31009}]
    const two = app({portDefinitions: [{port: 0}, {port: 0}]})
    assert.deepEqual(pickHostPorts(two, ranges, () => 0), [31000, 31005])
    assert.deepEqual(pickHostPorts(two, ranges, () => 0.99), [31009, 31000], 'from a random place, wrapping around')
    assert.equal(pickHostPorts(two, [{begin: 31000, end: 31000}]), undefined)
  })

  it('gives the task Marathon’s environment; the app’s env wins', () => {
    const a = app({
      portDefinitions: [{port: 10005, name: 'http'}, {port: 0}],
      labels: {owner: 'zeus', 'x-y': 'z'},
      env: {PORT: 'mine'},
      cpus: 0.5,
      mem: 128,
    })
    const env = taskEnvironment(a, {taskId: 'web.instance-1._app.1', host: '127.0.0.2', hostPorts: [31000, 31001]})
    assert.deepEqual(
      {...env},
      {
        MESOS_TASK_ID: 'web.instance-1._app.1',
        MARATHON_APP_ID: '/web',
        MARATHON_APP_VERSION: '2021-01-01T00:00:00.000Z',
        MARATHON_APP_RESOURCE_CPUS: '0.5',
        MARATHON_APP_RESOURCE_MEM: '128.0',
        MARATHON_APP_RESOURCE_DISK: '0.0',
        MARATHON_APP_RESOURCE_GPUS: '0',
        MARATHON_APP_LABELS: 'OWNER X_Y',
        MARATHON_APP_LABEL_OWNER: 'zeus',
        MARATHON_APP_LABEL_X_Y: 'z',
        HOST: '127.0.0.2',
        PORT0: '31000',
        PORT1: '31001',
        PORT: 'mine',
        PORTS: '31000,31001',
        PORT_HTTP: '31000',
        PORT_10005: '31000',
        PORT_31001: '31001',
      },
    )
  })

  it('builds the TaskInfo: shell command or argv, URIs, kill grace period, labels', () => {
    const a = app({args: ['/bin/echo', 'hi'], cmd: undefined, fetch: [{uri: 'http://x/a.tgz', destPath: 'b.tgz'}], taskKillGracePeriodSeconds: 7, labels: {k: 'v'}})
    const [l] = matchOffers([offer('1')], [request(a, 1)], OPTS).launches
    const info = buildTaskInfo(a, l, 'web.instance-1._app.1')
    assert.equal(info.name, 'web')
    assert.deepEqual([info.command?.shell, info.command?.value, info.command?.arguments], [false, '/bin/echo', ['/bin/echo', 'hi']])
    assert.deepEqual(info.command?.uris, [{value: 'http://x/a.tgz', extract: true, executable: false, cache: false, output_file: 'b.tgz'}])
    assert.deepEqual(info.kill_policy, {grace_period: {nanoseconds: 7e9}})
    assert.deepEqual(info.labels, {labels: [{key: 'k', value: 'v'}]})
    assert.ok(info.command?.environment?.variables.some((v) => v.name === 'PORT0' && v.value === '31000'))
  })
})
