/**
 * Task limits under both isolations: a task over its memory fails with
 * REASON_CONTAINER_LIMITATION_MEMORY, a task that forks too many processes is destroyed with
 * REASON_CONTAINER_LIMITATION, and nothing of either outlives it.
 */
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'
import {CgroupsIsolator} from '../../src/runtime/agent/isolation'
import {commandTask, processesIn, startTestAgent, waitFor, type TestAgent} from './agent-harness'

function cgroupsUsable(): boolean {
  try {
    CgroupsIsolator.probe()
    return true
  } catch {
    return false
  }
}

for (const isolation of ['cgroups', 'watchdog'] as const) {
  describe(`agent limits with ${isolation} isolation`, {skip: isolation === 'cgroups' && !cgroupsUsable() && 'cgroups are not usable here'}, () => {
    let t: TestAgent
    before(async () => {
      t = await startTestAgent({isolation, maxTaskProcesses: 64})
    })
    after(() => t.cleanup())

    it('fails a task that allocates beyond its mem with REASON_CONTAINER_LIMITATION_MEMORY', async () => {
      const hog = `'${process.execPath}' -e "const b = Buffer.alloc(300 * 1024 * 1024, 1); setTimeout(() => console.log(b.length), 20000)"`
      await t.run(commandTask('hog', hog, {}, 64))
      const failed = await t.master.waitForState('hog', 'TASK_FAILED')
      assert.equal(failed.reason, 'REASON_CONTAINER_LIMITATION_MEMORY')
      assert.match(failed.message!, /^Memory limit exceeded: Requested: 64MB Maximum Used: \d+MB/)
      assert.deepEqual(failed.limitation?.resources, [{name: 'mem', type: 'SCALAR', scalar: {value: 64}}])
      assert.equal(failed.source, 'SOURCE_AGENT')
    })

    it('fails a shell pipeline that buffers beyond its mem', async () => {
      // tail holds the 100 MB it read until its input ends, 30 s later: a pass of the limits check always sees it.
      await t.run(commandTask('pipe-hog', '(head -c 100000000 /dev/zero; sleep 30) | tail', {}, 32))
      const failed = await t.master.waitForState('pipe-hog', 'TASK_FAILED')
      assert.equal(failed.reason, 'REASON_CONTAINER_LIMITATION_MEMORY', failed.message)
    })

    it('destroys a task that forks more processes than allowed, leaving none behind', async () => {
      await t.run(commandTask('forker', 'i=0; while [ $i -lt 300 ]; do sleep 30 & i=$((i+1)); done; wait', {}, 512))
      const failed = await t.master.waitForState('forker', 'TASK_FAILED', 20_000)
      assert.equal(failed.reason, 'REASON_CONTAINER_LIMITATION', failed.message)
      assert.match(failed.message!, /Process limit exceeded: the task may run at most 64 processes/)
      await waitFor('the forked sleeps to be gone', () => processesIn(t.workDir).length === 0, 5000)
    })

    it('kills what a finished task left running in the background', async () => {
      await t.run(commandTask('leaver', 'sleep 30 > /dev/null 2>&1 & sleep 0.2; echo bye'))
      await t.master.waitForState('leaver', 'TASK_FINISHED')
      await waitFor('the left-behind sleep to be gone', () => processesIn(t.workDir).length === 0, 5000)
    })

    // Mesos' POSIX launcher loses such a process; cgroups keep it, and without them its
    // MESOS_SANDBOX gives it away.
    it('kills a left-behind process that started a session of its own', async () => {
      await t.run(commandTask('escaper', 'setsid sleep 30 > /dev/null 2>&1 < /dev/null & sleep 0.2; echo bye'))
      await t.master.waitForState('escaper', 'TASK_FINISHED')
      await waitFor('the escaped sleep to be gone', () => processesIn(t.workDir).length === 0, 5000)
    })

    it('still runs tasks within their limits', async () => {
      await t.run(commandTask('fine', 'for i in 1 2 3; do sleep 0.1 & done; wait; echo ok'))
      await t.master.waitForState('fine', 'TASK_FINISHED')
    })
  })
}
