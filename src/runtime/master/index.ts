/**
 * The Mesos-compatible master: composition root. It recovers the registry from
 * `config.workDir`, serves the Mesos HTTP API (state endpoints, v1 scheduler and operator APIs,
 * files) and the agent protocol on `config.host:config.port`, and runs the allocation loop.
 */
import {componentGuard, serviceHeaders} from '../auth'
import {type Component, type MasterConfig, SERVICE_UIDS} from '../config'
import {AGENT_PROTOCOL_PREFIX} from '../../mesos/agent-protocol'
import type {Logger} from '../log'
import {Router, serve} from '../http'
import {AgentClient} from './agent-client'
import {agentRoutes, sweepAgents} from './agents'
import {endpointRoutes} from './endpoints'
import {filesRoutes} from './files'
import {expireFrameworks} from './frameworks'
import {Master} from './master'
import {operatorRoutes} from './operator-api'
import {Registry} from './registry'
import {schedulerRoutes} from './scheduler-api'

export interface StartMasterDeps {
  log: Logger
  /** Epoch ms; tests may pass their own clock. */
  now?: () => number
}

/** Largest request body: an agent re-registering with many tasks sends a big one. */
const MAX_BODY_BYTES = 16 * 1024 * 1024
/** How long the master waits for an agent to answer a call. */
const AGENT_CALL_TIMEOUT_MS = 10_000
/** What answers without a token when auth is on: the supervisor's readiness probe. */
const PUBLIC_PATHS = ['/health', '/health.json', '/master/health', '/master/health.json']

export async function startMaster(config: MasterConfig, deps: StartMasterDeps): Promise<Component & {masterId: string}> {
  const {log} = deps
  const registry = Registry.open(config.workDir)
  const master = new Master({
    config,
    log,
    now: deps.now ?? Date.now,
    registry,
    agentClient: new AgentClient(AGENT_CALL_TIMEOUT_MS, serviceHeaders(config.auth)),
  })
  master.recover()

  const router = new Router()
  endpointRoutes(router, master)
  schedulerRoutes(router, master)
  operatorRoutes(router, master)
  agentRoutes(router, master)
  filesRoutes(router, config.logFile)

  let server
  try {
    server = await serve({
      router,
      host: config.host,
      port: config.port,
      limits: {maxBodyBytes: MAX_BODY_BYTES},
      before: componentGuard(config.auth, PUBLIC_PATHS, {prefix: AGENT_PROTOCOL_PREFIX, uids: [SERVICE_UIDS.master, SERVICE_UIDS.agent]}),
      onBug: (error, req) => log.error(`${req.method} ${req.path}: ${(error as Error)?.stack ?? error}`),
    })
  } catch (error) {
    await registry.close()
    throw error
  }
  master.setAddress(server.host, server.port)
  master.start([sweepAgents, expireFrameworks])
  log.info(`master ${master.id} serving on ${server.url}`)

  return {
    url: server.url,
    masterId: master.id,
    async close() {
      master.stop()
      await server.close()
      await registry.close()
    },
  }
}
