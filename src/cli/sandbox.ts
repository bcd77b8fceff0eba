/**
 * Where a task's files are: its executor's `directory` in the agent's /state (for command tasks
 * the executor id is the task id; for pod tasks, executor type DEFAULT, the task's files are in
 * `<directory>/tasks/<task id>`), read through that agent's files API.
 */
import {posix} from 'node:path'
import type {FilesApi, MesosClient} from '../clients/mesos'
import type {AgentExecutor, AgentState, FileInfo, MesosTask} from '../clients/mesos-types'
import {DcosError} from './errors'
import {type Column, renderTable} from './table'

export interface Sandbox {
  task: MesosTask
  /** Absolute path on the agent. */
  directory: string
  files: FilesApi
}

/** Finds the executor that ran `task` in an agent's /state. */
export function findExecutor(state: AgentState, task: MesosTask): AgentExecutor | undefined {
  const executorId = task.executor_id || task.id
  const frameworks = [...(state.frameworks ?? []), ...(state.completed_frameworks ?? [])]
  const ordered = [...frameworks.filter((f) => f.id === task.framework_id), ...frameworks.filter((f) => f.id !== task.framework_id)]
  for (const f of ordered) {
    for (const e of [...(f.executors ?? []), ...(f.completed_executors ?? [])]) {
      if (e.id === executorId) return e
    }
  }
  return undefined
}

/** The sandbox directory of `task` given its executor. */
export function sandboxDirectory(executor: AgentExecutor, task: MesosTask): string {
  return executor.type === 'DEFAULT' ? posix.join(executor.directory, 'tasks', task.id) : executor.directory
}

/** Resolves the sandboxes of tasks, reading each agent's /state once. */
export async function sandboxesOf(mesos: MesosClient, tasks: MesosTask[]): Promise<Sandbox[]> {
  const agentIds = [...new Set(tasks.map((t) => t.slave_id))]
  const agents = new Map(
    await Promise.all(
      agentIds.map(async (id) => [id, {state: await mesos.agentState(id), files: await mesos.agentFiles(id)}] as const),
    ),
  )
  return tasks.map((task) => {
    const agent = agents.get(task.slave_id)!
    const executor = findExecutor(agent.state, task)
    if (!executor) {
      throw new DcosError('NOT_FOUND', `cannot find the sandbox of task '${task.id}' on agent '${task.slave_id}'.`, {
        hint: 'It may have been garbage-collected.',
      })
    }
    return {task, directory: sandboxDirectory(executor, task), files: agent.files}
  })
}

/** `<directory>/<path>` with a leading `/` stripped from path (PY task ls). */
export function sandboxPath(directory: string, path: string): string {
  return posix.join(directory, path.replace(/^\/+/, '') || '.')
}

/** Lists a directory of a sandbox; a 404 becomes the real CLI's `cannot access` message. */
export async function browse(sandbox: Sandbox, path: string): Promise<FileInfo[]> {
  try {
    return await sandbox.files.browse(sandboxPath(sandbox.directory, path))
  } catch (e) {
    if (e instanceof DcosError && e.code === 'NOT_FOUND') {
      throw new DcosError('NOT_FOUND', `cannot access '${path}': no such file or directory`)
    }
    throw e
  }
}

/** `task ls`: basenames joined by two spaces. */
export function shortListing(entries: FileInfo[]): string {
  return entries.map((e) => posix.basename(e.path)).join('  ') + '\n'
}

/** `task ls --long` (CORE): MODE LINKS UID GID SIZE DATE NAME, dates as Go's RFC822. */
export function longListing(entries: FileInfo[]): string {
  const columns: Column<FileInfo>[] = [
    {header: 'MODE', value: (e) => e.mode},
    {header: 'LINKS', value: (e) => e.nlink, align: 'right'},
    {header: 'UID', value: (e) => e.uid},
    {header: 'GID', value: (e) => e.gid},
    {header: 'SIZE', value: (e) => e.size, align: 'right'},
    {header: 'DATE', value: (e) => rfc822(new Date(e.mtime * 1000))},
    {header: 'NAME', value: (e) => posix.basename(e.path)},
  ]
  return renderTable(columns, entries)
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** Go's time.RFC822 ("02 Jan 06 15:04 UTC"), in UTC so output does not depend on TZ. */
export function rfc822(d: Date): string {
  const two = (n: number) => String(n).padStart(2, '0')
  return `${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${two(d.getUTCFullYear() % 100)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())} UTC`
}
