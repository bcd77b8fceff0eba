/**
 * `POST /api/v1/scheduler`, the v1 scheduler HTTP API (Mesos `Master::Http::scheduler`):
 * JSON only; SUBSCRIBE answers a RecordIO event stream, every other call 202 (UPDATE_FRAMEWORK
 * and RECONCILE_OPERATIONS 200) after the framework and its `Mesos-Stream-Id` are checked.
 */
import type {Call} from '../../mesos/types'
import {HttpError, badRequest, reply, type Request, type Router} from '../http'
import {parseCall} from './calls'
import {frameworkForCall, removeFramework, subscribe, updateFramework, type SubscribeBody} from './frameworks'
import type {Master} from './master'
import * as calls from './scheduler-calls'

export const SCHEDULER_PATH = '/api/v1/scheduler'

export function schedulerRoutes(router: Router, master: Master): void {
  router.post(SCHEDULER_PATH, (req) => handle(master, req))
}

async function handle(master: Master, req: Request): Promise<unknown> {
  const contentType = req.header('content-type')
  if (contentType === undefined) throw badRequest("Expecting 'Content-Type' to be present")
  const media = contentType.split(';')[0].trim().toLowerCase()
  if (media === 'application/x-protobuf')
    throw new HttpError(415, "Expecting 'Content-Type' of application/json: this master does not accept protobuf")
  if (media !== 'application/json') throw new HttpError(415, "Expecting 'Content-Type' of application/json or application/x-protobuf")
  let json: unknown
  try {
    json = await req.json()
  } catch (error) {
    if (error instanceof HttpError && error.status === 400) throw badRequest(`Failed to parse body into JSON: ${error.message}`)
    throw error
  }
  const call = parseCall(json)
  if (call.type === 'SUBSCRIBE') {
    if (!acceptsJson(req.header('accept')))
      throw new HttpError(406, "Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'")
    if (req.header('mesos-stream-id') !== undefined) throw badRequest("Subscribe calls should not include the 'Mesos-Stream-Id' header")
    return subscribe(master, req, call.subscribe as SubscribeBody)
  }
  const framework = frameworkForCall(master, call.framework_id!.value, req.header('mesos-stream-id'))
  switch (call.type) {
    case 'TEARDOWN':
      removeFramework(master, framework)
      break
    case 'ACCEPT':
      calls.accept(master, framework, call.accept!)
      break
    case 'DECLINE':
      calls.decline(master, framework, call.decline!)
      break
    case 'REVIVE':
      calls.revive(master, framework, call.revive)
      break
    case 'SUPPRESS':
      calls.suppress(master, framework, call.suppress)
      break
    case 'KILL':
      calls.kill(master, framework, call.kill!)
      break
    case 'ACKNOWLEDGE':
      calls.acknowledge(master, framework, call.acknowledge!)
      break
    case 'RECONCILE':
      calls.reconcile(master, framework, call.reconcile?.tasks ?? [])
      break
    case 'UPDATE_FRAMEWORK':
      await updateFramework(master, framework, (call as Call & {update_framework: SubscribeBody}).update_framework)
      return reply(200)
    case 'RECONCILE_OPERATIONS':
      // No operation feedback is offered (operations carry no ids here), so there is nothing to report.
      return reply(200, {type: 'RECONCILE_OPERATIONS', reconcile_operations: {operation_statuses: []}})
    default:
      // SHUTDOWN (command tasks have no executor of their own), MESSAGE, REQUEST and the inverse
      // offer and operation-status calls are accepted and need nothing from this master.
      break
  }
  return reply(202)
}

/** SUBSCRIBE answers JSON: the Accept header, if any, must allow it. */
function acceptsJson(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true
  return accept.split(',').some((part) => {
    const media = part.split(';')[0].trim().toLowerCase()
    return media === 'application/json' || media === 'application/*' || media === '*/*'
  })
}
