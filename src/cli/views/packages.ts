/**
 * `dcos package` tables (CORE pkg/cmd/pkg): search as NAME VERSION CERTIFIED FRAMEWORK
 * DESCRIPTION (a description of 80 characters or more cut to 76 + `...`), list as NAME VERSION
 * CERTIFIED APP COMMAND DESCRIPTION (cut at its first line, then to 66 + `...` past 70), with
 * booleans as Go prints them (`true`/`false`) and several app ids one per line.
 */
import type {InstalledPackage, PackageDefinition, SearchResult} from '../../clients/package-types'
import type {InstalledPlugin} from '../subcommands'
import {type Column, renderTable} from '../table'

export function searchDescription(d: string): string {
  const chars = [...(d ?? '')]
  return chars.length >= 80 ? chars.slice(0, 76).join('') + '...' : (d ?? '')
}

export function listDescription(d: string): string {
  let text = d ?? ''
  const nl = text.indexOf('\n')
  if (nl >= 0) text = text.slice(0, nl) + '...'
  const chars = [...text]
  return chars.length > 70 ? chars.slice(0, 66).join('') + '...' : text
}

export function searchTable(packages: readonly SearchResult[]): string {
  const columns: Column<SearchResult>[] = [
    {header: 'NAME', value: (p) => p.name},
    {header: 'VERSION', value: (p) => p.currentVersion},
    {header: 'CERTIFIED', value: (p) => String(p.selected === true)},
    {header: 'FRAMEWORK', value: (p) => String(p.framework === true)},
    {header: 'DESCRIPTION', value: (p) => searchDescription(p.description)},
  ]
  return renderTable(columns, packages)
}

/** One installed package as `dcos package list --json` prints it (PY test_list_helloworld.json). */
export interface InstalledEntry {
  name: string
  version: string
  description: string
  selected?: boolean
  apps: string[]
  /** The installed package CLI's command (the definition's pip `command` is dropped). */
  command?: {name: string}
  [key: string]: unknown
}

/**
 * Cosmos's installs grouped by package name and version, with the cluster's installed package
 * CLIs merged in (CORE: a CLI-only package gets no app), sorted by name.
 */
export function installedEntries(installs: readonly InstalledPackage[], plugins: readonly InstalledPlugin[]): InstalledEntry[] {
  const byKey = new Map<string, InstalledEntry>()
  for (const i of installs) {
    const def = i.packageInformation?.packageDefinition
    if (!def?.name) continue
    const key = `${def.name}\0${def.version}`
    const entry: InstalledEntry = byKey.get(key) ?? withoutCommand(def)
    entry.apps.push(i.appId)
    byKey.set(key, entry)
  }
  for (const plugin of plugins) {
    const name = plugin.package?.name ?? plugin.name
    const command = plugin.commands[0]?.name
    if (!command) continue
    const matching = [...byKey.values()].filter((e) => e.name === name)
    if (matching.length) for (const e of matching) e.command = {name: command}
    else if (plugin.package) byKey.set(`${name}\0cli`, {...withoutCommand(plugin.package), command: {name: command}})
  }
  return [...byKey.values()]
    .map((e) => ({...e, apps: [...e.apps].sort()}))
    .sort((a, b) => a.name.localeCompare(b.name) || String(a.version).localeCompare(String(b.version)))
}

/** The definition without its pip `command` (the list's `command` is the installed CLI's name). */
function withoutCommand(def: PackageDefinition): InstalledEntry {
  const {command: _pip, ...rest} = def
  return {...rest, name: def.name, version: def.version, description: def.description, apps: []}
}

/** `dcos package list [NAME] [--app-id ID]`: a substring of the name or an app id; the app id exactly. */
export function filterInstalled(entries: readonly InstalledEntry[], query?: string, appId?: string): InstalledEntry[] {
  const norm = (id: string) => (id.startsWith('/') ? id : `/${id}`)
  return entries
    .map((e) => (appId ? {...e, apps: e.apps.filter((a) => norm(a) === norm(appId))} : e))
    .filter((e) => !appId || e.apps.length > 0)
    .filter((e) => !query || e.name.includes(query) || e.apps.some((a) => a.includes(query)))
}

export function installedTable(entries: readonly InstalledEntry[]): string {
  const columns: Column<InstalledEntry>[] = [
    {header: 'NAME', value: (e) => e.name},
    {header: 'VERSION', value: (e) => e.version},
    {header: 'CERTIFIED', value: (e) => String(e.selected === true)},
    {header: 'APP', value: (e) => e.apps.join('\n')},
    {header: 'COMMAND', value: (e) => e.command?.name},
    {header: 'DESCRIPTION', value: (e) => listDescription(e.description)},
  ]
  return renderTable(columns, entries)
}

/** `<name>: <uri>` per repository (PY `repo list`). */
export function repositoryLines(repos: readonly {name: string; uri: string}[]): string[] {
  return repos.map((r) => `${r.name}: ${r.uri}`)
}

/** The package versions, newest first (by releaseVersion, as Cosmos orders them). */
export function versionsNewestFirst(results: Record<string, string | number>): string[] {
  return Object.entries(results)
    .sort(([, a], [, b]) => Number(b) - Number(a))
    .map(([v]) => v)
}
