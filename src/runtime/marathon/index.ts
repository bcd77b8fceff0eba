/**
 * The Marathon-compatible scheduler: composition root. It recovers its state from
 * `config.workDir`, serves the Marathon v2 REST API (behind the cluster's auth; `/ping` stays
 * public as the health probe) and runs as the Mesos framework `marathon`, registered with its
 * API's URL as `webui_url`, so the gateway serves it at /service/marathon/ and /marathon/.
 *
 * Modules: ./app-definition (defaults, validation), ./groups, ./constraints, ./ports,
 * ./planner and ./matcher (pure decisions), ./launch-queue (backoff), ./health, ./tasks (the
 * task tracker), ./events (SSE), ./storage, ./state (the single writer), ./scheduler (the
 * driver glue and control loop), ./api/* (handlers).
 */
import {componentGuard, serviceHeaders} from '../auth'
import type {Component, MarathonConfig} from '../config'
import {Router, serve} from '../http'
import type {Logger} from '../log'
import {appRoutes} from './api/apps'
import type {ApiConfig, ApiContext} from './api/common'
import {deploymentRoutes} from './api/deployments'
import {groupRoutes} from './api/groups'
import {systemRoutes} from './api/system'
import {taskRoutes} from './api/tasks'
import {AppViews} from './api/views'
import {DEFAULT_MAX_INSTANCES} from './app-definition'
import {EventBus} from './events'
import {SERVICE_PORT_RANGE} from './ports'
import {MarathonScheduler} from './scheduler'
import {MarathonState} from './state'
import {MarathonStorage} from './storage'

export interface StartMarathonDeps {
  log: Logger
  /** Epoch ms; tests may pass their own clock. */
  now?: () => number
  /** Shorter timings for tests: driver reconnection backoff, SSE heartbeat. */
  reconnect?: {minMs: number; maxMs: number}
  eventHeartbeatMs?: number
}

export type MarathonComponent = Component & {
  /** The framework id, once subscribed. */
  frameworkId: () => string | undefined
}

/** Largest request body: a group with many apps. */
const MAX_BODY_BYTES = 8 * 1024 * 1024
const ONE_WEEK_S = 7 * 24 * 3600
/** What answers without a token when auth is on: the health probe. */
const PUBLIC_PATHS = ['/ping']

export async function startMarathon(config: MarathonConfig, deps: StartMarathonDeps): Promise<MarathonComponent> {
  const {log} = deps
  const now = deps.now ?? Date.now
  const storage = MarathonStorage.open(config.workDir)
  const loaded = storage.load()
  const events = new EventBus({now, heartbeatMs: deps.eventHeartbeatMs})
  const role = config.mesosRole ?? '*'
  const reservationRole = config.reservationRole ?? 'marathon'
  const servicePorts = config.servicePorts ?? SERVICE_PORT_RANGE
  const frameworkName = config.frameworkName ?? 'marathon'
  const failoverTimeoutSeconds = config.failoverTimeoutSeconds ?? ONE_WEEK_S

  let scheduler: MarathonScheduler | undefined
  const state = new MarathonState({storage, events, now, servicePorts, onChange: (ids) => scheduler?.markDirty(ids)}, loaded)
  scheduler = new MarathonScheduler({
    options: {
      masterUrl: config.masterUrl,
      frameworkName,
      webuiUrl: '',
      user: 'root',
      hostname: config.host,
      principal: frameworkName,
      failoverTimeoutSeconds,
      roles: [...new Set([role, reservationRole])],
      declineOfferSeconds: 120,
      declineWhileWaitingSeconds: 5,
      maxInstancesPerOffer: 1000,
      headers: () => serviceHeaders(config.auth),
      ...(config.gatewayUrl && {gatewayUrl: config.gatewayUrl}),
      ...(deps.reconnect && {reconnect: deps.reconnect}),
    },
    state,
    storage,
    events,
    log,
    now,
    frameworkId: loaded.frameworkId,
    tasks: loaded.tasks,
  })

  const router = new Router()
  const apiConfig: ApiConfig = {
    role,
    maxInstances: DEFAULT_MAX_INSTANCES,
    frameworkName,
    leader: `${config.host}:${config.port}`,
    url: '',
    masterUrl: config.masterUrl,
    failoverTimeoutSeconds,
    declineOfferSeconds: 120,
    servicePorts,
    maxInstancesPerOffer: 1000,
    startedAt: now(),
  }
  const ctx: ApiContext = {state, scheduler, events, views: new AppViews(state, scheduler), config: apiConfig, now}
  appRoutes(router, ctx)
  groupRoutes(router, ctx)
  deploymentRoutes(router, ctx)
  taskRoutes(router, ctx)
  systemRoutes(router, ctx)

  let server
  try {
    server = await serve({
      router,
      host: config.host,
      port: config.port,
      limits: {maxBodyBytes: MAX_BODY_BYTES},
      errorBody: (error) => ({message: error.message}),
      before: componentGuard(config.auth, PUBLIC_PATHS),
      onBug: (error, req) => log.error(`${req.method} ${req.path}: ${(error as Error)?.stack ?? error}`),
    })
  } catch (error) {
    await storage.close()
    throw error
  }
  apiConfig.url = server.url
  apiConfig.leader = `${server.host}:${server.port}`
  scheduler.start(server.url)
  log.info(`marathon serving on ${server.url}; ${state.apps.size} app(s), ${scheduler.tracker.size} task(s) recovered`)

  let closing: Promise<void> | undefined
  return {
    url: server.url,
    frameworkId: () => scheduler.frameworkId,
    close() {
      closing ??= (async () => {
        await scheduler.stop()
        events.closeAll()
        await server.close()
        await storage.close()
      })()
      return closing
    },
  }
}
