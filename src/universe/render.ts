/**
 * Rendering a package into a Marathon app, as Cosmos does (PackageDefinitionRenderer, MarathonApp):
 * the mustache context is the resolved options plus `{"resource": resource.json}`; values are
 * inserted JSON-escaped without HTML escaping (Cosmos since 2017: strings escaped as JSON string
 * contents, numbers and booleans as they are; arrays and objects as JSON); `{{#asJson}}a.b{{/asJson}}`
 * inserts a value as JSON. The text must parse as a JSON object; `appId` replaces `id`; then the
 * package labels go on top of the template's own.
 */
import mustache from 'mustache'
import {CosmosError} from './errors'
import {isObject, marathonTemplate, packageDetails, type Json, type JsonObject, type PackageDefinition} from './model'
import {deepMerge} from './options'

/** The media type of DCOS_PACKAGE_DEFINITION's envelope, as Cosmos's StorageEnvelope has it. */
export const PACKAGE_DEFINITION_MEDIA_TYPE = 'application/vnd.dcos.universe.package+json;charset=utf-8;version=v4'

function escapeJson(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value).slice(1, -1)
  if (typeof value === 'object' && value !== null) return JSON.stringify(value)
  return String(value)
}

function lookup(context: JsonObject, path: string): Json | undefined {
  let v: Json | undefined = context
  for (const part of path.trim().split('.')) {
    if (!isObject(v) || !Object.prototype.hasOwnProperty.call(v, part)) return undefined
    v = v[part]
  }
  return v
}

/** The template rendered with `context` (no partials: `{{> x}}` renders nothing). */
export function renderTemplate(template: string, context: JsonObject): string {
  const view = {
    ...context,
    asJson: () => (text: string) => JSON.stringify(lookup(context, text) ?? null),
  }
  return new mustache.Writer().render(template, view, {}, {escape: escapeJson})
}

export interface RenderInput {
  pkg: PackageDefinition
  /** Resolved options (defaults ⊕ user), see ./options. */
  options: JsonObject
  /** What the user gave, stored base64 in DCOS_PACKAGE_OPTIONS. */
  userOptions: JsonObject
  /** The repository URI the package came from (DCOS_PACKAGE_SOURCE). */
  source: string
  appId?: string
  /**
   * Rewrites the context's `resource` before rendering (the package service turns the bundled
   * repository's relative artifact URIs into the cluster's absolute URLs).
   */
  resource?: PackageDefinition['resource']
}

const base64 = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64')

/** JSON without the `null` fields (Cosmos drops them from the labels it encodes). */
function dropNulls(value: Json): Json {
  if (Array.isArray(value)) return value.map(dropNulls)
  if (!isObject(value)) return value
  const out: JsonObject = {}
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = dropNulls(v)
  return out
}

/** The labels the package manager writes (reference: universe-frameworks.md §2.5). */
export function packageLabels(input: Omit<RenderInput, 'options'>): Record<string, string> {
  const {pkg} = input
  const metadata = {...packageDetails(pkg), ...(pkg.resource?.images && {images: pkg.resource.images})}
  return {
    DCOS_PACKAGE_METADATA: base64(metadata),
    DCOS_PACKAGE_REGISTRY_VERSION: pkg.packagingVersion,
    DCOS_PACKAGE_RELEASE: String(pkg.releaseVersion),
    DCOS_PACKAGE_NAME: pkg.name,
    DCOS_PACKAGE_VERSION: pkg.version,
    DCOS_PACKAGE_SOURCE: input.source,
    DCOS_PACKAGE_OPTIONS: base64(dropNulls(input.userOptions)),
    DCOS_PACKAGE_DEFINITION: base64({metadata: {'Content-Type': PACKAGE_DEFINITION_MEDIA_TYPE}, data: dropNulls(pkg as unknown as Json)}),
    ...(pkg.command && {DCOS_PACKAGE_COMMAND: base64(pkg.command)}),
  }
}

/**
 * Pre-Cosmos packages (version-1.x) did not name their framework in the template: the Python
 * CLI took it from the `<package>.framework-name` option. Kept, so that uninstalling them tears
 * their framework down too.
 */
function legacyFrameworkName(input: RenderInput): Record<string, string> {
  if (!input.pkg.framework) return {}
  const ns = input.options[input.pkg.name]
  const name = isObject(ns) ? ns['framework-name'] : undefined
  return typeof name === 'string' && name !== '' ? {DCOS_PACKAGE_FRAMEWORK_NAME: name} : {}
}

/**
 * The Marathon app of a package, or undefined for a package without a template (CLI-only).
 * Throws `MarathonTemplateMustBeJsonObject` when the rendered text is not a JSON object, and
 * `InvalidLabels` when the template's labels are not a map of strings.
 */
export function renderApp(input: RenderInput): JsonObject | undefined {
  const template = marathonTemplate(input.pkg)
  if (template === undefined) return undefined
  const resource = input.resource ?? input.pkg.resource
  const context = resource ? deepMerge(input.options, {resource: resource as unknown as Json}) : input.options
  let text: string
  try {
    text = renderTemplate(template, context)
  } catch (error) {
    throw new CosmosError('InvalidPackage', `The template of package [${input.pkg.name}] version [${input.pkg.version}] cannot be rendered: ${(error as Error).message}`)
  }
  let app: unknown
  try {
    app = JSON.parse(text)
  } catch {
    app = undefined
  }
  if (!isObject(app)) throw new CosmosError('MarathonTemplateMustBeJsonObject', 'Rendered Marathon JSON must be a JSON object')
  const own = app.labels ?? {}
  if (!isObject(own) || Object.values(own).some((v) => typeof v !== 'string'))
    throw new CosmosError('InvalidLabels', 'The rendered Marathon JSON must have labels that map strings to strings')
  if (input.appId !== undefined) app.id = input.appId
  const isFramework = String(input.pkg.framework ?? false)
  app.labels = {DCOS_PACKAGE_IS_FRAMEWORK: isFramework, ...legacyFrameworkName(input), ...own, ...packageLabels(input)}
  return app
}
