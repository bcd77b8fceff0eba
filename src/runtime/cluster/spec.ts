/**
 * What a local cluster consists of (pure): the ClusterSpec for a name, agent count, addresses
 * and resources; and the same spec moved to other ports. Components, in start order of
 * importance: `master`, `marathon`, `agent-1` .. `agent-N`, `gateway`.
 */
import {isIP} from 'node:net'
import type {AgentConfig, BootstrapUser, ClusterSpec, ComponentConfig, GatewayConfig, MarathonConfig, MasterConfig} from '../config'
import {ClusterDir} from './cluster-dir'
import type {PortRequest} from './ports'

export const DEFAULT_PORTS = {gateway: 8000, master: 5050, firstAgent: 5051, marathon: 8080}
/** Agent i (1-based) offers ports [31000 + (i-1)*1000, 31999 + (i-1)*1000]: no two agents share one. */
export const AGENT_PORT_RANGE = {first: 31_000, size: 1_000}
export const MASTER_HOST = '127.0.0.1'

export interface ClusterPlan {
  id: string
  name: string
  dir: string
  createdAt: string
  /** The address each agent binds and advertises, agent 1 first. */
  agentHosts: string[]
  cpus: number
  memMb: number
  diskMb: number
  agentUnreachableTimeoutMs: number
}

/** The spec on the default ports; `choosePorts(portRequests(spec))` + `withPorts` settle them. */
export function buildClusterSpec(plan: ClusterPlan): ClusterSpec {
  const dir = new ClusterDir(plan.dir)
  const masterUrl = `http://${MASTER_HOST}:${DEFAULT_PORTS.master}`
  const master: MasterConfig = {
    role: 'master',
    host: MASTER_HOST,
    port: DEFAULT_PORTS.master,
    workDir: dir.masterWorkDir,
    logFile: dir.log('master'),
    clusterName: plan.name,
    agentUnreachableTimeoutMs: plan.agentUnreachableTimeoutMs,
    agentHeartbeatIntervalMs: 1_000,
    allocationIntervalMs: 1_000,
    offerBatchMs: 5,
    schedulerHeartbeatSeconds: 15,
  }
  const agents = plan.agentHosts.map((host, i): {name: string; config: AgentConfig} => {
    const index = i + 1
    const low = AGENT_PORT_RANGE.first + i * AGENT_PORT_RANGE.size
    const name = `agent-${index}`
    return {
      name,
      config: {
        role: 'agent',
        index,
        host,
        hostname: host,
        port: DEFAULT_PORTS.firstAgent + i,
        masterUrl,
        workDir: dir.agentWorkDir(index),
        logFile: dir.log(name),
        resources: `cpus:${plan.cpus};mem:${plan.memMb};disk:${plan.diskMb};ports:[${low}-${low + AGENT_PORT_RANGE.size - 1}]`,
        statusRetryMs: 1_000,
        isolation: 'auto',
        maxTaskProcesses: 1_024,
        killGracePeriodMs: 3_000,
      },
    }
  })
  const gateway: GatewayConfig = {
    role: 'gateway',
    host: MASTER_HOST,
    port: DEFAULT_PORTS.gateway,
    masterUrl,
    clusterId: plan.id,
    clusterName: plan.name,
    logFile: dir.log('gateway'),
    secretsDir: dir.gatewaySecretsDir,
  }
  return {
    id: plan.id,
    name: plan.name,
    dir: plan.dir,
    createdAt: plan.createdAt,
    components: [{name: 'master', config: master}, {name: 'marathon', config: marathonConfig(dir, masterUrl)}, ...agents, {name: 'gateway', config: gateway}],
  }
}

function marathonConfig(dir: ClusterDir, masterUrl: string): MarathonConfig {
  return {role: 'marathon', host: MASTER_HOST, port: DEFAULT_PORTS.marathon, masterUrl, workDir: dir.marathonWorkDir, logFile: dir.log('marathon')}
}

/**
 * The spec with a Marathon right after the master, when it has none (a cluster.json written
 * before Marathon was part of every cluster). Its port is settled with the others'.
 */
export function withMarathon(spec: ClusterSpec): ClusterSpec {
  if (spec.components.some((c) => c.config.role === 'marathon')) return spec
  const master = masterOf(spec)
  const marathon = {name: 'marathon', config: marathonConfig(new ClusterDir(spec.dir), componentUrl(master))}
  const i = spec.components.findIndex((c) => c.config.role === 'master')
  return {...spec, components: [...spec.components.slice(0, i + 1), marathon, ...spec.components.slice(i + 1)]}
}

