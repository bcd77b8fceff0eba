/**
 * mesos-execute's command line, in stout's flag syntax as the real tool has it
 * (apache/mesos src/cli/execute.cpp): `--name=value`, booleans as `--flag`, `--flag=false` or
 * `--no-flag`. Everything is validated here so a bad flag fails before anything is contacted.
 */
import fs from 'node:fs'
import {normalizeMasterUrl} from '../../mesos/http-client'
import {parseResources} from '../../mesos/resources'
import type {Resource} from '../../mesos/types'

/** A bad command line: the message is one line, printed above the usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

export interface ExecuteFlags {
  /** http://HOST:PORT[/prefix] */
  masterUrl: string
  name: string
  command: string
  shell: boolean
  env?: Record<string, string>
  resources: Resource[]
  frameworkName: string
  role: string
  checkpoint: boolean
  killAfterMs?: number
  principal?: string
}

export type ParsedCommandLine = {help: true} | {help: false; flags: ExecuteFlags}

interface FlagSpec {
  boolean?: boolean
  default?: string
  help: string
}

const FLAGS: Record<string, FlagSpec> = {
  checkpoint: {boolean: true, default: 'false', help: 'Enable checkpointing for the framework.'},
  command: {help: 'Command to launch.'},
  env: {
    help:
      'Shell command environment variables.\n' +
      'The value could be a JSON formatted string of environment variables\n' +
      '(i.e., {"name1": "value1"}) or a file path containing the JSON\n' +
      "formatted environment variables. Path should be of the form\n'file:///path/to/file'.",
  },
  framework_name: {default: 'mesos-execute instance', help: 'Name of the framework to register as.'},
  help: {boolean: true, default: 'false', help: 'Prints this help message'},
  kill_after: {help: 'Specifies a delay after which the task is killed\n(e.g., 10secs, 2mins, etc).'},
  master: {help: 'Mesos master (e.g., IP:PORT, or an http:// URL such as\nhttp://GATEWAY/mesos). Defaults to $MESOS_MASTER.'},
  name: {help: 'Name for the command.'},
  principal: {help: 'The principal to use for framework authentication.'},
  resources: {default: 'cpus:0.1;mem:32', help: 'Resources for the command.'},
  role: {default: '*', help: 'Role to use when registering.'},
  shell: {
    boolean: true,
    default: 'true',
    help: "Determine the command is a shell or not. If not, 'command' will be\ntreated as executable value and arguments.",
  },
}

export function usage(): string {
  const rows = Object.entries(FLAGS).map(([name, spec]) => {
    const left = spec.boolean ? `--[no-]${name}` : `--${name}=VALUE`
    const lines = spec.help.split('\n')
    if (spec.default !== undefined) lines[lines.length - 1] += ` (default: ${spec.default})`
    return {left, lines}
  })
  const width = Math.max(...rows.map((r) => r.left.length)) + 2
  const body = rows.flatMap(({left, lines}) => lines.map((line, i) => `  ${(i === 0 ? left : '').padEnd(width)}${line}`))
  return ['Usage: mesos-execute [options]', '', ...body].join('\n')
}

