/**
 * The gateway's routing table, in one place: which path prefix goes to which upstream, as DC/OS
 * admin router has it. Each route strips its prefix; the rest of the path and the query go to
 * the upstream unchanged.
 *
 *   /mesos/*               → the master
 *   /agent/<id>/*          → that agent (its base URL from the master's /master/slaves)
 *   /slave/<id>/*          → the same (the older spelling the CLI's files API calls use)
 *   /service/<name>/*      → the active framework named <name>, at its webui_url
 *   /marathon/*            → /service/marathon/*
 */
import {checkId, HttpError, notFound, type Router} from '../http'
import {MasterUnavailable, type MasterDirectory} from './directory'
import type {Proxy, Upstream} from './proxy'

interface ProxyRoute {
  /** A Router pattern ending in `/*`; the segments before `*` are the prefix that is stripped. */
  pattern: string
  resolve(params: Record<string, string>): Promise<Upstream>
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']

export function proxyRoutes(directory: MasterDirectory): ProxyRoute[] {
  const master: Upstream = {describe: `master at ${directory.masterUrl}`, base: new URL(directory.masterUrl)}

  const agent = async (params: Record<string, string>): Promise<Upstream> => {
    const id = checkId('agent id', params.agentId)
    const url = await lookup(`agent '${id}'`, () => directory.agentUrl(id))
    if (!url) throw notFound(`Agent '${id}' is unknown: the master lists no agent with this id (see 'dcos node list')`)
    return {describe: `agent ${id} at ${url}`, base: new URL(url), onUnreachable: () => directory.forgetAgents()}
  }

  const service = async (name: string): Promise<Upstream> => {
    checkId('service name', name)
    const url = await lookup(`service '${name}'`, () => directory.serviceUrl(name))
    if (!url) throw notFound(`Service '${name}' is not running: no active framework named '${name}' with a web UI is registered`)
    let base: URL
    try {
      base = new URL(url)
    } catch {
      throw new HttpError(502, `Service '${name}' registered an invalid webui_url '${url}'`)
    }
    return {describe: `service '${name}' at ${url}`, base, onUnreachable: () => directory.forgetServices()}
  }

  return [
    {pattern: '/mesos/*', resolve: async () => master},
    {pattern: '/agent/:agentId/*', resolve: agent},
    {pattern: '/slave/:agentId/*', resolve: agent},
    {pattern: '/service/:name/*', resolve: (params) => service(params.name)},
    {pattern: '/marathon/*', resolve: () => service('marathon')},
  ]
}

export function mountProxyRoutes(router: Router, routes: ProxyRoute[], proxy: Proxy): void {
  for (const route of routes) {
    const prefixSegments = route.pattern.split('/').filter(Boolean).length - 1
    router.on(METHODS, route.pattern, async (req) => {
      const upstream = await route.resolve(req.params)
      const {prefix, rest} = splitPrefix(req.raw.url ?? '/', prefixSegments)
      return proxy.forward(req, upstream, rest, prefix)
    })
  }
}

/**
 * Splits a raw request target after `segments` path segments, counting as the Router does (runs
 * of slashes separate one segment): ('/agent/S1/files/read?x', 2) → '/agent/S1' + '/files/read?x'.
 */
export function splitPrefix(rawUrl: string, segments: number): {prefix: string; rest: string} {
  const match = new RegExp(`^(?:/+[^/?]+){${segments}}`).exec(rawUrl)
  const prefix = match ? match[0] : ''
  const rest = rawUrl.slice(prefix.length)
  return {prefix, rest: rest.startsWith('/') ? rest : '/' + rest}
}

async function lookup(what: string, find: () => Promise<string | undefined>): Promise<string | undefined> {
  try {
    return await find()
  } catch (error) {
    if (error instanceof MasterUnavailable) throw new HttpError(502, `Cannot look up ${what}: ${error.message}`)
    throw error
  }
}
