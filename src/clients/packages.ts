/**
 * Typed client of the Cosmos package service (`/package/*` at `package.cosmos_url`, else at
 * `core.dcos_url`), over the one HTTP client. Every RPC is a POST with Cosmos's vendor media
 * types, as the real CLIs send them (PY dcos/cosmos.py, CORE pkg/cosmos):
 *
 *   Content-Type: application/vnd.dcos.package.<rpc>-request+json;charset=utf-8;version=v1
 *   Accept:       application/vnd.dcos.package.<rpc>-response+json;charset=utf-8;version=vN,
 *                 application/vnd.dcos.package.error+json;charset=utf-8;version=v1
 *
 * with `<rpc>` the path after /package/ with dots for slashes (`repository.add`), N = 3 for
 * describe, 2 for install, 1 for the rest. Cosmos's error bodies `{"type","message","data"}` are
 * turned into DcosErrors here, in the words the real CLI uses (a schema mismatch lists every
 * failing path with the expected and found types); no response object leaves this module.
 */
import {DcosError, missingDcosUrlError} from '../cli/errors'
import type {ClusterEndpoints} from './endpoints'
import {decodeJson, HttpClient, type HttpResponse, statusError} from './http'
import type {
  CosmosErrorBody,
  DescribeResponse,
  InstallRequest,
  InstallResponse,
  ListResponse,
  ListVersionsResponse,
  PackageDefinition,
  RenderResponse,
  RepositoriesResponse,
  SearchResponse,
  UninstallResponse,
} from './package-types'

const MEDIA_PREFIX = 'application/vnd.dcos.package'
export const ERROR_MEDIA_TYPE = `${MEDIA_PREFIX}.error+json;charset=utf-8;version=v1`

/** The RPCs and the response version the CLI asks for. */
export const RESPONSE_VERSIONS = {
  search: 'v1',
  describe: 'v3',
  'list-versions': 'v1',
  render: 'v1',
  install: 'v2',
  uninstall: 'v1',
  list: 'v1',
  'repository/list': 'v1',
  'repository/add': 'v1',
  'repository/delete': 'v1',
} as const

export type PackageRpc = keyof typeof RESPONSE_VERSIONS

export function requestMediaType(rpc: PackageRpc): string {
  return `${MEDIA_PREFIX}.${rpc.replaceAll('/', '.')}-request+json;charset=utf-8;version=v1`
}

export function responseMediaType(rpc: PackageRpc, version: string = RESPONSE_VERSIONS[rpc]): string {
  return `${MEDIA_PREFIX}.${rpc.replaceAll('/', '.')}-response+json;charset=utf-8;version=${version}`
}

/** The hint every options error ends with (PY `_format_error_message`). */
export const OPTIONS_HINT = 'Please create a JSON file with the appropriate options, and pass the /path/to/file as an --options argument.'

export class PackagesClient {
  readonly http: HttpClient

  constructor(endpoints: ClusterEndpoints) {
    const base = endpoints.cosmosUrl ?? endpoints.dcosUrl
    if (!base) throw missingDcosUrlError()
    this.http = HttpClient.forEndpoints(endpoints, base)
  }

  search(query?: string): Promise<SearchResponse> {
    return this.#rpc<SearchResponse>('search', query ? {query} : {}).then((r) => ({packages: r?.packages ?? []}))
  }

  /** The package definition (describe v3); v2 (flat) and v1 (`{package, config, ...}`) answers are read too. */
  async describe(packageName: string, packageVersion?: string): Promise<DescribeResponse> {
    const body = await this.#rpc<Record<string, unknown>>('describe', {packageName, ...(packageVersion ? {packageVersion} : {})})
    return {package: describedPackage(body)}
  }

  listVersions(packageName: string): Promise<ListVersionsResponse> {
    return this.#rpc<ListVersionsResponse>('list-versions', {packageName, includePackageVersions: true})
  }

  render(request: InstallRequest): Promise<RenderResponse> {
    return this.#rpc<RenderResponse>('render', request)
  }

  install(request: InstallRequest): Promise<InstallResponse> {
    return this.#rpc<InstallResponse>('install', request)
  }

  uninstall(request: {packageName: string; appId?: string; all?: boolean}): Promise<UninstallResponse> {
    return this.#rpc<UninstallResponse>('uninstall', request).then((r) => ({results: r?.results ?? []}))
  }

  list(filter: {packageName?: string; appId?: string} = {}): Promise<ListResponse> {
    return this.#rpc<ListResponse>('list', filter).then((r) => ({packages: r?.packages ?? []}))
  }

