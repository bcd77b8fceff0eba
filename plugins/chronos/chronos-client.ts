/**
 * What the `dcos chronos` commands share: the Chronos REST API of an installed service, reached
 * through the cluster's gateway at `<dcos_url>/service/<name>/scheduler/...` with the CLI's token,
 * and the job JSON it answers with. Chronos answers a bad request with a 400 and a plain-text
 * message; that message is what the user sees.
 */
import {Flags} from '@oclif/core'
import type {HttpClient, HttpResponse, Query} from '../../src/clients/http'
import {DcosError} from '../../src/cli/errors'

export interface ChronosJob {
  name: string
  command: string
  schedule?: string
  scheduleTimeZone?: string
  parents?: string[]
  successCount: number
  errorCount: number
  lastSuccess: string
  lastError: string
  disabled: boolean
  retries: number
  [key: string]: unknown
}

export const serviceFlag = {
  name: Flags.string({default: 'chronos', description: 'the Chronos service name (its path under /service/)'}),
}

export class ChronosApi {
  constructor(
    readonly http: HttpClient,
    readonly service: string,
  ) {}

  /** `method` on `/service/<name>/scheduler/<path>`; a 400 becomes Chronos's own message. */
  async call(method: string, path: string, options: {json?: unknown; query?: Query} = {}): Promise<HttpResponse> {
    const url = `/service/${encodeURIComponent(this.service)}/scheduler/${path}`
    let res: HttpResponse
    try {
      res = await this.http.request(method, url, {...options, acceptStatus: (s) => s === 400})
    } catch (error) {
      if (error instanceof DcosError && error.code === 'NOT_FOUND' && /\/service\/[^/]+\/scheduler\/(jobs|graph)/.test(url))
        throw new DcosError('NOT_FOUND', `the Chronos service '${this.service}' is not running`, {hint: "Run 'dcos package install chronos', or pass --name."})
      throw error
    }
    if (res.status === 400) throw new DcosError('HTTP_ERROR', `Chronos refused the request: ${res.body.toString('utf8').trim().slice(0, 500) || 'Bad Request'}`, {status: 400})
    return res
  }

  async jobs(): Promise<ChronosJob[]> {
    const res = await this.call('GET', 'jobs')
    try {
      return JSON.parse(res.body.toString('utf8')) as ChronosJob[]
    } catch {
      throw new DcosError('BAD_RESPONSE', `the Chronos service '${this.service}' answered with something that is not JSON`)
    }
  }

  async job(name: string): Promise<ChronosJob> {
    const job = (await this.jobs()).find((j) => j.name === name)
    if (!job) throw new DcosError('NOT_FOUND', `no job named '${name}'`, {hint: "See 'dcos chronos job list'."})
    return job
  }

  async text(path: string): Promise<string> {
    return (await this.call('GET', path)).body.toString('utf8')
  }
}

/** `name` as one path segment. */
export function jobPath(prefix: string, name: string): string {
  return `${prefix}/${encodeURIComponent(name)}`
}