/** Parses argv (without node and the script); `env` supplies MESOS_MASTER. */
export function parseFlags(argv: string[], env: NodeJS.ProcessEnv): ParsedCommandLine {
  const values = new Map<string, string>()
  for (const arg of argv) {
    if (!arg.startsWith('--')) throw new UsageError(`Unexpected argument '${arg}' (flags take the form --name=value)`)
    const eq = arg.indexOf('=')
    let name = eq < 0 ? arg.slice(2) : arg.slice(2, eq)
    let value = eq < 0 ? undefined : arg.slice(eq + 1)
    if (name.startsWith('no-') && FLAGS[name.slice(3)]?.boolean) {
      if (value !== undefined) throw new UsageError(`Failed to load boolean flag '${name.slice(3)}' via '${name}' with value '${value}'`)
      name = name.slice(3)
      value = 'false'
    }
    const spec = FLAGS[name]
    if (!spec) throw new UsageError(`Failed to load unknown flag '${name}'`)
    if (values.has(name)) throw new UsageError(`Duplicate flag '${name}' on command line`)
    if (value === undefined) {
      if (!spec.boolean) throw new UsageError(`Failed to load non-boolean flag '${name}': missing value (use --${name}=VALUE)`)
      value = 'true'
    }
    values.set(name, value)
  }
  const get = (name: string) => values.get(name) ?? FLAGS[name].default
  if (bool('help', get('help'))) return {help: true}

  const master = get('master') ?? env.MESOS_MASTER
  if (!master) throw new UsageError('Missing required option --master (or set MESOS_MASTER)')
  const name = get('name')
  if (!name) throw new UsageError('Missing required option --name')
  const command = get('command')
  if (!command) throw new UsageError('Missing required option --command')
  const frameworkName = get('framework_name')
  if (!frameworkName) throw new UsageError('Flag --framework_name must not be empty')
  const resourcesText = get('resources') ?? ''
  const killAfter = get('kill_after')
  const envText = get('env')
  const principal = get('principal')

  return {
    help: false,
    flags: {
      masterUrl: parseMaster(master),
      name,
      command,
      shell: bool('shell', get('shell')),
      ...(envText !== undefined && {env: parseEnv(envText)}),
      resources: parseTaskResources(resourcesText),
      frameworkName,
      role: get('role') ?? '*',
      checkpoint: bool('checkpoint', get('checkpoint')),
      ...(killAfter !== undefined && {killAfterMs: parseDuration('kill_after', killAfter)}),
      ...(principal !== undefined && {principal}),
    },
  }
}

function bool(name: string, value: string | undefined): boolean {
  if (value === 'true' || value === '1') return true
  if (value === 'false' || value === '0') return false
  throw new UsageError(`Failed to load flag '${name}': expected true or false, got '${value}'`)
}

/**
 * `HOST:PORT` (what the real tool takes), `HOST:PORT/PATH` (a gateway's `/mesos` prefix), or an
 * http:// URL, possibly with a path prefix.
 */
export function parseMaster(value: string): string {
  const hostPort = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):\d{1,5}(\/[\w./-]*)?$/.test(value)
  try {
    return normalizeMasterUrl(hostPort ? `http://${value}` : value)
  } catch {
    throw new UsageError(`Could not parse --master=${value} (expected HOST:PORT, HOST:PORT/PATH or an http:// URL)`)
  }
}

function parseEnv(value: string): Record<string, string> {
  let text = value
  if (value.startsWith('file://')) {
    const file = value.slice('file://'.length)
    try {
      text = fs.readFileSync(file, 'utf8')
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message
      throw new UsageError(`Failed to load flag 'env': cannot read ${file}: ${reason}`)
    }
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new UsageError(`Failed to load flag 'env': not a JSON object (expected e.g. {"NAME":"value"})`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new UsageError(`Failed to load flag 'env': not a JSON object (expected e.g. {"NAME":"value"})`)
  for (const [k, v] of Object.entries(parsed)) {
    if (typeof v !== 'string') throw new UsageError(`Failed to load flag 'env': the value of '${k}' is not a string`)
  }
  return parsed as Record<string, string>
}

function parseTaskResources(text: string): Resource[] {
  let resources: Resource[]
  try {
    resources = parseResources(text)
  } catch (error) {
    throw new UsageError(`Failed to load flag 'resources': ${(error as Error).message}`)
  }
  if (resources.length === 0) throw new UsageError(`Failed to load flag 'resources': no resources in '${text}'`)
  return resources
}

const DURATION_UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  ms: 1,
  secs: 1000,
  mins: 60_000,
  hrs: 3_600_000,
  days: 86_400_000,
  weeks: 604_800_000,
}

/** stout's Duration syntax: a number and a unit, e.g. `10secs`, `2mins`, `1.5hrs`. Returns ms. */
export function parseDuration(flag: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ns|us|ms|secs|mins|hrs|days|weeks)$/.exec(value.trim())
  if (!m) throw new UsageError(`Failed to load flag '${flag}': invalid duration '${value}' (expected e.g. 10secs, 2mins)`)
  return Number(m[1]) * DURATION_UNITS[m[2]]
}
