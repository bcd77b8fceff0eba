/**
 * The agent's side of the master <-> agent protocol (src/mesos/agent-protocol.ts): the master's
 * requests, validated, handed to the agent. Accepted requests answer 202; their effects follow as
 * status updates. A batch (CALL_BATCH) carries several of them: each runs as it would alone, all
 * at once, and gets its own result.
 */
import {AGENT_PROTOCOL_PREFIX, type ApplyOperationsResponse, type BatchResponse} from '../../mesos/agent-protocol'
import {HttpError, badRequest, reply, type Router} from '../http'
import type {Agent} from './agent'
import {validateAck, validateKillTask, validateOperations, validateRunTask, validateShutdownFramework} from './validation'

/** Most calls in one batch. */
export const MAX_CALL_BATCH = 256

type Call = (json: unknown) => Promise<ApplyOperationsResponse | undefined>

function calls(agent: Agent): Record<string, Call> {
  return {
    run_task: async (json) => void (await agent.run(validateRunTask(json))),
    kill_task: async (json) => void (await agent.kill(validateKillTask(json))),
    ack: async (json) => {
      const ack = validateAck(json)
      await agent.acknowledge(ack.framework_id, ack.task_id, ack.uuid)
      return undefined
    },
    shutdown_framework: async (json) => void (await agent.shutdownFramework(validateShutdownFramework(json).framework_id)),
    apply_operations: async (json) => ({resources: await agent.applyOperations(validateOperations(json).operations)}),
  }
}

export function internalRoutes(router: Router, agent: Agent): void {
  const p = AGENT_PROTOCOL_PREFIX
  const byPath = calls(agent)
  for (const [path, call] of Object.entries(byPath)) {
    router.post(`${p}/${path}`, async (req) => {
      const answer = await call(await req.json())
      return answer ?? reply(202)
    })
  }
  router.post(`${p}/batch`, async (req): Promise<BatchResponse> => {
    const body = (await req.json()) as {calls?: unknown}
    const list = body?.calls
    if (!Array.isArray(list)) throw badRequest("'calls' must be an array of {path, body}")
    if (list.length > MAX_CALL_BATCH) throw badRequest(`'calls' holds ${list.length} calls; the limit is ${MAX_CALL_BATCH}`)
    const runs = list.map((c: {path?: unknown; body?: unknown} | null) => {
      const call = typeof c?.path === 'string' && Object.hasOwn(byPath, c.path) ? byPath[c.path] : undefined
      if (!call) return Promise.reject(badRequest(`unknown call '${String(c?.path)}'`))
      return call(c!.body)
    })
    const settled = await Promise.allSettled(runs)
    return {
      results: settled.map((r) => {
        if (r.status === 'fulfilled') return r.value ? {status: 200, body: r.value} : {status: 202}
        const error = r.reason as Error
        return {status: error instanceof HttpError ? error.status : 500, message: error?.message ?? String(error)}
      }),
    }
  })
}
