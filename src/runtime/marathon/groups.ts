/**
 * Groups (`state/Group.scala`, `api/v2/GroupsResource.scala`): the tree apps live in. A group
 * exists once something created it (an app below it, or `/v2/groups`) until it is deleted, and
 * carries its dependencies and the version of the last change below it. The tree is derived
 * from the flat maps of apps and groups; everything here is pure, working on a `Draft` the
 * single writer (./state) validates, persists and commits.
 */
import type {App} from './app-definition'
import {DEFAULT_MAX_INSTANCES, normalizeApp} from './app-definition'
import {appExists, appGroupClash, groupNotFound, message, Violations} from './errors'
import {ancestors, canonicalPath, isDescendant, parentOf, pathProblems, PathError, ROOT} from './path-id'

export interface GroupRecord {
  id: string
  dependencies: string[]
  version: string
  /** Versions of the group, oldest first (at most MAX_VERSIONS). */
  versions: string[]
}

export const MAX_VERSIONS = 50

/** A change in the making: copies of the maps, changed freely, then validated and committed. */
export interface Draft {
  apps: Map<string, App>
  groups: Map<string, GroupRecord>
  /** Apps whose given `versionInfo.lastConfigChangeAt` is kept (rollbacks to an earlier config). */
  keepConfigVersion: Set<string>
  /** Apps to restart even though their definition is unchanged. */
  restart: Set<string>
  /** The version this change gets. */
  version: string
}

/** A parsed group body (`GroupUpdate`): every field optional. */
export interface GroupUpdate {
  id: string
  apps?: App[]
  groups?: GroupUpdate[]
  dependencies?: string[]
  scaleBy?: number
  version?: string
}

export interface GroupContext {
  role: string
  version: string
  maxInstances?: number
}

/**
 * Parses a `/v2/groups` body for the group at `id` (the body's own `id`, if any, resolves
 * against the URL's group). Apps and subgroups must lie inside their group.
 */
export function parseGroupUpdate(input: unknown, id: string, ctx: GroupContext): GroupUpdate {
  const v = new Violations()
  const update = parseGroup(input, id, ctx, v, '', true)
  v.throwIfAny()
  return update
}

function parseGroup(input: unknown, fallbackId: string, ctx: GroupContext, v: Violations, at: string, top: boolean): GroupUpdate {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    v.typeError(at || '/', 'jsobject')
    return {id: fallbackId}
  }
  const o = input as Record<string, unknown>
  let id = fallbackId
  if (o.id !== undefined && o.id !== null) {
    if (typeof o.id !== 'string') v.typeError(`${at}/id`, 'jsstring')
    else {
      try {
        id = canonicalPath(o.id, fallbackId)
        for (const p of pathProblems(id, {allowRoot: top})) v.add(`${at}/id`, p)
      } catch (error) {
        if (error instanceof PathError) v.add(`${at}/id`, 'Path needs to be absolute')
        else throw error
      }
    }
  }
  const update: GroupUpdate = {id}
  if (o.dependencies !== undefined && o.dependencies !== null) {
    if (!Array.isArray(o.dependencies)) v.typeError(`${at}/dependencies`, 'jsarray')
    else
      update.dependencies = o.dependencies.flatMap((d, i) => {
        if (typeof d !== 'string') {
          v.typeError(`${at}/dependencies(${i})`, 'jsstring')
          return []
        }
        try {
          // Cycles (this group on itself or on a group holding its apps too) are the whole graph's check (./state).
          return [canonicalPath(d, parentOf(id))]
        } catch {
          v.add(`${at}/dependencies(${i})`, 'Path needs to be absolute')
          return []
        }
      })
  }
  if (o.scaleBy !== undefined && o.scaleBy !== null) {
    if (typeof o.scaleBy !== 'number' || !Number.isFinite(o.scaleBy)) v.typeError(`${at}/scaleBy`, 'jsnumber')
    else if (o.scaleBy < 0) v.add(`${at}/scaleBy`, `got ${o.scaleBy}, expected 0 or more`)
    else update.scaleBy = o.scaleBy
  }
  if (o.version !== undefined && o.version !== null) {
    if (typeof o.version !== 'string') v.typeError(`${at}/version`, 'jsstring')
    else update.version = o.version
  }
  if ((update.scaleBy !== undefined || update.version !== undefined) && (o.apps !== undefined || o.groups !== undefined)) {
    v.add(at || '/', "'scaleBy' and 'version' may not be combined with 'apps' or 'groups'")
  }
  if (o.apps !== undefined && o.apps !== null) {
    if (!Array.isArray(o.apps)) v.typeError(`${at}/apps`, 'jsarray')
    else
      update.apps = o.apps.map((raw, i) => {
        const app = normalizeApp(raw, {base: id, role: ctx.role, version: ctx.version, at: `${at}/apps(${i})`, maxInstances: ctx.maxInstances}, v)
        if (app.id !== '/' && parentOf(app.id) !== id && !isDescendant(app.id, id))
          v.add(`${at}/apps(${i})/id`, `identifier ${app.id} is not child of ${id}. Hint: use relative paths.`)
        return app
      })
  }
  if (o.groups !== undefined && o.groups !== null) {
    if (!Array.isArray(o.groups)) v.typeError(`${at}/groups`, 'jsarray')
    else
      update.groups = o.groups.map((raw, i) => {
        const child = parseGroup(raw, id, ctx, v, `${at}/groups(${i})`, false)
        if (child.id === id || !isDescendant(child.id, id)) v.add(`${at}/groups(${i})/id`, `identifier ${child.id} is not child of ${id}. Hint: use relative paths.`)
        return child
      })
  }
  return update
}

