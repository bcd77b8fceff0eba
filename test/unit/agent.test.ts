/**
 * The agent against a stand-in master: registration and liveness, running real tasks to their
 * end states, kills with a grace period, reliable status updates, validation of the master's
 * requests, /state, and recovery of tasks across an agent restart.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {spawn} from 'node:child_process'
import os from 'node:os'
import {after, before, describe, it} from 'node:test'
import type {AgentConfig} from '../../src/runtime/config'
import {FRAMEWORK_ID, StandInMaster, commandTask, get, post, processesIn, sleep, startTestAgent, waitFor, type TestAgent} from './agent-harness'

describe('agent: registration and tasks', () => {
  let t: TestAgent
  before(async () => {
    t = await startTestAgent()
  })
  after(() => t.cleanup())

  it('registers with its resources, attributes and url', () => {
    const reg = t.master.registrations[0]
    assert.equal(reg.agent_id, undefined)
    assert.equal(t.agent.agentId(), 'stand-in-S0')
    assert.equal(reg.url, t.agent.url)
    assert.equal(reg.agent_info.hostname, '127.0.0.1')
    const cpus = reg.resources.find((r) => r.name === 'cpus')
    assert.equal(cpus?.scalar?.value, 4)
    assert.deepEqual(reg.resources.find((r) => r.name === 'ports')?.ranges?.range, [{begin: 31000, end: 31099}])
    assert.deepEqual(reg.agent_info.attributes, [
      {name: 'rack', type: 'TEXT', text: {value: 'r1'}},
      {name: 'level', type: 'SCALAR', scalar: {value: 3}},
    ])
  })

  it('heartbeats and re-registers with its id when the master asks', async () => {
    await waitFor('heartbeats', () => t.master.heartbeats >= 2)
    const before = t.master.registrations.length
    t.master.reregister = true
    await waitFor('a re-registration', () => t.master.registrations.length > before)
    assert.equal(t.master.registrations.at(-1)!.agent_id, 'stand-in-S0')
  })

  it('runs `echo hi; exit 0` to TASK_FINISHED with its output in the sandbox', async () => {
    const res = await t.run(commandTask('hello', 'echo hi; echo "$MESOS_TASK_ID $MESOS_EXECUTOR_ID $MESOS_FRAMEWORK_ID $MESOS_SLAVE_ID" ; echo "$MESOS_SANDBOX" ; exit 0'))
    assert.equal(res.status, 202, res.text)
    const finished = await t.master.waitForState('hello', 'TASK_FINISHED')
    assert.deepEqual(t.master.states('hello'), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED'])
    assert.equal(finished.source, 'SOURCE_EXECUTOR')
    assert.equal(finished.message, 'Command exited with status 0')
    assert.equal(finished.agent_id?.value, 'stand-in-S0')
    assert.equal(finished.executor_id?.value, 'hello')
    assert.match(finished.uuid!, /^[A-Za-z0-9+/]{22}==$/)
    const running = t.master.statuses('hello')[1]
    const container = running.container_status as {container_id: {value: string}; executor_pid: number}
    const sandbox = path.join(t.workDir, 'slaves', 'stand-in-S0', 'frameworks', FRAMEWORK_ID, 'executors', 'hello', 'runs', container.container_id.value)
    const stdout = fs.readFileSync(path.join(sandbox, 'stdout'), 'utf8').split('\n')
    assert.equal(stdout[0], 'hi')
    assert.equal(stdout[1], `hello hello ${FRAMEWORK_ID} stand-in-S0`)
    assert.equal(stdout[2], sandbox)
    assert.equal(fs.readlinkSync(path.join(path.dirname(sandbox), 'latest')), container.container_id.value)
  })

  it('passes the framework environment, which wins over the agent', async () => {
    const task = commandTask('env', 'echo "$FOO $MESOS_CHECKPOINT $LIBPROCESS_PORT"')
    task.command!.environment = {variables: [{name: 'FOO', value: 'bar'}, {name: 'LIBPROCESS_PORT', value: '7'}]}
    await t.run(task)
    const running = await t.master.waitForState('env', 'TASK_RUNNING')
    await t.master.waitForState('env', 'TASK_FINISHED')
    const cid = (running.container_status as {container_id: {value: string}}).container_id.value
    const out = fs.readFileSync(path.join(t.workDir, 'slaves', 'stand-in-S0', 'frameworks', FRAMEWORK_ID, 'executors', 'env', 'runs', cid, 'stdout'), 'utf8')
    assert.equal(out, 'bar 1 7\n')
  })

  it('runs a command without a shell (shell=false) with its arguments', async () => {
    const task = commandTask('noshell', '')
    task.command = {shell: false, value: '/bin/echo', arguments: ['echo', 'a b', '$HOME']}
    await t.run(task)
    const running = await t.master.waitForState('noshell', 'TASK_RUNNING')
    await t.master.waitForState('noshell', 'TASK_FINISHED')
    const cid = (running.container_status as {container_id: {value: string}}).container_id.value
    const out = fs.readFileSync(path.join(t.workDir, 'slaves', 'stand-in-S0', 'frameworks', FRAMEWORK_ID, 'executors', 'noshell', 'runs', cid, 'stdout'), 'utf8')
    assert.equal(out, 'a b $HOME\n')
  })

  it('reports `exit 3` as TASK_FAILED with the exit status', async () => {
    await t.run(commandTask('three', 'exit 3'))
    const failed = await t.master.waitForState('three', 'TASK_FAILED')
    assert.equal(failed.message, 'Command exited with status 3')
    assert.equal(failed.reason, 'REASON_COMMAND_EXECUTOR_FAILED')
    assert.ok(!t.master.states('three').includes('TASK_FINISHED'))
  })

  it('reports a command ended by a signal', async () => {
    await t.run(commandTask('segv', 'kill -SEGV $$'))
    const failed = await t.master.waitForState('segv', 'TASK_FAILED')
    assert.equal(failed.message, 'Command terminated with signal Segmentation fault')
  })

  it('fails a task it cannot launch with REASON_CONTAINER_LAUNCH_FAILED', async () => {
    await t.run(commandTask('docker', 'true', {container: {type: 'DOCKER', docker: {image: 'x'}}}))
    const failed = await t.master.waitForState('docker', 'TASK_FAILED')
    assert.equal(failed.reason, 'REASON_CONTAINER_LAUNCH_FAILED')
    assert.match(failed.message!, /Docker/)
    assert.equal(failed.source, 'SOURCE_AGENT')
  })

  it('kills with SIGTERM, waits the grace period, then SIGKILLs', async () => {
    await t.run(commandTask('stubborn', 'trap "echo got TERM" TERM; while true; do sleep 0.05; done'))
    await t.master.waitForState('stubborn', 'TASK_RUNNING')
    await sleep(100)
    const t0 = Date.now()
    assert.equal((await t.kill('stubborn', 700)).status, 202)
    const killed = await t.master.waitForState('stubborn', 'TASK_KILLED')
    const elapsed = Date.now() - t0
    assert.ok(elapsed >= 650, `killed after ${elapsed} ms, before the grace period`)
    assert.ok(elapsed < 3000, `killed after ${elapsed} ms`)
    assert.equal(killed.message, 'Command terminated with signal Killed')
    const cid = (killed.container_status as {container_id: {value: string}}).container_id.value
    const out = fs.readFileSync(path.join(t.workDir, 'slaves', 'stand-in-S0', 'frameworks', FRAMEWORK_ID, 'executors', 'stubborn', 'runs', cid, 'stdout'), 'utf8')
    assert.match(out, /got TERM/)
  })

  it('kills a task that honours SIGTERM at once, and sends TASK_KILLING to frameworks that want it', async () => {
    await t.run(commandTask('polite', 'sleep 30'), {capabilities: [{type: 'TASK_KILLING_STATE'}]})
    await t.master.waitForState('polite', 'TASK_RUNNING')
    const t0 = Date.now()
    await t.kill('polite', 10_000)
    await t.master.waitForState('polite', 'TASK_KILLED')
    // Well inside the 10 s grace: SIGTERM ended it (a busy machine may take a second or two to report).
    assert.ok(Date.now() - t0 < 5000)
    assert.deepEqual(t.master.states('polite'), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_KILLED'])
  })

  it('answers a kill of an unknown task with TASK_LOST', async () => {
    assert.equal((await t.kill('nope')).status, 202)
    const lost = await t.master.waitForState('nope', 'TASK_LOST')
    assert.equal(lost.reason, 'REASON_EXECUTOR_TERMINATED')
    assert.equal(lost.message, 'Cannot find executor')
  })

  it('ignores a kill for a framework it runs nothing of, so no update is re-sent for ever', async () => {
    const before = t.master.updates.length
    const res = await post(`${t.agent.url}/internal/v1/kill_task`, {framework_id: 'fw-unknown', task_id: 'ghost-task'})
    assert.equal(res.status, 202)
    await sleep(4 * t.config.statusRetryMs)
    assert.deepEqual(t.master.statuses('ghost-task'), [])
    assert.equal(t.master.updates.slice(before).filter((u) => u.framework_id === 'fw-unknown').length, 0)
  })

  it('refuses a duplicate task id with 409 and garbage with 400', async () => {
    await t.run(commandTask('dup', 'sleep 5'))
    const again = await t.run(commandTask('dup', 'sleep 5'))
    assert.equal(again.status, 409, again.text)
    await t.kill('dup', 0)
    const url = `${t.agent.url}/internal/v1/run_task`
    const bad: unknown[] = [
      '',
      '[]',
      '{"framework_info":{}}',
      {framework_info: {id: {value: 'f'}}, task: {name: 'x', task_id: {value: '../x'}, resources: []}},
      {framework_info: {id: {value: 'f'}}, task: {name: 'x', task_id: {value: 'x'}, resources: [{name: 'cpus', type: 'SCALAR', scalar: {value: -1}}]}},
      {framework_info: {id: {value: 'f'}}, task: {name: 'x', task_id: {value: 'x'}, command: {value: 'a\u0000b'}}},
      {framework_info: {id: {value: 'f'}}, task: {name: 'x', task_id: {value: 'x'}, command: {value: 'x', environment: {variables: [{name: 'A=B'}]}}}},
    ]
    for (const body of bad) {
      const res = await post(url, body)
      assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.status} ${res.text}`)
    }
    for (const p of ['kill_task', 'ack', 'shutdown_framework', 'apply_operations']) {
      const res = await post(`${t.agent.url}/internal/v1/${p}`, {framework_id: 'a/b'})
      assert.equal(res.status, 400, `${p} → ${res.status}`)
    }
  })

  it('serves /state in the Mesos agent shape', async () => {
    await t.run(commandTask('stateful', 'sleep 30'))
    await t.master.waitForState('stateful', 'TASK_RUNNING')
    const state = (await get(`${t.agent.url}/state`)).json() as Record<string, any>
    assert.equal(state.id, 'stand-in-S0')
    assert.match(state.pid, /^slave\(1\)@127\.0\.0\.1:\d+$/)
    assert.equal(state.hostname, '127.0.0.1')
    assert.equal(state.resources.cpus, 4)
    assert.equal(state.resources.ports, '[31000-31099]')
    assert.deepEqual(state.attributes, {rack: 'r1', level: 3})
    const fw = state.frameworks.find((f: any) => f.id === FRAMEWORK_ID)
    const ex = fw.executors.find((e: any) => e.id === 'stateful')
    assert.ok(path.isAbsolute(ex.directory) && fs.existsSync(path.join(ex.directory, 'stdout')))
    assert.equal(ex.tasks[0].id, 'stateful')
    assert.equal(ex.tasks[0].state, 'TASK_RUNNING')
    assert.equal(ex.tasks[0].executor_id, '')
    const done = fw.completed_executors.find((e: any) => e.id === 'hello')
    assert.equal(done.completed_tasks[0].state, 'TASK_FINISHED')
    assert.deepEqual((await get(`${t.agent.url}/slave(1)/state.json`)).json(), state)
    const stats = (await get(`${t.agent.url}/monitor/statistics`)).json() as any[]
    const s = stats.find((x) => x.executor_id === 'stateful')
    assert.equal(s.framework_id, FRAMEWORK_ID)
    assert.ok(s.statistics.processes >= 1 && s.statistics.mem_rss_bytes > 0)
    assert.equal(s.statistics.mem_limit_bytes, 64 * 1024 * 1024)
    const metrics = (await get(`${t.agent.url}/metrics/snapshot`)).json() as Record<string, number>
    assert.equal(metrics['slave/registered'], 1)
    assert.ok(metrics['slave/tasks_running'] >= 1)
    assert.equal(metrics['slave/cpus_total'], 4)
    assert.equal((await get(`${t.agent.url}/health`)).status, 200)
    assert.equal(((await get(`${t.agent.url}/version`)).json() as {version: string}).version, '1.11.0')
    await t.kill('stateful', 0)
  })

  it('kills the tasks of a framework that is shut down', async () => {
    await t.run(commandTask('orphan', 'sleep 30'))
    await t.master.waitForState('orphan', 'TASK_RUNNING')
    const res = await post(`${t.agent.url}/internal/v1/shutdown_framework`, {framework_id: FRAMEWORK_ID})
    assert.equal(res.status, 202)
    await waitFor('the task to end', async () => {
      const state = (await get(`${t.agent.url}/state`)).json() as Record<string, any>
      return state.frameworks.length === 0
    })
  })
})

describe('agent: reliable status updates', () => {
  let t: TestAgent
  before(async () => {
    t = await startTestAgent({statusRetryMs: 100})
  })
  after(() => t.cleanup())

  it('re-sends an update until it is acknowledged, and the next only after that', async () => {
    t.master.autoAck = false
    await t.run(commandTask('retry', 'exit 0'))
    await waitFor('retries of TASK_STARTING', () => t.master.statuses('retry').filter((s) => s.state === 'TASK_STARTING').length >= 3)
    assert.ok(!t.master.states('retry').includes('TASK_RUNNING'), 'nothing after an unacknowledged update')
    const starting = t.master.statuses('retry')[0]
    assert.ok(t.master.statuses('retry').every((s) => s.uuid === starting.uuid))
    assert.equal(await t.master.ack(starting), 202)
    const running = await t.master.waitForState('retry', 'TASK_RUNNING')
    await t.master.ack(running)
    const finished = await t.master.waitForState('retry', 'TASK_FINISHED')
    // Not yet acknowledged: the task is still active in /state.
    let state = (await get(`${t.agent.url}/state`)).json() as Record<string, any>
    assert.equal(state.frameworks[0].executors[0].tasks[0].state, 'TASK_FINISHED')
    await t.master.ack(finished)
    state = await waitFor('the task to complete', async () => {
      const s = (await get(`${t.agent.url}/state`)).json() as Record<string, any>
      return s.frameworks.length === 0 && s
    })
    assert.equal(state.completed_frameworks[0].completed_executors[0].completed_tasks[0].state, 'TASK_FINISHED')
    const count = t.master.updates.length
    await sleep(300)
    assert.equal(t.master.updates.length, count, 'no more re-sends after the acknowledgement')
    t.master.autoAck = true
  })

  it('keeps tasks running while the master is away, and re-registers when it is back', async () => {
    await t.run(commandTask('patient', 'sleep 1.5; echo done'))
    await t.master.waitForState('patient', 'TASK_RUNNING')
    const port = t.master.port
    await t.master.close()
    await sleep(300)
    t.master.updates.length = 0
    const registrations = t.master.registrations.length
    await t.master.listen(port)
    await waitFor('re-registration', () => t.master.registrations.length > registrations)
    const reg = t.master.registrations.at(-1)!
    assert.equal(reg.agent_id, 'stand-in-S0')
    assert.ok(reg.tasks.some((x) => x.task.task_id.value === 'patient' && x.state === 'TASK_RUNNING'))
    assert.deepEqual(reg.frameworks.map((f) => f.id?.value), [FRAMEWORK_ID])
    await t.master.waitForState('patient', 'TASK_FINISHED')
  })
})

describe('agent: recovery', () => {
  let t: TestAgent
  before(async () => {
    t = await startTestAgent()
  })
  after(() => t.cleanup())

  it('leaves tasks running on close(), re-adopts them on restart and reports their end', async () => {
    await t.run(commandTask('survivor', 'sleep 2; echo done'))
    const running = await t.master.waitForState('survivor', 'TASK_RUNNING')
    const pid = (running.container_status as {executor_pid: number}).executor_pid
    await t.agent.close()
    assert.ok(processesIn(t.workDir).includes(pid), 'the task outlives its agent')
    await sleep(200)
    const registrations = t.master.registrations.length
    await t.restart()
    await waitFor('re-registration', () => t.master.registrations.length > registrations)
    const reg = t.master.registrations.at(-1)!
    assert.equal(reg.agent_id, 'stand-in-S0')
    assert.ok(reg.tasks.some((x) => x.task.task_id.value === 'survivor' && x.state === 'TASK_RUNNING'))
    const finished = await t.master.waitForState('survivor', 'TASK_FINISHED')
    assert.equal(finished.message, 'Command exited with status 0')
  })

  it('reports the exit of a task that ended while the agent was down', async () => {
    await t.run(commandTask('quick', 'sleep 0.3; exit 7'))
    await t.master.waitForState('quick', 'TASK_RUNNING')
    await t.agent.close()
    await sleep(800)
    await t.restart()
    const failed = await t.master.waitForState('quick', 'TASK_FAILED')
    assert.equal(failed.message, 'Command exited with status 7')
  })

  it('shutdown() kills every task and reports them', async () => {
    await t.run(commandTask('doomed', 'sleep 60'))
    await t.master.waitForState('doomed', 'TASK_RUNNING')
    await t.agent.shutdown!()
    assert.ok(t.master.states('doomed').includes('TASK_KILLED'))
    assert.deepEqual(processesIn(t.workDir), [])
  })
})

describe('agent: kill -9 of the agent process', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcos-agent-kill9-'))
  let master: StandInMaster
  const children = new Set<number>()
  before(async () => {
    master = await StandInMaster.start()
  })
  after(async () => {
    for (const pid of [...children, ...processesIn(dir)]) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        /* gone */
      }
    }
    await master.close()
    fs.rmSync(dir, {recursive: true, force: true})
  })

  /** The agent as the runtime runs it: `main.ts agent <config.json>`, in its own process. */
  const startProcess = (config: AgentConfig) => {
    const file = path.join(dir, 'agent.json')
    fs.writeFileSync(file, JSON.stringify(config))
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '../../src/runtime/main.ts'), 'agent', file], {stdio: ['ignore', 'pipe', 'pipe']})
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    children.add(child.pid!)
    return {child, output: () => out}
  }

  it('re-adopts a task that outlived its killed agent and reports its exit', async () => {
    const config: AgentConfig = {
      role: 'agent',
      index: 1,
      host: '127.0.0.1',
      port: 0,
      masterUrl: master.url,
      workDir: path.join(dir, 'work'),
      statusRetryMs: 200,
      isolation: 'auto',
      maxTaskProcesses: 64,
      killGracePeriodMs: 1000,
      resources: 'cpus:2;mem:1024;disk:1024',
    }
    const first = startProcess(config)
    await waitFor(() => `registration: ${first.output()}`, () => master.registrations.length === 1, 20_000)
    const url = master.registrations[0].url
    const res = await post(`${url}/internal/v1/run_task`, {
      framework_info: {id: {value: FRAMEWORK_ID}, name: 'test', user: 'root'},
      task: commandTask('kill9', 'sleep 2; echo done'),
    })
    assert.equal(res.status, 202, res.text)
    const running = await master.waitForState('kill9', 'TASK_RUNNING')
    first.child.kill('SIGKILL')
    await new Promise((r) => first.child.once('exit', r))
    const pid = (running.container_status as {executor_pid: number}).executor_pid
    assert.ok(processesIn(dir).includes(pid), 'the task outlives its agent')

    const second = startProcess(config)
    await waitFor(() => `re-registration: ${second.output()}`, () => master.registrations.length === 2, 20_000)
    assert.equal(master.registrations[1].agent_id, 'stand-in-S0')
    assert.ok(master.registrations[1].tasks.some((x) => x.task.task_id.value === 'kill9' && x.state === 'TASK_RUNNING'))
    const finished = await master.waitForState('kill9', 'TASK_FINISHED')
    assert.equal(finished.message, 'Command exited with status 0')
    second.child.kill('SIGUSR1')
    await new Promise((r) => second.child.once('exit', r))
  })
})
