import assert from 'node:assert/strict'
import {test} from 'node:test'
import type {MasterState, MesosTask} from '../../src/clients/mesos-types'
import {DcosError} from '../../src/cli/errors'
import {findTasksForFiles, globToRegExp, matchesFilter, pickOneTask, selectTasks} from '../../src/cli/tasks'

function task(id: string, name: string, state = 'TASK_RUNNING', slave = 'S0'): MesosTask {
  return {id, name, framework_id: 'F1', executor_id: '', slave_id: slave, state}
}

const state: MasterState = {
  id: 'm',
  pid: 'master@127.0.0.1:5050',
  hostname: 'localhost',
  frameworks: [
    {
      id: 'F1',
      name: 'marathon',
      tasks: [task('web.1', 'web'), task('web.2', 'web', 'TASK_RUNNING', 'S1'), task('db.1', 'postgres')],
      completed_tasks: [task('job.1', 'nightly', 'TASK_FINISHED')],
      unreachable_tasks: [task('web.0', 'web', 'TASK_UNREACHABLE')],
    },
  ],
  completed_frameworks: [{id: 'F0', name: 'old', tasks: [], completed_tasks: [task('old.1', 'legacy', 'TASK_KILLED')]}],
}

test('globToRegExp follows fnmatch: *, ?, [seq], [!seq], everything else literal', () => {
  assert.ok(globToRegExp('web*').test('web.1'))
  assert.ok(!globToRegExp('web*').test('aweb.1'))
  assert.ok(globToRegExp('w?b.[12]').test('web.2'))
  assert.ok(!globToRegExp('w?b.[!12]').test('web.2'))
  assert.ok(globToRegExp('a.b+c(d)').test('a.b+c(d)'))
  assert.ok(!globToRegExp('a.b').test('axb'))
})

test('a filter matches the id or the name, by substring or glob, case-sensitively', () => {
  assert.ok(matchesFilter(task('web.1', 'web'), 'eb.'))
  assert.ok(matchesFilter(task('x.1', 'postgres'), 'gres'))
  assert.ok(matchesFilter(task('x.1', 'postgres'), 'post*'))
  assert.ok(!matchesFilter(task('web.1', 'web'), 'WEB'))
  assert.ok(matchesFilter(task('web.1', 'web'), undefined))
})

test('running tasks by default; --completed adds finished, unreachable and completed-framework tasks', () => {
  assert.deepEqual(selectTasks(state, {active: true, completed: false}).map((t) => t.id), ['web.1', 'web.2', 'db.1'])
  assert.deepEqual(selectTasks(state, {active: true, completed: true}).map((t) => t.id), [
    'web.1',
    'web.2',
    'db.1',
    'web.0',
    'job.1',
    'old.1',
  ])
  assert.deepEqual(selectTasks(state, {filter: 'web', active: true, completed: false, agentId: 'S1'}).map((t) => t.id), ['web.2'])
})

test('only completed matches: the real CLI hint, singular and plural', () => {
  assert.throws(
    () => findTasksForFiles(state, {filter: 'nightly', active: true, completed: false}),
    (e: DcosError) =>
      e.message === 'No running tasks match ID [nightly]; however, there is 1 matching completed task. Run with --completed to see these logs.',
  )
  assert.throws(
    () => findTasksForFiles(state, {filter: '[jo]*.1', active: true, completed: false}, 'files'),
    /there are 2 matching completed tasks\. Run with --completed to see these files\./,
  )
  assert.deepEqual(findTasksForFiles(state, {filter: 'nightly', active: true, completed: true}).map((t) => t.id), ['job.1'])
})

test('nothing matches: no task ID found containing', () => {
  assert.throws(
    () => findTasksForFiles(state, {filter: 'zzz', active: true, completed: true}),
    (e: DcosError) => e.code === 'NO_MATCH' && e.detail === "no task ID found containing 'zzz'" && e.exit === 1,
  )
})

test('one task: an exact id wins over partial matches; otherwise ambiguous', () => {
  const tasks = [task('web.1', 'web'), task('web.10', 'web')]
  assert.equal(pickOneTask(tasks, 'web.1').id, 'web.1')
  assert.throws(() => pickOneTask(tasks, 'web'), /found more than one task with the same name: \[web\.1, web\.10\]/)
})
