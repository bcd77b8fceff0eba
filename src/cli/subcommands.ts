/**
 * Package CLIs ("subcommands"), installed per cluster as the real DC/OS CLI does
 * (dcos/dcos-cli design/plugin.md):
 *
 *   <DCOS_DIR>/clusters/<id>/subcommands/<package>/
 *     package.json            the Cosmos package definition (marks "installed from a package")
 *     env/plugin.toml         schema_version = 1, name, [[commands]] name / path / description
 *     env/bin/...             what the commands run (paths in plugin.toml are relative to env/)
 *
 * A package's resource.json names the artifact: `cli.binaries.<platform>.x86-64 =
 * {kind: "zip"|"executable", url, contentHash: [{algo: "sha256", value}]}`. A zip is extracted
 * into env/ (its entries checked: no absolute paths, no `..`, nothing outside env/); an
 * executable is saved as env/bin/dcos-<package>. Nothing is installed unless its sha256 matches.
 *
 * Running: `dcos <command> args...` for a command no built-in knows runs `<path> <command>
 * args...` as a child process (a `.cjs`/`.js` path with this node), with the cluster in its
 * environment (DCOS_URL, DCOS_ACS_TOKEN, DCOS_CLUSTER, DCOS_CLI_EXECUTABLE_PATH, ...); its exit
 * status is the CLI's. A path that resolves (symlinks included) outside the plugin's env/ is
 * never executed.
 */
import {createHash} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {parse} from 'smol-toml'
import type {CliBinary, CliResource, PackageDefinition} from '../clients/package-types'
import {DcosError} from './errors'

export const SUBCOMMANDS_DIR = 'subcommands'
export const PLUGIN_MANIFEST = 'plugin.toml'
/** The most an artifact may unpack to. */
const MAX_UNPACKED_BYTES = 256 * 1024 * 1024
/** Package and command names (Universe's package name pattern). */
const NAME = /^[a-z][a-z0-9-]*[a-z0-9]$|^[a-z]$/

export interface PluginCommand {
  name: string
  /** Absolute path inside the plugin's env/. */
  path: string
  description?: string
  /** The plugin (package) it belongs to. */
  plugin: string
  /** The plugin's env/ directory: nothing outside it is ever run. */
  envDir: string
}

export interface InstalledPlugin {
  name: string
  dir: string
  commands: PluginCommand[]
  /** The Cosmos package it came from (its package.json), when installed from a package. */
  package?: PackageDefinition
}

export function subcommandsDir(clusterDir: string): string {
  return path.join(clusterDir, SUBCOMMANDS_DIR)
}

/** The artifact for this platform (`x86-64` is the only architecture Universe knows). */
export function selectBinary(cli: CliResource | undefined, platform: NodeJS.Platform = process.platform): CliBinary | undefined {
  const key = platform === 'win32' ? 'windows' : platform === 'darwin' ? 'darwin' : platform === 'linux' ? 'linux' : undefined
  return key ? cli?.binaries?.[key]?.['x86-64'] : undefined
}

/** Throws unless `bytes` has one of the binary's sha256 hashes. */
export function verifyContentHash(name: string, binary: CliBinary, bytes: Buffer): void {
  const expected = (binary.contentHash ?? []).filter((h) => h?.algo === 'sha256' && typeof h.value === 'string').map((h) => h.value.toLowerCase())
  if (expected.length === 0) {
    throw new DcosError('CLI_INSTALL', `the CLI of package [${name}] names no sha256 content hash; it was not installed.`)
  }
  const actual = createHash('sha256').update(bytes).digest('hex')
  if (!expected.includes(actual)) {
    throw new DcosError(
      'CLI_INSTALL',
      `The hash for the downloaded subcommand [${binary.url}] does not match the expected value [${expected[0]}]. Aborting...`,
    )
  }
}

/**
 * Installs a verified artifact as the package's subcommand (replacing an older one), atomically:
 * it is unpacked beside the target and renamed into place. Returns what was installed.
 */
