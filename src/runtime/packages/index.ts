/**
 * The package service: Cosmos's RPC API at /package/* (search, describe, list-versions, render,
 * install, uninstall, list, repository/list|add|delete), mounted in the gateway process behind
 * its auth, as DC/OS serves Cosmos behind admin router. Requests and responses use Cosmos's
 * vendor media types (./media) and shapes (dcos/cosmos docs/schemas/cosmos/rpc); errors are
 * `{"type","message","data"}` with `application/vnd.dcos.package.error+json`.
 *
 * GET /capabilities (behind auth) says the cluster does package management, as Cosmos does.
 * Also served, WITHOUT auth and read-only, so that agents on any host can fetch what packages
 * need (they hold no token): the bundled repository's index at GET /package/universe/repo and its
 * artifacts at GET /package/universe/artifacts/<file> (plain file names only, listed at start).
 */
import fs from 'node:fs'
import path from 'node:path'
import {CosmosError, isObject, type JsonObject, type PackageDefinition} from '../../universe'
import {HttpError, RawJson, reply, sendFile, type Request, type Router} from '../http'
import type {Logger} from '../log'
import {Store} from '../store'
import {Cluster} from './cluster'
import {checkContentType, ERROR_MEDIA_TYPE, negotiateVersion, REPO_MEDIA_TYPE, responseMediaType} from './media'
import {BUNDLED_ARTIFACTS_PATH, BUNDLED_REPO_PATH, Repositories} from './repositories'
import {describeV1, PackageService, type SecretWriter, type ServiceAccountProvider} from './service'

export {checkContentType, negotiateVersion, requestMediaType, responseMediaType, ERROR_MEDIA_TYPE, REPO_MEDIA_TYPE, RESPONSE_VERSIONS} from './media'
export {BUNDLED_ARTIFACTS_PATH, BUNDLED_NAME, BUNDLED_REPO_PATH} from './repositories'
export {PackageService, installedPackage} from './service'

export interface PackagesDeps {
  log: Logger
  masterUrl: string
  /** Marathon's base URL (the gateway's directory: the marathon framework's webui_url). */
  marathonUrl: () => Promise<string | undefined>
  /** The gateway's service token header (none with auth off). */
  headers: Record<string, string>
  /** Where the repository list and provisioned accounts persist (absent: in memory). */
  dir?: string
  /** dist/universe (default: found beside the running bundle, see `defaultUniverseDir`). */
  universeDir?: string
  accounts?: ServiceAccountProvider
  secrets?: SecretWriter
  uninstallWaitMs?: number
  /**
   * The origin a request's answer builds bundled URLs on, when its Host names the gateway
   * otherwise than the public URL does (../gateway/public-url: originFor); default: the public URL.
   */
  originFor?: (req: Request) => string
}

export interface Packages {
  service: PackageService
  /** The cluster's public URL, once the gateway listens: bundled artifact URLs are made from it. */
  setUrl(url: string): void
  close(): Promise<void>
}

/**
 * dist/universe beside the running code: `dist/runtime.js` has it as `./universe`; run from
 * source (tests under tsx, src/runtime/packages) it is the project's dist/universe.
 */
export function defaultUniverseDir(): string {
  const beside = path.join(__dirname, 'universe')
  if (fs.existsSync(path.join(beside, 'repo.json'))) return beside
  return path.resolve(__dirname, '..', '..', '..', 'dist', 'universe')
}

/** GETs that answer without a token (see the module comment). */
export function isPublicPackageRequest(method: string, pathname: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false
  return pathname === BUNDLED_REPO_PATH || /^\/package\/universe\/artifacts\/[^/]+$/.test(pathname)
}

/**
 * A package as describe v2 shows it: 2.0 and 3.0 packages as they are, newer ones as 3.0 without
 * the fields 3.0 lacks (what Cosmos and gen_universe do for clients older than 4.0).
 */
function asV3Package(pkg: PackageDefinition): unknown {
  if (pkg.packagingVersion === '2.0' || pkg.packagingVersion === '3.0') return pkg
  const {upgradesFrom: _u, downgradesTo: _d, manager: _m, ...rest} = pkg
  return {...rest, packagingVersion: '3.0'}
}

const CAPABILITIES_MEDIA_TYPE = 'application/vnd.dcos.capabilities+json;charset=utf-8;version=v1'

const ARTIFACT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/

/**
 * Answers whose bundled URLs follow the request's origin, as Cosmos rewrites resource URLs with
 * the request's Host. Not render: it is the Marathon app install would post, whose URLs agents
 * fetch, made on the public URL as install's are.
 */
const REBASED_RPCS = new Set(['search', 'describe', 'list-versions', 'install', 'list', 'repository.list'])

/**
 * `json` with every string value that starts with `<from>/package/universe/` starting with
 * `<to>/package/universe/` instead. Origins have no characters JSON escapes, so the serialised
 * text is matched (anchored on the opening quote of a string).
 */
function rebaseBundledUrls(json: string, from: string, to: string): string {
  return json.split(`"${from}/package/universe/`).join(`"${to}/package/universe/`)
}

