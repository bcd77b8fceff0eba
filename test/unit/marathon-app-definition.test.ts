/**
 * The app definition against real Marathon data (/work/shared/fixtures/marathon-real, used as
 * they are): every fixture app that needs no container engine is accepted, those that need one
 * get a 422 naming the field, Marathon's own JSON Schema (1.7) agrees with our verdicts, and
 * what we store is itself a valid request that normalises to the same app.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {describe, it} from 'node:test'
import {configKey, mergeUpdate, normalizeApp, type App} from '../../src/runtime/marathon/app-definition'
import {Violations} from '../../src/runtime/marathon/errors'
import {canonicalPath, pathProblems} from '../../src/runtime/marathon/path-id'

const FIXTURES = '/work/shared/fixtures/marathon-real'
const read = (f: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, f), 'utf8'))
const CTX = {base: '/', role: '*', version: '2021-07-27T20:40:33.123Z'}

function normalize(input: unknown, ctx = CTX): {app: App; violations: {path: string; errors: string[]}[]} {
  const v = new Violations()
  const app = normalizeApp(input, ctx, v)
  return {app, violations: v.list()}
}

/** Enough of JSON Schema (draft 4) for Marathon's AppDefinition.json. */
function schemaErrors(schema: any, value: unknown, root: any = schema, at = ''): string[] {
  if (schema.$ref) {
    const target = schema.$ref.replace(/^#\//, '').split('/').reduce((o: any, k: string) => o[k], root)
    const rest = {...schema}
    delete rest.$ref
    return [...schemaErrors(target, value, root, at), ...schemaErrors(rest, value, root, at)]
  }
  const errors: string[] = []
  const type = schema.type
  const is = (t: string) =>
    t === 'integer' ? Number.isInteger(value) : t === 'number' ? typeof value === 'number' : t === 'array' ? Array.isArray(value) : t === 'null' ? value === null : t === 'object' ? typeof value === 'object' && value !== null && !Array.isArray(value) : typeof value === t
  if (type && !(Array.isArray(type) ? type : [type]).some(is)) return [`${at}: not ${type}`]
  if (schema.enum && !schema.enum.some((e: unknown) => JSON.stringify(e) === JSON.stringify(value))) errors.push(`${at}: not in enum`)
  if (typeof value === 'string') {
    if (schema.pattern && !new RegExp(schema.pattern).test(value)) errors.push(`${at}: pattern`)
    if (schema.minLength !== undefined && value.length < schema.minLength) errors.push(`${at}: minLength`)
    if (schema.maxLength !== undefined && value.length > schema.maxLength) errors.push(`${at}: maxLength`)
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${at}: minimum`)
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${at}: maximum`)
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) errors.push(`${at}: minItems`)
    if (schema.items) {
      if (Array.isArray(schema.items)) {
        value.forEach((v, i) => {
          if (i < schema.items.length) errors.push(...schemaErrors(schema.items[i], v, root, `${at}[${i}]`))
          else if (schema.additionalItems === false) errors.push(`${at}[${i}]: additional item`)
        })
      } else value.forEach((v, i) => errors.push(...schemaErrors(schema.items, v, root, `${at}[${i}]`)))
    }
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const o = value as Record<string, unknown>
    for (const r of schema.required ?? []) if (!(r in o)) errors.push(`${at}/${r}: required`)
    for (const [k, v] of Object.entries(o)) {
      if (schema.properties?.[k]) errors.push(...schemaErrors(schema.properties[k], v, root, `${at}/${k}`))
      else {
        const pattern = Object.entries(schema.patternProperties ?? {}).find(([p]) => new RegExp(p).test(k))
        if (pattern) errors.push(...schemaErrors(pattern[1], v, root, `${at}/${k}`))
        else if (schema.additionalProperties === false) errors.push(`${at}/${k}: additional property`)
        else if (typeof schema.additionalProperties === 'object') errors.push(...schemaErrors(schema.additionalProperties, v, root, `${at}/${k}`))
      }
    }
  }
  for (const s of schema.allOf ?? []) errors.push(...schemaErrors(s, value, root, at))
  if (schema.anyOf && !schema.anyOf.some((s: any) => schemaErrors(s, value, root, at).length === 0)) errors.push(`${at}: anyOf`)
  if (schema.oneOf && schema.oneOf.filter((s: any) => schemaErrors(s, value, root, at).length === 0).length !== 1) errors.push(`${at}: oneOf`)
  if (schema.not && schemaErrors(schema.not, value, root, at).length === 0) errors.push(`${at}: not`)
  return errors
}

