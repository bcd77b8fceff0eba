/**
 * `dcos node list`: the CORE shape (dcos-core-cli pkg/cmd/node/node_list.go). JSON is the agents
 * as Mesos slave objects (plus type, region, zone, public_ips, status and the TASK_* counts of
 * /master/state-summary), then the leading master as {host, ip, public_ips, type, region, zone,
 * id, pid, version}. The table: HOSTNAME IP PUBLIC IP(S) ID TYPE STATUS REGION ZONE [+ --field].
 */
import type {MesosClient} from '../../clients/mesos'
import type {DomainInfo, MasterState, MesosSlave, StateSummary, TaskStateCounts} from '../../clients/mesos-types'
import {type Cell, type Column, renderTable} from '../table'

export const NOT_AVAILABLE = 'N/A'

export type AgentNode = MesosSlave &
  TaskStateCounts & {
    type: 'agent'
    region: string
    zone: string
    public_ips: string[]
    status: string
  }

export interface MasterNode {
  host: string
  ip: string
  public_ips: string[]
  type: 'master (leader)' | 'master (standby)'
  region: string
  zone: string
  id: string
  pid: string
  version: string
}

export type NodeJson = AgentNode | MasterNode

export function isMaster(n: NodeJson): n is MasterNode {
  return n.type !== 'agent'
}

/** The IP in a libprocess pid (`slave(1)@127.0.0.2:5051` -> `127.0.0.2`). */
export function pidIp(pid: string | undefined): string {
  const m = /@([^:@]+):\d+$/.exec(pid ?? '')
  return m?.[1] ?? ''
}

function regionOf(d: DomainInfo | undefined): string {
  return d?.fault_domain?.region?.name ?? ''
}

function zoneOf(d: DomainInfo | undefined): string {
  return d?.fault_domain?.zone?.name ?? ''
}

/** ACTIVE, DEACTIVATED, a drain state (DRAINING, DRAINED), or INACTIVE (disconnected). */
export function agentStatus(s: MesosSlave): string {
  const drain = s.drain_info?.state
  if (drain && drain !== 'UNKNOWN') return drain
  if (s.deactivated) return 'DEACTIVATED'
  return s.active === false ? 'INACTIVE' : 'ACTIVE'
}

/** Builds the node list from the three master endpoints; `mesosId` keeps one node. */
export function buildNodes(state: MasterState, slaves: MesosSlave[], summary?: StateSummary, mesosId?: string): NodeJson[] {
  const counts = new Map((summary?.slaves ?? []).map((s) => [s.id, s]))
  const nodes: NodeJson[] = []
  for (const s of slaves) {
    if (mesosId && s.id !== mesosId) continue
    const c = counts.get(s.id)
    const taskCounts: TaskStateCounts = {}
    for (const [k, v] of Object.entries(c ?? {})) if (k.startsWith('TASK_') && typeof v === 'number') taskCounts[k as `TASK_${string}`] = v
    nodes.push({
      ...s,
      ...taskCounts,
      type: 'agent',
      region: regionOf(s.domain),
      zone: zoneOf(s.domain),
      public_ips: [],
      status: agentStatus(s),
    })
  }
  const master: MasterNode = {
    host: state.leader_info?.hostname ?? state.hostname,
    ip: pidIp(state.pid) || state.hostname,
    public_ips: [],
    type: 'master (leader)',
    region: regionOf(state.domain ?? state.leader_info?.domain),
    zone: zoneOf(state.domain ?? state.leader_info?.domain),
    id: state.id,
    pid: state.pid,
    version: state.version ?? '',
  }
  if (!mesosId || master.id === mesosId) nodes.push(master)
  return nodes
}

/**
 * Reads /master/state, /master/slaves and /master/state-summary concurrently (as CORE does).
 * The summary only adds task counts, so the list is still shown when it is unavailable.
 */
export async function fetchNodes(
  mesos: Pick<MesosClient, 'state' | 'slaves' | 'stateSummary'>,
  mesosId?: string,
): Promise<NodeJson[]> {
  const [state, slaves, summary] = await Promise.all([
    mesos.state(),
    mesos.slaves(),
    mesos.stateSummary().catch(() => undefined),
  ])
  return buildNodes(state, slaves.slaves ?? [], summary, mesosId)
}

/** `--field name:path` (PY) or `--field path` (CORE): an extra column read from the node JSON. */
export interface ExtraField {
  header: string
  path: string[]
}

export function parseField(spec: string): ExtraField {
  const colon = spec.indexOf(':')
  const header = colon >= 0 ? spec.slice(0, colon) : spec
  const path = colon >= 0 ? spec.slice(colon + 1) : spec
  return {header: header.toUpperCase(), path: path.split('.').filter(Boolean)}
}

export function fieldValue(node: unknown, path: string[]): Cell {
  let v: unknown = node
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined
    v = (v as Record<string, unknown>)[p]
  }
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ')
  if (v !== null && typeof v === 'object') return JSON.stringify(v)
  return v as Cell
}

export function nodeTable(nodes: NodeJson[], fields: string[] = []): string {
  const orNA = (v: string) => v || NOT_AVAILABLE
  const columns: Column<NodeJson>[] = [
    {header: 'HOSTNAME', value: (n) => (isMaster(n) ? n.host : n.hostname)},
    {header: 'IP', value: (n) => (isMaster(n) ? n.ip : pidIp(n.pid))},
    {header: 'PUBLIC IP(S)', value: (n) => n.public_ips.join(', ')},
    {header: 'ID', value: (n) => n.id || NOT_AVAILABLE},
    {header: 'TYPE', value: (n) => (!isMaster(n) && n.attributes?.public_ip === 'true' ? 'agent (public)' : n.type)},
    {header: 'STATUS', value: (n) => (isMaster(n) ? undefined : n.status)},
    {header: 'REGION', value: (n) => orNA(n.region)},
    {header: 'ZONE', value: (n) => orNA(n.zone)},
    ...fields.map(parseField).map((f): Column<NodeJson> => ({header: f.header, value: (n) => fieldValue(n, f.path)})),
  ]
  return renderTable(columns, nodes)
}
