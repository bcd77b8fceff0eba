/**
 * Chronos: composition root. It opens its store under `stateDir` (a persistent volume when run
 * by Marathon from the package), serves the REST API (./api) and runs as the Mesos framework
 * `frameworkName` (./scheduler) with the API's URL as `webui_url`, so the gateway serves it at
 * /service/<name>/. `/ping` and `/` answer without a token (Marathon's health check has none);
 * everything else goes through `authorize` when one is given.
 *
 * Modules: ./schedule (ISO 8601 repeating schedules), ./job (model, defaults, validation),
 * ./core (runs, retries, dependencies, graph), ./scheduler (the framework), ./api, ./flags, ./main.
 */
import {Router, serve, type Request} from '../../runtime/http'
import {silentLogger, type Logger} from '../../runtime/log'
import {Store} from '../../runtime/store'
import {chronosRoutes} from './api'
import {DEFAULT_JOB_DEFAULTS, type JobDefaults} from './job'
import {ChronosScheduler, type ChronosOptions} from './scheduler'

export interface ChronosConfig extends ChronosOptions {
  stateDir: string
  /** Address the API binds and port (0: any free one). */
  bindHost: string
  port: number
  /** `--webui_url`; default the API's own URL as reached at `hostname`. */
  webuiUrl?: string
  jobDefaults?: Partial<JobDefaults>
  /** Checks a request's credentials (throws an HttpError 401/403); none: an open API. */
  authorize?: (req: Request) => Promise<void> | void
  log?: Logger
  now?: () => number
}

export interface ChronosService {
  url: string
  scheduler: ChronosScheduler
  close(): Promise<void>
}

/** Largest request body: one job. */
const MAX_BODY_BYTES = 256 * 1024
/** Answer without a token: the health probe and the index page. */
const PUBLIC_PATHS = new Set(['/ping', '/'])

export async function startChronos(config: ChronosConfig): Promise<ChronosService> {
  const log = config.log ?? silentLogger
  const now = config.now ?? Date.now
  const store = Store.open(config.stateDir)
  const defaults: JobDefaults = {...DEFAULT_JOB_DEFAULTS, ...config.jobDefaults}
  const scheduler = new ChronosScheduler({store, options: config, log, now})
  const router = new Router()
  let leader = ''
  chronosRoutes(router, {scheduler, defaults, now, leader: () => leader, frameworkName: config.frameworkName})
  const authorize = config.authorize
  let server
  try {
    server = await serve({
      router,
      host: config.bindHost,
      port: config.port,
      limits: {maxBodyBytes: MAX_BODY_BYTES, maxJsonDepth: 16},
      before: async (req: Request) => {
        if (authorize && !PUBLIC_PATHS.has(req.path)) await authorize(req)
        // The whole body is read before any handler may refuse the request, so that a refusal
        // never leaves body bytes on a kept-alive connection (they would be read as a request).
        if (req.method !== 'GET' && req.method !== 'HEAD') await req.body()
      },
      onBug: (error, req) => log.error(`${req.method} ${req.path}: ${(error as Error)?.stack ?? error}`),
    })
  } catch (error) {
    await store.close()
    throw error
  }
  leader = `${config.hostname}:${server.port}`
  scheduler.start(config.webuiUrl ?? `http://${config.hostname}:${server.port}`)
  log.info(`chronos serving on ${server.url}; ${scheduler.jobs.size} job(s) recovered from ${config.stateDir}`)
  let closing: Promise<void> | undefined
  return {
    url: server.url,
    scheduler,
    close() {
      closing ??= (async () => {
        await scheduler.stop()
        await server.close()
        await store.close()
      })()
      return closing
    },
  }
}
