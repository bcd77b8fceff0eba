/**
 * `dcos service list` (CORE pkg/cmd/service/service_list.go): the Mesos frameworks as
 * NAME HOST ACTIVE TASKS CPU MEM DISK ID, with CPU/MEM/DISK as %.1f and ACTIVE True/False.
 * Inactive frameworks only with --inactive, completed ones only with --completed.
 */
import type {FrameworksResponse, MasterState, MesosFramework} from '../../clients/mesos-types'
import {DcosError} from '../errors'
import {type Column, renderTable} from '../table'

export interface ServiceQuery {
  inactive?: boolean
  completed?: boolean
}

export function selectServices(state: MasterState, query: ServiceQuery): MesosFramework[] {
  const active = (state.frameworks ?? []).filter((f) => query.inactive || f.active !== false)
  return query.completed ? [...active, ...(state.completed_frameworks ?? [])] : active
}

function resource(f: MesosFramework, name: 'cpus' | 'mem' | 'disk'): string {
  const r = f.resources ?? f.used_resources
  const v = typeof r?.[name] === 'number' ? (r[name] as number) : 0
  return v.toFixed(1)
}

export function serviceTable(frameworks: MesosFramework[]): string {
  const columns: Column<MesosFramework>[] = [
    {header: 'NAME', value: (f) => f.name},
    {header: 'HOST', value: (f) => f.hostname},
    {header: 'ACTIVE', value: (f) => f.active === true},
    {header: 'TASKS', value: (f) => (f.tasks ?? []).length, align: 'right'},
    {header: 'CPU', value: (f) => resource(f, 'cpus'), align: 'right'},
    {header: 'MEM', value: (f) => resource(f, 'mem'), align: 'right'},
    {header: 'DISK', value: (f) => resource(f, 'disk'), align: 'right'},
    {header: 'ID', value: (f) => f.id},
  ]
  return renderTable(columns, frameworks)
}

/** The framework `idOrName` names: an exact ID, else a unique name among the active ones. */
export function resolveService(response: FrameworksResponse, idOrName: string): MesosFramework {
  const frameworks = response.frameworks ?? []
  const byId = frameworks.find((f) => f.id === idOrName)
  if (byId) return byId
  const byName = frameworks.filter((f) => f.name === idOrName)
  if (byName.length === 1) return byName[0]
  if (byName.length > 1) {
    throw new DcosError('AMBIGUOUS', `several services are named '${idOrName}': ${byName.map((f) => f.id).join(', ')}.`, {
      hint: 'Pass the service ID instead.',
    })
  }
  throw new DcosError('NOT_FOUND', `no service found with ID or name '${idOrName}'.`, {hint: "Run 'dcos service list' to see the services."})
}