  repositories(): Promise<RepositoriesResponse> {
    return this.#rpc<RepositoriesResponse>('repository/list', {}).then(repositoryList)
  }

  /** Adds a repository at `index` (0 = searched first), or last without one; answers the new list. */
  addRepository(name: string, uri: string, index?: number): Promise<RepositoriesResponse> {
    return this.#rpc<RepositoriesResponse>('repository/add', {name, uri, ...(index === undefined ? {} : {index})}).then(repositoryList)
  }

  deleteRepository(name: string): Promise<RepositoriesResponse> {
    return this.#rpc<RepositoriesResponse>('repository/delete', {name}).then(repositoryList)
  }

  /**
   * Downloads a package's CLI artifact. The token goes only to the cluster's own origin; a URL
   * naming the cluster's host with another scheme is fetched with the cluster's scheme (CORE,
   * COPS-3052). A file:// URL (a repository added from a local Universe directory of the bundled
   * cluster, which runs on this machine) is read from disk.
   */
  async downloadArtifact(url: string): Promise<Buffer> {
    const target = new URL(url)
    if (target.protocol === 'file:') return readLocalArtifact(target)
    const cluster = new URL(this.http.baseUrl)
    if (target.host === cluster.host) target.protocol = cluster.protocol
    if (target.origin === cluster.origin) return (await this.http.request('GET', target.toString(), {headers: {Accept: '*/*'}})).body
    const bare = new HttpClient({baseUrl: target.origin})
    return (await bare.request('GET', target.toString(), {headers: {Accept: '*/*'}})).body
  }

  async #rpc<T>(rpc: PackageRpc, body: unknown): Promise<T> {
    const url = `/package/${rpc}`
    const res = await this.http.request('POST', url, {
      json: body,
      headers: {
        'Content-Type': requestMediaType(rpc),
        Accept: `${responseMediaType(rpc)},${ERROR_MEDIA_TYPE}`,
      },
      // Cosmos's errors are read here; 401/403 keep the HTTP client's auth messages.
      acceptStatus: (status) => status >= 400 && status !== 401 && status !== 403,
    })
    if (res.status >= 400) throw cosmosError(res, this.http.url(url))
    return decodeJson<T>(res)
  }
}

async function readLocalArtifact(url: URL): Promise<Buffer> {
  const [{readFile}, {fileURLToPath}] = await Promise.all([import('node:fs/promises'), import('node:url')])
  const file = fileURLToPath(url)
  try {
    return await readFile(file)
  } catch (e) {
    throw new DcosError('NOT_FOUND', `cannot read the artifact ${url.toString()} (${(e as NodeJS.ErrnoException).code ?? 'error'}).`)
  }
}

function repositoryList(r: RepositoriesResponse | undefined): RepositoriesResponse {
  return {repositories: r?.repositories ?? []}
}

/** describe v3 `{package}`, v2 (the definition itself), v1 `{package: package.json, config, resource, marathonMustache}`. */
export function describedPackage(body: Record<string, unknown> | undefined): PackageDefinition {
  if (!body || typeof body !== 'object') {
    throw new DcosError('BAD_RESPONSE', 'the package service answered describe with an empty body.')
  }
  if (typeof body.name === 'string') return body as PackageDefinition
  const pkg = (body.package ?? {}) as PackageDefinition
  if (typeof body.marathonMustache === 'string' && !pkg.marathon) {
    return {
      ...pkg,
      marathon: {v2AppMustacheTemplate: Buffer.from(body.marathonMustache).toString('base64')},
      ...(body.config ? {config: body.config as Record<string, unknown>} : {}),
      ...(body.resource ? {resource: body.resource as PackageDefinition['resource']} : {}),
      ...(body.command ? {command: body.command as PackageDefinition['command']} : {}),
    }
  }
  return pkg
}

/** Reads a Cosmos error body; anything else is the HTTP client's generic status error. */
export function cosmosError(res: HttpResponse, url: string): DcosError {
  let body: CosmosErrorBody | undefined
  try {
    const parsed = JSON.parse(res.body.toString('utf8')) as CosmosErrorBody
    if (parsed && typeof parsed.type === 'string' && typeof parsed.message === 'string') body = parsed
  } catch {
    // not Cosmos's JSON: the generic error below
  }
  if (!body) {
    const e = statusError('POST', url, res.status, res.body)
    if (res.status === 404 && e.hint) {
      return new DcosError('NOT_FOUND', `${e.detail} (no package service there)`, {
        status: 404,
        hint: "Is this a DC/OS cluster? Check 'dcos config show core.dcos_url' (or package.cosmos_url).",
      })
    }
    return e
  }
  return fromCosmosBody(body, res.status)
}

