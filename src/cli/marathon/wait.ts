/**
 * `--wait`: follow a Marathon deployment to its end by polling `GET /v2/deployments` (and the
 * affected apps), as a script would, so it works against any Marathon. Marathon removes a
 * deployment from that list when it succeeds *and* when it is cancelled, and keeps a deployment
 * whose new tasks fail running for ever (relaunching with backoff). So the verdict reads more
 * than the list (judgeDeployment, pure):
 *
 * - failed, while it runs: an affected app's `lastTaskFailure` is of the deployment's version, or
 *   is a new failure since the wait began (the new tasks crash; Marathon would retry forever);
 * - failed, once gone: a deployment that was not there before now holds one of its apps (Marathon
 *   rolled it back, `deployment rollback`, or a forced change replaced it), or an app it touched
 *   is left with fewer tasks launched than its instances and nothing deploying it (it was stopped,
 *   `deployment stop`);
 * - finished: gone, and none of that.
 */
import type {MarathonClient} from '../../clients/marathon'
import type {Deployment, MarathonApp, TaskFailure} from '../../clients/marathon-types'
import {DcosError} from '../errors'
import type {IO} from '../io'
import {startProgress} from '../progress'
import {actionName} from '../views/marathon'

/** What one poll saw: the deployment list, then each affected app (null: it does not exist). */
export interface Observation {
  deployments: readonly Deployment[]
  apps: Readonly<Record<string, MarathonApp | null>>
}

/** What earlier polls saw. */
export interface WaitMemory {
  /** The deployment as last seen in the list. */
  deployment?: Deployment
  /** Per app, the lastTaskFailure seen first (`taskId@timestamp`, '' for none). */
  baseline: Readonly<Record<string, string>>
  /** The deployment ids of the previous poll. */
  previousIds: readonly string[]
}

export type Verdict =
  | {state: 'running'; deployment: Deployment}
  | {state: 'finished'}
  | {state: 'failed'; reason: string; running: boolean}

export const initialMemory: WaitMemory = {baseline: {}, previousIds: []}

export function judgeDeployment(id: string, seen: Observation, memory: WaitMemory): {verdict: Verdict; memory: WaitMemory} {
  const current = seen.deployments.find((d) => d.id === id)
  const deployment = current ?? memory.deployment
  const baseline = {...memory.baseline}
  let failure: string | undefined
  for (const appId of deployment?.affectedApps ?? []) {
    const app = seen.apps[appId]
    if (app === undefined) continue
    const last = app?.lastTaskFailure ?? undefined
    const key = last ? failureKey(last) : ''
    const first = !(appId in baseline)
    if (first) baseline[appId] = key
    const ofThisVersion = Boolean(last && deployment?.version && last.version === deployment.version)
    if (last && (ofThisVersion || (!first && key !== baseline[appId]))) failure ??= describeFailure(appId, last)
  }
  const next: WaitMemory = {deployment, baseline, previousIds: seen.deployments.map((d) => d.id)}
  if (failure) return {verdict: {state: 'failed', reason: failure, running: Boolean(current)}, memory: next}
  if (current) return {verdict: {state: 'running', deployment: current}, memory: next}
  // Gone. Only a deployment we saw can be judged further: we know its apps and what ran beside it.
  if (memory.deployment) {
    const apps = new Set(memory.deployment.affectedApps ?? [])
    const replacement = seen.deployments.find(
      (d) => !memory.previousIds.includes(d.id) && (d.affectedApps ?? []).some((a) => apps.has(a)),
    )
    if (replacement) {
      return {
        verdict: {state: 'failed', reason: `it was replaced by deployment ${replacement.id} (a rollback or a forced change)`, running: false},
        memory: next,
      }
    }
    for (const appId of apps) {
      const app = seen.apps[appId]
      if (!app || (app.deployments ?? []).length > 0) continue
      const instances = app.instances ?? 0
      const launched = (app.tasksRunning ?? 0) + (app.tasksStaged ?? 0)
      if (launched < instances) {
        return {
          verdict: {state: 'failed', reason: `it stopped before ${appId} reached its instances (${launched} of ${instances} launched)`, running: false},
          memory: next,
        }
      }
    }
  }
  return {verdict: {state: 'finished'}, memory: next}
}

