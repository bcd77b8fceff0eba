/**
 * The package service's operations (Cosmos's handlers), over src/universe for packages and
 * ./cluster for Marathon and the master. Each takes the decoded request body and returns the
 * newest response shape; ./index picks older shapes by the negotiated version.
 */
import {
  CosmosError,
  deepMerge,
  isObject,
  marathonTemplate,
  packageDetails,
  packageNotFound,
  renderApp,
  resolveOptions,
  SchemaValidator,
  sortSearchResults,
  type JsonObject,
  type PackageDefinition,
  type SearchResult,
} from '../../universe'
import type {Logger} from '../log'
import type {Store} from '../store'
import type {Cluster} from './cluster'
import type {LoadedRepository, Repositories} from './repositories'

/** The framework credentials part of the auth module (src/runtime/auth: Acs, SecretStore). */
export interface ServiceAccountProvider {
  provisionServiceAccount(uid: string, description: string): Promise<unknown>
  removeServiceAccount(uid: string): Promise<boolean>
}
export interface SecretWriter {
  put(path: string, value: string): Promise<void>
  delete(path: string): Promise<boolean>
}

export interface PackageServiceDeps {
  repositories: Repositories
  cluster: Cluster
  log: Logger
  /** Provisioned service accounts per app id (absent: none provisioned, e.g. auth off). */
  store?: Store
  accounts?: ServiceAccountProvider
  secrets?: SecretWriter
  /** How long uninstall waits for an app's tasks to be gone before tearing its framework down. */
  uninstallWaitMs?: number
}

const ACCOUNTS_NS = 'service-accounts'

interface Selected {
  pkg: PackageDefinition
  source: string
}

const str = (body: JsonObject, field: string, required: boolean): string | undefined => {
  const v = body[field]
  if (v === undefined || (v === null && !required)) {
    if (required) throw new CosmosError('MalformedRequest', `${field} is required`, {field})
    return undefined
  }
  if (typeof v !== 'string' || v === '') throw new CosmosError('MalformedRequest', `${field} must be a non-empty string`, {field})
  if (v.length > 1024) throw new CosmosError('MalformedRequest', `${field} is longer than 1024 characters`, {field})
  return v
}

const bool = (body: JsonObject, field: string): boolean | undefined => {
  const v = body[field]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'boolean') throw new CosmosError('MalformedRequest', `${field} must be a boolean`, {field})
  return v
}