/** What the spec's auth fields are made of (./credentials makes it). */
export interface ClusterAuth {
  publicKey: string
  privateKey: string
  usersDir: string
  admin: BootstrapUser
  /** Each kind of component's own service token. */
  tokens: {master: string; agent: string; gateway: string; marathon: string}
}

/**
 * The spec with every component's `auth` set from `auth`, or removed when it is undefined (auth
 * off). Only the gateway gets the private key and the admin's hash.
 */
export function withAuth(spec: ClusterSpec, auth: ClusterAuth | undefined): ClusterSpec {
  const components = spec.components.map(({name, config}) => {
    const {auth: _previous, ...rest} = config
    if (!auth) return {name, config: rest as ComponentConfig}
    const {publicKey} = auth
    switch (config.role) {
      case 'master':
        return {name, config: {...config, auth: {publicKey, token: auth.tokens.master}}}
      case 'agent':
        return {name, config: {...config, auth: {publicKey, token: auth.tokens.agent}}}
      case 'marathon':
        return {name, config: {...config, auth: {publicKey, token: auth.tokens.marathon}}}
      case 'gateway':
        return {
          name,
          config: {...config, auth: {publicKey, token: auth.tokens.gateway, privateKey: auth.privateKey, usersDir: auth.usersDir, bootstrapUsers: [auth.admin]}},
        }
    }
  })
  return {...spec, components}
}

/**
 * The spec with the gateway bound to `host` (the other components stay on loopback) and handing
 * out URLs on `publicUrl` (an origin; undefined: none configured, the bound address is used).
 */
export function withGatewayHost(spec: ClusterSpec, host: string, publicUrl?: string): ClusterSpec {
  return {
    ...spec,
    components: spec.components.map((c) => {
      if (c.config.role !== 'gateway') return c
      const {publicUrl: _previous, ...config} = c.config
      return {name: c.name, config: publicUrl === undefined ? {...config, host} : {...config, host, publicUrl}}
    }),
  }
}

/** The URL a component is reached at; one bound to every address is reached on loopback. */
export function componentUrl(config: ComponentConfig): string {
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host === '::' ? '::1' : config.host
  return `http://${isIP(host) === 6 ? `[${host}]` : host}:${config.port}`
}

export function masterOf(spec: ClusterSpec): MasterConfig {
  const master = spec.components.find((c) => c.config.role === 'master')
  if (!master) throw new Error(`cluster '${spec.name}' has no master in ${spec.dir}/cluster.json`)
  return master.config as MasterConfig
}

export function gatewayOf(spec: ClusterSpec): GatewayConfig {
  const gateway = spec.components.find((c) => c.config.role === 'gateway')
  if (!gateway) throw new Error(`cluster '${spec.name}' has no gateway in ${spec.dir}/cluster.json`)
  return gateway.config as GatewayConfig
}

export function marathonOf(spec: ClusterSpec): MarathonConfig | undefined {
  return spec.components.find((c) => c.config.role === 'marathon')?.config as MarathonConfig | undefined
}

export function agentsOf(spec: ClusterSpec): {name: string; config: AgentConfig}[] {
  return spec.components.filter((c): c is {name: string; config: AgentConfig} => c.config.role === 'agent')
}

/** One request per component, in spec order, wanting its current port (any, when `random`). */
export function portRequests(spec: ClusterSpec, random: boolean): PortRequest[] {
  return spec.components.map(({name, config}) => ({
    who: config.role === 'agent' ? `agent ${config.index}` : `the ${name}`,
    host: config.host,
    wanted: random ? undefined : config.port,
  }))
}

/**
 * The spec with component i on ports[i], every master URL pointing at the master's port, and
 * Marathon's gateway URL (its secrets API) at the gateway's.
 */
export function withPorts(spec: ClusterSpec, ports: number[]): ClusterSpec {
  const components = spec.components.map((c, i) => ({name: c.name, config: {...c.config, port: ports[i]}}))
  const master = components.find((c) => c.config.role === 'master')?.config
  const masterUrl = master ? componentUrl(master) : undefined
  const gateway = components.find((c) => c.config.role === 'gateway')?.config
  const gatewayUrl = gateway ? componentUrl(gateway) : undefined
  return {
    ...spec,
    components: components.map((c) => {
      const config = masterUrl && (c.config.role === 'agent' || c.config.role === 'gateway' || c.config.role === 'marathon') ? {...c.config, masterUrl} : c.config
      return {name: c.name, config: gatewayUrl && config.role === 'marathon' ? {...config, gatewayUrl} : config}
    }),
  }
}