/** One DcosError per Cosmos error type, with the real CLI's additions. */
export function fromCosmosBody(body: CosmosErrorBody, status: number): DcosError {
  const data = body.data ?? {}
  const message = body.message.trim()
  switch (body.type) {
    case 'PackageNotFound':
      return new DcosError('NOT_FOUND', message, {status, hint: "Run 'dcos package search' to see the available packages."})
    case 'VersionNotFound': {
      const name = typeof data.packageName === 'string' ? data.packageName : '<package>'
      return new DcosError('NOT_FOUND', message, {
        status,
        hint: `Run 'dcos package describe ${name} --package-versions' to see its versions.`,
      })
    }
    case 'PackageNotInstalled':
    case 'UninstallNonExistentAppForPackage':
      return new DcosError('NOT_FOUND', message, {status, hint: "Run 'dcos package list' to see the installed packages."})
    case 'JsonSchemaMismatch':
      return new DcosError('INVALID_OPTIONS', [message, ...schemaErrorLines(data.errors), OPTIONS_HINT].join('\n'), {status})
    case 'OptionsNotAllowed':
      return new DcosError('INVALID_OPTIONS', message, {status, hint: 'This package takes no options: run the command without --options.'})
    case 'AmbiguousAppId':
      return new DcosError('AMBIGUOUS', message, {
        status,
        hint: 'Please use --app-id to specify the ID of the app to uninstall, or use --all to uninstall all apps.',
      })
    case 'PackageAlreadyInstalled':
      return new DcosError('CONFLICT', message, {status, hint: 'Pass --app-id to install another instance under a different ID.'})
    case 'MultipleFrameworkIds':
      return new DcosError('AMBIGUOUS', message, {status, hint: "Manually shut them down using 'dcos service shutdown'."})
    case 'RepositoryAlreadyPresent':
      return new DcosError('CONFLICT', message, {status, hint: "Run 'dcos package repo list' to see the repositories."})
    case 'RepositoryNotPresent':
      return new DcosError('NOT_FOUND', message, {status, hint: "Run 'dcos package repo list' to see the repositories."})
    case 'RepositoryAddIndexOutOfBounds':
      return new DcosError('USAGE', message, {status})
    case 'NotImplemented':
      return new DcosError('HTTP_ERROR', 'DC/OS has not been configured to support this operation', {status})
    case 'Unauthorized':
      return new DcosError('AUTH_REQUIRED', message, {status, exit: 4, hint: "Please run 'dcos auth login'."})
    default:
      return new DcosError(status === 404 ? 'NOT_FOUND' : 'HTTP_ERROR', message || `the package service failed (${body.type})`, {status})
  }
}

/** A report entry as Cosmos (fge json-schema-validator) sends it, or ajv's shape. */
interface SchemaErrorReport {
  level?: string
  keyword?: string
  message?: string
  instance?: {pointer?: string}
  instancePath?: string
  found?: unknown
  expected?: unknown
  missing?: unknown
  unwanted?: unknown
  params?: Record<string, unknown>
}

/** `  <path>: expected <type>, found <type>` for each failing option (warnings skipped). */
export function schemaErrorLines(errors: unknown): string[] {
  if (!Array.isArray(errors)) return []
  const lines: string[] = []
  for (const raw of errors as SchemaErrorReport[]) {
    if (!raw || typeof raw !== 'object' || raw.level === 'warning') continue
    const path = optionPath(raw.instance?.pointer ?? raw.instancePath ?? '')
    const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)])
    const expected = list(raw.expected ?? (raw.keyword === 'type' ? raw.params?.type : undefined))
    const missing = list(raw.missing ?? raw.params?.missingProperty)
    const unwanted = list(raw.unwanted ?? raw.params?.additionalProperty)
    let what: string
    if (raw.keyword === 'type' && expected.length) {
      what = `expected ${expected.join(' or ')}${raw.found === undefined ? '' : `, found ${String(raw.found)}`}`
    } else if (raw.keyword === 'required' && missing.length) {
      what = `required parameter missing: ${missing.join(', ')}`
    } else if (raw.keyword === 'additionalProperties' && unwanted.length) {
      what = `unexpected properties: ${unwanted.join(', ')}`
    } else {
      what = raw.message ?? raw.keyword ?? 'invalid'
    }
    lines.push(`  ${path}: ${what}`)
  }
  return lines
}

/** A JSON pointer as the option path users write (`/hello/port` -> `hello.port`). */
export function optionPath(pointer: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'))
  return parts.length && pointer ? parts.join('.') : '(root)'
}
