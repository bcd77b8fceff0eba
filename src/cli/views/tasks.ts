/**
 * `dcos task list` (CORE pkg/cmd/task/task_list.go): NAME HOST USER STATE ID AGENT ID REGION ZONE.
 * HOST, REGION and ZONE come from the task's agent, USER from the task or its framework; a
 * region or zone the agent does not report is `N/A`. STATE is the full Mesos state.
 */
import type {MasterState, MesosTask} from '../../clients/mesos-types'
import {type Column, renderTable} from '../table'
import {NOT_AVAILABLE} from './nodes'

export function taskTable(tasks: MesosTask[], state: MasterState): string {
  const slaves = new Map((state.slaves ?? []).map((s) => [s.id, s]))
  const frameworks = new Map([...(state.frameworks ?? []), ...(state.completed_frameworks ?? [])].map((f) => [f.id, f]))
  const columns: Column<MesosTask>[] = [
    {header: 'NAME', value: (t) => t.name},
    {header: 'HOST', value: (t) => slaves.get(t.slave_id)?.hostname},
    {header: 'USER', value: (t) => t.user ?? frameworks.get(t.framework_id)?.user},
    {header: 'STATE', value: (t) => t.state},
    {header: 'ID', value: (t) => t.id},
    {header: 'AGENT ID', value: (t) => t.slave_id},
    {header: 'REGION', value: (t) => slaves.get(t.slave_id)?.domain?.fault_domain?.region?.name || NOT_AVAILABLE},
    {header: 'ZONE', value: (t) => slaves.get(t.slave_id)?.domain?.fault_domain?.zone?.name || NOT_AVAILABLE},
  ]
  return renderTable(columns, sortTasks(tasks))
}

/** By name, then id (PY sorts by NAME), so listings are stable between runs. */
export function sortTasks(tasks: MesosTask[]): MesosTask[] {
  return [...tasks].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.id.localeCompare(b.id))
}