const SCHEMA = read('AppDefinition.schema.json')
/** Fields newer than the 1.7 schema. */
const withoutNewer = (app: App) => {
  const {role: _r, check: _c, tty: _t, ...rest} = app
  return rest
}

/** Fixture apps and whether they need what this cluster lacks (a container engine, a volume driver, container networking). */
const FIXTURE_APPS: [string, boolean][] = [
  ['examples/app-simple.json', false],
  ['examples/app-check-http-example.json', false],
  ['system-apps/http-server.json', false],
  ['system-apps/large-sleep.json', false],
  ['system-apps/mesos-app.json', false],
  ['system-apps/sleep-app.json', false],
  ['system-apps/persistent-volume-app.json', false],
  ['system-apps/app-with-https-readiness-checks.json', true],
  ['system-apps/docker-http-server.json', true],
  ['system-apps/docker-nginx-ssl.json', true],
  ['system-apps/external-volume-mesos-app.json', true],
  ['system-apps/ipv6-healthcheck.json', true],
  ['system-apps/pinger-bridge-app.json', true],
  ['system-apps/pinger-container-app.json', true],
  ['system-apps/private-docker-app.json', true],
  ['system-apps/private-ucr-docker-app.json', true],
  ['system-apps/resident-docker-app.json', true],
  ['system-apps/ucr-docker-http-server.json', true],
]

describe('app definition: real fixtures', () => {
  it('covers every app fixture', () => {
    const listed = new Set(FIXTURE_APPS.map(([f]) => f))
    for (const f of fs.readdirSync(path.join(FIXTURES, 'system-apps'))) assert.ok(listed.has(`system-apps/${f}`), f)
  })

  for (const [file, needsEngine] of FIXTURE_APPS) {
    it(`${file}: ${needsEngine ? '422 naming the field' : 'accepted'}`, () => {
      const {app, violations} = normalize(read(file))
      if (!needsEngine) {
        assert.deepEqual(violations, [])
        assert.deepEqual(schemaErrors(SCHEMA, withoutNewer(app)), [], 'the stored app is a valid request by Marathon’s schema')
        const again = normalize(JSON.parse(JSON.stringify(app)))
        assert.deepEqual(again.violations, [])
        assert.equal(configKey(again.app), configKey(app), 'what we store normalises to itself')
        return
      }
      assert.ok(violations.length > 0)
      const engine = violations.filter((v) => v.errors.some((e) => /container engine|secret store/.test(e)))
      assert.ok(engine.length > 0, JSON.stringify(violations))
      for (const v of engine) assert.match(v.path, /^\/(container|ipAddress|networks|secrets|env)/)
    })
  }

  it('agrees with Marathon’s JSON Schema on the request fixtures it can judge', () => {
    for (const [file, needsEngine] of FIXTURE_APPS) {
      if (needsEngine) continue
      assert.deepEqual(schemaErrors(SCHEMA, read(file)).filter((e) => !e.includes('/check')), [], file)
    }
    const kitchenSink = read('examples/app.json')
    assert.ok(schemaErrors(SCHEMA, kitchenSink).some((e) => e.endsWith(': not')), 'cmd with args is invalid by the schema')
    const ours = normalize(kitchenSink).violations
    assert.ok(ours.some((v) => v.path === '/' && v.errors[0].includes("one of 'cmd' or 'args'")))
    assert.ok(ours.some((v) => v.path === '/container/type' && /container engine/.test(v.errors[0])))
    assert.ok(ours.some((v) => v.path === '/env/PASSWORD'))
  })

  it('accepts the old-style app of app_list.json (nulls, ports, uris, a UNIQUE with an empty value)', () => {
    const old = read('examples/app_list.json').apps[0]
    const {app, violations} = normalize(old)
    assert.deepEqual(violations, [])
    assert.deepEqual(app.portDefinitions, [
      {port: 10013, protocol: 'tcp'},
      {port: 10015, protocol: 'tcp'},
    ])
    assert.deepEqual(app.fetch, [{uri: 'https://raw.github.com/mesosphere/marathon/master/README.md', extract: false, executable: false, cache: false}])
    assert.deepEqual(app.constraints, [['hostname', 'UNIQUE']])
    assert.equal(app.maxLaunchDelaySeconds, 3600)
    assert.equal('args' in app || 'container' in app || 'user' in app, false)
  })

  it('takes the apps of apps_create.json and the groups fixture', () => {
    for (const raw of read('examples/apps_create.json')) assert.deepEqual(normalize(raw).violations, [])
    for (const raw of read('system-groups/sleep-group.json').groups[0].apps) assert.deepEqual(normalize(raw).violations, [])
  })
})

