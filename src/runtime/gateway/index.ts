/**
 * The gateway: the cluster's one URL, as DC/OS admin router is. It answers the metadata
 * endpoints itself (./metadata) and proxies everything else by the routing table (./routes)
 * through one streaming proxy (./proxy). Errors it produces itself are JSON `{"message": ...}`.
 */
import type {Component, GatewayConfig} from '../config'
import {Router, serve} from '../http'
import type {Logger} from '../log'
import {MasterDirectory, type DirectoryOptions} from './directory'
import {checkRequestTarget} from './guard'
import {mountMetadata} from './metadata'
import {Proxy, type ProxyOptions} from './proxy'
import {mountProxyRoutes, proxyRoutes} from './routes'

export interface GatewayDeps {
  log: Logger
  /** Overrides of the proxy's body limit and read timeout (tests shorten them). */
  proxy?: Partial<ProxyOptions>
  /** Overrides of the agent/service lookup cache timings. */
  directory?: Partial<DirectoryOptions>
}

export async function startGateway(config: GatewayConfig, deps: GatewayDeps): Promise<Component> {
  const directory = new MasterDirectory(config.masterUrl, deps.directory)
  const proxy = new Proxy(deps.proxy)
  const router = new Router()
  mountMetadata(router, config)
  mountProxyRoutes(router, proxyRoutes(directory), proxy)

  const server = await serve({
    router,
    host: config.host,
    port: config.port,
    errorBody: (error) => ({message: error.message}),
    onBug: (error, req) => deps.log.error(`${req.method} ${req.path}: ${(error as Error)?.stack ?? error}`),
    // Every request passes here before routing: the one place for request-wide checks.
    // Authentication (`Authorization: token=...`) belongs here too, after the target check.
    before: (req) => checkRequestTarget(req.raw.url ?? '/'),
  })
  return {
    url: server.url,
    close: async () => {
      await server.close()
      proxy.close()
    },
  }
}
