/**
 * The `dcos marathon` tables, each as the real CLI renders it today:
 * - `app list` is CORE's Go (pkg/cmd/marathon/app/app_list.go): ID MEM CPUS TASKS HEALTH
 *   DEPLOYMENT WAITING CONTAINER CMD ROLE, every column left-aligned, numbers as humanize.Ftoa,
 *   CMD cut at 30, container `MESOS` by default, WAITING `true|false` from the launch queue;
 * - `task list`, `deployment list` and `group list` still go through the embedded Python
 *   (dcoscli/tables.py, prettytable): the columns the Python sets to `l` are left-aligned, the
 *   others centred, rows sorted by the first column.
 * Missing, null and empty fields read alike (old and new Marathon serialisations).
 */
import type {Deployment, DeploymentAction, MarathonApp, MarathonGroup, MarathonTask, QueueItem} from '../../clients/marathon-types'
import {type Column, EMPTY_CELL, renderTable} from '../table'

/** Marathon's action names as the real CLI shows them (tables.py DEPLOYMENT_DISPLAY). */
export const ACTION_NAMES: Readonly<Record<string, string>> = {
  ResolveArtifacts: 'artifacts',
  ScaleApplication: 'scale',
  StartApplication: 'start',
  StopApplication: 'stop',
  RestartApplication: 'restart',
  ScalePod: 'scale',
  StartPod: 'start',
  StopPod: 'stop',
  RestartPod: 'restart',
  KillAllOldTasksOf: 'kill-tasks',
}

/** An action's display name; one Marathon adds later is shown lower-cased rather than failing. */
export function actionName(action: DeploymentAction['action']): string {
  return ACTION_NAMES[action] ?? String(action).toLowerCase()
}

export function appTable(apps: readonly MarathonApp[], deployments: readonly Deployment[], queue: readonly QueueItem[]): string {
  const byId = new Map(deployments.map((d) => [d.id, d]))
  const overdue = new Set(queue.filter((q) => q.app?.id && q.delay?.overdue === true).map((q) => q.app!.id))
  const columns: Column<MarathonApp>[] = [
    {header: 'ID', value: (a) => a.id},
    {header: 'MEM', value: (a) => ftoa(a.mem)},
    {header: 'CPUS', value: (a) => ftoa(a.cpus)},
    {header: 'TASKS', value: (a) => `${a.tasksRunning ?? 0}/${a.instances ?? 0}`},
    {header: 'HEALTH', value: (a) => ((a.healthChecks ?? []).length > 0 ? `${a.tasksHealthy ?? 0}/${a.tasksRunning ?? 0}` : EMPTY_CELL)},
    {header: 'DEPLOYMENT', value: (a) => appDeployment(a, byId)},
    {header: 'WAITING', value: (a) => String(overdue.has(a.id))},
    {header: 'CONTAINER', value: (a) => a.container?.type || 'MESOS'},
    {header: 'CMD', value: appCommand},
    {header: 'ROLE', value: (a) => a.role},
  ]
  return renderTable(columns, [...apps].sort((a, b) => compare(a.id, b.id)))
}

/** The current actions of the app's deployments on it: one name, `(a,b)` for several, `---` for none. */
function appDeployment(app: MarathonApp, deployments: ReadonlyMap<string, Deployment>): string {
  const actions = (app.deployments ?? []).flatMap((ref) =>
    (deployments.get(ref.id)?.currentActions ?? []).filter((a) => a.app === app.id).map((a) => actionName(a.action)),
  )
  if (actions.length === 0) return EMPTY_CELL
  return actions.length === 1 ? actions[0] : `(${actions.join(',')})`
}

/** `cmd`, else `[arg, arg]`, cut to 30 characters with `...` (CORE formatCmd). */
function appCommand(app: MarathonApp): string {
  const text = app.cmd ? app.cmd : (app.args ?? []).length > 0 ? `[${app.args!.join(', ')}]` : ''
  if (!text) return EMPTY_CELL
  return text.length < 30 ? text : text.slice(0, 27) + '...'
}

