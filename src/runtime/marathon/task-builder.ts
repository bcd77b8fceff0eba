/**
 * The Mesos TaskInfo of one instance (Marathon's `TaskBuilder`): the command (`cmd` through the
 * shell, `args` as argv), the environment (./ports `taskEnvironment`, plus the app's secret
 * variables as Mesos SECRET variables carrying their values), fetched URIs, the kill
 * grace period, the app's labels, service discovery info, and the resources the matcher chose.
 * No container: tasks are plain processes (persistent volumes are mounted by the agent from the
 * volume resources themselves). Pure.
 */
import type {CommandInfo, EnvironmentVariable, TaskInfo} from '../../mesos/types'
import {secretEnv, type App} from './app-definition'
import {hostnameOf} from './path-id'
import {taskEnvironment} from './ports'
import type {PlannedLaunch} from './matcher'

/**
 * `secrets` holds the value of every source the app's env references (./secrets resolves them
 * before a launch is planned); a missing one throws rather than launch without it.
 */
export function buildTaskInfo(app: App, launch: PlannedLaunch, taskId: string, secrets: ReadonlyMap<string, string> = new Map()): TaskInfo {
  const env = taskEnvironment(app, {taskId, host: launch.placement.hostname, hostPorts: launch.hostPorts})
  const command: CommandInfo = app.cmd !== undefined ? {shell: true, value: app.cmd} : {shell: false, value: app.args?.[0] ?? '', arguments: app.args ?? []}
  const variables: EnvironmentVariable[] = Object.entries(env).map(([name, value]) => ({name, type: 'VALUE' as const, value}))
  for (const {name, source} of secretEnv(app)) {
    const value = secrets.get(source)
    if (value === undefined) throw new Error(`secret '${source}' of app ${app.id} is not resolved`)
    variables.push({name, type: 'SECRET', secret: {type: 'VALUE', value: {data: Buffer.from(value, 'utf8').toString('base64')}}})
  }
  command.environment = {variables}
  if (app.fetch?.length)
    command.uris = app.fetch.map((f) => ({
      value: f.uri,
      extract: f.extract,
      executable: f.executable,
      cache: f.cache,
      ...(f.destPath !== undefined && {output_file: f.destPath}),
    }))
  if (app.user !== undefined) command.user = app.user
  const labels = Object.entries(app.labels).map(([key, value]) => ({key, value}))
  return {
    name: hostnameOf(app.id),
    task_id: {value: taskId},
    agent_id: {value: launch.agentId},
    resources: launch.resources,
    command,
    ...(app.taskKillGracePeriodSeconds !== undefined && {kill_policy: {grace_period: {nanoseconds: app.taskKillGracePeriodSeconds * 1e9}}}),
    ...(labels.length > 0 && {labels: {labels}}),
    discovery: {
      visibility: 'FRAMEWORK',
      name: hostnameOf(app.id),
      ports: {ports: app.portDefinitions.map((d, i) => ({number: launch.hostPorts[i], name: d.name ?? '', protocol: d.protocol}))},
    },
  }
}
