/**
 * The pure deployment planner: scaling, Marathon's rolling restart (simulated to the end under
 * each upgrade strategy, checking health capacity never drops below minimumHealthCapacity and
 * the total never exceeds maximumOverCapacity, +1 where Marathon allows it), resident instances,
 * and the steps of a deployment in dependency order.
 */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {normalizeApp, type App} from '../../src/runtime/marathon/app-definition'
import {Violations} from '../../src/runtime/marathon/errors'
import {dependencyCycle, planApp, planSteps, type PlanInput, type PlanTask} from '../../src/runtime/marathon/planner'

const task = (id: string, over: Partial<PlanTask> = {}): PlanTask => ({
  id,
  current: true,
  phase: 'running',
  killing: false,
  healthy: true,
  unhealthy: false,
  ready: true,
  stagedAt: Number(id.replace(/\D/g, '')) || 0,
  resident: false,
  ...over,
})

const input = (over: Partial<PlanInput>): PlanInput => ({
  instances: 3,
  minimumHealthCapacity: 1,
  maximumOverCapacity: 1,
  killSelection: 'YOUNGEST_FIRST',
  resident: false,
  tasks: [],
  mode: 'run',
  ...over,
})

describe('planner: scaling', () => {
  it('launches what is missing and is satisfied only when all run healthy', () => {
    assert.deepEqual(planApp(input({tasks: []})), {kill: [], release: [], launch: 3, relaunch: [], satisfied: false})
    const staging = planApp(input({tasks: [task('t1'), task('t2'), task('t3', {phase: 'staging', healthy: false})]}))
    assert.equal(staging.launch, 0)
    assert.equal(staging.satisfied, false)
    assert.equal(planApp(input({tasks: [task('t1'), task('t2'), task('t3')]})).satisfied, true)
  })

  it('kills the surplus: not running first, then by kill selection', () => {
    const tasks = [task('t1'), task('t5'), task('t3', {phase: 'staging', healthy: false}), task('t4', {unhealthy: true, healthy: false})]
    assert.deepEqual(planApp(input({instances: 1, tasks})).kill.map((k) => k.id), ['t3', 't4', 't5'])
    assert.deepEqual(planApp(input({instances: 2, killSelection: 'OLDEST_FIRST', tasks: [task('t1'), task('t5'), task('t3')]})).kill.map((k) => k.id), ['t1'])
  })

  it('does not kill twice or count tasks being killed', () => {
    const tasks = [task('t1'), task('t2', {killing: true})]
    assert.deepEqual(planApp(input({instances: 1, tasks})), {kill: [], release: [], launch: 0, relaunch: [], satisfied: false})
    assert.equal(planApp(input({instances: 2, tasks})).launch, 1)
  })

  it('does nothing while frozen, and kills everything of a deleted app', () => {
    assert.deepEqual(planApp(input({mode: 'frozen', tasks: [task('t1', {current: false})]})), {kill: [], release: [], launch: 0, relaunch: [], satisfied: false})
    const del = planApp(input({mode: 'delete', tasks: [task('t1'), task('t2', {killing: true})]}))
    assert.deepEqual(del.kill.map((k) => k.id), ['t1'])
    assert.equal(del.satisfied, false)
    assert.equal(planApp(input({mode: 'delete', tasks: [task('t1', {phase: 'terminal'})]})).satisfied, true)
  })
})

/** Runs a rolling restart of `n` healthy old tasks to the end; returns the max total and min healthy seen. */
function simulate(n: number, minimumHealthCapacity: number, maximumOverCapacity: number, opts: {resident?: boolean} = {}) {
  let tasks: PlanTask[] = Array.from({length: n}, (_, i) => task(`old${i}`, {current: false, resident: !!opts.resident}))
  let next = 0
  let maxTotal = 0
  let minHealthy = Infinity
  for (let round = 0; round < 200; round++) {
    const plan = planApp(input({instances: n, minimumHealthCapacity, maximumOverCapacity, resident: !!opts.resident, tasks}))
    if (plan.satisfied) return {maxTotal, minHealthy, rounds: round}
    for (const k of plan.kill) tasks = tasks.map((t) => (t.id === k.id ? {...t, killing: true} : t))
    // In the world: killed tasks end, new tasks start (staging), staging ones become healthy.
    const active = tasks.filter((t) => t.phase !== 'terminal')
    maxTotal = Math.max(maxTotal, active.length + plan.launch)
    minHealthy = Math.min(minHealthy, active.filter((t) => t.healthy && !t.killing).length)
    tasks = tasks.map((t) => (t.killing ? {...t, phase: 'terminal', killing: false, healthy: false} : t.phase === 'staging' ? {...t, phase: 'running', healthy: true} : t))
    if (opts.resident) tasks = tasks.map((t) => (t.phase === 'terminal' && plan.relaunch.includes(t.id) ? {...t, current: true, phase: 'staging'} : t))
    else tasks = tasks.filter((t) => t.phase !== 'terminal')
    for (let i = 0; i < plan.launch; i++) tasks.push(task(`new${next++}`, {phase: 'staging', healthy: false, resident: !!opts.resident}))
  }
  throw new Error(`the restart of ${n} (${minimumHealthCapacity}, ${maximumOverCapacity}) did not finish`)
}

