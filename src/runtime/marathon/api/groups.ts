/**
 * `/v2/groups` (`GroupsResource`): the tree (with `embed`), create (POST: 201), update (PUT:
 * replace apps and subgroups given, or `{"scaleBy"}`, or `{"version"}` to roll back; `dryRun`
 * answers the steps), delete (force defaults to false), and a group's versions.
 */
import {HttpError, reply, type Request, type Router} from '../../http'
import {groupNotFound, invalidAt, message} from '../errors'
import {createGroup, groupJson, parseGroupUpdate, removeGroup, rollbackGroup, scaleGroup, updateGroup, type GroupUpdate} from '../groups'
import {canonicalPath, pathProblems, PathError, ROOT} from '../path-id'
import {appEmbed, body, deploymentResult, flag, location, type ApiContext} from './common'

function groupId(rest: string): string {
  let id: string
  try {
    const segs = rest
      .split('/')
      .filter(Boolean)
      .map((s) => decodeURIComponent(s))
    // The server resolves `..` in URLs, but not behind an encoded slash: `/v2/groups/a%2f..` would be
    // the root group (a DELETE of it removes every app). Ids in URLs are absolute, as written.
    if (segs.some((s) => s.split('/').some((part) => part === '.' || part === '..'))) throw message(400, `Group path '/${segs.join('/')}' has a '.' or '..' segment: name the group by its absolute id`)
    id = canonicalPath(segs.join('/'))
  } catch (error) {
    if (error instanceof PathError || error instanceof URIError) throw invalidAt('/id', 'Path needs to be absolute')
    throw error
  }
  const problems = pathProblems(id, {allowRoot: true})
  if (problems.length) throw new HttpError(422, 'Object is not valid', {message: 'Object is not valid', details: [{path: '/id', errors: problems}]})
  return id
}

export function groupRoutes(router: Router, ctx: ApiContext): void {
  const {state, views, config} = ctx

  const parse = (raw: unknown, id: string): GroupUpdate =>
    parseGroupUpdate(raw, id, {role: config.role, version: new Date(ctx.now()).toISOString(), maxInstances: config.maxInstances})

  const get = (req: Request, id: string) => {
    if (!state.groups.has(id)) throw groupNotFound(id)
    const values = req.query.getAll('embed').flatMap((x) => x.split(',')).map((x) => x.trim())
    const groups = values.length === 0 || values.includes('group.groups')
    const apps = values.length === 0 || values.some((v) => v === 'group.apps' || v.startsWith('group.apps.'))
    const appsEmbed = appEmbed(req)
    return groupJson(id, state.apps, state.groups, {groups, apps}, (app) => views.object(app, appsEmbed))
  }

  const versions = (id: string) => {
    const group = state.groups.get(id)
    if (!group) throw groupNotFound(id)
    return [...group.versions].reverse()
  }

  const create = async (req: Request, urlId: string) => {
    const update = parse(await body(req), urlId)
    const force = flag(req, 'force', false)
    const result = await state.change((draft) => createGroup(draft, update), {force})
    return deploymentResult(201, result.deployment.id, result.version, {Location: location(req, `/v2/groups${update.id === ROOT ? '' : update.id}`)})
  }

  const update = async (req: Request, urlId: string) => {
    const u = parse(await body(req), urlId)
    const force = flag(req, 'force', false)
    const dryRun = flag(req, 'dryRun', false)
    const result = await state.change(
      (draft) => {
        if (u.scaleBy !== undefined) scaleGroup(draft, u.id, u.scaleBy, config.maxInstances)
        else if (u.version !== undefined) rollbackGroup(draft, u.id, u.version, (appId) => state.versionsOf(appId))
        else updateGroup(draft, u)
      },
      {force, dryRun},
    )
    if (dryRun) return {steps: result.deployment.steps}
    return deploymentResult(200, result.deployment.id, result.version)
  }

  const remove = async (req: Request, id: string) => {
    const force = flag(req, 'force', false)
    const result = await state.change((draft) => {
      if (!draft.groups.has(id)) throw groupNotFound(id)
      removeGroup(draft, id)
    }, {force})
    return deploymentResult(200, result.deployment.id, result.version)
  }

  router.get('/v2/groups', (req) => get(req, ROOT))
  router.post('/v2/groups', (req) => create(req, ROOT))
  router.put('/v2/groups', (req) => update(req, ROOT))
  router.delete('/v2/groups', (req) => remove(req, ROOT))
  router.on(['GET', 'POST', 'PUT', 'DELETE', 'PATCH'], '/v2/groups/*', (req) => {
    const segs = req.params['*'].split('/').filter(Boolean)
    const last = segs[segs.length - 1]
    if (req.method === 'GET' && last === 'versions') return versions(groupId(segs.slice(0, -1).join('/')))
    if (req.method === 'GET' && segs[segs.length - 2] === 'versions') {
      const id = groupId(segs.slice(0, -2).join('/'))
      if (!versions(id).includes(last)) throw groupNotFound(id, last)
      throw message(404, `Group '${id}' in version ${last} cannot be shown: only its current state is kept (roll back with PUT {"version": "${last}"})`)
    }
    const id = groupId(req.params['*'])
    switch (req.method) {
      case 'GET':
        return get(req, id)
      case 'POST':
        return create(req, id)
      case 'PUT':
        return update(req, id)
      case 'DELETE':
        return remove(req, id)
      default:
        return reply(405, {message: `Method ${req.method} is not allowed on ${req.path}`})
    }
  })
}
