/**
 * Dependencies as real Marathon 1.x validates them (`state/RootGroup.scala`): the graph of apps
 * (an app's dependency on an app or on every app below a group; a group's on every app below
 * another group) must have no cycle, self-loops included, else 422 `Dependency graph has cyclic
 * dependencies.` at `/`; a dependency on a path that does not exist is accepted (no edge); an app
 * whose id is a group's with apps is `Groups and Applications may not have the same identifier.`
 * (an empty group gives way). A refused request changes nothing. Marathon runs without a master: only the API is under test.
 */
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'
import {normalizeApp, type App} from '../../src/runtime/marathon/app-definition'
import {Violations} from '../../src/runtime/marathon/errors'
import {dependencyCycle} from '../../src/runtime/marathon/planner'
import {startBareMarathon} from './marathon-harness'
import {request} from './master-harness'

const CYCLIC = {message: 'Object is not valid', details: [{path: '/', errors: ['Dependency graph has cyclic dependencies.']}]}
const CLASH = {message: 'Object is not valid', details: [{path: '/', errors: ['Groups and Applications may not have the same identifier.']}]}

describe('dependency cycles (pure)', () => {
  const v = new Violations()
  const app = (id: string, dependencies: string[] = []): App => normalizeApp({id, cmd: 'sleep 1', dependencies}, {base: '/', role: '*', version: 'v1'}, v)
  const apps = (...list: App[]) => new Map(list.map((a) => [a.id, a]))
  const groups = (entries: Record<string, string[]>) => new Map(Object.entries(entries).map(([id, dependencies]) => [id, {dependencies}]))

  it('counts self-loops, app cycles, an app below what it depends on and group cycles', () => {
    assert.equal(dependencyCycle(apps(app('/a', ['/a'])), new Map()), '/a')
    assert.ok(dependencyCycle(apps(app('/a', ['/b']), app('/b', ['/a'])), new Map()))
    assert.equal(dependencyCycle(apps(app('/g/a', ['/g'])), groups({'/g': []})), '/g/a')
    assert.ok(dependencyCycle(apps({...app('/g/a'), dependencies: ['/']}), new Map()))
    assert.ok(dependencyCycle(apps(app('/x/a'), app('/y/b')), groups({'/x': ['/y'], '/y': ['/x']})))
    assert.ok(dependencyCycle(apps(app('/x/a', ['/y']), app('/y/b')), groups({'/y': ['/x']})))
    // A group depending on a subgroup with apps: each of those apps waits for itself.
    assert.ok(dependencyCycle(apps(app('/g/sub/a')), groups({'/g': ['/g/sub']})))
    assert.ok(dependencyCycle(apps(app('/g/a')), groups({'/g': ['/g']})))
  })

  it('finds none where Marathon draws no edge: empty groups, a group on an app, missing paths, a chain', () => {
    assert.equal(dependencyCycle(apps(app('/other')), groups({'/g': ['/g']})), undefined)
    assert.equal(dependencyCycle(apps(app('/g/a'), app('/g/b')), groups({'/g': ['/g/a']})), undefined)
    assert.equal(dependencyCycle(apps(app('/a', ['/nowhere', '/no/group'])), new Map()), undefined)
    assert.equal(dependencyCycle(apps(app('/x/a', ['/y']), app('/y/b')), groups({'/x': ['/z'], '/y': [], '/z': []})), undefined)
    // 20,000 apps in one chain: no stack overflow, and linear: 4x the apps of a 5,000 chain take
    // about 4x as long (a quadratic walk would take 16x), whatever the machine's load.
    const timed = (n: number) => {
      const chain = apps(...Array.from({length: n}, (_, i) => app(`/c/a${i}`, i > 0 ? [`/c/a${i - 1}`] : [])))
      const t0 = performance.now()
      assert.equal(dependencyCycle(chain, groups({'/c': []})), undefined)
      chain.set('/c/a0', app('/c/a0', [`/c/a${n - 1}`]))
      assert.ok(dependencyCycle(chain, groups({'/c': []})))
      return performance.now() - t0
    }
    const small = timed(5_000)
    const large = timed(20_000)
    assert.ok(large < 8 * small + 50, `20,000 apps ${large.toFixed(0)} ms, 5,000 apps ${small.toFixed(0)} ms`)
  })
})

