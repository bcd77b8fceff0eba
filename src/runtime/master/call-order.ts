/**
 * The order in which the master's calls to one agent are delivered. A call waits only for the
 * earlier calls it could race with, so calls about different tasks travel side by side (and the
 * agent checkpoints them with a shared fsync) while a kill still never overtakes the launch it
 * kills and an acknowledgement never overtakes the launch of its task:
 *
 * - a task's calls (run_task, kill_task, ack) follow the earlier calls for that task;
 * - a framework's calls (shutdown_framework) follow every earlier call for that framework;
 * - agent-wide calls (apply_operations) follow every earlier call, and every later call follows them.
 *
 * No I/O here: `admit` says when a call may go, `settled` says it is over.
 */

/** What a call concerns: one task of a framework, all of a framework's tasks, or the whole agent. */
export type CallScope = {kind: 'task'; frameworkId: string; taskId: string} | {kind: 'framework'; frameworkId: string} | {kind: 'agent'}

/** One admitted call: make it once `ready` resolves, then report it over with `CallOrder.settled`. */
export interface Ticket {
  readonly ready: Promise<void>
}

interface Entry extends Ticket {
  scope: CallScope
  /** Resolves once the call is over; later calls wait on this, never on the entry itself. */
  over: Promise<void>
  finish: () => void
}

interface FrameworkCalls {
  /** Every unsettled call of the framework (its task calls and framework-wide ones). */
  open: Set<Entry>
  /** The latest unsettled framework-wide call. */
  barrier?: Entry
  /** The latest unsettled call per task. */
  lastByTask: Map<string, Entry>
}

export class CallOrder {
  #open = new Set<Entry>()
  #agentBarrier?: Entry
  #frameworks = new Map<string, FrameworkCalls>()

  /** Number of calls admitted and not yet settled. */
  get size(): number {
    return this.#open.size
  }

  /** Admits a call after every earlier unsettled call it could race with. */
  admit(scope: CallScope): Ticket {
    const after: Entry[] = []
    if (scope.kind === 'agent') after.push(...this.#open)
    else {
      if (this.#agentBarrier) after.push(this.#agentBarrier)
      const fw = this.#framework(scope.frameworkId)
      if (scope.kind === 'framework') after.push(...fw.open)
      else {
        if (fw.barrier) after.push(fw.barrier)
        const last = fw.lastByTask.get(scope.taskId)
        if (last) after.push(last)
      }
    }
    let finish!: () => void
    const over = new Promise<void>((resolve) => (finish = resolve))
    const ready = after.length === 0 ? Promise.resolve() : after.length === 1 ? after[0].over : Promise.all(after.map((e) => e.over)).then(() => {})
    const entry: Entry = {scope, ready, over, finish}
    this.#open.add(entry)
    if (scope.kind === 'agent') this.#agentBarrier = entry
    else {
      const fw = this.#framework(scope.frameworkId)
      fw.open.add(entry)
      if (scope.kind === 'framework') fw.barrier = entry
      else fw.lastByTask.set(scope.taskId, entry)
    }
    return entry
  }

  /** The call is over (answered or failed): later calls no longer wait for it. */
  settled(ticket: Ticket): void {
    const entry = ticket as Entry
    if (!this.#open.delete(entry)) return
    entry.finish()
    const {scope} = entry
    if (scope.kind === 'agent') {
      if (this.#agentBarrier === entry) this.#agentBarrier = undefined
      return
    }
    const fw = this.#frameworks.get(scope.frameworkId)
    if (!fw) return
    fw.open.delete(entry)
    if (scope.kind === 'framework' && fw.barrier === entry) fw.barrier = undefined
    if (scope.kind === 'task' && fw.lastByTask.get(scope.taskId) === entry) fw.lastByTask.delete(scope.taskId)
    if (fw.open.size === 0) this.#frameworks.delete(scope.frameworkId)
  }

  #framework(id: string): FrameworkCalls {
    let fw = this.#frameworks.get(id)
    if (!fw) this.#frameworks.set(id, (fw = {open: new Set(), lastByTask: new Map()}))
    return fw
  }
}
