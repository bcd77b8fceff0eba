/**
 * The Mesos v1 scheduler driver every framework of ours uses (mesos-execute, Marathon, Chronos).
 * It speaks the public HTTP API (`POST /api/v1/scheduler`, apache/mesos docs/scheduler-http-api.md)
 * so a framework runs against a real Mesos master as well as against ours.
 *
 * Contracts, as the Mesos scheduler library has them:
 * - One persistent SUBSCRIBE stream (RecordIO) carries events; every other call is its own POST
 *   carrying `framework_id` and the `Mesos-Stream-Id` the subscription answered with, and is
 *   accepted with `202`. Calls are refused locally until SUBSCRIBED arrives.
 * - A broken stream, or one silent for five heartbeat intervals, is a disconnection: the driver
 *   re-subscribes with its framework id (failover) after an exponential backoff, so the framework
 *   keeps its tasks while within its `failover_timeout`.
 * - `307` answers (a non-leading master) are followed to the leader (`Location: //host:port/...`
 *   or `host:port`); the leader is forgotten on disconnection, as master detection would.
 * - An ERROR event, or a subscription the master refuses for good (4xx), aborts the driver before
 *   `error` is emitted, as the old driver's `error()` callback did.
 * - Status updates are not acknowledged unless `implicitAcknowledgements` is set, in which case
 *   an update is acknowledged once the `update` listeners have run.
 * - Like any EventEmitter, an `error` without a listener throws: frameworks must listen for it.
 */
import {EventEmitter} from 'node:events'
import http from 'node:http'
import {silentLogger, type Logger} from '../runtime/log'
import {SCHEDULER_API_PATH, leaderUrl, masterMessage, normalizeMasterUrl, post, readText} from './http-client'
import {RecordIODecoder} from './recordio'
import type {Call, Event, Filters, FrameworkInfo, KillPolicy, MasterInfo, Offer, Operation, TaskStatus, Value} from './types'

/** Redirect hops followed for one request before the master is considered to be electing. */
const MAX_REDIRECTS = 5
/** Concurrent call connections to the master (see #callAgent). */
const CALL_SOCKETS = 16
/** Mesos' DEFAULT_HEARTBEAT_INTERVAL, used until SUBSCRIBED names the real one. */
const DEFAULT_HEARTBEAT_SECONDS = 15
/** Heartbeats that may go missing before the stream is considered dead (scheduler-http-api.md). */
const MISSED_HEARTBEATS = 5

export type SchedulerErrorCode =
  /** The master could not be reached, or did not answer in time. */
  | 'CONNECTION_FAILED'
  /** The master refused SUBSCRIBE with a status that retrying will not change. */
  | 'SUBSCRIBE_REFUSED'
  /** The master answered a call with something other than 202. */
  | 'CALL_REJECTED'
  /** A call was made while no subscription is established. */
  | 'NOT_SUBSCRIBED'
  /** The master sent something that is not the v1 scheduler API. */
  | 'PROTOCOL'
  /** The subscription stream ended, or went silent (missed heartbeats). */
  | 'STREAM_CLOSED'
  /** The master sent an ERROR event (framework removed, failed over, not authorized...). */
  | 'FRAMEWORK_ERROR'
  /** The driver was stopped. */
  | 'STOPPED'

export class SchedulerError extends Error {
  constructor(
    readonly code: SchedulerErrorCode,
    message: string,
    /** The HTTP status the master answered with, when it answered. */
    readonly status?: number,
    /** The call that failed, for CALL_REJECTED and NOT_SUBSCRIBED. */
    readonly callType?: Call['type'],
  ) {
    super(message)
    this.name = 'SchedulerError'
  }
}

export interface SubscribedInfo {
  frameworkId: string
  heartbeatIntervalSeconds: number
  masterInfo?: MasterInfo
  /** True when the driver subscribed with a framework id it already had (a failover). */
  resubscribed: boolean
}

export type SchedulerMessage = NonNullable<Event['message']>
export type SchedulerFailure = NonNullable<Event['failure']>

/** What the driver emits; listeners run synchronously in the order events arrived. */
export interface SchedulerDriverEvents {
  subscribed: [info: SubscribedInfo]
  offers: [offers: Offer[]]
  rescind: [offerId: string]
  update: [status: TaskStatus]
  message: [message: SchedulerMessage]
  failure: [failure: SchedulerFailure]
  heartbeat: []
  /** The subscription was lost or could not be made; the driver retries after `retryInMs`. */
  disconnected: [reason: SchedulerError, retryInMs: number]
  /** Unrecoverable: the driver has stopped before this is emitted. */
  error: [error: SchedulerError]
}