describe('dependencies through the API', () => {
  let marathon: Awaited<ReturnType<typeof startBareMarathon>>
  const bugs: string[] = []

  before(async () => {
    marathon = await startBareMarathon('marathon-deps-', bugs)
  })
  after(() => marathon?.close())

  const send = async (method: string, p: string, body?: unknown) => {
    const text = body === undefined ? undefined : JSON.stringify(body)
    const r = await request(marathon.url + p, {method, ...(text !== undefined && {body: text}), headers: {'Content-Type': 'application/json'}})
    return {status: r.status, text: r.text, json: () => JSON.parse(r.text)}
  }
  const app = (id: string, dependencies?: string[]) => ({id, cmd: 'sleep 1', instances: 0, cpus: 0.01, mem: 16, ...(dependencies && {dependencies})})
  /** Everything a refused request must leave as it was. */
  const snapshot = async () => JSON.stringify([(await send('GET', '/v2/groups?embed=group.groups&embed=group.apps')).json(), (await send('GET', '/v2/deployments')).json().length])
  /** Deployments of apps with no instances end on their own: waits for that, so they do not move under a snapshot. */
  const settled = async () => {
    for (let i = 0; i < 100 && (await send('GET', '/v2/deployments')).json().length > 0; i++) await new Promise((r) => setTimeout(r, 50))
  }
  const refused = async (method: string, p: string, body: unknown, expected: unknown) => {
    await settled()
    const before = await snapshot()
    const r = await send(method, p, body)
    assert.equal(r.status, 422, `${method} ${p} ${JSON.stringify(body)}: ${r.text}`)
    assert.deepEqual(r.json(), expected, `${method} ${p} ${JSON.stringify(body)}`)
    assert.equal(await snapshot(), before, `${method} ${p} changed state`)
  }

  it('refuses an app depending on itself, absolutely or relatively, or on a group holding it', async () => {
    await refused('POST', '/v2/apps', app('/self', ['/self']), CYCLIC)
    await refused('POST', '/v2/apps', app('/s/self', ['self']), CYCLIC)
    await refused('POST', '/v2/apps', app('/s/self', ['.']), CYCLIC)
    await refused('POST', '/v2/apps', app('/s/t/self', ['/s']), CYCLIC)
    await refused('PUT', '/v2/apps/s/self', app('/s/self', ['./self']), CYCLIC)
    assert.equal((await send('GET', '/v2/apps/s/self')).status, 404)
  })

  it('refuses app cycles made in one request or by a later PUT of one app, keeping the earlier state', async () => {
    await refused('PUT', '/v2/apps', [app('/p/a', ['/p/b']), app('/p/b', ['/p/a'])], CYCLIC)
    assert.equal((await send('POST', '/v2/apps?force=true', app('/q/a', ['/q/b']))).status, 201)
    assert.equal((await send('POST', '/v2/apps?force=true', app('/q/b'))).status, 201)
    await refused('PUT', '/v2/apps/q/b?force=true', app('/q/b', ['/q/a']), CYCLIC)
    await refused('PATCH', '/v2/apps/q/b?force=true', {dependencies: ['a']}, CYCLIC)
    assert.equal((await send('GET', '/v2/apps/q/b')).json().app.dependencies, undefined)
    // Through a group: /q/b on /r, whose app depends on /q.
    assert.equal((await send('POST', '/v2/apps?force=true', app('/r/c', ['/q']))).status, 201)
    await refused('PUT', '/v2/apps/q/b?force=true', app('/q/b', ['/r']), CYCLIC)
  })

  it('refuses group cycles across apps in one POST or PUT of /v2/groups, and a later app that closes one', async () => {
    const two = {id: '/gg', groups: [{id: 'x', dependencies: ['/gg/y'], apps: [{id: 'a', cmd: 'sleep 1', instances: 0}]}, {id: 'y', dependencies: ['/gg/x'], apps: [{id: 'b', cmd: 'sleep 1', instances: 0}]}]}
    await refused('POST', '/v2/groups', two, CYCLIC)
    await refused('PUT', '/v2/groups?force=true', two, CYCLIC)
    assert.equal((await send('GET', '/v2/groups/gg')).status, 404)
    // Group on group one way, then an app of the other group on the first.
    const one = {id: '/gh', groups: [{id: 'x', dependencies: ['/gh/y'], apps: [{id: 'a', cmd: 'sleep 1', instances: 0}]}, {id: 'y', apps: [{id: 'b', cmd: 'sleep 1', instances: 0}]}]}
    assert.equal((await send('POST', '/v2/groups?force=true', one)).status, 201)
    await refused('PUT', '/v2/apps/gh/y/b?force=true', app('/gh/y/b', ['/gh/x/a']), CYCLIC)
    // An empty group may depend on itself (Marathon draws no edge), but no app can join it then.
    assert.equal((await send('POST', '/v2/groups?force=true', {id: '/lonely', dependencies: ['/lonely']})).status, 201)
    await refused('POST', '/v2/apps', app('/lonely/a'), CYCLIC)
    assert.deepEqual(bugs, [])
  })

  it('accepts a dependency on a path that does not exist, as Marathon does (it orders nothing)', async () => {
    const r = await send('POST', '/v2/apps?force=true', app('/m/a', ['/nowhere', 'missing']))
    assert.equal(r.status, 201, r.text)
    assert.deepEqual((await send('GET', '/v2/apps/m/a')).json().app.dependencies, ['/nowhere', '/m/missing'])
    assert.equal((await send('POST', '/v2/groups?force=true', {id: '/mg', dependencies: ['/nowhere'], apps: [{id: 'a', cmd: 'sleep 1', instances: 0}]})).status, 201)
  })

  it('orders a deployment on the same graph: a group\'s dependency on an app orders nothing, an app\'s does', async () => {
    await settled()
    const running = (id: string) => ({id, cmd: 'sleep 1', instances: 1, cpus: 0.01, mem: 16})
    const stepsOf = async (app: string) => {
      const d = (await send('GET', '/v2/deployments')).json().find((x: {affectedApps: string[]}) => x.affectedApps.includes(app))
      return (d.steps as {actions: {action: string; app: string}[]}[]).map((s) => s.actions.filter((a) => a.action !== 'StartApplication').map((a) => a.app)).filter((s) => s.length > 0)
    }
    const r1 = await send('POST', '/v2/groups?force=true', {id: '/ord', dependencies: ['/ord/a'], apps: [running('a'), running('b')]})
    assert.equal(r1.status, 201, r1.text)
    assert.deepEqual(await stepsOf('/ord/a'), [['/ord/a', '/ord/b']])
    const r2 = await send('POST', '/v2/groups?force=true', {id: '/ord2', apps: [{...running('a'), dependencies: ['/ord2/b']}, running('b')]})
    assert.equal(r2.status, 201, r2.text)
    assert.deepEqual(await stepsOf('/ord2/a'), [['/ord2/b'], ['/ord2/a']])
    for (const g of ['/v2/groups/ord', '/v2/groups/ord2']) assert.equal((await send('DELETE', `${g}?force=true`)).status, 200)
  })

  it('says an app whose id is a group\'s clashes with the group', async () => {
    assert.equal((await send('POST', '/v2/apps?force=true', app('/grp/inner'))).status, 201)
    await refused('PUT', '/v2/apps/grp?force=true', app('/grp'), CLASH)
    await refused('POST', '/v2/apps', app('/grp'), CLASH)
    await refused('PUT', '/v2/groups?force=true', {id: '/', apps: [{id: '/grp', cmd: 'sleep 1'}]}, CLASH)
    assert.equal((await send('GET', '/v2/apps/grp/inner')).status, 200)
    // A group with no app below it gives way to the app (RootGroup.updateApp), its empty subgroups too.
    for (const [method, p, id] of [['PUT', '/v2/apps/empty1', '/empty1'], ['POST', '/v2/apps', '/empty2']] as const) {
      assert.equal((await send('POST', '/v2/groups?force=true', {id, groups: [{id: 'sub'}]})).status, 201)
      const r = await send(method, `${p}?force=true`, app(id))
      assert.ok([200, 201].includes(r.status), r.text)
      assert.equal((await send('GET', `/v2/apps${id}`)).status, 200)
      assert.equal((await send('GET', `/v2/groups${id}/sub`)).status, 404)
    }
  })
})
