/**
 * The package model: one package revision as the generated Universe index carries it
 * (mesosphere/universe scripts/gen_universe.py): package.json's fields, `releaseVersion` (the
 * revision directory), `marathon.v2AppMustacheTemplate` (base64 of marathon.json.mustache), and
 * `config`, `resource`, `command` when the revision has them.
 *
 * Every packaging format is read into this one shape. packagingVersion 2.0, 3.0, 4.0 and 5.0 are
 * kept as they are; the pre-2.0 form (version-1.x: no packagingVersion, `marathon.json`, icons as
 * package.json `images`) becomes a 2.0 package with the icons moved to `resource.images`, which
 * is exactly what 2.0 changed. Fields a generated index sets to `null` are absent here.
 */
import {invalidPackage} from './errors'

export type Json = null | boolean | number | string | Json[] | {[key: string]: Json}
export type JsonObject = {[key: string]: Json}

export const PACKAGING_VERSIONS = ['2.0', '3.0', '4.0', '5.0'] as const
export type PackagingVersion = (typeof PACKAGING_VERSIONS)[number]

export interface License {
  name: string
  url: string
}

export interface Images {
  'icon-small'?: string
  'icon-medium'?: string
  'icon-large'?: string
  screenshots?: string[]
}

export interface Resource {
  images?: Images
  assets?: {uris?: Record<string, string>; container?: {docker?: Record<string, string>}}
  cli?: JsonObject
  [key: string]: Json | undefined | Images | object
}

export interface PackageDefinition {
  packagingVersion: PackagingVersion
  name: string
  version: string
  releaseVersion: number
  maintainer: string
  description: string
  tags: string[]
  selected?: boolean
  framework?: boolean
  scm?: string
  website?: string
  preInstallNotes?: string
  postInstallNotes?: string
  postUninstallNotes?: string
  licenses?: License[]
  minDcosReleaseVersion?: string
  upgradesFrom?: string[]
  downgradesTo?: string[]
  hasKnownIssues?: boolean
  lastUpdated?: number
  manager?: JsonObject
  marathon?: {v2AppMustacheTemplate: string}
  config?: JsonObject
  resource?: Resource
  command?: {pip: string[]}
}

/** The package.json fields of a definition (what `package/list` and DCOS_PACKAGE_METADATA carry). */
export const DETAIL_FIELDS = [
  'packagingVersion',
  'name',
  'version',
  'maintainer',
  'description',
  'tags',
  'selected',
  'scm',
  'website',
  'framework',
  'preInstallNotes',
  'postInstallNotes',
  'postUninstallNotes',
  'licenses',
] as const

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The template of a definition as text (it is kept base64 as the index has it). */
export function marathonTemplate(pkg: PackageDefinition): string | undefined {
  const b64 = pkg.marathon?.v2AppMustacheTemplate
  return b64 === undefined ? undefined : Buffer.from(b64, 'base64').toString('utf8')
}

/** The files of one revision directory, as text (absent files undefined). */
export interface RevisionFiles {
  'package.json': string
  'config.json'?: string
  'resource.json'?: string
  'command.json'?: string
  'marathon.json.mustache'?: string
  /** The pre-2.0 template name. */
  'marathon.json'?: string
}

function parseFile(where: string, file: string, text: string): JsonObject {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw invalidPackage(where, [`${file} is not valid JSON: ${(error as Error).message}`])
  }
  if (!isObject(value)) throw invalidPackage(where, [`${file} must hold a JSON object`])
  return value
}

/**
 * A package revision directory's files → its definition. `where` names it in errors (the
 * directory), `releaseVersion` is the revision directory's number.
 */
