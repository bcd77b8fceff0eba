/**
 * The gateway: the cluster's one URL, as DC/OS admin router is. It answers the metadata
 * endpoints itself (./metadata), is the cluster's ACS when auth is on (../auth/acs: login,
 * providers, users, JWKS), keeps the cluster's secrets (../auth/secrets: /secrets/v1), and proxies everything else by the routing table (./routes) through one
 * streaming proxy (./proxy). Errors it produces itself are JSON `{"message": ...}`; auth errors
 * are IAM-shaped `{"title","description","code"}`.
 *
 * With auth on, every request needs `Authorization: token=<jwt>` except the public routes
 * below. The token is forwarded upstream unchanged: components check it themselves with the
 * cluster's public key, so the same token works on a component's own port too.
 */
import path from 'node:path'
import {Acs, isLoopback, JWKS_PATH, LOGIN_PATH, mountSecrets, normalizePath, PROVIDERS_PATH, SecretStore, serviceHeaders, type AcsDeps} from '../auth'
import type {Component, GatewayConfig} from '../config'
import {Router, serve, type Request} from '../http'
import type {Logger} from '../log'
import {isPublicPackageRequest, mountPackages} from '../packages'
import {MasterDirectory, type DirectoryOptions} from './directory'
import {checkRequestTarget} from './guard'
import {mountMetadata} from './metadata'
import {Proxy, type ProxyOptions} from './proxy'
import {checkPublicUrl, defaultPublicUrl, originFor} from './public-url'
import {mountProxyRoutes, proxyRoutes} from './routes'

export interface GatewayDeps {
  log: Logger
  /** Overrides of the proxy's body limit and read timeout (tests shorten them). */
  proxy?: Partial<ProxyOptions>
  /** Overrides of the agent/service lookup cache timings. */
  directory?: Partial<DirectoryOptions>
  /** dist/universe, the bundled package repository (default: beside the running bundle). */
  universeDir?: string
  /** Overrides of the ACS's clock, login limits and failure delay (tests). */
  acs?: Omit<AcsDeps, 'log'>
}

/**
 * What answers without a token. Login and its providers, obviously; the health probe; and, as
 * on DC/OS, what `dcos cluster setup` reads before it has logged in: `/` (followed for the
 * canonical URL), `/metadata` (CLUSTER_ID) and the version. None of them tells more than that a
 * cluster is there. `/pkgpanda/active.buildinfo.full.json` is deliberately not public: GO CLIs
 * probe it, and its 401 with `WWW-Authenticate: acsjwt` tells them to log in.
 */
const PUBLIC_ROUTES = new Set([
  `POST ${LOGIN_PATH}`,
  `GET ${PROVIDERS_PATH}`,
  `GET ${JWKS_PATH}`,
  'GET /health',
  'GET /',
  'GET /metadata',
  'GET /dcos-metadata/dcos-version.json',
])

function isPublic(req: Request): boolean {
  const method = req.method === 'HEAD' ? 'GET' : req.method
  const p = normalizePath(req.path)
  return PUBLIC_ROUTES.has(`${method} ${p}`) || isPublicPackageRequest(method, p)
}

export async function startGateway(config: GatewayConfig, deps: GatewayDeps): Promise<Component> {
  if (!config.auth && !isLoopback(config.host)) {
    throw new Error(`refusing to serve ${config.host} without authentication: only a loopback address may be bound with auth off`)
  }
  // Checked before anything is opened: a bad one is the config's fault, not a half-started gateway's.
  if (config.publicUrl !== undefined) checkPublicUrl(config.publicUrl)
  const acs = config.auth ? await Acs.open(config.auth, {...deps.acs, log: deps.log}) : undefined
  // In-process services (the package service) get `acs` as ServiceAccounts (none with auth off) and `secrets`.
  const secretsDir = config.secretsDir ?? (config.auth && path.join(path.dirname(config.auth.usersDir), 'secrets'))
  let secrets: SecretStore | undefined
  try {
    secrets = secretsDir ? SecretStore.open(secretsDir) : undefined
  } catch (error) {
    await acs?.close()
    throw error
  }
  const directory = new MasterDirectory(config.masterUrl, deps.directory, serviceHeaders(config.auth))
  const proxy = new Proxy(deps.proxy)
  const router = new Router()
  // Known once the server listens (its port may have been 0).
  let publicUrl = ''
  let port = 0
  mountMetadata(router, config, () => publicUrl)
  acs?.mount(router)
  if (secrets) mountSecrets(router, secrets, {log: deps.log, authorize: acs && ((req) => acs.authorizeSecrets(req))})
  // The package service (Cosmos) in-process, as the ACS is: Marathon found as /marathon is.
  const packages = mountPackages(router, {
    log: deps.log,
    masterUrl: config.masterUrl,
    marathonUrl: () => directory.serviceUrl('marathon'),
    headers: serviceHeaders(config.auth),
    dir: config.auth && path.join(path.dirname(config.auth.usersDir), 'packages'),
    universeDir: deps.universeDir,
    accounts: acs,
    secrets,
    originFor: (req) => originFor(req.header('host'), publicUrl, config.host, port),
  })
  mountProxyRoutes(router, proxyRoutes(directory), proxy)

  let server
  try {
    server = await serve({
      router,
      host: config.host,
      port: config.port,
      errorBody: (error) => ({message: error.message}),
      onBug: (error, req) => deps.log.error(`${req.method} ${req.path}: ${(error as Error)?.stack ?? error}`),
      // Every request passes here before routing: the one place for request-wide checks.
      before: async (req) => {
        checkRequestTarget(req.raw.url ?? '/')
        if (acs && !isPublic(req)) await acs.authenticate(req)
      },
    })
  } catch (error) {
    await acs?.close()
    await secrets?.close()
    await packages.close()
    throw error
  }
  port = server.port
  publicUrl = defaultPublicUrl(config.publicUrl, config.host, port)
  packages.setUrl(publicUrl)
  // Credentials are stored and read by tasks later, wherever they run: the public URL, never a request's Host.
  acs?.setUrl(publicUrl)
  if (config.publicUrl !== undefined) deps.log.info(`public URL ${publicUrl}`)
  deps.log.info(acs ? 'authentication is on' : 'authentication is OFF: every request is served without a token')
  return {
    url: server.url,
    close: async () => {
      await server.close()
      proxy.close()
      await acs?.close()
      await secrets?.close()
      await packages.close()
    },
  }
}