describe('app definition: defaults and serialisation', () => {
  it('fills Marathon 1.10’s defaults for the simple request', () => {
    const {app} = normalize({id: 'simple', cmd: 'sleep 1000', cpus: 0.1, mem: 16, instances: 2})
    assert.deepEqual(app, {
      id: '/simple',
      backoffFactor: 1.15,
      backoffSeconds: 1,
      cmd: 'sleep 1000',
      cpus: 0.1,
      disk: 0,
      executor: '',
      instances: 2,
      labels: {},
      maxLaunchDelaySeconds: 300,
      mem: 16,
      gpus: 0,
      networks: [{mode: 'host'}],
      portDefinitions: [{port: 0, protocol: 'tcp', name: 'default'}],
      requirePorts: false,
      upgradeStrategy: {minimumHealthCapacity: 1, maximumOverCapacity: 1},
      version: CTX.version,
      killSelection: 'YOUNGEST_FIRST',
      unreachableStrategy: {inactiveAfterSeconds: 0, expungeAfterSeconds: 0},
      role: '*',
    })
  })

  it('writes health checks back with every default', () => {
    const {app} = normalize({id: '/h', cmd: 'x', healthChecks: [{protocol: 'HTTP', path: '/health'}, {protocol: 'COMMAND', command: {value: 'true'}}]})
    assert.deepEqual(app.healthChecks, [
      {gracePeriodSeconds: 300, intervalSeconds: 60, maxConsecutiveFailures: 3, protocol: 'HTTP', ipProtocol: 'IPv4', timeoutSeconds: 20, delaySeconds: 15, ignoreHttp1xx: false, portIndex: 0, path: '/health'},
      {gracePeriodSeconds: 300, intervalSeconds: 60, maxConsecutiveFailures: 3, protocol: 'COMMAND', ipProtocol: 'IPv4', timeoutSeconds: 20, delaySeconds: 15, ignoreHttp1xx: false, command: {value: 'true'}},
    ])
  })

  it('makes resident apps of persistent volumes, with their upgrade defaults', () => {
    const {app} = normalize(read('system-apps/persistent-volume-app.json'))
    assert.deepEqual(app.residency, {relaunchEscalationTimeoutSeconds: 3600, taskLostBehavior: 'WAIT_FOREVER'})
    assert.deepEqual(app.container, {type: 'MESOS', volumes: [{containerPath: 'data', mode: 'RW', persistent: {type: 'root', size: 10, constraints: []}}]})
    assert.deepEqual(normalize({id: '/r', cmd: 'x', container: {type: 'MESOS', volumes: [{containerPath: 'd', mode: 'RW', persistent: {size: 1}}]}}).app.upgradeStrategy, {
      minimumHealthCapacity: 0.5,
      maximumOverCapacity: 0,
    })
  })

  it('applies partial updates the way AppUpdate does', () => {
    const {app} = normalize({id: '/p', args: ['sleep', '10'], ports: [0], uris: ['http://x/a.tgz']})
    const merged = mergeUpdate(app, {cmd: 'sleep 5', instances: 3})
    const {app: next, violations} = normalize(merged)
    assert.deepEqual(violations, [])
    assert.equal(next.cmd, 'sleep 5')
    assert.equal(next.args, undefined)
    assert.equal(next.instances, 3)
    assert.deepEqual(next.fetch, [{uri: 'http://x/a.tgz', extract: true, executable: false, cache: false}])
    assert.equal(configKey(app) === configKey(next), false)
    assert.equal(configKey(normalize(mergeUpdate(app, {instances: 9})).app), configKey(app), 'scaling is no config change')
  })
})