function errorReply(error: unknown): unknown {
  if (error instanceof CosmosError) return reply(error.status, error.toJSON(), {'Content-Type': ERROR_MEDIA_TYPE})
  if (error instanceof HttpError) {
    const type = error.status === 413 ? 'RequestEntityTooLarge' : error.status === 400 ? 'MalformedRequest' : 'HttpError'
    return reply(error.status, {type, message: error.message}, {'Content-Type': ERROR_MEDIA_TYPE, ...error.headers})
  }
  throw error
}

async function requestBody(req: Request, rpc: string): Promise<JsonObject> {
  if (rpc === 'repository.list' && (await req.body()).length === 0) return {}
  const body = await req.json()
  if (!isObject(body)) throw new CosmosError('MalformedRequest', 'The request body must be a JSON object', {})
  return body
}

export function mountPackages(router: Router, deps: PackagesDeps): Packages {
  let publicUrl = 'http://127.0.0.1'
  const universeDir = deps.universeDir ?? defaultUniverseDir()
  const store = deps.dir ? Store.open(deps.dir) : undefined
  const repositories = new Repositories({store, universeDir, publicUrl: () => publicUrl})
  const cluster = new Cluster({masterUrl: deps.masterUrl.replace(/\/$/, ''), marathonUrl: deps.marathonUrl, headers: deps.headers})
  const service = new PackageService({repositories, cluster, log: deps.log, store, accounts: deps.accounts, secrets: deps.secrets, uninstallWaitMs: deps.uninstallWaitMs})

  const rpc = (name: string, handler: (body: JsonObject, version: number) => Promise<unknown>) => {
    router.post(`/package/${name.replace('.', '/')}`, async (req) => {
      try {
        checkContentType(name, req.header('content-type'))
        const version = negotiateVersion(name, req.header('accept'))
        const result = await handler(await requestBody(req, name), version)
        const origin = REBASED_RPCS.has(name) ? deps.originFor?.(req) : undefined
        const body = origin === undefined || origin === publicUrl ? result : new RawJson(rebaseBundledUrls(JSON.stringify(result), publicUrl, origin))
        return reply(200, body, {'Content-Type': responseMediaType(name, version)})
      } catch (error) {
        return errorReply(error)
      }
    })
  }

  rpc('search', (body) => service.search(body))
  rpc('describe', async (body, version) => {
    const pkg: PackageDefinition = await service.describe(body)
    if (version === 3) return {package: pkg}
    if (version === 2) return asV3Package(pkg)
    return describeV1(pkg)
  })
  rpc('list-versions', (body) => service.listVersions(body))
  rpc('render', (body) => service.render(body))
  rpc('install', async (body, version) => {
    const r = await service.install(body)
    return version === 1 ? {packageName: r.packageName, packageVersion: r.packageVersion, ...(r.appId !== undefined && {appId: r.appId})} : r
  })
  rpc('uninstall', (body) => service.uninstall(body))
  rpc('list', (body) => service.list(body))
  rpc('repository.list', async () => ({repositories: repositories.list()}))
  rpc('repository.add', async (body) => ({repositories: await repositories.add(body.name, body.uri, body.index)}))
  rpc('repository.delete', async (body) => ({repositories: await repositories.delete(body.name, body.uri)}))

  // What DC/OS CLIs ask before any package call (a 404 makes them refuse the cluster): only what
  // is here, so that no client goes looking for services we do not have (dcos-log, Metronome).
  router.get('/capabilities', () => reply(200, {capabilities: [{name: 'PACKAGE_MANAGEMENT'}]}, {'Content-Type': CAPABILITIES_MEDIA_TYPE}))

  // The index as served on the public URL, and as rebased on each other origin asked for (a few:
  // originFor admits only the gateway's own names); dropped when the public URL changes.
  let index: {url: string; json: string; byOrigin: Map<string, RawJson>} | undefined
  router.get(BUNDLED_REPO_PATH, (req) => {
    try {
      if (index?.url !== publicUrl) index = {url: publicUrl, json: JSON.stringify(repositories.bundled().toIndex()), byOrigin: new Map()}
      const origin = deps.originFor?.(req) ?? publicUrl
      let json = index.byOrigin.get(origin)
      if (!json) {
        json = new RawJson(origin === publicUrl ? index.json : rebaseBundledUrls(index.json, publicUrl, origin))
        index.byOrigin.set(origin, json)
      }
      return reply(200, json, {'Content-Type': REPO_MEDIA_TYPE})
    } catch (error) {
      return errorReply(error)
    }
  })
  const artifactsDir = path.join(universeDir, 'artifacts')
  router.get(`${BUNDLED_ARTIFACTS_PATH}/:file`, async (req) => {
    const file = req.params.file
    if (!ARTIFACT_NAME.test(file)) throw new HttpError(404, `No artifact named '${file}'`)
    const full = path.join(artifactsDir, file)
    let stat: fs.Stats
    try {
      stat = await fs.promises.stat(full)
    } catch {
      throw new HttpError(404, `No artifact named '${file}'`)
    }
    if (!stat.isFile()) throw new HttpError(404, `No artifact named '${file}'`)
    const type = file.endsWith('.js') ? 'text/javascript; charset=utf-8' : file.endsWith('.json') ? 'application/json' : 'application/octet-stream'
    return sendFile(req, full, stat.size, {'Content-Type': type, 'Cache-Control': 'no-cache'})
  })

  return {
    service,
    setUrl(url: string) {
      publicUrl = url.replace(/\/$/, '')
    },
    close: async () => {
      await store?.close()
    },
  }
}
