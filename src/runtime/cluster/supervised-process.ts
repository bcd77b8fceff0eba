/**
 * One supervised child process: started with its stdout and stderr appended to a log file,
 * restarted whenever it exits (by ./restart-policy) until `stop()` is called.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import fs from 'node:fs'
import type {Logger} from '../log'
import {DEFAULT_RESTART_POLICY, nextRestart, type RestartPolicy} from './restart-policy'

export interface ProcessSpec {
  name: string
  command: string
  args: string[]
  logFile: string
  cwd?: string
  /** The child's environment; this process's own when absent. */
  env?: NodeJS.ProcessEnv
}

export interface SupervisionHooks {
  log: Logger
  /** Called after every start, exit and stop, so the caller can publish the new state. */
  onChange: () => void
  policy?: RestartPolicy
}

export class SupervisedProcess {
  readonly spec: ProcessSpec
  #hooks: SupervisionHooks
  #child?: ChildProcess
  #exited?: Promise<void>
  #startedAt?: number
  #restarts = 0
  #failuresInARow = 0
  #restartTimer?: NodeJS.Timeout
  #stopping = false

  constructor(spec: ProcessSpec, hooks: SupervisionHooks) {
    this.spec = spec
    this.#hooks = hooks
  }

  /** The running child's pid; undefined while it is down. */
  get pid(): number | undefined {
    return this.#child?.pid
  }

  get restarts(): number {
    return this.#restarts
  }

  get startedAt(): Date | undefined {
    return this.#child && this.#startedAt !== undefined ? new Date(this.#startedAt) : undefined
  }

  start(): void {
    if (this.#stopping || this.#child) return
    const out = fs.openSync(this.spec.logFile, 'a', 0o600)
    let child: ChildProcess
    try {
      child = spawn(this.spec.command, this.spec.args, {stdio: ['ignore', out, out], cwd: this.spec.cwd, env: this.spec.env})
    } finally {
      fs.closeSync(out)
    }
    this.#child = child
    this.#startedAt = Date.now()
    this.#exited = new Promise<void>((resolve) => {
      let done = false
      const onExit = (how: string) => {
        if (done) return
        done = true
        this.#onExit(child, how)
        resolve()
      }
      child.once('exit', (code, sig) => onExit(sig ? `signal ${sig}` : `code ${code}`))
      // A failed spawn emits 'error' without 'exit'.
      child.once('error', (error) => {
        if (child.pid === undefined) onExit(`spawn error ${error.message}`)
      })
    })
    if (child.pid !== undefined) this.#hooks.log.info(`started ${this.spec.name} (pid ${child.pid})`)
    this.#hooks.onChange()
  }

  /** Stops supervising: sends `sig`, SIGKILLs after `graceMs`, resolves once the child is gone. */
  async stop(sig: NodeJS.Signals, graceMs: number): Promise<void> {
    this.#stopping = true
    clearTimeout(this.#restartTimer)
    const child = this.#child
    if (!child || !this.#exited) return
    const exited = this.#exited
    child.kill(sig)
    let timer: NodeJS.Timeout | undefined
    const timedOut = await Promise.race([
      exited.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs))),
    ])
    clearTimeout(timer)
    if (timedOut) {
      this.#hooks.log.warn(`${this.spec.name} did not stop within ${graceMs} ms of ${sig}; killing it`)
      child.kill('SIGKILL')
      await exited
    }
  }

  #onExit(child: ChildProcess, how: string): void {
    if (this.#child !== child) return
    this.#child = undefined
    const uptime = Date.now() - (this.#startedAt ?? Date.now())
    if (this.#stopping) {
      this.#hooks.log.info(`${this.spec.name} stopped (${how})`)
    } else {
      const next = nextRestart(this.#failuresInARow, uptime, this.#hooks.policy ?? DEFAULT_RESTART_POLICY)
      this.#failuresInARow = next.failuresInARow
      this.#hooks.log.warn(`${this.spec.name} exited unexpectedly (${how}) after ${uptime} ms; restarting in ${next.delayMs} ms`)
      this.#restartTimer = setTimeout(() => {
        this.#restarts++
        this.start()
      }, next.delayMs)
    }
    this.#hooks.onChange()
  }
}