describe('planner: rolling restart', () => {
  for (const [n, m, o] of [
    [3, 1, 1],
    [3, 1, 0],
    [4, 0.5, 0],
    [4, 0.5, 0.5],
    [5, 0, 0],
    [1, 1, 0],
    [10, 0.8, 0.2],
  ] as const) {
    it(`instances ${n}, minimumHealthCapacity ${m}, maximumOverCapacity ${o}: keeps capacity, finishes`, () => {
      const {maxTotal, minHealthy} = simulate(n, m, o)
      const floor = Math.ceil(n * m)
      const ceiling = Math.floor(n * (1 + o))
      assert.ok(minHealthy >= floor, `healthy dropped to ${minHealthy} < ${floor}`)
      assert.ok(maxTotal <= (floor === ceiling ? ceiling + 1 : ceiling), `total reached ${maxTotal}`)
    })
  }

  it('starts all new first with (1, 1), replaces one by one with (1, 0)', () => {
    const old = [task('o1', {current: false}), task('o2', {current: false})]
    assert.deepEqual(planApp(input({instances: 2, tasks: old})), {kill: [], release: [], launch: 2, relaunch: [], satisfied: false})
    assert.equal(planApp(input({instances: 2, maximumOverCapacity: 0, tasks: old})).launch, 1)
    const half = planApp(input({instances: 2, minimumHealthCapacity: 0.5, maximumOverCapacity: 0, tasks: old}))
    assert.deepEqual([half.kill.length, half.launch], [1, 0])
  })

  it('kills unhealthy old tasks first, and old surplus at once when scaling down', () => {
    const tasks = [task('o1', {current: false}), task('o2', {current: false, unhealthy: true, healthy: false}), task('n1'), task('n2')]
    assert.deepEqual(planApp(input({instances: 2, tasks})).kill.map((k) => k.id), ['o2', 'o1'])
    const shrink = planApp(input({instances: 1, minimumHealthCapacity: 1, tasks: [task('o1', {current: false}), task('o2', {current: false}), task('o3', {current: false})]}))
    assert.equal(shrink.kill.length, 2)
  })

  it('restarts resident instances in place, within capacity', () => {
    const {minHealthy} = simulate(4, 0.5, 0, {resident: true})
    assert.ok(minHealthy >= 2)
  })
})

describe('planner: resident instances', () => {
  const r = (id: string, over: Partial<PlanTask> = {}) => task(id, {resident: true, ...over})
  it('relaunches an instance whose task ended, on its reservation', () => {
    const plan = planApp(input({instances: 2, resident: true, tasks: [r('a'), r('b', {phase: 'terminal', healthy: false})]}))
    assert.deepEqual([plan.launch, plan.relaunch], [0, ['b']])
  })

  it('reserves new instances and releases surplus ones, ended ones first', () => {
    assert.equal(planApp(input({instances: 3, resident: true, tasks: [r('a')]})).launch, 2)
    const down = planApp(input({instances: 1, resident: true, tasks: [r('a', {stagedAt: 1}), r('b', {phase: 'terminal', stagedAt: 2}), r('c', {stagedAt: 3})]}))
    assert.deepEqual(down.release.sort(), ['b', 'c'])
    assert.deepEqual(down.kill.map((k) => k.id), ['c'])
  })
})

describe('planner: deployment steps', () => {
  const v = new Violations()
  const app = (id: string, over: Record<string, unknown> = {}): App => normalizeApp({id, cmd: 'sleep 1', ...over}, {base: '/', role: '*', version: 'v1'}, v)
  const map = (...apps: App[]) => new Map(apps.map((a) => [a.id, a]))
  const deps = (apps: Map<string, App>) => (id: string) => apps.get(id)?.dependencies ?? []

  it('creating an app is StartApplication then ScaleApplication (deployment_steps.json)', () => {
    const after = map(app('/tools/oauth-server'))
    assert.deepEqual(planSteps(new Map(), after, ['/tools/oauth-server'], deps(after)), [
      {actions: [{action: 'StartApplication', app: '/tools/oauth-server'}]},
      {actions: [{action: 'ScaleApplication', app: '/tools/oauth-server'}]},
    ])
  })

  it('stops first, then orders by dependencies (apps and groups)', () => {
    const before = map(app('/old'), app('/db', {instances: 1}), app('/web', {dependencies: ['/db']}))
    const after = map(app('/db', {instances: 2}), app('/web', {dependencies: ['/db'], cmd: 'sleep 2'}), app('/front/ui', {dependencies: ['/web']}), app('/ops', {dependencies: ['/front']}))
    assert.deepEqual(planSteps(before, after, ['/old', '/db', '/web', '/front/ui', '/ops'], deps(after)), [
      {actions: [{action: 'StopApplication', app: '/old'}]},
      {actions: [{action: 'StartApplication', app: '/front/ui'}, {action: 'StartApplication', app: '/ops'}]},
      {actions: [{action: 'ScaleApplication', app: '/db'}]},
      {actions: [{action: 'RestartApplication', app: '/web'}]},
      {actions: [{action: 'ScaleApplication', app: '/front/ui'}]},
      {actions: [{action: 'ScaleApplication', app: '/ops'}]},
    ])
  })

  it('finds dependency cycles', () => {
    const apps = map(app('/a', {dependencies: ['/b']}), app('/b', {dependencies: ['/c']}), app('/c', {dependencies: ['/a']}))
    assert.ok(dependencyCycle(apps, new Map()))
    const ok = map(app('/a', {dependencies: ['/b']}), app('/b'))
    assert.equal(dependencyCycle(ok, new Map()), undefined)
  })
})
