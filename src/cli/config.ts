/**
 * CLI configuration, split as in dcos-cli design/config.md:
 * - ClusterConfig: one cluster's `dcos.toml` plus the environment overrides (DCOS_URL, ...);
 * - ConfigManager: the repository of clusters under `<DCOS_DIR or ~/.dcos>/clusters/<id>/`, which
 *   one is current (DCOS_CLUSTER, else the one whose dir holds the `attached` marker), attach,
 *   create and remove.
 * Files are written 0600 in 0700 dirs, atomically (tmp + rename), so a crash never leaves a
 * half-written config and the token is never readable by other users.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {parse, stringify} from 'smol-toml'
import type {ClusterEndpoints} from '../clients/endpoints'
import {DcosError, notAttachedError} from './errors'

export type ConfigValue = string | number | boolean
type ConfigData = Record<string, Record<string, ConfigValue>>

export interface ConfigKey {
  /** `section.name` */
  key: string
  type: 'string' | 'url' | 'integer' | 'boolean'
  description: string
  min?: number
  /** Masked in `dcos config show` (all keys); printed when asked for by name. */
  secret?: boolean
}

/** The keys `dcos config set` accepts (PY config schemas core/marathon/package/cluster/job). */
export const CONFIG_KEYS: readonly ConfigKey[] = [
  {key: 'core.dcos_url', type: 'url', description: 'The URL of the DC/OS cluster'},
  {key: 'core.dcos_acs_token', type: 'string', description: 'The token from authenticating to DC/OS', secret: true},
  {key: 'core.ssl_verify', type: 'string', description: "Whether to verify TLS certificates ('true', 'false') or a path to a CA bundle"},
  {key: 'core.timeout', type: 'integer', min: 1, description: 'Request timeout in seconds'},
  {key: 'core.mesos_master_url', type: 'url', description: 'Mesos master URL, bypassing <dcos_url>/mesos'},
  {key: 'core.prompt_login', type: 'boolean', description: 'Prompt to log in when the token expired'},
  {key: 'core.pagination', type: 'boolean', description: 'Whether to paginate output'},
  {key: 'core.reporting', type: 'boolean', description: 'Whether to report usage events'},
  {key: 'core.ssh_user', type: 'string', description: 'Default user for node SSH access'},
  {key: 'core.ssh_proxy_ip', type: 'string', description: 'SSH proxy host (bastion) for node SSH access'},
  {key: 'marathon.url', type: 'url', description: "Marathon base URL, overriding '<dcos_url>/service/marathon'"},
  {key: 'package.cosmos_url', type: 'url', description: "Cosmos base URL, overriding '<dcos_url>'"},
  {key: 'job.url', type: 'url', description: "Metronome base URL, overriding '<dcos_url>/service/metronome'"},
  {key: 'job.service_name', type: 'string', description: 'Metronome service name'},
  {key: 'cluster.name', type: 'string', description: 'Human readable name of the cluster'},
]

const SECTIONS = [...new Set(CONFIG_KEYS.map((k) => k.key.split('.')[0]))]
const DEFAULT_TIMEOUT_SECONDS = 60
export const CONFIG_FILE = 'dcos.toml'
export const ATTACHED_MARKER = 'attached'

/**
 * The environment variables that override a key, in priority order (PY get_config_val_envvar):
 * core.dcos_url -> DCOS_URL then DCOS_DCOS_URL; core.x -> DCOS_X; s.k -> DCOS_S_K;
 * cluster.name is never overridden.
 */
export function envVarsFor(key: string): string[] {
  const [section, name] = splitKey(key)
  if (section === 'cluster') return []
  const upper = name.toUpperCase()
  if (section === 'core') return upper.startsWith('DCOS') ? [upper, `DCOS_${upper}`] : [`DCOS_${upper}`]
  return [`DCOS_${section.toUpperCase()}_${upper}`]
}

export function configKey(key: string): ConfigKey | undefined {
  return CONFIG_KEYS.find((k) => k.key === key)
}

