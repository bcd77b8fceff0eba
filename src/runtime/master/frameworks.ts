/**
 * Framework lifecycle (Mesos `Master::subscribe`, `failoverFramework`, `_exited`,
 * `removeFramework`): SUBSCRIBE opens the event stream; a re-subscription with a known id is a
 * failover that keeps the tasks and closes the old stream; a disconnected framework is inactive,
 * loses its offers, and is removed once its `failover_timeout` passes: its tasks are killed on
 * the agents and it moves to the completed frameworks.
 */
import type {FrameworkInfo} from '../../mesos/types'
import {HttpError, STREAMED, badRequest, type Request} from '../http'
import {validateFrameworkInfo} from './calls'
import type {Master} from './master'
import {frameworkRoles, newFramework, type FrameworkEntry} from './model'
import {applyStatus, executorId, masterStatus} from './statuses'
import {SchedulerStream} from './stream'

/** Registered (not completed) frameworks a master keeps at most; a new one beyond is refused. */
export const MAX_FRAMEWORKS = 1000

export interface SubscribeBody {
  framework_info: FrameworkInfo
  suppressed_roles?: string[]
}

export async function subscribe(master: Master, req: Request, body: SubscribeBody): Promise<typeof STREAMED> {
  const {state} = master
  const info = structuredClone(body.framework_info)
  validateFrameworkInfo(info)
  const requestedId = info.id?.value
  if (requestedId && state.completedFramework(requestedId)) {
    const stream = new SchedulerStream(req.res, master.config.schedulerHeartbeatSeconds, () => undefined)
    stream.close({type: 'ERROR', error: {message: 'Framework has been removed'}})
    return STREAMED
  }
  const now = master.now()
  let framework = requestedId ? state.frameworks.get(requestedId) : undefined
  if (framework) {
    framework.info = {...info, id: framework.info.id}
    framework.reregisteredTime = now / 1000
    framework.recovered = false
    framework.failoverDeadline = undefined
    framework.filters = []
    master.log.info(`framework ${framework.id} (${info.name}) re-subscribed (failover)`)
  } else {
    if (state.frameworks.size >= MAX_FRAMEWORKS)
      throw new HttpError(503, `This master already has ${MAX_FRAMEWORKS} registered frameworks; tear one down first`)
    const id = requestedId ?? master.registry.nextFrameworkId()
    framework = newFramework({...info, id: {value: id}}, now / 1000, false)
    state.frameworks.set(id, framework)
    master.log.info(`framework ${id} (${info.name}) subscribed`)
  }
  framework.suppressedRoles = new Set(body.suppressed_roles ?? [])
  await master.saveFramework(framework)

  // Offers made to the previous instance mean nothing to this one.
  for (const offer of [...framework.offers]) master.removeOffer(offer, false)
  const subscribed = framework
  const stream = new SchedulerStream(req.res, master.config.schedulerHeartbeatSeconds, (s) => disconnected(master, subscribed, s))
  const previous = framework.stream
  framework.stream = stream
  previous?.close({type: 'ERROR', error: {message: 'Framework failed over'}})
  stream.send({
    type: 'SUBSCRIBED',
    subscribed: {
      framework_id: {value: framework.id},
      heartbeat_interval_seconds: master.config.schedulerHeartbeatSeconds,
      master_info: master.info,
    },
  })
  // The client may have gone while the registry write was in flight.
  if (req.raw.socket?.destroyed) stream.close()
  state.touch()
  master.requestAllocation()
  return STREAMED
}

/** The framework a non-SUBSCRIBE call is for, with the Mesos checks and error texts. */
export function frameworkForCall(master: Master, frameworkId: string, streamId: string | undefined): FrameworkEntry {
  const framework = master.state.frameworks.get(frameworkId)
  if (!framework) throw badRequest('Framework cannot be found')
  if (!framework.stream) throw new HttpError(403, 'Framework is not subscribed')
  if (streamId === undefined) throw badRequest("All non-subscribe calls should include the 'Mesos-Stream-Id' header")
  if (streamId !== framework.stream.id)
    throw badRequest(
      `The stream ID '${streamId}' included in this request didn't match the stream ID currently associated with framework ID ${framework.id}`,
    )
  return framework
}