export function definitionFromFiles(where: string, releaseVersion: number, files: RevisionFiles): PackageDefinition {
  const pkg = parseFile(where, 'package.json', files['package.json'])
  const raw: JsonObject = {...pkg, releaseVersion}
  const legacy = pkg.packagingVersion === undefined
  const template = files['marathon.json.mustache'] ?? (legacy ? files['marathon.json'] : undefined)
  if (template !== undefined) raw.marathon = {v2AppMustacheTemplate: Buffer.from(template, 'utf8').toString('base64')}
  if (files['config.json'] !== undefined) raw.config = parseFile(where, 'config.json', files['config.json'])
  if (files['resource.json'] !== undefined) raw.resource = parseFile(where, 'resource.json', files['resource.json'])
  if (files['command.json'] !== undefined) raw.command = parseFile(where, 'command.json', files['command.json'])
  return normalizeDefinition(where, raw)
}

/**
 * Any package object (an index entry, or a revision's files merged as above) → a definition:
 * checks what the rest of the code relies on and names every problem, drops `null` fields,
 * and lifts the pre-2.0 form to 2.0. The full schema check of package files is ./schemas.
 */
export function normalizeDefinition(where: string, input: unknown): PackageDefinition {
  if (!isObject(input)) throw invalidPackage(where, ['a package must be a JSON object'])
  const raw: JsonObject = {}
  for (const [k, v] of Object.entries(input)) if (v !== null) raw[k] = v
  const problems: string[] = []
  if (raw.packagingVersion === undefined) {
    raw.packagingVersion = '2.0'
    if (raw.images !== undefined) {
      const resource = isObject(raw.resource) ? raw.resource : {}
      raw.resource = {...resource, images: raw.images}
    }
    delete raw.images
  }
  if (!PACKAGING_VERSIONS.includes(raw.packagingVersion as PackagingVersion))
    problems.push(`packagingVersion ${JSON.stringify(raw.packagingVersion)} is not one of ${PACKAGING_VERSIONS.join(', ')}`)
  if (typeof raw.name !== 'string' || !/^[a-z][a-z0-9-]*[a-z0-9]$/.test(raw.name))
    problems.push(`name ${JSON.stringify(raw.name)} must match ^[a-z][a-z0-9-]*[a-z0-9]$`)
  if (typeof raw.version !== 'string' || raw.version === '') problems.push('version must be a non-empty string')
  if (raw.releaseVersion === undefined) raw.releaseVersion = 0
  if (typeof raw.releaseVersion !== 'number' || !Number.isInteger(raw.releaseVersion) || raw.releaseVersion < 0)
    problems.push('releaseVersion must be a non-negative integer')
  for (const field of ['maintainer', 'description'] as const)
    if (typeof raw[field] !== 'string') problems.push(`${field} must be a string`)
  if (!Array.isArray(raw.tags) || raw.tags.some((t) => typeof t !== 'string')) problems.push('tags must be an array of strings')
  for (const field of ['selected', 'framework'] as const)
    if (raw[field] !== undefined && typeof raw[field] !== 'boolean') problems.push(`${field} must be a boolean`)
  for (const field of ['scm', 'website', 'preInstallNotes', 'postInstallNotes', 'postUninstallNotes'] as const)
    if (raw[field] !== undefined && typeof raw[field] !== 'string') problems.push(`${field} must be a string`)
  if (raw.marathon !== undefined) {
    const t = isObject(raw.marathon) ? raw.marathon.v2AppMustacheTemplate : undefined
    if (typeof t !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(t)) problems.push('marathon.v2AppMustacheTemplate must be a base64 string')
  }
  for (const field of ['config', 'resource', 'command'] as const)
    if (raw[field] !== undefined && !isObject(raw[field])) problems.push(`${field} must be a JSON object`)
  if (problems.length > 0) throw invalidPackage(where, problems)
  return raw as unknown as PackageDefinition
}

/** The package.json part of a definition: Cosmos's `packageDefinition` in list results. */
export function packageDetails(pkg: PackageDefinition): JsonObject {
  const out: JsonObject = {}
  for (const k of DETAIL_FIELDS) {
    const v = (pkg as unknown as JsonObject)[k]
    if (v !== undefined) out[k] = v
  }
  return out
}