export async function installPlugin(clusterDir: string, pkg: PackageDefinition, binary: CliBinary, bytes: Buffer): Promise<InstalledPlugin> {
  if (!NAME.test(pkg.name)) throw new DcosError('CLI_INSTALL', `invalid package name '${pkg.name}'.`)
  verifyContentHash(pkg.name, binary, bytes)
  const root = subcommandsDir(clusterDir)
  fs.mkdirSync(root, {recursive: true, mode: 0o700})
  const staging = fs.mkdtempSync(path.join(root, `.${pkg.name}-`))
  try {
    const env = path.join(staging, 'env')
    fs.mkdirSync(env, {mode: 0o700})
    if (binary.kind === 'zip') await unzipInto(env, bytes, pkg.name)
    else if (binary.kind === 'executable') {
      fs.mkdirSync(path.join(env, 'bin'), {mode: 0o700})
      fs.writeFileSync(path.join(env, 'bin', `dcos-${pkg.name}`), bytes, {mode: 0o755})
    } else throw new DcosError('CLI_INSTALL', `the CLI of package [${pkg.name}] is of an unknown kind '${binary.kind}'.`)
    fs.writeFileSync(path.join(staging, 'package.json'), JSON.stringify(pkg, null, 2) + '\n', {mode: 0o600})
    const commands = readCommands(pkg.name, staging)
    if (commands.length === 0) throw new DcosError('CLI_INSTALL', `the CLI of package [${pkg.name}] has no commands (no plugin.toml, no bin/dcos-*).`)
    const target = path.join(root, pkg.name)
    fs.rmSync(target, {recursive: true, force: true})
    fs.renameSync(staging, target)
    return loadPlugin(root, pkg.name)!
  } finally {
    fs.rmSync(staging, {recursive: true, force: true})
  }
}

/** Removes a package's subcommand; false when there was none. */
export function removePlugin(clusterDir: string, name: string): boolean {
  if (!NAME.test(name)) return false
  const dir = path.join(subcommandsDir(clusterDir), name)
  if (!fs.existsSync(dir)) return false
  fs.rmSync(dir, {recursive: true, force: true})
  return true
}

/** Every installed subcommand of the cluster, by name. */
export function listPlugins(clusterDir: string): InstalledPlugin[] {
  const root = subcommandsDir(clusterDir)
  let names: string[]
  try {
    names = fs.readdirSync(root).filter((n) => NAME.test(n))
  } catch {
    return []
  }
  return names
    .sort()
    .map((n) => loadPlugin(root, n))
    .filter((p): p is InstalledPlugin => p !== undefined)
}

/**
 * The installed command `name`: the plugin of that name first (one small file read), then any
 * other plugin declaring it. Called only for a command no built-in knows.
 */
export function findPluginCommand(clusterDir: string, name: string): PluginCommand | undefined {
  if (!NAME.test(name)) return undefined
  const root = subcommandsDir(clusterDir)
  const own = loadPlugin(root, name)?.commands.find((c) => c.name === name)
  if (own) return own
  for (const plugin of listPlugins(clusterDir)) {
    const c = plugin.commands.find((cmd) => cmd.name === name)
    if (c) return c
  }
  return undefined
}

function loadPlugin(root: string, name: string): InstalledPlugin | undefined {
  const dir = path.join(root, name)
  if (!fs.existsSync(path.join(dir, 'env'))) return undefined
  let pkg: PackageDefinition | undefined
  try {
    pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as PackageDefinition
  } catch {
    pkg = undefined
  }
  return {name, dir, commands: readCommands(name, dir), package: pkg}
}