/** The subscription stream ended: inactive until it re-subscribes or its failover timeout passes. */
function disconnected(master: Master, framework: FrameworkEntry, stream: SchedulerStream): void {
  if (master.closing || framework.stream !== stream || !master.state.frameworks.has(framework.id)) return
  framework.stream = undefined
  for (const offer of [...framework.offers]) master.removeOffer(offer, false)
  const timeoutMs = (framework.info.failover_timeout ?? 0) * 1000
  master.log.info(`framework ${framework.id} disconnected; failover timeout ${timeoutMs / 1000} s`)
  if (timeoutMs <= 0) {
    removeFramework(master, framework)
    return
  }
  framework.failoverDeadline = master.now() + timeoutMs
  master.state.touch()
}

/** Removes frameworks whose failover deadline passed without a re-subscription. */
export function expireFrameworks(master: Master, now: number): void {
  for (const framework of [...master.state.frameworks.values()]) {
    if (!framework.stream && framework.failoverDeadline !== undefined && now >= framework.failoverDeadline) {
      master.log.info(`framework ${framework.id} did not re-subscribe within its failover timeout`)
      removeFramework(master, framework)
    }
  }
}

/**
 * TEARDOWN, operator teardown or failover expiry: every task is marked TASK_KILLED
 * (REASON_FRAMEWORK_REMOVED) and the agents are told to shut the framework down.
 */
export function removeFramework(master: Master, framework: FrameworkEntry): void {
  const {state} = master
  if (!state.frameworks.has(framework.id)) return
  const stream = framework.stream
  framework.stream = undefined
  stream?.close()
  for (const offer of [...framework.offers]) master.removeOffer(offer, false)
  const now = master.now()
  const killed = (taskId: string, agentId: string, executor?: string) =>
    masterStatus({
      taskId,
      agentId,
      executorId: executor,
      state: 'TASK_KILLED',
      reason: 'REASON_FRAMEWORK_REMOVED',
      message: `Framework ${framework.id} removed`,
      now,
    })
  for (const task of [...framework.tasks.values()])
    master.updateTask(framework, task, killed(task.info.task_id.value, task.agentId, executorId(task)))
  for (const task of [...framework.unreachableTasks.values()]) {
    applyStatus(task, killed(task.info.task_id.value, task.agentId, executorId(task)))
    state.completeTask(framework, task)
  }
  for (const agent of state.agents.values()) {
    if (agent.status === 'registered') void master.tellAgent(agent, 'shutdown_framework', {framework_id: framework.id})
  }
  framework.unregisteredTime = now / 1000
  framework.failoverDeadline = undefined
  state.completeFramework(framework)
  master.registry.deleteFramework(framework.id).catch((e) => master.log.error(`registry: ${(e as Error).message}`))
  master.log.info(`framework ${framework.id} removed`)
  master.requestAllocation()
}

/** UPDATE_FRAMEWORK: new roles, name, capabilities etc. for a subscribed framework. */
export async function updateFramework(master: Master, framework: FrameworkEntry, body: SubscribeBody): Promise<void> {
  const info = structuredClone(body.framework_info)
  validateFrameworkInfo(info)
  if (info.user !== framework.info.user) throw badRequest("Updating 'FrameworkInfo.user' is unsupported")
  if ((info.principal ?? '') !== (framework.info.principal ?? '')) throw badRequest("Updating 'FrameworkInfo.principal' is unsupported")
  framework.info = {...info, id: framework.info.id}
  const roles = new Set(frameworkRoles(info))
  for (const offer of [...framework.offers]) if (!roles.has(offer.role)) master.removeOffer(offer, true)
  framework.filters = framework.filters.filter((f) => roles.has(f.role))
  framework.suppressedRoles = new Set((body.suppressed_roles ?? []).filter((r) => roles.has(r)))
  await master.saveFramework(framework)
  master.state.touch()
  master.requestAllocation()
}
