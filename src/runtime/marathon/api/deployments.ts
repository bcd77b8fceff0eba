/**
 * `/v2/deployments` (`DeploymentsResource`): running deployments; DELETE rolls one back (a new
 * deployment that restores the definitions it changed, 200 + DeploymentResult) or, with
 * `force=true`, stops it where it is (202, no body).
 */
import {reply, type Router} from '../../http'
import type {App} from '../app-definition'
import {deploymentJson} from '../deployments'
import {message} from '../errors'
import {deploymentResult, flag, type ApiContext} from './common'

export function deploymentRoutes(router: Router, ctx: ApiContext): void {
  const {state, scheduler} = ctx

  router.get('/v2/deployments', () => [...state.deployments.values()].map((d) => deploymentJson(d, (appId) => scheduler.readiness(appId))))

  router.delete('/v2/deployments/:id', async (req) => {
    const d = state.deployments.get(req.params.id)
    if (!d) throw message(404, `DeploymentPlan ${req.params.id} does not exist`)
    if (flag(req, 'force', false)) {
      await state.cancel(d)
      return reply(202)
    }
    const result = await state.change(
      (draft) => {
        for (const [id, original] of Object.entries(d.original) as [string, App | null][]) {
          if (original === null) draft.apps.delete(id)
          else {
            draft.apps.set(id, original)
            draft.keepConfigVersion.add(id)
          }
        }
      },
      {force: true},
    )
    return deploymentResult(200, result.deployment.id, result.version)
  })
}