/** Checks a key the way `dcos config set` does and returns its schema. */
export function validateKey(key: string): ConfigKey {
  const dot = key.indexOf('.')
  if (dot <= 0 || dot === key.length - 1) {
    throw new DcosError('CONFIG_INVALID', `Property '${key}' is invalid: it must look like <section>.<name>, e.g. core.dcos_url.`)
  }
  const section = key.slice(0, dot)
  if (!SECTIONS.includes(section)) {
    throw new DcosError('CONFIG_INVALID', `Config section '${section}' is invalid: '${section}' is not a dcos command.`)
  }
  const known = configKey(key)
  if (!known) {
    const possible = CONFIG_KEYS.filter((k) => k.key.startsWith(section + '.')).map((k) => k.key)
    throw new DcosError('CONFIG_INVALID', `Property '${key}' is invalid - possible properties are: ${possible.join(', ')}`)
  }
  return known
}

/** Types a raw string for a key (PY jsonitem): integers, booleans, URLs without trailing '/'. */
export function parseValue(schema: ConfigKey, raw: string): ConfigValue {
  switch (schema.type) {
    case 'integer': {
      if (!/^-?\d+$/.test(raw.trim())) throw new DcosError('CONFIG_INVALID', `Unable to parse '${raw}' as an int`)
      const n = Number.parseInt(raw, 10)
      if (schema.min !== undefined && n < schema.min) {
        throw new DcosError('CONFIG_INVALID', `Invalid value for ${schema.key}: '${raw}' is less than the minimum of ${schema.min}`)
      }
      return n
    }
    case 'boolean': {
      const v = raw.trim().toLowerCase()
      if (v === 'true') return true
      if (v === 'false') return false
      throw new DcosError('CONFIG_INVALID', `Unable to parse '${raw}' as a boolean`)
    }
    case 'url': {
      let u: URL
      try {
        u = new URL(raw)
      } catch {
        throw new DcosError('CONFIG_INVALID', `Unable to parse '${raw}' as a url`)
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') {
        throw new DcosError('CONFIG_INVALID', `Unable to parse '${raw}' as a url: only http and https are supported`)
      }
      return raw.replace(/\/+$/, '')
    }
    default:
      return raw
  }
}

function splitKey(key: string): [string, string] {
  const dot = key.indexOf('.')
  return dot < 0 ? [key, ''] : [key.slice(0, dot), key.slice(dot + 1)]
}

/** One cluster's configuration: its `dcos.toml` with the environment on top. */
export class ClusterConfig {
  readonly id: string
  /** `<dcosDir>/clusters/<id>` */
  readonly dir: string
  #data: ConfigData
  #env: NodeJS.ProcessEnv

  constructor(id: string, dir: string, data: ConfigData, env: NodeJS.ProcessEnv) {
    this.id = id
    this.dir = dir
    this.#data = data
    this.#env = env
  }

  get file(): string {
    return path.join(this.dir, CONFIG_FILE)
  }

  /** `cluster.name`, else the id (as GO does for clusters set up without a name). */
  get name(): string {
    const n = this.fileValue('cluster.name')
    return typeof n === 'string' && n ? n : this.id
  }

  /** The value from the file only. */
  fileValue(key: string): ConfigValue | undefined {
    const [section, name] = splitKey(key)
    return this.#data[section]?.[name]
  }

