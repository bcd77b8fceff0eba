/**
 * What the package service asks of the cluster, over the components' public APIs with the
 * gateway's own service token: Marathon's /v2/apps (found as the gateway finds it, by its
 * framework's webui_url) and the master's /master/frameworks and /master/teardown.
 * Failures become Cosmos's errors (MarathonBadGateway, ServiceUnavailable); nothing here
 * retries, so a caller's request fails fast and says why.
 */
import {CosmosError, type JsonObject} from '../../universe'
import {call, type CallAnswer, type CallError} from '../http/client'

export interface ClusterDeps {
  masterUrl: string
  /** Marathon's base URL, or undefined when no Marathon framework is registered. */
  marathonUrl: () => Promise<string | undefined>
  /** Sent with every call: the gateway's service token (none with auth off). */
  headers: Record<string, string>
  timeoutMs?: number
}

export interface HttpAnswer {
  status: number
  body: unknown
}

export class Cluster {
  #deps: ClusterDeps

  constructor(deps: ClusterDeps) {
    this.#deps = deps
  }

  async #call(what: string, url: string, init: {method?: string; json?: unknown; form?: Record<string, string>}): Promise<HttpAnswer> {
    const headers: Record<string, string> = {...this.#deps.headers, Accept: 'application/json'}
    let body: string | undefined
    if (init.json !== undefined) {
      headers['Content-Type'] = 'application/json'
      body = JSON.stringify(init.json)
    } else if (init.form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded'
      body = new URLSearchParams(init.form).toString()
    }
    let res: CallAnswer
    try {
      res = await call(url, {method: init.method, headers, body, timeoutMs: this.#deps.timeoutMs ?? 15_000})
    } catch (error) {
      throw new CosmosError('ServiceUnavailable', `${what} is unreachable (${(error as CallError).code ?? (error as Error).name})`, {service: what}, 503)
    }
    const {text} = res
    let parsed: unknown = text
    try {
      parsed = text === '' ? undefined : JSON.parse(text)
    } catch {
      /* not JSON: kept as text */
    }
    return {status: res.status, body: parsed}
  }

  async #marathon(): Promise<string> {
    let url: string | undefined
    try {
      url = await this.#deps.marathonUrl()
    } catch (error) {
      throw new CosmosError('ServiceUnavailable', `Marathon cannot be found: ${(error as Error).message}`, {service: 'marathon'}, 503)
    }
    if (!url) throw new CosmosError('ServiceUnavailable', 'Marathon is not running: no framework named marathon is registered', {service: 'marathon'}, 503)
    return url.replace(/\/$/, '')
  }

  async marathon(method: string, path: string, json?: unknown): Promise<HttpAnswer> {
    const base = await this.#marathon()
    const answer = await this.#call('Marathon', base + path, {method, json})
    if (answer.status >= 500 || answer.status === 401 || answer.status === 403)
      throw new CosmosError('MarathonBadGateway', `Marathon answered ${answer.status} to ${method} ${path}`, {status: answer.status, body: answer.body as JsonObject}, 502)
    return answer
  }

  /** Every app (Marathon's GET /v2/apps). */
  async apps(): Promise<JsonObject[]> {
    const answer = await this.marathon('GET', '/v2/apps')
    const apps = (answer.body as {apps?: unknown})?.apps
    if (answer.status !== 200 || !Array.isArray(apps)) throw new CosmosError('MarathonBadGateway', `Marathon answered ${answer.status} to GET /v2/apps`, {status: answer.status}, 502)
    return apps as JsonObject[]
  }

  /** Ids of the registered (active or disconnected, not completed) frameworks named `name`. */
  async frameworkIds(name: string): Promise<string[]> {
    const answer = await this.#call('the Mesos master', `${this.#deps.masterUrl}/master/frameworks`, {method: 'GET'})
    const frameworks = (answer.body as {frameworks?: unknown})?.frameworks
    if (answer.status !== 200 || !Array.isArray(frameworks)) throw new CosmosError('ServiceUnavailable', `the Mesos master answered ${answer.status} to GET /master/frameworks`, {service: 'mesos'}, 503)
    return (frameworks as {id?: unknown; name?: unknown}[]).filter((f) => f.name === name && typeof f.id === 'string').map((f) => f.id as string)
  }

  async teardown(frameworkId: string): Promise<void> {
    const answer = await this.#call('the Mesos master', `${this.#deps.masterUrl}/master/teardown`, {method: 'POST', form: {frameworkId}})
    if (answer.status !== 200) throw new CosmosError('IncompleteUninstall', `the Mesos master answered ${answer.status} to the teardown of framework ${frameworkId}: ${typeof answer.body === 'string' ? answer.body : ''}`, {frameworkId}, 503)
  }
}
