/**
 * A Mesos-compatible agent: runs the master's tasks as real processes in sandboxes, reports
 * their states reliably, and serves the Mesos agent endpoints (/state, /files/*,
 * /monitor/statistics, /metrics/snapshot). This is its composition root.
 *
 * `close()` stops serving and leaves tasks running: the next agent on the same work dir re-adopts
 * them. `shutdown()` kills every task (with its grace period), sends their final updates as far
 * as the master takes them, then closes.
 */
import fs from 'node:fs'
import path from 'node:path'
import {componentGuard} from '../auth'
import {type AgentConfig, type Component, SERVICE_UIDS} from '../config'
import {AGENT_PROTOCOL_PREFIX} from '../../mesos/agent-protocol'
import {HttpError, Router, serve} from '../http'
import type {Logger} from '../log'
import {Agent} from './agent'
import {Checkpoint} from './checkpoint'
import {filesRoutes} from './files-api'
import {internalRoutes} from './internal-api'
import {selectIsolator} from './isolation'
import {detectPageSize} from './procfs'
import {baseResources, hostFacts, parseAttributes} from './resources'
import {Layout} from './sandbox'
import {stateRoutes} from './state-api'

export type AgentComponent = Component & {agentId: () => string | undefined}

/** What answers without a token when auth is on: the health probe. */
const PUBLIC_PATHS = ['/health', '/slave(1)/health']

export async function startAgent(config: AgentConfig, deps: {log: Logger; now?: () => number}): Promise<AgentComponent> {
  const {log} = deps
  const layout = new Layout(path.resolve(config.workDir))
  for (const dir of [layout.slavesDir, layout.volumesDir, layout.metaDir]) fs.mkdirSync(dir, {recursive: true})
  const base = baseResources(config.resources, hostFacts(layout.workDir))
  const attributes = parseAttributes(config.attributes)
  const pageSize = detectPageSize()
  const isolator = selectIsolator(config.isolation, pageSize, log)

  let serving = false
  const router = new Router()
  const guard = componentGuard(config.auth, PUBLIC_PATHS, {prefix: AGENT_PROTOCOL_PREFIX, uids: [SERVICE_UIDS.master, SERVICE_UIDS.agent]})
  const server = await serve({
    router,
    host: config.host,
    port: config.port,
    before: async (req) => {
      await guard(req)
      if (!serving) throw new HttpError(503, `The agent is not serving ${req.path} now: it is recovering or stopping`)
    },
    onBug: (error, req) => log.error(`${req.method} ${req.path}: ${(error as Error).stack ?? error}`),
  })
  let agent: Agent
  try {
    agent = new Agent({
      config,
      log,
      now: deps.now ?? Date.now,
      layout,
      checkpoint: Checkpoint.open(layout.metaDir),
      isolator,
      pageSize,
      base,
      attributes,
      host: config.host,
      port: server.port,
    })
  } catch (error) {
    await server.close()
    throw error
  }
  internalRoutes(router, agent)
  stateRoutes(router, agent, config)
  filesRoutes(router, {
    roots: [layout.slavesDir, layout.volumesDir],
    logFile: config.logFile,
    sandboxes: () =>
      [...agent.completedTasks(), ...agent.activeTasks()].map((r) => ({
        frameworkId: r.framework_id,
        executorId: r.task.task_id.value,
        directory: r.directory,
      })),
  })
  try {
    await agent.recover()
  } catch (error) {
    await server.close()
    await agent.close()
    throw error
  }
  agent.start()
  serving = true
  log.info(`agent serving on ${server.url} (isolation ${isolator.name}, work dir ${layout.workDir})`)

  let stopped: Promise<void> | undefined
  const stop = (how: () => Promise<void>) => (stopped ??= how())
  return {
    url: server.url,
    agentId: () => agent.agentId,
    close: () =>
      stop(async () => {
        serving = false
        await server.close()
        await agent.close()
      }),
    // The server stays up while tasks are killed: the master's acknowledgements come through it.
    shutdown: () =>
      stop(async () => {
        await agent.shutdown()
        serving = false
        await server.close()
      }),
  }
}
