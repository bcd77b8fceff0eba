import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {after, test} from 'node:test'
import {Checkpoint, type TaskRecord} from '../../src/runtime/agent/checkpoint'
import type {TaskStatus} from '../../src/mesos/types'

const dirs: string[] = []
after(() => dirs.forEach((d) => fs.rmSync(d, {recursive: true, force: true})))

function metaDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'dcos-checkpoint-'))
  dirs.push(d)
  return path.join(d, 'meta')
}

function status(state: TaskStatus['state'], uuid: string): TaskStatus {
  return {task_id: {value: 't1'}, state, uuid, agent_id: {value: 'a1'}, timestamp: 1, container_status: {container_id: {value: 'c1'}}}
}

function record(): TaskRecord {
  return {
    framework_id: 'f1',
    framework_info: {id: {value: 'f1'}, user: 'root', name: 'fw', capabilities: [{type: 'TASK_KILLING_STATE'}]},
    task: {name: 't', task_id: {value: 't1'}, agent_id: {value: 'a1'}, resources: [{name: 'cpus', type: 'SCALAR', scalar: {value: 1}}], command: {value: 'sleep 1'}},
    container_id: 'c1',
    directory: '/tmp/sandbox "quoted"',
    limits: {memBytes: undefined, maxProcesses: 64},
    state: 'TASK_STAGING',
    statuses: [],
  }
}

test('a task record reads back as JSON made it, after each change of its state, statuses and kill', async () => {
  const dir = metaDir()
  const cp = Checkpoint.open(dir)
  const r = record()
  await cp.saveTask(r)
  assert.deepEqual(cp.tasks(), [JSON.parse(JSON.stringify(r))])
  r.leader = {pid: 123, startTime: 456}
  r.statuses.push(status('TASK_STARTING', 'u1'))
  r.state = 'TASK_STARTING'
  await cp.saveTask(r)
  r.statuses.push(status('TASK_RUNNING', 'u2'))
  r.state = 'TASK_RUNNING'
  r.kill = {requested_at: 5, grace_ms: 3000}
  await cp.saveTask(r)
  assert.deepEqual(cp.tasks(), [JSON.parse(JSON.stringify(r))])
  await cp.close()
  // What is on disk (as a restarted agent reads it) is the same.
  const again = Checkpoint.open(dir)
  assert.deepEqual(again.tasks(), [JSON.parse(JSON.stringify(r))])
  r.completed_at = 99
  await again.completeTask(r)
  assert.deepEqual(again.tasks(), [])
  assert.deepEqual(again.completed(), [JSON.parse(JSON.stringify(r))])
  await again.close()
})

test('a status update stream reads back as saved, and is gone once empty', async () => {
  const dir = metaDir()
  const cp = Checkpoint.open(dir)
  const pending = [status('TASK_RUNNING', 'u1'), status('TASK_KILLED', 'u2')]
  await cp.saveStream({framework_id: 'f1', task_id: 't1', pending})
  assert.deepEqual(cp.streams(), [{framework_id: 'f1', task_id: 't1', pending: JSON.parse(JSON.stringify(pending))}])
  pending.shift()
  await cp.saveStream({framework_id: 'f1', task_id: 't1', pending})
  assert.deepEqual(cp.streams(), [{framework_id: 'f1', task_id: 't1', pending: JSON.parse(JSON.stringify(pending))}])
  await cp.saveStream({framework_id: 'f1', task_id: 't1', pending: []})
  assert.deepEqual(cp.streams(), [])
  await cp.close()
})
