/**
 * Deployments (`core/deployment/DeploymentPlan.scala`): the steps that take a set of apps from
 * their definitions before a change to those after it. A deployment locks its apps until it
 * completes; its steps run in order, each once all its actions are done (./planner decides what
 * each action needs). `original` keeps the definitions before the change, so the deployment can
 * be rolled back (`DELETE /v2/deployments/{id}`).
 */
import type {App} from './app-definition'
import type {DeploymentAction, DeploymentStep} from './planner'

export interface Deployment {
  id: string
  version: string
  affectedApps: string[]
  steps: DeploymentStep[]
  /** Steps completed so far (0 .. steps.length); the current step is `steps[done]`. */
  done: number
  /** Each affected app before the change; null for apps the change created. */
  original: Record<string, App | null>
  /** When set, the change was itself a rollback of this deployment. */
  revertOf?: string
}

export function currentActions(d: Deployment): DeploymentAction[] {
  return d.steps[d.done]?.actions ?? []
}

/** Index of the step that acts on `appId`, or -1. */
export function stepOf(d: Deployment, appId: string): number {
  for (let i = d.steps.length - 1; i >= 0; i--) if (d.steps[i].actions.some((a) => a.app === appId)) return i
  return -1
}

/** A `/v2/deployments` element (`types/deploymentEventsInfo.raml`). */
export function deploymentJson(d: Deployment, readiness: (appId: string) => unknown[] = () => []): Record<string, unknown> {
  return {
    id: d.id,
    version: d.version,
    affectedApps: d.affectedApps,
    affectedPods: [],
    steps: d.steps,
    currentActions: currentActions(d).map((a) => ({...a, readinessCheckResults: readiness(a.app)})),
    currentStep: Math.min(d.done + 1, d.steps.length),
    totalSteps: d.steps.length,
  }
}

/** The `plan` of deployment events. */
export function planJson(d: Deployment): Record<string, unknown> {
  return {id: d.id, steps: d.steps, version: d.version}
}
