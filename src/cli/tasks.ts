/**
 * Which tasks a `dcos task ...` filter names (dcos-cli.md §5.1): a task matches when the filter
 * is a substring of its id or name, or a shell glob (`my-task*`, `?`, `[a-z]`) matching its id
 * or name. Pure functions over a /master/state snapshot; the errors are the real CLI's texts.
 */
import type {MasterState, MesosTask} from '../clients/mesos-types'
import {DcosError} from './errors'

export interface TaskQuery {
  /** Substring or glob of the task id or name; all tasks when empty. */
  filter?: string
  /** Include running (non-terminal) tasks. */
  active: boolean
  /** Include completed tasks (completed_tasks, unreachable_tasks, completed frameworks). */
  completed: boolean
  /** Only tasks on this agent. */
  agentId?: string
}

/** Translates an fnmatch-style pattern (`*`, `?`, `[seq]`, `[!seq]`) to an anchored RegExp. */
export function globToRegExp(glob: string): RegExp {
  let re = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]
    if (c === '*') re += '.*'
    else if (c === '?') re += '.'
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2)
      if (end < 0) {
        re += '\\['
        continue
      }
      let set = glob.slice(i + 1, end)
      if (set.startsWith('!')) set = '^' + set.slice(1)
      re += '[' + set.replace(/\\/g, '\\\\') + ']'
      i = end
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&')
  }
  return new RegExp(`^${re}$`, 's')
}

export function matchesFilter(task: Pick<MesosTask, 'id' | 'name'>, filter: string | undefined): boolean {
  if (!filter) return true
  if (task.id.includes(filter) || (task.name ?? '').includes(filter)) return true
  if (!/[*?[]/.test(filter)) return false
  const re = globToRegExp(filter)
  return re.test(task.id) || re.test(task.name ?? '')
}

/** Every task in the snapshot, each tagged with whether it is completed. */
export function allTasks(state: MasterState): {task: MesosTask; completed: boolean}[] {
  const out: {task: MesosTask; completed: boolean}[] = []
  for (const f of state.frameworks ?? []) {
    for (const t of f.tasks ?? []) out.push({task: t, completed: false})
    for (const t of f.unreachable_tasks ?? []) out.push({task: t, completed: true})
    for (const t of f.completed_tasks ?? []) out.push({task: t, completed: true})
  }
  for (const f of state.completed_frameworks ?? []) {
    for (const t of [...(f.tasks ?? []), ...(f.completed_tasks ?? [])]) out.push({task: t, completed: true})
  }
  return out
}

/** The tasks a query selects, in snapshot order (running tasks first). */
export function selectTasks(state: MasterState, query: TaskQuery): MesosTask[] {
  return allTasks(state)
    .filter(({completed}) => (completed ? query.completed : query.active))
    .filter(({task}) => !query.agentId || task.slave_id === query.agentId)
    .filter(({task}) => matchesFilter(task, query.filter))
    .map(({task}) => task)
}

/** `no task ID found containing 'x'` (CORE findTasks), with the agent when one was given. */
export function noTaskError(filter: string | undefined, agentId?: string): DcosError {
  const where = agentId ? ` in agent '${agentId}'` : ''
  const detail = filter ? `no task ID found containing '${filter}'${where}` : `no task found${where}`
  return new DcosError('NO_MATCH', detail, {hint: "Run 'dcos task list --all' to see the tasks."})
}

/**
 * The tasks a log/ls command works on. When only completed tasks match and completed ones were
 * not asked for, the error is the real CLI's hint to add --completed.
 */
export function findTasksForFiles(state: MasterState, query: TaskQuery, what: 'logs' | 'files' = 'logs'): MesosTask[] {
  const tasks = selectTasks(state, query)
  if (tasks.length > 0) return tasks
  if (!query.completed) {
    const done = selectTasks(state, {...query, active: false, completed: true})
    if (done.length > 0) {
      const are = done.length === 1 ? 'is 1 matching completed task' : `are ${done.length} matching completed tasks`
      throw new DcosError(
        'NO_MATCH',
        `No running tasks match ID [${query.filter ?? ''}]; however, there ${are}. Run with --completed to see these ${what}.`,
      )
    }
  }
  throw noTaskError(query.filter, query.agentId)
}

/** One task: an exact id wins over partial matches (PY test_task_exact_match). */
export function pickOneTask(tasks: MesosTask[], filter: string): MesosTask {
  if (tasks.length === 1) return tasks[0]
  const exact = tasks.find((t) => t.id === filter)
  if (exact) return exact
  throw new DcosError('AMBIGUOUS', `found more than one task with the same name: [${tasks.map((t) => t.id).join(', ')}]`, {
    hint: 'Please provide a unique task ID.',
  })
}