export interface SchedulerDriverOptions {
  /** `http://host:port`, possibly with a path prefix (`http://gateway/mesos`). */
  masterUrl: string
  frameworkInfo: FrameworkInfo
  /** Extra headers for every request (e.g. `Authorization`), asked for anew each time. */
  headers?: () => Record<string, string>
  /** Reconnection backoff: the first delay, doubled per failed attempt up to the maximum. */
  backoff?: {minMs: number; maxMs: number}
  /** How long a request may wait for the master's response headers. */
  requestTimeoutMs?: number
  /** Acknowledge each update (carrying a uuid) after the `update` listeners ran. */
  implicitAcknowledgements?: boolean
  log?: Logger
}

type State = 'idle' | 'connecting' | 'subscribed' | 'stopped'

interface Connection {
  abort: AbortController
  decoder: RecordIODecoder
  watchdog?: NodeJS.Timeout
}

export class SchedulerDriver extends EventEmitter<SchedulerDriverEvents> {
  readonly #masterUrl: string
  readonly #frameworkInfo: FrameworkInfo
  readonly #headers: () => Record<string, string>
  readonly #backoff: {minMs: number; maxMs: number}
  readonly #requestTimeoutMs: number
  readonly #implicitAcks: boolean
  readonly #log: Logger
  /**
   * Calls share keep-alive sockets; the subscription has a socket of its own. Bounded: a burst
   * of calls (a thousand acknowledgements when an app scales down) queues for a few warm
   * sockets instead of opening a connection apiece, which costs both ends more than the call.
   */
  readonly #callAgent = new http.Agent({keepAlive: true, maxSockets: CALL_SOCKETS})
  #state: State = 'idle'
  /** Where requests go: the configured URL, or the leader a 307 pointed at. */
  #leaderUrl: string
  #frameworkId?: string
  #streamId?: string
  #connection?: Connection
  #heartbeatIntervalSeconds = DEFAULT_HEARTBEAT_SECONDS
  #failedAttempts = 0
  #retryTimer?: NodeJS.Timeout
  /** Set once TEARDOWN is sent: the master ends the stream, which is then no disconnection. */
  #tearingDown = false

  constructor(opts: SchedulerDriverOptions) {
    super()
    this.#masterUrl = normalizeMasterUrl(opts.masterUrl)
    this.#leaderUrl = this.#masterUrl
    this.#frameworkInfo = structuredClone(opts.frameworkInfo)
    this.#frameworkId = opts.frameworkInfo.id?.value
    this.#headers = opts.headers ?? (() => ({}))
    this.#backoff = opts.backoff ?? {minMs: 250, maxMs: 15_000}
    this.#requestTimeoutMs = opts.requestTimeoutMs ?? 75_000
    this.#implicitAcks = opts.implicitAcknowledgements ?? false
    this.#log = opts.log ?? silentLogger
  }

  /** The framework id once the master assigned one (or the one given for a failover). */
  get frameworkId(): string | undefined {
    return this.#frameworkId
  }

  get subscribed(): boolean {
    return this.#state === 'subscribed'
  }