describe('app definition: validation', () => {
  const errorsOf = (input: unknown) => Object.fromEntries(normalize(input).violations.map((v) => [v.path, v.errors]))

  it('says what is wrong, where, as Marathon does', () => {
    assert.deepEqual(errorsOf({cmd: 'x'}), {'/id': ['error.path.missing']})
    assert.deepEqual(errorsOf({id: '/a', cmd: 'x', args: ['y']}), {'/': ["AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'."]})
    assert.deepEqual(errorsOf({id: '/a', cmd: 'x', instances: 0.5}), {'/instances': ['error.expected.jsinteger']})
    assert.deepEqual(errorsOf({id: '/a', cmd: 'x', cpus: 'lots'}), {'/cpus': ['error.expected.jsnumber']})
    assert.deepEqual(errorsOf({id: '/a', cmd: 'x', upgradeStrategy: {minimumHealthCapacity: 1.5}}), {'/upgradeStrategy/minimumHealthCapacity': ['is greater than 1']})
    assert.deepEqual(errorsOf({id: '/a', cmd: 'x', ports: [1], portDefinitions: [{port: 2}]}), {'/': ['You cannot specify both ports and port definitions']})
    assert.deepEqual(errorsOf({id: '/a', cmd: 'x', portDefinitions: [{port: 5, name: 'a'}, {port: 5, name: 'a'}]}), {'/portDefinitions': ['Port names must be unique.', 'Ports must be unique.']})
    assert.deepEqual(errorsOf({id: '/a', cmd: 'x', constraints: [['hostname', 'UNIQUE', 'x'], ['rack', 'MAX_PER'], ['a', 'NEAR']]}), {
      '/constraints(0)': ['UNIQUE does not accept a value'],
      '/constraints(1)': ['MAX_PER requires an integer value'],
      '/constraints(2)': ['operator must be one of the following UNIQUE, CLUSTER, GROUP_BY, LIKE, MAX_PER, UNLIKE or IS'],
    })
    assert.deepEqual(errorsOf({id: '/a', cmd: 'x', healthChecks: [{portIndex: 3}]}), {
      '/healthChecks(0)': ['Health check port indices must address an element of the ports array or container port mappings.'],
    })
    assert.deepEqual(errorsOf({id: '/a', cmd: 'x', readinessChecks: [{portName: 'web'}]}), {'/readinessChecks(0)': ['No port definition reference for portName web']})
    assert.deepEqual(errorsOf({id: '/a', cmd: 'x', unreachableStrategy: {inactiveAfterSeconds: 10, expungeAfterSeconds: 5}}), {
      '/unreachableStrategy/inactiveAfterSeconds': ['inactiveAfterSeconds (10) must be less or equal to expungeAfterSeconds, which is 5'],
    })
    assert.deepEqual(errorsOf({id: '/a', cmd: 'x', fetch: [{uri: 'not a uri'}], uris: ['http://y']}), {
      '/uris': ['may not be set in conjunction with fetch'],
      '/fetch(0)/uri': ['URI has invalid syntax.'],
    })
  })

  it('refuses what needs a container engine, naming the field', () => {
    const docker = errorsOf({id: '/d', cmd: 'x', container: {type: 'DOCKER', docker: {image: 'nginx'}}})
    assert.match(docker['/container/type'][0], /needs a container engine, and this cluster has no container engine/)
    assert.match(errorsOf({id: '/d', cmd: 'x', container: {type: 'MESOS', docker: {image: 'nginx'}}})['/container/docker/image'][0], /container engine/)
    assert.match(errorsOf({id: '/d', cmd: 'x', networks: [{mode: 'container/bridge'}]})['/networks(0)/mode'][0], /container engine/)
    assert.deepEqual(errorsOf({id: '/d', cmd: 'x', container: {type: 'MESOS'}}), {})
  })

  it('canonicalises ids and refuses bad ones', () => {
    assert.equal(canonicalPath('sleep', '/a/b'), '/a/b/sleep')
    assert.equal(canonicalPath('../c', '/a/b'), '/a/c')
    assert.equal(canonicalPath('/x//y/'), '/x/y')
    assert.equal(normalize({id: 'a/./b/../c', cmd: 'x'}).app.id, '/a/c')
    assert.deepEqual(pathProblems('/a/tasks'), ['must not end with any of the following reserved keywords: restart, tasks, versions, ., ..'])
    assert.match(pathProblems('/Caps')[0], /^must fully match regular expression/)
    assert.match(pathProblems('/-a')[0], /^must fully match/)
    assert.deepEqual(pathProblems('/'), ['Path must contain at least one path element'])
    assert.deepEqual(errorsOf({id: '../../x', cmd: 'x'}), {'/id': ['Path needs to be absolute']})
  })
})
