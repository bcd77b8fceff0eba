/**
 * The verdict of `--wait` (judgeDeployment), poll by poll, without sockets or timers, and the
 * progress output it drives.
 */
import assert from 'node:assert/strict'
import {test} from 'node:test'
import type {Deployment, MarathonApp, TaskFailure} from '../../src/clients/marathon-types'
import {bufferIO} from '../../src/cli/io-buffer'
import {describeProgress, initialMemory, judgeDeployment, type Observation, type WaitMemory} from '../../src/cli/marathon/wait'
import {startProgress} from '../../src/cli/progress'

const V = '2024-05-01T10:00:00.000Z'
const dep = (id: string, apps = ['/web'], version = V): Deployment => ({
  id,
  version,
  affectedApps: apps,
  currentActions: [{action: 'ScaleApplication', app: apps[0]}],
  currentStep: 1,
  totalSteps: 2,
})
const web = (fields: Partial<MarathonApp> = {}): MarathonApp => ({id: '/web', instances: 2, tasksRunning: 2, deployments: [], ...fields})
const failure = (taskId: string, version: string, timestamp = '2024-05-01T10:00:05.000Z'): TaskFailure => ({
  appId: '/web',
  taskId,
  version,
  timestamp,
  state: 'TASK_FAILED',
  host: 'a1',
  message: 'Command exited with status 1',
})

/** Runs the polls in order; returns every verdict's state (and the last reason). */
function polls(id: string, seen: Observation[]): {states: string[]; reason?: string} {
  let memory: WaitMemory = initialMemory
  const states: string[] = []
  let reason: string | undefined
  for (const s of seen) {
    const judged = judgeDeployment(id, s, memory)
    memory = judged.memory
    states.push(judged.verdict.state)
    if (judged.verdict.state === 'failed') reason = judged.verdict.reason
  }
  return {states, reason}
}

test('running while listed, finished once gone with the app at its instances', () => {
  const r = polls('d1', [
    {deployments: [dep('d1')], apps: {'/web': web({tasksRunning: 1, deployments: [{id: 'd1'}]})}},
    {deployments: [], apps: {'/web': web()}},
  ])
  assert.deepEqual(r.states, ['running', 'finished'])
})

test('gone before the first poll: finished (nothing is known to judge it by)', () => {
  assert.deepEqual(polls('d1', [{deployments: [dep('other', ['/db'])], apps: {}}]).states, ['finished'])
})

test("a task failure of the deployment's version fails it at once, while it runs", () => {
  const r = polls('d1', [{deployments: [dep('d1')], apps: {'/web': web({lastTaskFailure: failure('web.1', V)})}}])
  assert.deepEqual(r.states, ['failed'])
  assert.equal(r.reason, 'task web.1 of /web failed on a1 (TASK_FAILED: Command exited with status 1)')
})

test('an older failure (another version) is the baseline; a different failure later fails it', () => {
  const old = failure('web.0', '2024-04-01T00:00:00.000Z', '2024-04-01T00:00:01.000Z')
  const r = polls('d1', [
    {deployments: [dep('d1')], apps: {'/web': web({lastTaskFailure: old})}},
    {deployments: [dep('d1')], apps: {'/web': web({lastTaskFailure: old})}},
    {deployments: [dep('d1')], apps: {'/web': web({lastTaskFailure: failure('web.7', 'some-other-version-format')})}},
  ])
  assert.deepEqual(r.states, ['running', 'running', 'failed'])
  assert.match(r.reason!, /^task web\.7 of \/web failed/)
})

test('replaced by a deployment that was not there before (a rollback): failed; one that was there all along is not a replacement', () => {
  const rolled = polls('d1', [
    {deployments: [dep('d1')], apps: {'/web': web()}},
    {deployments: [dep('r1', ['/web'], '2024-05-01T10:01:00.000Z')], apps: {'/web': web({deployments: [{id: 'r1'}]})}},
  ])
  assert.deepEqual(rolled.states, ['running', 'failed'])
  assert.equal(rolled.reason, 'it was replaced by deployment r1 (a rollback or a forced change)')
  const unrelated = polls('d1', [
    {deployments: [dep('d1'), dep('x', ['/db'])], apps: {'/web': web()}},
    {deployments: [dep('x', ['/db']), dep('y', ['/cache'])], apps: {'/web': web()}},
  ])
  assert.deepEqual(unrelated.states, ['running', 'finished'])
})

test('stopped short: gone, nothing deploying the app, fewer tasks launched than instances', () => {
  const stopped = polls('d1', [
    {deployments: [dep('d1')], apps: {'/web': web({instances: 3, tasksRunning: 1, deployments: [{id: 'd1'}]})}},
    {deployments: [], apps: {'/web': web({instances: 3, tasksRunning: 1, tasksStaged: 1})}},
  ])
  assert.deepEqual(stopped.states, ['running', 'failed'])
  assert.equal(stopped.reason, 'it stopped before /web reached its instances (2 of 3 launched)')
  // Staged tasks count as launched; a removed app (null) is fine.
  assert.deepEqual(
    polls('d1', [
      {deployments: [dep('d1')], apps: {'/web': web()}},
      {deployments: [], apps: {'/web': web({instances: 3, tasksRunning: 1, tasksStaged: 2})}},
    ]).states,
    ['running', 'finished'],
  )
  assert.deepEqual(
    polls('d1', [
      {deployments: [dep('d1')], apps: {'/web': web()}},
      {deployments: [], apps: {'/web': null}},
    ]).states,
    ['running', 'finished'],
  )
})

test('the progress line: step, action, target', () => {
  assert.equal(describeProgress(dep('d1')), 'step 1/2: scale /web')
  assert.equal(describeProgress({id: 'x', currentActions: [{action: 'NewThing', pod: '/p'}], currentStep: 2, totalSteps: 2}), 'step 2/2: newthing /p')
  assert.equal(describeProgress({id: 'x'}), 'step 0/0')
})

test('progress without a terminal: the title, then the outcome, one line each; nothing from update()', () => {
  const io = bufferIO()
  const p = startProgress(io, 'Waiting for deployment d1...')
  p.update('step 1/2: scale /web')
  p.done('Deployment d1 finished')
  p.stop()
  assert.equal(io.stderr(), 'Waiting for deployment d1...\nDeployment d1 finished\n')
  assert.equal(io.stdout(), '')
})

test('progress on a terminal: redrawn in place with the status, cleared by stop()', async () => {
  const io = bufferIO({isTTY: true})
  const p = startProgress(io, 'Waiting...')
  p.update('step 1/2')
  await new Promise((r) => setTimeout(r, 100))
  p.stop()
  const err = io.stderr()
  assert.ok(err.startsWith('\r\x1b[2K⠋ Waiting...'))
  assert.ok(err.includes('Waiting... step 1/2'))
  assert.ok(err.endsWith('\r\x1b[2K'))
  const after = err.length
  await new Promise((r) => setTimeout(r, 100))
  assert.equal(io.stderr().length, after, 'nothing is drawn after stop()')
})