/** plugin.toml's commands, else one per env/bin/dcos-<cmd> (GO's fallback). Unsafe paths are dropped. */
function readCommands(plugin: string, dir: string): PluginCommand[] {
  const env = path.join(dir, 'env')
  let manifest: {commands?: {name?: unknown; path?: unknown; description?: unknown}[]} | undefined
  try {
    manifest = parse(fs.readFileSync(path.join(env, PLUGIN_MANIFEST), 'utf8')) as typeof manifest
  } catch {
    manifest = undefined
  }
  const out: PluginCommand[] = []
  if (manifest && Array.isArray(manifest.commands)) {
    for (const c of manifest.commands) {
      if (typeof c?.name !== 'string' || !NAME.test(c.name) || typeof c.path !== 'string') continue
      const p = insideDir(env, c.path)
      if (p) out.push({name: c.name, path: p, plugin, envDir: env, ...(typeof c.description === 'string' ? {description: c.description} : {})})
    }
    return out
  }
  let bins: string[] = []
  try {
    bins = fs.readdirSync(path.join(env, 'bin'))
  } catch {
    return out
  }
  for (const b of bins.sort()) {
    const m = /^dcos-([a-z][a-z0-9-]*)(\.c?js)?$/.exec(b)
    const p = m && insideDir(env, path.join('bin', b))
    if (m && p && NAME.test(m[1])) out.push({name: m[1], path: p, plugin, envDir: env})
  }
  return out
}

/** `relative` resolved in `dir`, or undefined when it is absolute or leaves `dir`. */
function insideDir(dir: string, relative: string): string | undefined {
  if (path.isAbsolute(relative) || relative.includes('\0')) return undefined
  const resolved = path.resolve(dir, relative)
  return resolved.startsWith(path.resolve(dir) + path.sep) ? resolved : undefined
}

/** Extracts a zip into `dir`, refusing any entry that would land outside it. */
async function unzipInto(dir: string, bytes: Buffer, name: string): Promise<void> {
  const {unzipSync} = await import('fflate')
  let total = 0
  let files: Record<string, Uint8Array>
  try {
    files = unzipSync(new Uint8Array(bytes), {
      filter: (f) => {
        total += f.originalSize
        if (total > MAX_UNPACKED_BYTES) throw new Error('the archive unpacks to more than 256 MB')
        return true
      },
    })
  } catch (e) {
    throw new DcosError('CLI_INSTALL', `the CLI of package [${name}] is not a valid zip archive (${(e as Error).message}).`)
  }
  for (const [entry, data] of Object.entries(files)) {
    if (entry.endsWith('/')) continue
    const target = entry.includes('\\') ? undefined : insideDir(dir, entry)
    if (!target) throw new DcosError('CLI_INSTALL', `the CLI archive of package [${name}] has an unsafe entry '${entry}'; it was not installed.`)
    fs.mkdirSync(path.dirname(target), {recursive: true, mode: 0o700})
    const executable = entry.startsWith('bin/')
    fs.writeFileSync(target, data, {mode: executable ? 0o755 : 0o644})
  }
}

/**
 * Runs a plugin command as a child process with the terminal; resolves with its exit status.
 * The real path is checked again here: a symlink planted after install cannot lead outside env/.
 */
export async function runPluginCommand(command: PluginCommand, argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let real: string
  try {
    real = fs.realpathSync(command.path)
  } catch {
    throw new DcosError('NOT_FOUND', `the subcommand '${command.name}' is missing its program (${command.path}).`, {
      hint: `Reinstall it with 'dcos package install ${command.plugin} --cli'.`,
    })
  }
  // <subcommands>/<plugin>/env with only the subcommands dir itself resolved: an env/ (or plugin
  // dir) that is a symlink to elsewhere does not pass.
  const realEnv = path.join(fs.realpathSync(path.dirname(path.dirname(command.envDir))), command.plugin, 'env')
  if (!real.startsWith(realEnv + path.sep) || !fs.statSync(real).isFile()) {
    throw new DcosError('FORBIDDEN', `refusing to run '${command.path}': it is not a file inside the subcommand's directory.`)
  }
  const {spawn} = await import('node:child_process')
  const node = /\.c?js$/.test(real)
  const child = spawn(node ? process.execPath : real, node ? [real, ...argv] : argv, {stdio: 'inherit', env})
  // Ctrl-C reaches the child (same process group); the CLI waits for it to finish.
  const ignore = () => {}
  process.on('SIGINT', ignore)
  try {
    return await new Promise<number>((resolve, reject) => {
      child.on('error', (e) => reject(new DcosError('INTERNAL', `cannot run the subcommand '${command.name}': ${e.message}`)))
      child.on('exit', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : 1)))
    })
  } finally {
    process.off('SIGINT', ignore)
  }
}
