/**
 * `/metrics/snapshot` of the master: the flat `"name": number` object with the keys of
 * docs/monitoring.md that dashboards and the DC/OS UI read.
 */
import type {Resource, TaskState} from '../../mesos/types'
import {add, scalar} from '../../mesos/resources'
import type {Master} from './master'
import {isConnected} from './model'

/** Gauges: tasks currently in these states. */
const ACTIVE_STATES: [string, TaskState][] = [
  ['staging', 'TASK_STAGING'],
  ['starting', 'TASK_STARTING'],
  ['running', 'TASK_RUNNING'],
  ['killing', 'TASK_KILLING'],
  ['unreachable', 'TASK_UNREACHABLE'],
]

/** Counters: transitions into these states since the master started. */
const TERMINAL_STATES: [string, TaskState][] = [
  ['finished', 'TASK_FINISHED'],
  ['failed', 'TASK_FAILED'],
  ['killed', 'TASK_KILLED'],
  ['lost', 'TASK_LOST'],
  ['error', 'TASK_ERROR'],
  ['dropped', 'TASK_DROPPED'],
  ['gone', 'TASK_GONE'],
  ['gone_by_operator', 'TASK_GONE_BY_OPERATOR'],
]

export function metricsSnapshot(m: Master): Record<string, number> {
  const agents = [...m.state.agents.values()]
  const registered = agents.filter((a) => a.status === 'registered')
  const frameworks = [...m.state.frameworks.values()]
  let total: Resource[] = []
  let used: Resource[] = []
  let offered: Resource[] = []
  for (const a of registered) {
    total = add(total, a.total)
    used = add(used, a.used)
    offered = add(offered, a.offered)
  }
  const out: Record<string, number> = {
    'master/elected': 1,
    'master/uptime_secs': (m.now() - m.startTime) / 1000,
    'master/slaves_active': registered.length,
    'master/slaves_inactive': 0,
    'master/slaves_connected': registered.length,
    'master/slaves_disconnected': agents.length - registered.length,
    'master/slaves_unreachable': agents.filter((a) => a.status === 'unreachable').length,
    'master/frameworks_active': frameworks.filter(isConnected).length,
    'master/frameworks_inactive': frameworks.filter((f) => !isConnected(f)).length,
    'master/frameworks_connected': frameworks.filter(isConnected).length,
    'master/frameworks_disconnected': frameworks.filter((f) => !isConnected(f)).length,
    'master/outstanding_offers': m.state.offers.size,
    'master/valid_status_updates': m.counters.validStatusUpdates,
    'master/invalid_status_updates': m.counters.invalidStatusUpdates,
    'master/valid_status_update_acknowledgements': m.counters.validAcknowledgements,
    'master/dropped_messages': 0,
    'master/event_queue_messages': 0,
    'allocator/mesos/allocation_runs': m.counters.allocationRuns,
    'allocator/mesos/allocation_run_ms': m.counters.lastAllocationRunMs,
  }
  for (const name of ['cpus', 'mem', 'disk', 'gpus']) {
    const t = scalar(total, name)
    const u = scalar(used, name)
    out[`master/${name}_total`] = t
    out[`master/${name}_used`] = u
    out[`master/${name}_percent`] = t > 0 ? u / t : 0
    if (name !== 'gpus') {
      out[`allocator/mesos/resources/${name}/total`] = t
      out[`allocator/mesos/resources/${name}/offered_or_allocated`] = scalar(add(used, offered), name)
    }
  }
  const tasks = frameworks.flatMap((f) => [...f.tasks.values(), ...f.unreachableTasks.values()])
  for (const [key, state] of ACTIVE_STATES) out[`master/tasks_${key}`] = tasks.filter((t) => t.state === state).length
  for (const [key, state] of TERMINAL_STATES) out[`master/tasks_${key}`] = m.counters.transitions[state] ?? 0
  return out
}
