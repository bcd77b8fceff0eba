/**
 * The mesos-execute framework: subscribe, launch one command task on the first offer that holds
 * its resources, print its status updates the way the real tool does (apache/mesos
 * src/cli/execute.cpp), acknowledge them, and tear the framework down once the task is terminal.
 */
import os from 'node:os'
import {SchedulerDriver, type SchedulerError} from '../../mesos/driver'
import {isTerminal, type CommandInfo, type Offer, type TaskInfo, type TaskStatus} from '../../mesos/types'
import type {ExecuteFlags} from './flags'
import {pickResources} from './offer'

/** How long the master may stay unreachable before the tool gives up. */
const CONNECT_TIMEOUT_MS = 5000
/** After Ctrl-C, how long to wait for the killed task's last update before tearing down anyway. */
const KILL_WAIT_MS = 5000
/** Offers that cannot fit the task come back soon, in case resources are freed. */
const DECLINE_UNFIT = {refuse_seconds: 1}
/** What to do about a 401 from an auth-enabled cluster. */
const AUTH_HINT = " (set DCOS_ACS_TOKEN, or run 'dcos auth login' for the attached cluster)"
/** Once the task is launched, offers are of no use. */
const DECLINE_LAUNCHED = {refuse_seconds: 3600}

export interface CommandSchedulerIO {
  out: (line: string) => void
  err: (line: string) => void
}

export class CommandScheduler {
  readonly #flags: ExecuteFlags
  readonly #io: CommandSchedulerIO
  readonly #driver: SchedulerDriver
  #agentId?: string
  #terminal = false
  #interrupted = false
  #lastConnectError?: SchedulerError
  #connectTimer?: NodeJS.Timeout
  #killTimer?: NodeJS.Timeout
  #finished?: Promise<number>
  /** Resolves run(); cleared once called so the tool finishes once. */
  #exit?: (code: number) => void

