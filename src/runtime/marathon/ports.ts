/**
 * Ports, as Marathon has them: service ports (cluster-wide, one per port definition, assigned
 * from `[local_port_min, local_port_max)` = [10000, 20000) when the app asks for port 0), and
 * host ports (per task, taken from the agent's offered `ports` ranges: the declared ports when
 * `requirePorts`, else free ones). Pure.
 */
import type {Range} from '../../mesos/types'
import {plainEnv, type App, type PortDefinition} from './app-definition'

export interface PortRange {
  min: number
  /** Exclusive, as Marathon's `--local_port_max`. */
  max: number
}

export const SERVICE_PORT_RANGE: PortRange = {min: 10_000, max: 20_000}

/** Every service port the apps hold. */
export function usedServicePorts(apps: Iterable<App>): Set<number> {
  const used = new Set<number>()
  for (const app of apps) for (const d of app.portDefinitions) if (d.port !== 0) used.add(d.port)
  return used
}

/**
 * `defs` with each port 0 replaced by the lowest free service port (marked used in `used`).
 * Returns undefined when the range is exhausted.
 */
export function assignServicePorts(defs: PortDefinition[], used: Set<number>, range: PortRange = SERVICE_PORT_RANGE): PortDefinition[] | undefined {
  const out: PortDefinition[] = []
  let next = range.min
  for (const d of defs) {
    if (d.port !== 0) {
      out.push(d)
      continue
    }
    while (next < range.max && used.has(next)) next++
    if (next >= range.max) return undefined
    used.add(next)
    out.push({...d, port: next})
  }
  return out
}

/**
 * Host ports for one task out of `available` (the offer's free ranges): with `requirePorts` the
 * declared ports themselves, else free ones from a random place in the ranges, as Marathon picks
 * them (so two tasks that bind more than their agent's address seldom meet on a port). `random`
 * is injectable for tests. Undefined when the ports are not there.
 */
export function pickHostPorts(app: App, available: Range[], random: () => number = Math.random): number[] | undefined {
  const wanted = app.portDefinitions
  if (wanted.length === 0) return []
  const free = (p: number) => available.some((r) => r.begin <= p && p <= r.end)
  const picked: number[] = []
  if (app.requirePorts) {
    for (const d of wanted) {
      if (d.port === 0 || !free(d.port)) return undefined
      picked.push(d.port)
    }
    return picked
  }
  const total = available.reduce((n, r) => n + (r.end - r.begin + 1), 0)
  if (total < wanted.length) return undefined
  // The k-th free port, counting through the ranges in order.
  const nth = (k: number) => {
    for (const r of available) {
      const size = r.end - r.begin + 1
      if (k < size) return r.begin + k
      k -= size
    }
    return -1
  }
  const start = Math.floor(random() * total)
  for (let i = 0; i < wanted.length; i++) picked.push(nth((start + i) % total))
  return picked
}

/** Ports as Mesos `ports` ranges (adjacent ones merged). */
export function portRanges(ports: number[]): Range[] {
  const sorted = [...ports].sort((a, b) => a - b)
  const out: Range[] = []
  for (const p of sorted) {
    const last = out[out.length - 1]
    if (last && p === last.end + 1) last.end = p
    else out.push({begin: p, end: p})
  }
  return out
}

/** Scala's `Double.toString` for the values Marathon puts in the environment: 128 → "128.0". */
export function scalaDouble(x: number): string {
  return Number.isInteger(x) ? `${x}.0` : String(x)
}

const LABEL_LIMIT = 512

function sanitize(key: string): string {
  return key.replace(/[^a-zA-Z0-9_]+/g, '_').toUpperCase()
}

export interface TaskEnvContext {
  taskId: string
  host: string
  hostPorts: number[]
}

/**
 * The environment Marathon gives a task (`TaskBuilder`, `EnvironmentHelper`; docs
 * task-environment-vars.md): task context, ports and HOST, then the app's own `env`, which wins.
 */
export function taskEnvironment(app: App, ctx: TaskEnvContext): Record<string, string> {
  const env: Record<string, string> = {
    MESOS_TASK_ID: ctx.taskId,
    MARATHON_APP_ID: app.id,
    MARATHON_APP_VERSION: app.version,
    MARATHON_APP_RESOURCE_CPUS: scalaDouble(app.cpus),
    MARATHON_APP_RESOURCE_MEM: scalaDouble(app.mem),
    MARATHON_APP_RESOURCE_DISK: scalaDouble(app.disk),
    MARATHON_APP_RESOURCE_GPUS: String(app.gpus),
  }
  const labels = Object.entries(app.labels).filter(([k, v]) => k.length + v.length < LABEL_LIMIT - 'MARATHON_APP_LABEL_'.length)
  env.MARATHON_APP_LABELS = labels.map(([k]) => sanitize(k)).join(' ')
  for (const [k, v] of labels) env[`MARATHON_APP_LABEL_${sanitize(k)}`] = v
  env.HOST = ctx.host
  const ports = ctx.hostPorts
  ports.forEach((p, i) => (env[`PORT${i}`] = String(p)))
  if (ports.length > 0) {
    env.PORT = String(ports[0])
    env.PORTS = ports.join(',')
  }
  app.portDefinitions.forEach((d, i) => {
    const host = ports[i]
    if (host === undefined) return
    if (d.name) env[`PORT_${sanitize(d.name)}`] = String(host)
    env[`PORT_${d.port === 0 ? host : d.port}`] = String(host)
  })
  return {...env, ...plainEnv(app)}
}
