/**
 * Marathon's durable state on the shared Store (append-only log, group commit): the framework
 * id, apps and their versions, groups, deployments, tasks and each app's last task failure.
 * Every write resolves once it is on disk; the API answers only after its writes resolved.
 *
 * A change writes several records issued together (one fsync). They reach the log in the order
 * given, so a crash keeps a prefix: callers write what others refer to first (versions, then
 * apps, then the deployment that drives them). A deployment record lost this way costs only its
 * bookkeeping: the scheduler drives apps from their definitions.
 */
import {Store} from '../store'
import type {App} from './app-definition'
import type {Deployment} from './deployments'
import type {GroupRecord} from './groups'
import type {TaskRecord} from './tasks'

const NS = {
  meta: 'marathon-meta',
  apps: 'marathon-apps',
  versions: 'marathon-app-versions',
  groups: 'marathon-groups',
  deployments: 'marathon-deployments',
  tasks: 'marathon-tasks',
  failures: 'marathon-task-failures',
} as const

export interface TaskFailure {
  appId: string
  host: string
  message: string
  state: string
  taskId: string
  timestamp: string
  version: string
  slaveId: string
}

export interface LoadedState {
  frameworkId?: string
  apps: App[]
  versions: App[]
  groups: GroupRecord[]
  deployments: Deployment[]
  tasks: TaskRecord[]
  failures: TaskFailure[]
}

export class MarathonStorage {
  readonly #store: Store

  private constructor(store: Store) {
    this.#store = store
  }

  static open(dir: string): MarathonStorage {
    return new MarathonStorage(Store.open(dir))
  }

  load(): LoadedState {
    const values = <T>(ns: string) => this.#store.list<T>(ns).map(([, v]) => v)
    return {
      frameworkId: this.#store.get<string>(NS.meta, 'frameworkId'),
      apps: values<App>(NS.apps),
      versions: values<App>(NS.versions),
      groups: values<GroupRecord>(NS.groups),
      deployments: values<Deployment>(NS.deployments),
      tasks: values<TaskRecord>(NS.tasks),
      failures: values<TaskFailure>(NS.failures),
    }
  }

  setFrameworkId(id: string): Promise<void> {
    return this.#store.put(NS.meta, 'frameworkId', id)
  }

  putApp(app: App): Promise<void> {
    return this.#store.put(NS.apps, app.id, app)
  }

  deleteApp(id: string): Promise<void> {
    return this.#store.delete(NS.apps, id)
  }

  putVersion(app: App): Promise<void> {
    return this.#store.put(NS.versions, `${app.id} ${app.version}`, app)
  }

  deleteVersion(id: string, version: string): Promise<void> {
    return this.#store.delete(NS.versions, `${id} ${version}`)
  }

  putGroup(group: GroupRecord): Promise<void> {
    return this.#store.put(NS.groups, group.id, group)
  }

  deleteGroup(id: string): Promise<void> {
    return this.#store.delete(NS.groups, id)
  }

  putDeployment(d: Deployment): Promise<void> {
    return this.#store.put(NS.deployments, d.id, d)
  }

  deleteDeployment(id: string): Promise<void> {
    return this.#store.delete(NS.deployments, id)
  }

  putTask(task: TaskRecord): Promise<void> {
    return this.#store.put(NS.tasks, task.id, task)
  }

  deleteTask(id: string): Promise<void> {
    return this.#store.delete(NS.tasks, id)
  }

  putFailure(f: TaskFailure): Promise<void> {
    return this.#store.put(NS.failures, f.appId, f)
  }

  deleteFailure(appId: string): Promise<void> {
    return this.#store.delete(NS.failures, appId)
  }

  close(): Promise<void> {
    return this.#store.close()
  }
}