  /** `headers`: sent with every call, e.g. `Authorization: token=<jwt>` for an auth-enabled cluster. */
  constructor(flags: ExecuteFlags, user: string, io: CommandSchedulerIO, options: {headers?: () => Record<string, string>} = {}) {
    this.#flags = flags
    this.#io = io
    this.#driver = new SchedulerDriver({
      masterUrl: flags.masterUrl,
      frameworkInfo: {
        user,
        name: flags.frameworkName,
        // The scheduler library fills this in for the real tool; the HTTP API leaves it to us.
        hostname: os.hostname(),
        role: flags.role,
        checkpoint: flags.checkpoint,
        // As the real tool: it handles TASK_KILLING.
        capabilities: [{type: 'TASK_KILLING_STATE'}],
        ...(flags.principal && {principal: flags.principal}),
      },
      backoff: {minMs: 100, maxMs: 1000},
      requestTimeoutMs: CONNECT_TIMEOUT_MS,
      headers: options.headers,
    })
  }

  /** Runs until the task is terminal (or the master is gone); resolves with the exit status. */
  run(): Promise<number> {
    this.#finished ??= new Promise<number>((resolve) => {
      this.#exit = resolve
      const d = this.#driver
      d.on('subscribed', ({frameworkId}) => {
        clearTimeout(this.#connectTimer)
        this.#connectTimer = undefined
        this.#io.out(`Subscribed with ID ${frameworkId}`)
      })
      d.on('disconnected', (reason) => {
        this.#lastConnectError = reason
        this.#connectTimer ??= setTimeout(() => this.#giveUp(), CONNECT_TIMEOUT_MS)
      })
      d.on('offers', (offers) => offers.forEach((o) => this.#offer(o)))
      d.on('update', (status) => this.#update(status))
      d.on('error', (error) => {
        this.#io.err(
          error.code === 'FRAMEWORK_ERROR'
            ? `Received an ERROR event: ${error.message}`
            : `Failed to subscribe with master at ${this.#flags.masterUrl}: ${error.message}${error.status === 401 ? AUTH_HINT : ''}`,
        )
        void this.#finish(1)
      })
      this.#connectTimer = setTimeout(() => this.#giveUp(), CONNECT_TIMEOUT_MS)
      d.start()
    })
    return this.#finished
  }

  /** Ctrl-C: kill the task and wait briefly for its end; a second one tears down at once. */
  interrupt(): void {
    if (this.#interrupted || !this.#agentId || this.#terminal || !this.#driver.subscribed) {
      void this.#finish(1)
      return
    }
    this.#interrupted = true
    this.#kill()
    setTimeout(() => void this.#finish(1), KILL_WAIT_MS).unref()
  }

  #giveUp(): void {
    const reason = this.#lastConnectError?.message ?? 'no answer'
    this.#io.err(`Failed to connect to master at ${this.#flags.masterUrl}: ${reason}`)
    void this.#finish(1)
  }

  #offer(offer: Offer): void {
    const resources = this.#agentId ? undefined : pickResources(offer.resources, this.#flags.resources, this.#flags.role)
    if (!resources) {
      this.#driver.decline([offer.id.value], this.#agentId ? DECLINE_LAUNCHED : DECLINE_UNFIT).catch(() => {})
      return
    }
    const {name} = this.#flags
    const task: TaskInfo = {name, task_id: {value: name}, agent_id: offer.agent_id, resources, command: this.#commandInfo()}
    this.#agentId = offer.agent_id.value
    this.#io.out(`Submitted task '${name}' to agent '${this.#agentId}'`)
    this.#driver.accept([offer.id.value], [{type: 'LAUNCH', launch: {task_infos: [task]}}]).catch((error: Error) => {
      this.#io.err(`Failed to launch task '${name}': ${error.message}`)
      void this.#finish(1)
    })
  }

  #commandInfo(): CommandInfo {
    const {command, shell, env} = this.#flags
    const environment = env && {variables: Object.entries(env).map(([name, value]) => ({name, value}))}
    // Without a shell the command is an executable and its arguments, split on whitespace.
    const argv = command.trim().split(/\s+/)
    return shell
      ? {shell: true, value: command, ...(environment && {environment})}
      : {shell: false, value: argv[0], arguments: argv, ...(environment && {environment})}
  }

  #update(status: TaskStatus): void {
    if (status.task_id.value !== this.#flags.name) return
    const {out} = this.#io
    out(`Received status update ${status.state} for task '${status.task_id.value}'`)
    if (status.message !== undefined) out(`  message: '${status.message}'`)
    if (status.source) out(`  source: ${status.source}`)
    if (status.reason) out(`  reason: ${status.reason}`)
    if (status.healthy !== undefined) out(`  healthy?: ${status.healthy}`)
    this.#driver.acknowledge(status).catch((error: Error) => this.#io.err(`Failed to acknowledge the status update: ${error.message}`))
    if (status.state === 'TASK_RUNNING' && this.#flags.killAfterMs !== undefined && !this.#killTimer) {
      this.#killTimer = setTimeout(() => this.#kill(), this.#flags.killAfterMs)
    }
    if (isTerminal(status.state)) {
      this.#terminal = true
      void this.#finish(status.state === 'TASK_FINISHED' ? 0 : 1)
    }
  }

  #kill(): void {
    if (this.#terminal || !this.#agentId) return
    this.#io.out(`Asked to kill task '${this.#flags.name}' on agent '${this.#agentId}'`)
    this.#driver
      .kill(this.#flags.name, this.#agentId)
      .catch((error: Error) => this.#io.err(`Failed to kill task '${this.#flags.name}': ${error.message}`))
  }

  /** Tears the framework down (which also ends a task still running) and resolves run(). */
  async #finish(code: number): Promise<void> {
    const exit = this.#exit
    if (!exit) return
    this.#exit = undefined
    clearTimeout(this.#connectTimer)
    clearTimeout(this.#killTimer)
    try {
      await this.#driver.stop({failover: false})
    } catch (error) {
      this.#io.err(`Failed to tear down framework ${this.#driver.frameworkId}: ${(error as Error).message}`)
    }
    exit(code)
  }
}