/** A Marathon app id in its absolute form (`hello` → `/hello`). */
function absoluteAppId(id: string): string {
  const trimmed = id.replace(/\/+$/, '')
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`
}

function checkAppId(id: string): string {
  const abs = absoluteAppId(id)
  if (!/^(\/[a-z0-9]([a-z0-9.-]*[a-z0-9])?)+$/.test(abs) || abs.split('/').some((s) => s === '.' || s === '..'))
    throw new CosmosError('MalformedRequest', `appId [${id}] is not a valid Marathon app id (lowercase letters, digits, '-' and '.', separated by '/')`, {field: 'appId'})
  return abs
}

/** Who left a note that a package was not found in a repository that could not be read. */
function brokenNote(loaded: LoadedRepository[]): string {
  const broken = loaded.filter((l) => l.error)
  return broken.length === 0 ? '' : ` (${broken.map((b) => `repository [${b.entry.name}] could not be read: ${b.error!.message}`).join('; ')})`
}

export class PackageService {
  #deps: PackageServiceDeps
  #validator = new SchemaValidator()
  /** App ids with an install in flight (a second one is a conflict, not a race). */
  #installing = new Set<string>()

  constructor(deps: PackageServiceDeps) {
    this.#deps = deps
  }

  async #loaded(): Promise<LoadedRepository[]> {
    const loaded = await this.#deps.repositories.loadAll()
    for (const l of loaded) if (l.error) this.#deps.log.warn(`repository ${l.entry.name}: ${l.error.message}`)
    return loaded
  }

  /** The package revision to use: the first repository (in order) that has it decides. */
  async select(name: string, version?: string): Promise<Selected> {
    const loaded = await this.#loaded()
    const having = loaded.filter((l) => l.repo?.has(name))
    if (having.length === 0) {
      const error = packageNotFound(name)
      throw new CosmosError(error.type, error.message + brokenNote(loaded), error.data, error.status)
    }
    if (version !== undefined) {
      for (const l of having) if (l.repo!.revisions(name).some((p) => p.version === version)) return {pkg: l.repo!.select(name, version), source: l.uri}
    }
    return {pkg: having[0].repo!.select(name, version), source: having[0].uri}
  }

  async search(body: JsonObject): Promise<{packages: SearchResult[]}> {
    const query = body.query ?? undefined
    if (query !== undefined && (typeof query !== 'string' || query.length > 1024)) throw new CosmosError('MalformedRequest', 'query must be a string of at most 1024 characters', {field: 'query'})
    const seen = new Set<string>()
    const out: SearchResult[] = []
    for (const l of await this.#loaded()) {
      for (const r of l.repo?.search(query) ?? []) {
        if (seen.has(r.name)) continue
        seen.add(r.name)
        out.push(r)
      }
    }
    return {packages: sortSearchResults(out)}
  }

  async describe(body: JsonObject): Promise<PackageDefinition> {
    return (await this.select(str(body, 'packageName', true)!, str(body, 'packageVersion', false))).pkg
  }

  async listVersions(body: JsonObject): Promise<{results: Record<string, string>}> {
    const name = str(body, 'packageName', true)!
    const all = bool(body, 'includePackageVersions') ?? true
    const loaded = await this.#loaded()
    const first = loaded.find((l) => l.repo?.has(name))
    if (!first) throw new CosmosError('PackageNotFound', packageNotFound(name).message + brokenNote(loaded), {packageName: name})
    const revisions = first.repo!.revisions(name)
    const results: Record<string, string> = {}
    for (const r of all ? [...revisions].reverse() : revisions.slice(0, 1)) results[r.version] = String(r.releaseVersion)
    return {results}
  }

  #userOptions(body: JsonObject): JsonObject {
    const options = body.options
    if (options === undefined || options === null) return {}
    if (!isObject(options)) throw new CosmosError('MalformedRequest', 'options must be a JSON object', {field: 'options'})
    return options
  }

  /** Renders without side effects; `extra` is merged into the options (provisioned credentials). */
  async #render(body: JsonObject, extra: JsonObject = {}): Promise<{selected: Selected; app?: JsonObject; options: JsonObject; userOptions: JsonObject}> {
    const name = str(body, 'packageName', true)!
    const version = str(body, 'packageVersion', false)
    const appIdRaw = str(body, 'appId', false)
    const appId = appIdRaw === undefined ? undefined : checkAppId(appIdRaw)
    const userOptions = this.#userOptions(body)
    const selected = await this.select(name, version)
    const options = deepMerge(resolveOptions(selected.pkg, userOptions, this.#validator), extra)
    const app = renderApp({pkg: selected.pkg, options, userOptions, source: selected.source, appId})
    if (app && typeof app.id === 'string') app.id = absoluteAppId(app.id)
    return {selected, app, options, userOptions}
  }

  async render(body: JsonObject): Promise<{marathonJson: JsonObject}> {
    const {selected, app} = await this.#render(body)
    if (!app) throw new CosmosError('ServiceMarathonTemplateNotFound', `Package [${selected.pkg.name}] version [${selected.pkg.version}] has no Marathon template to render`, {packageName: selected.pkg.name, packageVersion: selected.pkg.version})
    return {marathonJson: app}
  }

  /**
   * Install: render, refuse an app id Marathon already has (PackageAlreadyInstalled, 409),
   * provision framework credentials when the package asks for them (see `#credentials`), post
   * the app. A failure after provisioning removes what was provisioned.
   */
  async install(body: JsonObject): Promise<{packageName: string; packageVersion: string; appId?: string; postInstallNotes?: string; cli?: JsonObject}> {
    const first = await this.#render(body)
    const {pkg} = first.selected
    // `cli` (resource.json's, URLs absolute) tells a v2 client which package CLI to install.
    const result = {
      packageName: pkg.name,
      packageVersion: pkg.version,
      ...(pkg.postInstallNotes !== undefined && {postInstallNotes: pkg.postInstallNotes}),
      ...(isObject(pkg.resource?.cli) && {cli: pkg.resource.cli}),
    }
    if (!first.app) return result
    const appId = String(first.app.id)
    if (this.#installing.has(appId)) throw alreadyInstalled(appId)
    this.#installing.add(appId)
    let provisioned: {uid: string; secret: string} | undefined
    try {
      const existing = await this.#deps.cluster.marathon('GET', `/v2/apps${appId}`)
      if (existing.status === 200) throw alreadyInstalled(appId)
      const credentials = await this.#credentials(pkg, first.options, appId)
      provisioned = credentials?.provisioned
      const app = credentials ? (await this.#render(body, credentials.options)).app! : first.app
      const answer = await this.#deps.cluster.marathon('POST', '/v2/apps', app)
      if (answer.status === 409) throw alreadyInstalled(appId)
      if (answer.status !== 201 && answer.status !== 200) {
        const details = isObject(answer.body) ? answer.body : {message: String(answer.body)}
        // Marathon's 422 names the field (`/container/type: ... needs a container engine`): say it.
        const fields = Array.isArray(details.details) ? details.details.filter(isObject) : []
        const why = fields.length > 0 ? fields.map((d) => `${String(d.path ?? '')}: ${Array.isArray(d.errors) ? d.errors.join('; ') : ''}`).join('; ') : String(details.message ?? '')
        throw new CosmosError('MarathonBadResponse', `Marathon refused the app of package [${pkg.name}] version [${pkg.version}] (${answer.status}): ${why}`, {status: answer.status, marathon: details})
      }
      if (provisioned) await this.#deps.store?.put(ACCOUNTS_NS, appId, provisioned)
      this.#deps.log.info(`installed package ${pkg.name} ${pkg.version} as ${appId}`)
      provisioned = undefined
      return {...result, appId}
    } finally {
      this.#installing.delete(appId)
      if (provisioned) await this.#removeCredentials(provisioned)
    }
  }

  /**
   * Framework credentials, as DC/OS's strict mode has them: when the cluster has auth and the
   * package's config has `service.service_account_secret` that the options leave empty, a
   * service account named after the service is made and its credential stored as the secret
   * `<service name>/serviceCredential`; the options get `service.service_account` and
   * `service.service_account_secret`.
   */
  async #credentials(pkg: PackageDefinition, options: JsonObject, appId: string): Promise<{options: JsonObject; provisioned: {uid: string; secret: string}} | undefined> {
    const {accounts, secrets} = this.#deps
    if (!accounts || !secrets) return undefined
    const serviceSchema = isObject(pkg.config?.properties) ? pkg.config.properties.service : undefined
    const wants = isObject(serviceSchema) && isObject(serviceSchema.properties) && 'service_account_secret' in serviceSchema.properties
    const service = isObject(options.service) ? options.service : {}
    if (!wants || (typeof service.service_account_secret === 'string' && service.service_account_secret !== '')) return undefined
    const serviceName = typeof service.name === 'string' && service.name !== '' ? service.name : appId.slice(1)
    const uid = serviceName.replace(/\//g, '__')
    const secret = `${serviceName}/serviceCredential`
    // Provisioning again re-keys the account: another install's credential would stop working.
    const holder = this.#deps.store?.list<{uid: string}>(ACCOUNTS_NS).find(([id, p]) => p.uid === uid && id !== appId)
    if (holder)
      throw new CosmosError('ServiceAccountInUse', `The service account [${uid}] belongs to the install ${holder[0]}: give this one another service.name`, {uid, appId: holder[0]}, 409)
    let credential: unknown
    try {
      credential = await accounts.provisionServiceAccount(uid, `service account of ${pkg.name} ${appId}`)
    } catch (error) {
      throw new CosmosError('ServiceAccountProvisioningFailed', `Cannot make the service account [${uid}] for ${appId}: ${(error as Error).message}`, {uid})
    }
    try {
      await secrets.put(secret, JSON.stringify(credential))
    } catch (error) {
      await accounts.removeServiceAccount(uid).catch(() => false)
      throw new CosmosError('ServiceAccountProvisioningFailed', `Cannot store the credential of [${uid}] as the secret [${secret}]: ${(error as Error).message}`, {uid, secret})
    }
    this.#deps.log.info(`provisioned service account ${uid} (secret ${secret}) for ${appId}`)
    return {options: {service: {service_account: uid, service_account_secret: secret}}, provisioned: {uid, secret}}
  }

  async #removeCredentials(p: {uid: string; secret: string}): Promise<void> {
    try {
      await this.#deps.secrets?.delete(p.secret)
      await this.#deps.accounts?.removeServiceAccount(p.uid)
    } catch (error) {
      this.#deps.log.warn(`cannot remove service account ${p.uid} / secret ${p.secret}: ${(error as Error).message}`)
    }
  }

  /** Installed packages: Marathon apps with DCOS_PACKAGE_NAME, filtered, by (name, appId). */
  async #installed(name?: string, appId?: string): Promise<{app: JsonObject; labels: Record<string, string>}[]> {
    const wanted = appId === undefined ? undefined : absoluteAppId(appId)
    return (await this.#deps.cluster.apps())
      .map((app) => ({app, labels: (isObject(app.labels) ? app.labels : {}) as Record<string, string>}))
      .filter(({app, labels}) => typeof labels.DCOS_PACKAGE_NAME === 'string' && (name === undefined || labels.DCOS_PACKAGE_NAME === name) && (wanted === undefined || app.id === wanted))
      .sort((a, b) => a.labels.DCOS_PACKAGE_NAME.localeCompare(b.labels.DCOS_PACKAGE_NAME) || String(a.app.id).localeCompare(String(b.app.id)))
  }

  async list(body: JsonObject): Promise<{packages: {appId: string; packageInformation: JsonObject}[]}> {
    const installed = await this.#installed(str(body, 'packageName', false), str(body, 'appId', false))
    const packages = []
    for (const {app, labels} of installed) {
      const info = installedPackage(labels)
      if (info) packages.push({appId: String(app.id), packageInformation: info})
    }
    return {packages}
  }

  /**
   * Uninstall: the package's apps (one, `appId`'s, or `all`), each destroyed in Marathon; once
   * its tasks are gone, the Mesos framework named by its DCOS_PACKAGE_FRAMEWORK_NAME is torn
   * down, so nothing stays registered or running; provisioned credentials are removed.
   */
  async uninstall(body: JsonObject): Promise<{results: {packageName: string; appId: string; packageVersion?: string; postUninstallNotes?: string}[]}> {
    const name = str(body, 'packageName', true)!
    const appId = str(body, 'appId', false)
    const all = bool(body, 'all') ?? false
    const installed = await this.#installed(name, appId)
    if (installed.length === 0) {
      if (appId !== undefined) throw new CosmosError('UninstallNonExistentAppForPackage', `Package [${name}] with id [${absoluteAppId(appId)}] is not installed`, {packageName: name, appId: absoluteAppId(appId)}, 404)
      throw new CosmosError('PackageNotInstalled', `Package [${name}] is not installed`, {packageName: name}, 404)
    }
    if (installed.length > 1 && !all) {
      const appIds = installed.map((i) => String(i.app.id))
      throw new CosmosError('AmbiguousAppId', `Multiple apps named [${name}] are installed: [${appIds.join(', ')}]`, {packageName: name, appIds})
    }
    const results = []
    for (const {app, labels} of installed) {
      const id = String(app.id)
      const answer = await this.#deps.cluster.marathon('DELETE', `/v2/apps${id}?force=true`)
      if (answer.status !== 200 && answer.status !== 202 && answer.status !== 404)
        throw new CosmosError('MarathonBadResponse', `Marathon answered ${answer.status} to the removal of ${id}`, {status: answer.status, appId: id})
      const framework = labels.DCOS_PACKAGE_FRAMEWORK_NAME
      if (framework) await this.#teardown(id, framework)
      const provisioned = this.#deps.store?.get<{uid: string; secret: string}>(ACCOUNTS_NS, id)
      if (provisioned) {
        await this.#removeCredentials(provisioned)
        await this.#deps.store?.delete(ACCOUNTS_NS, id)
      }
      const info = installedPackage(labels)
      const details = (info?.packageDefinition ?? {}) as JsonObject
      this.#deps.log.info(`uninstalled package ${name} (${id})`)
      results.push({
        packageName: name,
        appId: id,
        ...(typeof labels.DCOS_PACKAGE_VERSION === 'string' && {packageVersion: labels.DCOS_PACKAGE_VERSION}),
        ...(typeof details.postUninstallNotes === 'string' && {postUninstallNotes: details.postUninstallNotes}),
      })
    }
    return {results}
  }

  async #teardown(appId: string, framework: string): Promise<void> {
    const deadline = Date.now() + (this.#deps.uninstallWaitMs ?? 15_000)
    // The scheduler must be gone first, or it would register again after the teardown.
    while (Date.now() < deadline) {
      const answer = await this.#deps.cluster.marathon('GET', `/v2/apps${appId}`)
      if (answer.status === 404) break
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    const ids = await this.#deps.cluster.frameworkIds(framework)
    if (ids.length > 1)
      throw new CosmosError('MultipleFrameworkIds', `Unable to shutdown [${appId}] service framework with name [${framework}] because there are multiple framework ids matching this name: [${ids.join(', ')}]`, {frameworkName: framework, frameworkIds: ids})
    if (ids.length === 1) {
      await this.#deps.cluster.teardown(ids[0])
      this.#deps.log.info(`tore down framework ${framework} (${ids[0]}) of ${appId}`)
    }
  }
}

const alreadyInstalled = (appId: string) => new CosmosError('PackageAlreadyInstalled', `Package is already installed: Marathon already has an app with id [${appId}]`, {appId}, 409)

/**
 * `packageInformation` of an installed app, from DCOS_PACKAGE_DEFINITION (Cosmos) or else the
 * older DCOS_PACKAGE_METADATA; undefined when neither decodes.
 */
export function installedPackage(labels: Record<string, string>): JsonObject | undefined {
  const decode = (b64: string | undefined): unknown => {
    if (typeof b64 !== 'string') return undefined
    try {
      return JSON.parse(Buffer.from(b64, 'base64').toString('utf8'))
    } catch {
      return undefined
    }
  }
  const envelope = decode(labels.DCOS_PACKAGE_DEFINITION)
  const data = isObject(envelope) && isObject(envelope.data) ? envelope.data : undefined
  const metadata = data ?? decode(labels.DCOS_PACKAGE_METADATA)
  if (!isObject(metadata) || typeof metadata.name !== 'string') return undefined
  const pkg = {packagingVersion: '2.0', ...metadata} as unknown as PackageDefinition
  const details = packageDetails(pkg)
  const resource = isObject(metadata.resource) ? metadata.resource : isObject(metadata.images) ? {images: metadata.images} : undefined
  const resourceDefinition: JsonObject = {}
  if (resource && isObject(resource.assets)) resourceDefinition.assets = resource.assets
  if (resource && isObject(resource.images)) resourceDefinition.images = resource.images
  return {packageDefinition: details, ...(Object.keys(resourceDefinition).length > 0 && {resourceDefinition})}
}

/** The v1 describe shape: package.json fields, the template as text, config, resource, command. */
export function describeV1(pkg: PackageDefinition): JsonObject {
  return {
    package: packageDetails(pkg),
    ...(pkg.marathon && {marathonMustache: marathonTemplate(pkg)!}),
    ...(pkg.command && {command: pkg.command as unknown as JsonObject}),
    ...(pkg.config && {config: pkg.config}),
    ...(pkg.resource && {resource: pkg.resource as unknown as JsonObject}),
  }
}