/** `step 1/2: scale /app`: the deployment's progress for the spinner. */
export function describeProgress(d: Deployment): string {
  const actions = (d.currentActions ?? []).map((a) => `${actionName(a.action)} ${a.app ?? a.pod ?? ''}`.trim())
  return `step ${d.currentStep ?? 0}/${d.totalSteps ?? 0}${actions.length ? `: ${actions.join(', ')}` : ''}`
}

function failureKey(f: TaskFailure): string {
  return `${f.taskId ?? ''}@${f.timestamp ?? ''}`
}

function describeFailure(appId: string, f: TaskFailure): string {
  const where = f.host ? ` on ${f.host}` : ''
  const what = [f.state, f.message].filter(Boolean).join(': ')
  return `task ${f.taskId ?? '?'} of ${appId} failed${where}${what ? ` (${what})` : ''}`
}

export interface WaitOptions {
  /** Aborted on Ctrl-C: the wait stops, the deployment carries on. */
  signal?: AbortSignal
  /** Pauses between polls, in ms; the last one repeats. Short at first so quick deployments return quickly. */
  intervalsMs?: readonly number[]
}

const DEFAULT_INTERVALS_MS = [100, 200, 400, 800, 1000]
/** How many affected apps a poll reads (a group deployment can touch hundreds). */
const MAX_APPS_PER_POLL = 10

/**
 * Waits until deployment `id` is over: resolves when it finished, throws DEPLOYMENT_FAILED (exit
 * 1) when it failed. Progress goes to stderr (startProgress).
 */
export async function waitForDeployment(marathon: MarathonClient, io: IO, id: string, options: WaitOptions = {}): Promise<void> {
  const intervals = options.intervalsMs ?? DEFAULT_INTERVALS_MS
  const progress = startProgress(io, `Waiting for deployment ${id}...`)
  let memory = initialMemory
  try {
    for (let poll = 0; ; poll++) {
      const deployments = await marathon.deployments()
      const deployment = deployments.find((d) => d.id === id) ?? memory.deployment
      const apps = await readApps(marathon, (deployment?.affectedApps ?? []).slice(0, MAX_APPS_PER_POLL))
      const judged = judgeDeployment(id, {deployments, apps}, memory)
      memory = judged.memory
      const {verdict} = judged
      if (verdict.state === 'finished') {
        progress.done(`Deployment ${id} finished`)
        return
      }
      if (verdict.state === 'failed') {
        progress.stop()
        throw new DcosError('DEPLOYMENT_FAILED', `Deployment ${id} failed: ${verdict.reason}.`, {
          hint: verdict.running
            ? `Marathon keeps retrying it: 'dcos marathon deployment rollback ${id}' reverts the change.`
            : "See 'dcos marathon deployment list' and 'dcos marathon app show <app-id>'.",
        })
      }
      progress.update(describeProgress(verdict.deployment))
      await pause(intervals[Math.min(poll, intervals.length - 1)], options.signal, id)
    }
  } finally {
    progress.stop()
  }
}

async function readApps(marathon: MarathonClient, ids: readonly string[]): Promise<Record<string, MarathonApp | null>> {
  const entries = await Promise.all(
    ids.map(async (appId) => {
      try {
        return [appId, await marathon.app(appId)] as const
      } catch (e) {
        // Removed (app remove, group remove): nothing to judge there.
        if (e instanceof DcosError && e.code === 'NOT_FOUND') return [appId, null] as const
        throw e
      }
    }),
  )
  return Object.fromEntries(entries)
}

function pause(ms: number, signal: AbortSignal | undefined, id: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const stopped = () =>
      new DcosError('CANCELLED', `stopped waiting for deployment ${id}; Marathon carries on with it.`, {
        hint: `Follow it with 'dcos marathon deployment watch ${id}'.`,
      })
    if (signal?.aborted) return reject(stopped())
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(stopped())
    }
    signal?.addEventListener('abort', onAbort, {once: true})
  })
}
