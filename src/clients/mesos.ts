/**
 * Typed client of the Mesos master and agent HTTP endpoints. The master is reached at
 * `<dcos_url>/mesos` (or `core.mesos_master_url`); an agent at `<dcos_url>/agent/<id>` (or, with
 * `core.mesos_master_url`, at the address in its pid, as the real CLI does). Uses the non-`.json`
 * paths (the aliases were removed in Mesos 1.7).
 */
import {DcosError, missingDcosUrlError} from '../cli/errors'
import type {ClusterEndpoints} from './endpoints'
import {HttpClient, type HttpResponse} from './http'
import type {
  AgentState,
  FileChunk,
  FileInfo,
  FrameworksResponse,
  MasterState,
  MesosSlave,
  MesosTask,
  SlavesResponse,
  StateSummary,
} from './mesos-types'

export class MesosClient {
  readonly master: HttpClient
  #endpoints: ClusterEndpoints
  #slaves?: Promise<SlavesResponse>

  constructor(endpoints: ClusterEndpoints) {
    this.#endpoints = endpoints
    this.master = HttpClient.forEndpoints(endpoints, masterUrl(endpoints))
  }

  state(): Promise<MasterState> {
    return this.master.getJson<MasterState>('/master/state')
  }

  stateSummary(): Promise<StateSummary> {
    return this.master.getJson<StateSummary>('/master/state-summary')
  }

  /** /master/slaves; memoised for the life of the client (agent address lookups reuse it). */
  slaves(): Promise<SlavesResponse> {
    this.#slaves ??= this.master.getJson<SlavesResponse>('/master/slaves')
    return this.#slaves
  }

  frameworks(): Promise<FrameworksResponse> {
    return this.master.getJson<FrameworksResponse>('/master/frameworks')
  }

  async tasks(query: {framework_id?: string; task_id?: string; limit?: number; offset?: number} = {}): Promise<MesosTask[]> {
    const res = await this.master.getJson<{tasks: MesosTask[]}>('/master/tasks', {query})
    return res.tasks ?? []
  }

  /** POST /master/teardown with the form body `frameworkId=<id>`. */
  async teardown(frameworkId: string): Promise<void> {
    await this.master.postForm('/master/teardown', {frameworkId})
  }

  /** The master's files API (its log is the virtual path /master/log). */
  masterFiles(): FilesApi {
    return new FilesApi(this.master)
  }

  /** The HTTP client of one agent. */
  async agent(agentId: string): Promise<HttpClient> {
    if (this.#endpoints.mesosMasterUrl) {
      const {slaves} = await this.slaves()
      const slave = slaves.find((s) => s.id === agentId)
      if (!slave) throw agentNotFound(agentId)
      return HttpClient.forEndpoints(this.#endpoints, agentUrlFromPid(slave))
    }
    return HttpClient.forEndpoints(this.#endpoints, `${this.#endpoints.dcosUrl}/agent/${encodeURIComponent(agentId)}`)
  }

  async agentState(agentId: string): Promise<AgentState> {
    return (await this.agent(agentId)).getJson<AgentState>('/state')
  }

  async agentFiles(agentId: string): Promise<FilesApi> {
    return new FilesApi(await this.agent(agentId))
  }
}

/** The files API (/files/read, /files/browse, /files/download) of a master or agent. */
export class FilesApi {
  readonly http: HttpClient

  constructor(http: HttpClient) {
    this.http = http
  }

  /** Reads from `offset` (at most `length` bytes; the server caps each read at 64 KiB). */
  read(path: string, offset: number, length?: number): Promise<FileChunk> {
    return this.http.getJson<FileChunk>('/files/read', {query: {path, offset, length}})
  }

  /** The file's size: /files/read without an offset answers with it. */
  async size(path: string): Promise<number> {
    const chunk = await this.http.getJson<FileChunk>('/files/read', {query: {path}})
    return chunk.offset
  }

  browse(path: string): Promise<FileInfo[]> {
    return this.http.getJson<FileInfo[]>('/files/browse', {query: {path}})
  }

  download(path: string): Promise<HttpResponse> {
    return this.http.request('GET', '/files/download', {query: {path}})
  }
}

/** `<mesos_master_url>` or `<dcos_url>/mesos`. */
export function masterUrl(e: ClusterEndpoints): string {
  if (e.mesosMasterUrl) return e.mesosMasterUrl
  if (e.dcosUrl) return `${e.dcosUrl}/mesos`
  throw missingDcosUrlError()
}

/** `slave(1)@10.0.0.5:5051` -> `http://10.0.0.5:5051`. */
export function agentUrlFromPid(slave: Pick<MesosSlave, 'pid' | 'hostname' | 'port'>): string {
  const at = slave.pid?.indexOf('@') ?? -1
  if (at >= 0) return `http://${slave.pid.slice(at + 1)}`
  return `http://${slave.hostname}:${slave.port ?? 5051}`
}

export function agentNotFound(agentId: string): DcosError {
  return new DcosError('NOT_FOUND', `agent '${agentId}' not found.`, {hint: "Run 'dcos node list' to see the agents."})
}