  /** Starts subscribing; attach listeners first. */
  start(): void {
    if (this.#state !== 'idle') throw new Error(`SchedulerDriver.start(): the driver is already ${this.#state}`)
    this.#subscribe()
  }

  /**
   * Stops the driver. Without failover a subscribed framework is torn down first (TEARDOWN: the
   * master kills its tasks); with failover, or while not subscribed, the stream is just closed
   * and the master keeps the framework for its `failover_timeout`, so a new driver can
   * re-subscribe with its id.
   */
  async stop({failover = false}: {failover?: boolean} = {}): Promise<void> {
    if (this.#state === 'stopped') return
    if (!failover && this.#state === 'subscribed') await this.teardown()
    else this.#close()
  }

  accept(offerIds: string[], operations: Operation[], filters?: Filters): Promise<void> {
    return this.#call({type: 'ACCEPT', accept: {offer_ids: offerIds.map(id), operations, ...(filters && {filters})}})
  }

  decline(offerIds: string[], filters?: Filters): Promise<void> {
    return this.#call({type: 'DECLINE', decline: {offer_ids: offerIds.map(id), ...(filters && {filters})}})
  }

  /** Clears offer filters and resumes offers, for the given roles or all of the framework's. */
  revive(roles?: string[]): Promise<void> {
    return this.#call({type: 'REVIVE', ...(roles && {revive: {roles}})})
  }

  suppress(roles?: string[]): Promise<void> {
    return this.#call({type: 'SUPPRESS', ...(roles && {suppress: {roles}})})
  }

  kill(taskId: string, agentId?: string, killPolicy?: KillPolicy): Promise<void> {
    return this.#call({
      type: 'KILL',
      kill: {task_id: id(taskId), ...(agentId && {agent_id: id(agentId)}), ...(killPolicy && {kill_policy: killPolicy})},
    })
  }

  shutdown(executorId: string, agentId: string): Promise<void> {
    return this.#call({type: 'SHUTDOWN', shutdown: {executor_id: id(executorId), agent_id: id(agentId)}})
  }

  /** Acknowledges a status update; updates without a uuid need none and send nothing. */
  acknowledge(status: TaskStatus): Promise<void> {
    if (!status.uuid) return Promise.resolve()
    if (!status.agent_id)
      return Promise.reject(
        new SchedulerError('PROTOCOL', `status update for task '${status.task_id.value}' has a uuid but no agent_id`),
      )
    return this.#call({
      type: 'ACKNOWLEDGE',
      acknowledge: {agent_id: status.agent_id, task_id: status.task_id, uuid: status.uuid},
    })
  }

  /** Explicit reconciliation of the given tasks; an empty list asks for all (implicit). */
  reconcile(tasks: {taskId: string; agentId?: string}[] = []): Promise<void> {
    return this.#call({
      type: 'RECONCILE',
      reconcile: {tasks: tasks.map((t) => ({task_id: id(t.taskId), ...(t.agentId && {agent_id: id(t.agentId)})}))},
    })
  }

  /** Sends framework data to an executor; `data` goes base64-encoded as the API wants bytes. */
  message(agentId: string, executorId: string, data: Buffer | string): Promise<void> {
    return this.#call({
      type: 'MESSAGE',
      message: {agent_id: id(agentId), executor_id: id(executorId), data: Buffer.from(data).toString('base64')},
    })
  }

  /** Removes the framework (the master kills all its tasks) and stops the driver. */
  async teardown(): Promise<void> {
    this.#tearingDown = this.#state === 'subscribed'
    try {
      await this.#call({type: 'TEARDOWN'})
    } finally {
      this.#close()
    }
  }

  #subscribe(): void {
    this.#state = 'connecting'
    const connection: Connection = {abort: new AbortController(), decoder: new RecordIODecoder()}
    this.#connection = connection
    const resubscribed = this.#frameworkId !== undefined
    const frameworkInfo: FrameworkInfo = {...this.#frameworkInfo, ...(this.#frameworkId && {id: id(this.#frameworkId)})}
    const call: Call = {
      ...(this.#frameworkId && {framework_id: id(this.#frameworkId)}),
      type: 'SUBSCRIBE',
      subscribe: {framework_info: frameworkInfo},
    }
    this.#post(call, {signal: connection.abort.signal}).then(
      (res) => this.#onSubscribeResponse(connection, res, resubscribed),
      (error: unknown) => this.#lost(connection, asSchedulerError(error)),
    )
  }

  #onSubscribeResponse(connection: Connection, res: http.IncomingMessage, resubscribed: boolean): void {
    if (connection !== this.#connection) {
      res.destroy()
      return
    }
    const status = res.statusCode ?? 0
    if (status !== 200) {
      void readText(res).then((text) => {
        if (connection !== this.#connection) return
        const reason = `SUBSCRIBE was refused (${status} ${http.STATUS_CODES[status] ?? ''}): ${masterMessage(text)}`
        const retryable = status >= 500 || status === 408 || status === 429
        if (retryable) this.#lost(connection, new SchedulerError('CONNECTION_FAILED', reason, status))
        else this.#abort(new SchedulerError('SUBSCRIBE_REFUSED', reason, status))
      })
      return
    }
    const streamId = res.headers['mesos-stream-id']
    if (typeof streamId !== 'string' || streamId === '') {
      res.destroy()
      this.#lost(connection, new SchedulerError('PROTOCOL', "the master's SUBSCRIBE response has no Mesos-Stream-Id header"))
      return
    }
    this.#streamId = streamId
    this.#armWatchdog(connection)
    res.on('data', (chunk: Buffer) => this.#onChunk(connection, chunk, resubscribed))
    const closed = () => this.#lost(connection, new SchedulerError('STREAM_CLOSED', 'the master closed the subscription stream'))
    res.on('end', closed)
    res.on('close', closed)
    res.on('error', closed)
  }

  #onChunk(connection: Connection, chunk: Buffer, resubscribed: boolean): void {
    if (connection !== this.#connection) return
    let records: string[]
    try {
      records = connection.decoder.push(chunk)
    } catch (error) {
      this.#lost(connection, new SchedulerError('PROTOCOL', (error as Error).message))
      return
    }
    this.#armWatchdog(connection)
    for (const record of records) {
      // A listener may have stopped the driver, or a protocol error dropped this stream.
      if (connection !== this.#connection) return
      let event: Event
      try {
        event = JSON.parse(record) as Event
      } catch {
        this.#lost(connection, new SchedulerError('PROTOCOL', `the master sent an event that is not JSON: ${record.slice(0, 80)}`))
        return
      }
      if (typeof event?.type !== 'string') {
        this.#lost(connection, new SchedulerError('PROTOCOL', `the master sent an event without a type: ${record.slice(0, 80)}`))
        return
      }
      this.#onEvent(connection, event, resubscribed)
    }
  }

  #onEvent(connection: Connection, event: Event, resubscribed: boolean): void {
    if (this.#state !== 'subscribed' && event.type !== 'SUBSCRIBED' && event.type !== 'ERROR') {
      this.#lost(connection, new SchedulerError('PROTOCOL', `the master sent ${event.type} before SUBSCRIBED`))
      return
    }
    switch (event.type) {
      case 'SUBSCRIBED': {
        const subscribed = event.subscribed
        if (!subscribed?.framework_id?.value) {
          this.#lost(connection, new SchedulerError('PROTOCOL', 'the SUBSCRIBED event carries no framework_id'))
          return
        }
        this.#frameworkId = subscribed.framework_id.value
        this.#heartbeatIntervalSeconds = subscribed.heartbeat_interval_seconds ?? DEFAULT_HEARTBEAT_SECONDS
        this.#state = 'subscribed'
        this.#failedAttempts = 0
        this.#armWatchdog(connection)
        this.#log.info(`subscribed as framework ${this.#frameworkId} at ${this.#leaderUrl}`)
        this.emit('subscribed', {
          frameworkId: this.#frameworkId,
          heartbeatIntervalSeconds: this.#heartbeatIntervalSeconds,
          ...(subscribed.master_info && {masterInfo: subscribed.master_info}),
          resubscribed,
        })
        return
      }
      case 'OFFERS': {
        // The docs' example puts the list directly under `offers`; the proto nests it.
        const offers = event.offers as Event['offers'] | Offer[] | undefined
        this.emit('offers', Array.isArray(offers) ? offers : (offers?.offers ?? []))
        return
      }
      case 'RESCIND':
        if (event.rescind?.offer_id?.value) this.emit('rescind', event.rescind.offer_id.value)
        return
      case 'UPDATE': {
        const status = event.update?.status
        if (!status) return
        this.emit('update', status)
        if (this.#implicitAcks && connection === this.#connection && this.#state === 'subscribed') {
          this.acknowledge(status).catch((error: unknown) => this.#log.warn(`implicit acknowledgement failed: ${(error as Error).message}`))
        }
        return
      }
      case 'MESSAGE':
        if (event.message) this.emit('message', event.message)
        return
      case 'FAILURE':
        this.emit('failure', event.failure ?? {})
        return
      case 'HEARTBEAT':
        this.emit('heartbeat')
        return
      case 'ERROR': {
        // The docs' example puts `message` at the top level; the proto nests it under `error`.
        const message = event.error?.message ?? (event as {message?: string}).message ?? 'no message'
        this.#abort(new SchedulerError('FRAMEWORK_ERROR', message))
        return
      }
      default:
        this.#log.info(`ignoring ${event.type} event`)
    }
  }

  /**
   * (Re)starts the stream's watchdog on every byte received: once subscribed, silence for
   * MISSED_HEARTBEATS intervals (plus a second of slack) means the connection is dead; before
   * SUBSCRIBED, silence for the request timeout does.
   */
  #armWatchdog(connection: Connection): void {
    clearTimeout(connection.watchdog)
    const subscribed = this.#state === 'subscribed'
    const ms = subscribed ? (this.#heartbeatIntervalSeconds * MISSED_HEARTBEATS + 1) * 1000 : this.#requestTimeoutMs
    connection.watchdog = setTimeout(() => {
      const what = subscribed ? `no event for ${ms} ms (missed heartbeats)` : `no SUBSCRIBED event within ${ms} ms`
      this.#lost(connection, new SchedulerError('STREAM_CLOSED', `the subscription went silent: ${what}`))
    }, ms)
  }

  /** The subscription `connection` failed: drop it and re-subscribe after the backoff. */
  #lost(connection: Connection, reason: SchedulerError): void {
    if (connection !== this.#connection) return
    this.#dropConnection()
    if (this.#tearingDown) return
    this.#state = 'connecting'
    this.#leaderUrl = this.#masterUrl
    const bound = Math.min(this.#backoff.maxMs, this.#backoff.minMs * 2 ** this.#failedAttempts)
    const delay = Math.round(bound / 2 + (Math.random() * bound) / 2)
    this.#failedAttempts++
    this.#log.warn(`disconnected from ${this.#masterUrl}: ${reason.message}; re-subscribing in ${delay} ms`)
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined
      this.#subscribe()
    }, delay)
    this.emit('disconnected', reason, delay)
  }

  /** Unrecoverable: stop, then tell the framework. */
  #abort(error: SchedulerError): void {
    this.#close()
    this.#log.error(error.message)
    this.emit('error', error)
  }

  #dropConnection(): void {
    const connection = this.#connection
    if (!connection) return
    this.#connection = undefined
    this.#streamId = undefined
    clearTimeout(connection.watchdog)
    connection.abort.abort()
  }

  #close(): void {
    this.#state = 'stopped'
    clearTimeout(this.#retryTimer)
    this.#dropConnection()
    this.#callAgent.destroy()
  }

  async #call(call: Call): Promise<void> {
    if (this.#state !== 'subscribed' || !this.#frameworkId || !this.#streamId) {
      const stopped = this.#state === 'stopped'
      const why = stopped ? 'the driver is stopped' : 'the driver is not subscribed'
      throw new SchedulerError(stopped ? 'STOPPED' : 'NOT_SUBSCRIBED', `cannot send ${call.type}: ${why}`, undefined, call.type)
    }
    const res = await this.#post({framework_id: id(this.#frameworkId), ...call}, {streamId: this.#streamId, agent: this.#callAgent})
    const text = await readText(res)
    const status = res.statusCode ?? 0
    if (status !== 202) {
      const message = `${call.type} was rejected (${status} ${http.STATUS_CODES[status] ?? ''}): ${masterMessage(text)}`
      throw new SchedulerError('CALL_REJECTED', message, status, call.type)
    }
  }

  /** POSTs a call to the leader, following 307s; resolves with the (unread) response. */
  async #post(call: Call, opts: {streamId?: string; signal?: AbortSignal; agent?: http.Agent}): Promise<http.IncomingMessage> {
    const body = JSON.stringify(call)
    for (let hop = 0; ; hop++) {
      const res = await post(`${this.#leaderUrl}${SCHEDULER_API_PATH}`, body, {
        headers: {
          ...this.#headers(),
          'Content-Type': 'application/json',
          Accept: 'application/json',
          ...(opts.streamId && {'Mesos-Stream-Id': opts.streamId}),
        },
        agent: opts.agent ?? false,
        signal: opts.signal,
        timeoutMs: this.#requestTimeoutMs,
      })
      if (res.statusCode !== 307) return res
      res.resume()
      const location = res.headers.location
      if (!location) throw new SchedulerError('PROTOCOL', `${call.type} was redirected (307) without a Location header`, 307)
      if (hop >= MAX_REDIRECTS)
        throw new SchedulerError('CONNECTION_FAILED', `${call.type} was redirected more than ${MAX_REDIRECTS} times`, 307)
      this.#leaderUrl = leaderUrl(this.#leaderUrl, location)
      this.#log.info(`${call.type} redirected to the leading master at ${this.#leaderUrl}`)
    }
  }
}

/**
 * What a long-lived framework does when the master ends its subscription (an ERROR event: failed
 * over by another instance, removed, torn down): logs it, calls `removed` when the master removed
 * the framework (it cannot subscribe under that id again; the master killed its tasks), and a
 * second later, unless `stopped()`, subscribes again through `resubscribe` (a fresh driver).
 */
export function resubscribeOnError(
  driver: SchedulerDriver,
  o: {name: string; log: Logger; stopped: () => boolean; removed: () => void; resubscribe: () => void},
): void {
  driver.on('error', (error) => {
    if (o.stopped()) return
    o.log.error(`the master ended ${o.name}'s subscription: ${error.message}`)
    if (/removed|torn down|teardown/i.test(error.message)) o.removed()
    setTimeout(() => o.stopped() || o.resubscribe(), 1_000).unref()
  })
}

function id(value: string): Value {
  return {value}
}

/** Anything a request failed with, as the driver reports it. */
function asSchedulerError(error: unknown): SchedulerError {
  if (error instanceof SchedulerError) return error
  if ((error as Error)?.name === 'AbortError') return new SchedulerError('STOPPED', 'the request was aborted')
  return new SchedulerError('CONNECTION_FAILED', (error as Error)?.message ?? String(error))
}
