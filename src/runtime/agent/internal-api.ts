/**
 * The agent's side of the master <-> agent protocol (src/mesos/agent-protocol.ts): the master's
 * requests, validated, handed to the agent. Accepted requests answer 202; their effects follow as
 * status updates.
 */
import {AGENT_PROTOCOL_PREFIX, type ApplyOperationsResponse} from '../../mesos/agent-protocol'
import {reply, type Router} from '../http'
import type {Agent} from './agent'
import {validateAck, validateKillTask, validateOperations, validateRunTask, validateShutdownFramework} from './validation'

export function internalRoutes(router: Router, agent: Agent): void {
  const p = AGENT_PROTOCOL_PREFIX
  router.post(`${p}/run_task`, async (req) => {
    await agent.run(validateRunTask(await req.json()))
    return reply(202)
  })
  router.post(`${p}/kill_task`, async (req) => {
    await agent.kill(validateKillTask(await req.json()))
    return reply(202)
  })
  router.post(`${p}/ack`, async (req) => {
    const ack = validateAck(await req.json())
    await agent.acknowledge(ack.framework_id, ack.task_id, ack.uuid)
    return reply(202)
  })
  router.post(`${p}/shutdown_framework`, async (req) => {
    await agent.shutdownFramework(validateShutdownFramework(await req.json()).framework_id)
    return reply(202)
  })
  router.post(`${p}/apply_operations`, async (req) => {
    const {operations} = validateOperations(await req.json())
    const response: ApplyOperationsResponse = {resources: await agent.applyOperations(operations)}
    return response
  })
}
