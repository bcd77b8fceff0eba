/**
 * The Marathon v2 API's JSON, as the CLI reads it. Marathon changed serialiser in 1.9.100: older
 * servers write `null`s, empty arrays and ints (`"args": null`, `"healthChecks": []`, `"mem": 16`),
 * newer ones omit empty optional fields and write doubles (`"mem": 16.0`). So every field but the
 * identifiers is optional and nullable, and readers treat missing, null and empty alike. Objects
 * keep the fields the CLI does not model (`--json` and `show` print what the server sent).
 */

export interface MarathonApp {
  id: string
  cmd?: string | null
  args?: string[] | null
  cpus?: number | null
  mem?: number | null
  disk?: number | null
  instances?: number | null
  container?: {type?: string | null; [key: string]: unknown} | null
  healthChecks?: unknown[] | null
  role?: string | null
  version?: string | null
  versionInfo?: {lastScalingAt?: string; lastConfigChangeAt?: string} | null
  labels?: Record<string, string> | null
  tasksStaged?: number | null
  tasksRunning?: number | null
  tasksHealthy?: number | null
  tasksUnhealthy?: number | null
  /** Deployments in progress for the app (always embedded by /v2/apps). */
  deployments?: {id: string}[] | null
  tasks?: MarathonTask[] | null
  lastTaskFailure?: TaskFailure | null
  [key: string]: unknown
}

export interface HealthCheckResult {
  alive?: boolean | null
  [key: string]: unknown
}

export interface MarathonTask {
  id: string
  appId?: string | null
  host?: string | null
  state?: string | null
  slaveId?: string | null
  ports?: number[] | null
  startedAt?: string | null
  stagedAt?: string | null
  version?: string | null
  healthCheckResults?: HealthCheckResult[] | null
  role?: string | null
  [key: string]: unknown
}

/** `lastTaskFailure` of GET /v2/apps/{id}: the app's most recent failed task. */
export interface TaskFailure {
  appId?: string
  taskId?: string
  host?: string
  state?: string
  message?: string
  timestamp?: string
  /** The app version the failed task ran. */
  version?: string
  slaveId?: string | null
}

export interface DeploymentAction {
  action: string
  app?: string | null
  pod?: string | null
  [key: string]: unknown
}

export interface Deployment {
  id: string
  version?: string | null
  affectedApps?: string[] | null
  affectedPods?: string[] | null
  /** `[{actions: [...]}]`; very old servers wrote bare arrays of actions. */
  steps?: ({actions?: DeploymentAction[] | null} | DeploymentAction[])[] | null
  currentActions?: DeploymentAction[] | null
  currentStep?: number | null
  totalSteps?: number | null
  [key: string]: unknown
}

/** The answer of every "deployable" call (PUT/DELETE apps and groups, restart, rollback...). */
export interface DeploymentResult {
  deploymentId: string
  version?: string
}

export interface MarathonGroup {
  id: string
  apps?: MarathonApp[] | null
  groups?: MarathonGroup[] | null
  pods?: unknown[] | null
  dependencies?: string[] | null
  version?: string | null
  enforceRole?: boolean | null
  [key: string]: unknown
}

export interface QueueItem {
  app?: {id: string; [key: string]: unknown} | null
  pod?: {id: string; [key: string]: unknown} | null
  count?: number | null
  delay?: {timeLeftSeconds?: number | null; overdue?: boolean | null} | null
  since?: string | null
  processedOffersSummary?: {
    processedOffersCount?: number | null
    unusedOffersCount?: number | null
    lastUnusedOfferAt?: string | null
    lastUsedOfferAt?: string | null
    rejectSummaryLastOffers?: {reason: string; declined?: number; processed?: number}[] | null
  } | null
  lastUnusedOffers?: {offer?: {hostname?: string; [key: string]: unknown} | null; timestamp?: string | null; reason?: string[] | null}[] | null
  [key: string]: unknown
}

/** GET /v2/info. */
export interface MarathonInfo {
  name?: string
  version?: string
  leader?: string | null
  elected?: boolean
  frameworkId?: string | null
  [key: string]: unknown
}