/** Ensures the group and its ancestors exist in the draft. */
export function ensureGroup(draft: Draft, id: string): GroupRecord {
  for (const gid of [...ancestors(id), id]) {
    if (!draft.groups.has(gid)) draft.groups.set(gid, {id: gid, dependencies: [], version: draft.version, versions: []})
  }
  return draft.groups.get(id)!
}

/** Apps directly in group `id`. */
export function childApps(apps: ReadonlyMap<string, App>, id: string): string[] {
  return [...apps.keys()].filter((a) => parentOf(a) === id)
}

export function childGroups(groups: ReadonlyMap<string, GroupRecord>, id: string): string[] {
  return [...groups.keys()].filter((g) => g !== ROOT && parentOf(g) === id)
}

/** Removes a group, its subgroups and every app below it. */
export function removeGroup(draft: Draft, id: string): void {
  for (const a of [...draft.apps.keys()]) if (isDescendant(a, id)) draft.apps.delete(a)
  for (const g of [...draft.groups.keys()]) if (g === id || isDescendant(g, id)) draft.groups.delete(g)
  if (id === ROOT) ensureGroup(draft, ROOT)
}

/**
 * An app is being put at `id`, where a group may be (`RootGroup.updateApp`): a group with no app
 * below it gives way (with its empty subgroups), one with apps is Marathon's 422 clash.
 */
export function makeRoomForApp(draft: Draft, id: string): void {
  if (!draft.groups.has(id)) return
  for (const a of draft.apps.keys()) if (isDescendant(a, id) && a !== id) throw appGroupClash()
  for (const g of [...draft.groups.keys()]) if (g === id || isDescendant(g, id)) draft.groups.delete(g)
}

/** `POST /v2/groups`: creates the group with its apps and subgroups; nothing there may exist yet. */
export function createGroup(draft: Draft, update: GroupUpdate): void {
  if (update.id !== ROOT && draft.groups.has(update.id)) throw message(409, `Group ${update.id} is already created. Use PUT to change this group.`)
  if (draft.apps.has(update.id)) throw message(409, `An app with the path ${update.id} already exists.`)
  applyGroup(draft, update, false)
}

/**
 * `PUT /v2/groups/{id}`: the group becomes what the body says. Given `apps`, the group's own
 * apps are exactly those (others removed); given `groups`, its subgroups are exactly those, each
 * updated the same way. Fields not given are kept.
 */
export function updateGroup(draft: Draft, update: GroupUpdate): void {
  if (draft.apps.has(update.id)) throw message(409, `An app with the path ${update.id} already exists.`)
  applyGroup(draft, update, true)
}