  /** The environment variable that currently overrides `key`, if any. */
  overriddenBy(key: string): string | undefined {
    return envVarsFor(key).find((v) => this.#env[v] !== undefined && this.#env[v] !== '')
  }

  /** The effective value: environment first, then the file. */
  get(key: string): ConfigValue | undefined {
    const envVar = this.overriddenBy(key)
    if (envVar) {
      const raw = this.#env[envVar] as string
      const schema = configKey(key)
      try {
        return schema ? parseValue(schema, raw) : raw
      } catch (error) {
        // parseValue's message quotes the value; no secret key is parsed, so none is shown.
        const why = error instanceof DcosError ? `: ${error.message}` : ''
        throw new DcosError('CONFIG_INVALID', `environment variable ${envVar} has an invalid value for ${key}${why}`, {
          hint: `Fix or unset ${envVar}.`,
        })
      }
    }
    return this.fileValue(key)
  }

  /** Keys with a value (file or environment), sorted. */
  keys(): string[] {
    const keys = new Set<string>()
    for (const [section, values] of Object.entries(this.#data)) {
      for (const name of Object.keys(values)) keys.add(`${section}.${name}`)
    }
    for (const k of CONFIG_KEYS) if (this.overriddenBy(k.key)) keys.add(k.key)
    return [...keys].sort()
  }

  /** Sets a key (validated) in memory and returns the PY-style message; call persist() to save. */
  set(key: string, raw: string): string {
    const schema = validateKey(key)
    const value = parseValue(schema, raw)
    const old = this.fileValue(key)
    let tokenRemoved = false
    if (key === 'core.dcos_url' && old !== undefined && old !== value) {
      tokenRemoved = this.#delete('core.dcos_acs_token')
    }
    this.#put(key, value)
    let msg = `[${key}]: `
    if (schema.secret) {
      msg += old === undefined ? 'set' : old === value ? 'already set to that value' : 'changed'
    } else if (old === undefined) {
      msg += `set to '${value}'`
    } else if (old === value) {
      msg += `already set to '${old}'`
    } else {
      msg += `changed from '${old}' to '${value}'`
    }
    if (tokenRemoved) msg += '\n[core.dcos_acs_token]: removed'
    return msg
  }

  /** Removes a key in memory and returns the PY-style message; call persist() to save. */
  unset(key: string): string {
    this.#assertFullySpecified(key)
    if (this.fileValue(key) === undefined) {
      throw new DcosError('CONFIG_MISSING', `Property '${key}' doesn't exist`)
    }
    this.#delete(key)
    let msg = `Removed [${key}]`
    if (key === 'core.dcos_url' && this.#delete('core.dcos_acs_token')) msg += ' and [core.dcos_acs_token]'
    return msg
  }

  /** Throws the PY message when `key` names a section rather than a value. */
  #assertFullySpecified(key: string): void {
    if (!key.includes('.') && this.#data[key]) {
      const possible = Object.keys(this.#data[key]).map((n) => `${key}.${n}`)
      throw new DcosError(
        'CONFIG_INVALID',
        `Property '${key}' doesn't fully specify a value - possible properties are:\n${possible.join('\n')}`,
      )
    }
  }

  /** The effective value of one key for `dcos config show <key>`; throws like PY when missing. */
  show(key: string): ConfigValue {
    this.#assertFullySpecified(key)
    const v = this.get(key)
    if (v === undefined) throw new DcosError('CONFIG_MISSING', `Property '${key}' doesn't exist`)
    return v
  }

  /** Replaces values in memory (used by cluster setup/up). */
  assign(values: Record<string, ConfigValue>): void {
    for (const [k, v] of Object.entries(values)) this.#put(k, v)
  }

  /** Writes the file atomically, 0600 in a 0700 dir. */
  persist(): void {
    fs.mkdirSync(this.dir, {recursive: true, mode: 0o700})
    const tmp = `${this.file}.${process.pid}.tmp`
    fs.writeFileSync(tmp, stringify(this.#data), {mode: 0o600})
    fs.chmodSync(tmp, 0o600)
    fs.renameSync(tmp, this.file)
  }

  /** Where the clients connect, from the effective values. */
  endpoints(): ClusterEndpoints {
    const str = (k: string) => {
      const v = this.get(k)
      return v === undefined || v === '' ? undefined : String(v)
    }
    const timeout = this.get('core.timeout')
    return {
      dcosUrl: str('core.dcos_url')?.replace(/\/+$/, ''),
      mesosMasterUrl: str('core.mesos_master_url')?.replace(/\/+$/, ''),
      marathonUrl: str('marathon.url')?.replace(/\/+$/, ''),
      cosmosUrl: str('package.cosmos_url')?.replace(/\/+$/, ''),
      token: str('core.dcos_acs_token'),
      timeoutMs: (typeof timeout === 'number' && timeout > 0 ? timeout : DEFAULT_TIMEOUT_SECONDS) * 1000,
      sslVerify: sslVerify(str('core.ssl_verify')),
    }
  }

  #put(key: string, value: ConfigValue): void {
    const [section, name] = splitKey(key)
    this.#data[section] ??= {}
    this.#data[section][name] = value
  }

  #delete(key: string): boolean {
    const [section, name] = splitKey(key)
    const values = this.#data[section]
    if (!values || !(name in values)) return false
    delete values[name]
    if (Object.keys(values).length === 0) delete this.#data[section]
    return true
  }
}

/** core.ssl_verify: "true"/"false" or a CA bundle path (PY/GO semantics). Default: verify. */
function sslVerify(v: string | undefined): boolean | string {
  if (v === undefined) return true
  const lower = v.toLowerCase()
  if (lower === 'true') return true
  if (lower === 'false') return false
  return v
}

/** Connection settings from the environment alone (DCOS_URL, DCOS_ACS_TOKEN, DCOS_TIMEOUT...). */
export function envEndpoints(env: NodeJS.ProcessEnv): ClusterEndpoints {
  return new ClusterConfig('', '', {}, env).endpoints()
}

/** Endpoints from the environment when it names a cluster (DCOS_URL set, nothing configured). */
export function endpointsFromEnv(env: NodeJS.ProcessEnv): ClusterEndpoints | undefined {
  const e = envEndpoints(env)
  return e.dcosUrl || e.mesosMasterUrl ? e : undefined
}

/** `$DCOS_DIR`, else `~/.dcos`. */
export function dcosDir(env: NodeJS.ProcessEnv): string {
  if (env.DCOS_DIR) return path.resolve(env.DCOS_DIR)
  return path.join(env.HOME || os.homedir(), '.dcos')
}

/** The repository of cluster configurations under `<dcosDir>/clusters/`. */
export class ConfigManager {
  readonly dcosDir: string
  #env: NodeJS.ProcessEnv

  constructor(dir: string, env: NodeJS.ProcessEnv) {
    this.dcosDir = dir
    this.#env = env
  }

  static fromEnv(env: NodeJS.ProcessEnv): ConfigManager {
    return new ConfigManager(dcosDir(env), env)
  }

  get clustersDir(): string {
    return path.join(this.dcosDir, 'clusters')
  }

  clusterDir(id: string): string {
    return path.join(this.clustersDir, id)
  }

  /** Every configured cluster (a dir holding a dcos.toml), sorted by name. */
  all(): ClusterConfig[] {
    let entries: fs.Dirent[]
    try {
      entries = fs.readdirSync(this.clustersDir, {withFileTypes: true})
    } catch {
      return []
    }
    const out: ClusterConfig[] = []
    for (const e of entries) {
      if (!e.isDirectory()) continue
      const c = this.load(e.name)
      if (c) out.push(c)
    }
    return out.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
  }

  /** The cluster with this id, or undefined when it has no dcos.toml. */
  load(id: string): ClusterConfig | undefined {
    const dir = this.clusterDir(id)
    let text: string
    try {
      text = fs.readFileSync(path.join(dir, CONFIG_FILE), 'utf8')
    } catch {
      return undefined
    }
    let data: ConfigData
    try {
      data = parse(text) as ConfigData
    } catch (e) {
      throw new DcosError('CONFIG_INVALID', `cannot parse ${path.join(dir, CONFIG_FILE)}: ${(e as Error).message.split('\n')[0]}`, {
        hint: 'Fix or remove the file.',
      })
    }
    return new ClusterConfig(id, dir, data, this.#env)
  }

  isAttached(c: ClusterConfig): boolean {
    return fs.existsSync(path.join(c.dir, ATTACHED_MARKER))
  }

  /** Finds a cluster by exact id, then by name, then by unique id prefix. */
  find(nameOrId: string): ClusterConfig {
    const all = this.all()
    const byId = all.find((c) => c.id === nameOrId)
    if (byId) return byId
    let matches = all.filter((c) => c.name === nameOrId)
    if (matches.length === 0) matches = all.filter((c) => c.id.startsWith(nameOrId))
    if (matches.length === 1) return matches[0]
    if (matches.length > 1) {
      throw new DcosError('AMBIGUOUS', `several clusters match '${nameOrId}': ${matches.map((c) => c.id).join(', ')}.`, {
        hint: 'Use the cluster ID instead.',
      })
    }
    throw new DcosError('CLUSTER_NOT_FOUND', `no cluster found with name or ID '${nameOrId}'.`, {
      hint: "Run 'dcos cluster list' to see the configured clusters.",
    })
  }

  /** The attached cluster (by marker), ignoring DCOS_CLUSTER. */
  attached(): ClusterConfig | undefined {
    const attached = this.all().filter((c) => this.isAttached(c))
    if (attached.length > 1) {
      throw new DcosError('AMBIGUOUS', `multiple clusters are attached: ${attached.map((c) => c.name).join(', ')}.`, {
        hint: "Run 'dcos cluster attach <name>' to pick one.",
      })
    }
    return attached[0]
  }

  /** The cluster commands talk to: DCOS_CLUSTER (name or id), else the attached one. */
  current(): ClusterConfig {
    const selected = this.#env.DCOS_CLUSTER
    if (selected) return this.find(selected)
    const c = this.attached()
    if (!c) throw notAttachedError()
    return c
  }

  /** Like current(), but undefined instead of the not-attached error. */
  tryCurrent(): ClusterConfig | undefined {
    try {
      return this.current()
    } catch (e) {
      if (e instanceof DcosError && e.code === 'NOT_ATTACHED') return undefined
      throw e
    }
  }

  /** Moves the `attached` marker to this cluster. */
  attach(id: string): void {
    for (const c of this.all()) {
      if (c.id !== id) fs.rmSync(path.join(c.dir, ATTACHED_MARKER), {force: true})
    }
    const marker = path.join(this.clusterDir(id), ATTACHED_MARKER)
    fs.writeFileSync(marker, '', {mode: 0o600})
  }

  /** The cluster's config, or a new empty one (in memory until persisted). */
  open(id: string): ClusterConfig {
    return this.load(id) ?? new ClusterConfig(id, this.clusterDir(id), {}, this.#env)
  }

  /** Creates (or updates) a cluster's dcos.toml with these values. */
  save(id: string, values: Record<string, ConfigValue>): ClusterConfig {
    fs.mkdirSync(this.clustersDir, {recursive: true, mode: 0o700})
    const c = this.open(id)
    c.assign(values)
    c.persist()
    return c
  }

  /** Removes a cluster's whole directory (config, marker, and whatever else is inside). */
  remove(id: string): void {
    fs.rmSync(this.clusterDir(id), {recursive: true, force: true})
  }
}

/**
 * `dcos config show`: `key value` lines, sorted, the token masked. A value overridden by the
 * environment is shown with PY's note, `# overwritten by environment var <VAR>`. A token kept in
 * the OS keychain (`keychainToken`) is listed, masked, as if it were in the file.
 */
export function configShowText(config: ClusterConfig, options: {keychainToken?: boolean} = {}): string {
  const keys = config.keys()
  if (options.keychainToken && !keys.includes('core.dcos_acs_token')) keys.push('core.dcos_acs_token')
  const lines = keys.sort().map((key) => {
    const secret = configKey(key)?.secret
    const value = config.get(key)
    const line = `${key} ${secret ? '********' : String(value)}`
    const envVar = config.overriddenBy(key)
    if (!envVar) return line
    const file = config.fileValue(key)
    let note = `# overwritten by environment var ${envVar}`
    if (secret) note += file !== undefined && file !== value ? '; config file value differs' : ''
    else if (file !== undefined) note += `; config file value: ${String(file)}`
    return `${line.padEnd(35)} ${note}`
  })
  return lines.length ? lines.join('\n') + '\n' : ''
}