/** go-humanize Ftoa: six decimals, trailing zeros dropped (16 and 16.0 both print `16`). */
export function ftoa(n: number | null | undefined): string {
  if (typeof n !== 'number' || !Number.isFinite(n)) return EMPTY_CELL
  const fixed = n.toFixed(6)
  return fixed.replace(/\.?0+$/, '') || '0'
}

export function marathonTaskTable(tasks: readonly MarathonTask[]): string {
  const columns: Column<MarathonTask>[] = [
    {header: 'APP', value: (t) => t.appId},
    {header: 'HEALTHY', value: (t) => (t.healthCheckResults ?? []).every((c) => c?.alive === true), align: 'center'},
    {header: 'STARTED', value: (t) => t.startedAt || 'N/A', align: 'center'},
    {header: 'HOST', value: (t) => t.host, align: 'center'},
    {header: 'ID', value: (t) => t.id},
  ]
  return renderTable(columns, sortBy(tasks, (t) => t.appId ?? ''))
}

export function deploymentTable(deployments: readonly Deployment[]): string {
  const columns: Column<Deployment>[] = [
    {header: 'APP', value: (d) => joinIds(d.affectedApps)},
    {header: 'POD', value: (d) => joinIds(d.affectedPods)},
    {header: 'ACTION', value: deploymentActions},
    {header: 'PROGRESS', value: (d) => `${(d.currentStep ?? 0) - 1}/${d.totalSteps ?? 0}`, align: 'center'},
    {header: 'ID', value: (d) => d.id},
  ]
  return renderTable(columns, sortBy(deployments, (d) => joinIds(d.affectedApps)))
}

/** Path ids one per line, `-` for none (tables.py join_path_ids). */
function joinIds(ids: readonly string[] | null | undefined): string {
  return ids && ids.length > 0 ? ids.join('\n') : '-'
}

/** One line per current action; prefixed with its app or pod when several are in play. */
function deploymentActions(d: Deployment): string {
  const actions = d.currentActions ?? []
  const several = new Set(actions.map((a) => a.app ?? a.pod)).size > 1
  return actions
    .map((a) => {
      const target = a.app ?? a.pod
      if (!target) return 'N/A'
      return several ? `${actionName(a.action)} ${target}` : actionName(a.action)
    })
    .join('\n')
}

/** Every group of the tree below the root with its app count, subgroups included (tables.py _count_apps). */
export function groupTable(groups: readonly MarathonGroup[]): string {
  const rows: {id: string; apps: number}[] = []
  const count = (g: MarathonGroup): number => {
    const n = (g.apps ?? []).length + (g.groups ?? []).reduce((sum, child) => sum + count(child), 0)
    rows.push({id: g.id, apps: n})
    return n
  }
  for (const g of groups) count(g)
  const columns: Column<{id: string; apps: number}>[] = [
    {header: 'ID', value: (r) => r.id},
    {header: 'APPS', value: (r) => r.apps, align: 'center'},
  ]
  return renderTable(columns, sortBy(rows, (r) => r.id))
}

/** Deployments of one app or pod (the real CLI's `deployment list <app-id>` filter). */
export function deploymentsOf(deployments: readonly Deployment[], id: string): Deployment[] {
  return deployments.filter((d) => (d.affectedApps ?? []).includes(id) || (d.affectedPods ?? []).includes(id))
}

/** A stable sort by a string key in code-point order, as Python sorts. */
function sortBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...items].sort((a, b) => compare(key(a), key(b)))
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** The app or pod id of a queue item. */
export function queuedId(item: QueueItem): string {
  return item.app?.id ?? item.pod?.id ?? EMPTY_CELL
}