function applyGroup(draft: Draft, update: GroupUpdate, replace: boolean): void {
  const group = ensureGroup(draft, update.id)
  if (update.dependencies) draft.groups.set(update.id, {...group, dependencies: update.dependencies})
  if (update.apps) {
    const listed = new Set(update.apps.map((a) => a.id))
    if (replace) for (const a of childApps(draft.apps, update.id)) if (!listed.has(a)) draft.apps.delete(a)
    for (const app of update.apps) {
      if (!replace && draft.apps.has(app.id)) throw appExists(app.id)
      makeRoomForApp(draft, app.id)
      ensureGroup(draft, parentOf(app.id))
      draft.apps.set(app.id, app)
    }
  }
  if (update.groups) {
    const listed = new Set(update.groups.map((g) => g.id))
    if (replace) for (const g of childGroups(draft.groups, update.id)) if (!listed.has(g)) removeGroup(draft, g)
    for (const child of update.groups) {
      if (!replace && child.id !== update.id && draft.groups.has(child.id)) throw message(409, `Group ${child.id} is already created. Use PUT to change this group.`)
      applyGroup(draft, child, replace)
    }
  }
}

/**
 * `{"scaleBy": f}`: every app below the group scaled to ceil(instances * f). An app would end
 * beyond `maxInstances` (the limit an app definition has): 422 at `/scaleBy`, nothing scaled.
 */
export function scaleGroup(draft: Draft, id: string, factor: number, maxInstances = DEFAULT_MAX_INSTANCES): void {
  if (!draft.groups.has(id)) throw groupNotFound(id)
  const v = new Violations()
  for (const [appId, app] of draft.apps) {
    if (!isDescendant(appId, id)) continue
    const instances = Math.max(0, Math.ceil(app.instances * factor - 1e-9))
    if (instances <= maxInstances) draft.apps.set(appId, {...app, instances})
    else v.add('/scaleBy', `scaling ${appId} (${app.instances} instances) by ${factor} gives ${instances} instances, expected ${maxInstances} or less`)
  }
  v.throwIfAny()
}

/**
 * `{"version": ts}`: the group as it was at `ts`, as far as its apps' histories tell: each app
 * below it goes back to its latest version at or before `ts`, and apps created later go away.
 */
export function rollbackGroup(draft: Draft, id: string, version: string, versionsOf: (appId: string) => App[]): void {
  const group = draft.groups.get(id)
  if (!group) throw groupNotFound(id)
  if (!group.versions.includes(version) && group.version !== version) throw groupNotFound(id, version)
  for (const appId of [...draft.apps.keys()]) {
    if (!isDescendant(appId, id)) continue
    const then = versionsOf(appId)
      .filter((a) => a.version <= version)
      .sort((a, b) => (a.version < b.version ? 1 : -1))[0]
    if (!then) draft.apps.delete(appId)
    else {
      draft.apps.set(appId, then)
      draft.keepConfigVersion.add(appId)
    }
  }
}

export interface GroupEmbed {
  groups: boolean
  apps: boolean
}

/** The group at `id` as `/v2/groups` shows it; `appJson` renders its apps. */
export function groupJson(
  id: string,
  apps: ReadonlyMap<string, App>,
  groups: ReadonlyMap<string, GroupRecord>,
  embed: GroupEmbed,
  appJson: (app: App) => unknown,
): Record<string, unknown> {
  const children = new Map<string, {apps: string[]; groups: string[]}>()
  const node = (g: string) => {
    let n = children.get(g)
    if (!n) children.set(g, (n = {apps: [], groups: []}))
    return n
  }
  for (const a of apps.keys()) node(parentOf(a)).apps.push(a)
  for (const g of groups.keys()) if (g !== ROOT) node(parentOf(g)).groups.push(g)
  const render = (g: string): Record<string, unknown> => {
    const record = groups.get(g)
    const n = children.get(g) ?? {apps: [], groups: []}
    return {
      id: g,
      apps: embed.apps ? n.apps.sort().map((a) => appJson(apps.get(a)!)) : [],
      groups: embed.groups ? n.groups.sort().map(render) : [],
      pods: [],
      dependencies: record?.dependencies ?? [],
      version: record?.version,
      enforceRole: false,
    }
  }
  return render(id)
}