/** `dcos marathon debug list` (tables.py queued_apps_table): one row per waiting app or pod. */
export function queueTable(items: readonly QueueItem[]): string {
  const summary = (i: QueueItem) => i.processedOffersSummary ?? {}
  const columns: Column<QueueItem>[] = [
    {header: 'ID', value: queuedId},
    {header: 'SINCE', value: (i) => i.since},
    {header: 'INSTANCES TO LAUNCH', value: (i) => i.count},
    {header: 'WAITING', value: (i) => i.delay?.overdue},
    {header: 'PROCESSED OFFERS', value: (i) => summary(i).processedOffersCount},
    {header: 'UNUSED OFFERS', value: (i) => summary(i).unusedOffersCount},
    {header: 'LAST UNUSED OFFER', value: (i) => summary(i).lastUnusedOfferAt},
    {header: 'LAST USED OFFER', value: (i) => summary(i).lastUsedOfferAt},
  ]
  return renderTable(columns, sortBy(items, queuedId))
}

/** What an app asks for, per row of the summary (the reason Marathon declines offers for it). */
const SUMMARY_ROWS: readonly {resource: string; reason: string; requested: (app: Record<string, unknown>) => unknown}[] = [
  {resource: 'ROLE', reason: 'UnfulfilledRole', requested: (a) => ((a.acceptedResourceRoles as string[] | undefined)?.length ? a.acceptedResourceRoles : '[*]')},
  {resource: 'CONSTRAINTS', reason: 'UnfulfilledConstraint', requested: (a) => a.constraints},
  {resource: 'CPUS', reason: 'InsufficientCpus', requested: (a) => a.cpus},
  {resource: 'MEM', reason: 'InsufficientMemory', requested: (a) => a.mem},
  {resource: 'DISK', reason: 'InsufficientDisk', requested: (a) => a.disk},
  {resource: 'PORTS', reason: 'InsufficientPorts', requested: (a) => a.ports},
]

/**
 * `dcos marathon debug summary` (tables.py queued_app_table): per resource, what the app asks
 * for and how many of the last offers matched it (processed − declined of processed).
 */
export function queueSummaryTable(item: QueueItem): string {
  const reasons = item.processedOffersSummary?.rejectSummaryLastOffers ?? []
  const rows = SUMMARY_ROWS.map((row) => {
    const entry = reasons.find((r) => r.reason === row.reason)
    const processed = entry?.processed ?? 0
    const matched = processed - (entry?.declined ?? 0)
    const requested = row.requested(item.app ?? {})
    return {
      resource: row.resource,
      requested: typeof requested === 'object' && requested !== null ? JSON.stringify(requested) : (requested as string | number | undefined),
      matched: `${matched} / ${processed}`,
      percentage: processed > 0 ? `${((100 * matched) / processed).toFixed(2)}%` : EMPTY_CELL,
    }
  })
  return renderTable(
    [
      {header: 'RESOURCE', value: (r) => r.resource},
      {header: 'REQUESTED', value: (r) => r.requested},
      {header: 'MATCHED', value: (r) => r.matched},
      {header: 'PERCENTAGE', value: (r) => r.percentage},
    ],
    rows,
  )
}

/**
 * `dcos marathon debug details` (tables.py queued_app_details_table): the last declined offer of
 * each agent, `ok` where it fitted and `-` where it did not.
 */
export function queueDetailsTable(item: QueueItem): string {
  type Unused = NonNullable<QueueItem['lastUnusedOffers']>[number]
  const mark = (reason: string) => (u: Unused) => ((u.reason ?? []).includes(reason) ? '-' : 'ok')
  const columns: Column<Unused>[] = [
    {header: 'HOSTNAME', value: (u) => u.offer?.hostname},
    {header: 'ROLE', value: mark('UnfulfilledRole')},
    {header: 'CONSTRAINTS', value: mark('UnfulfilledConstraint')},
    {header: 'CPUS', value: mark('InsufficientCpus')},
    {header: 'MEM', value: mark('InsufficientMemory')},
    {header: 'DISK', value: mark('InsufficientDisk')},
    {header: 'PORTS', value: mark('InsufficientPorts')},
    {header: 'RECEIVED', value: (u) => u.timestamp},
  ]
  return renderTable(columns, sortBy(item.lastUnusedOffers ?? [], (u) => u.offer?.hostname ?? ''))
}
