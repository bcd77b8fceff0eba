/**
 * The client side of installing and removing packages: options files, the package CLI download
 * (verified, then unpacked by ./subcommands), and uninstall's typed confirmation. Commands in
 * commands/package/ stay thin by calling these.
 */
import fs from 'node:fs'
import type {PackagesClient} from '../clients/packages'
import type {CliResource, PackageDefinition} from '../clients/package-types'
import {DcosError} from './errors'
import type {IO} from './io'
import {type InstalledPlugin, installPlugin, selectBinary} from './subcommands'

/** An `--options` file: a JSON object, or an error naming the file and what is wrong with it. */
export function readOptionsFile(file: string): Record<string, unknown> {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : code
    throw new DcosError('USAGE', `cannot read the options file '${file}': ${why}.`, {hint: 'Pass --options a JSON file of package options.'})
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    throw new DcosError('USAGE', `the options file '${file}' is not valid JSON: ${(e as Error).message}.`)
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new DcosError('USAGE', `the options file '${file}' must hold a JSON object (e.g. {"${'<package>'}": {...}}).`)
  }
  return value as Record<string, unknown>
}

/** The CLI artifact a package names for this platform, or a clear error. */
export function requireCliBinary(pkg: PackageDefinition, cli: CliResource | undefined = pkg.resource?.cli) {
  const binary = selectBinary(cli)
  if (!binary) {
    throw new DcosError('NOT_FOUND', `Package [${pkg.name}] version [${pkg.version}] has no CLI for ${process.platform} x86-64.`)
  }
  return binary
}

/** Downloads the package's CLI from the cluster, checks its sha256 and installs it. */
export async function installPackageCli(
  packages: PackagesClient,
  clusterDir: string,
  pkg: PackageDefinition,
  cli: CliResource | undefined = pkg.resource?.cli,
): Promise<InstalledPlugin> {
  const binary = requireCliBinary(pkg, cli)
  const bytes = await packages.downloadArtifact(binary.url)
  return installPlugin(clusterDir, pkg, binary, bytes)
}

/** `New command available: dcos x` / `New commands available: dcos x, dcos y`. */
export function newCommandsLine(plugin: InstalledPlugin): string {
  const names = plugin.commands.map((c) => `dcos ${c.name}`)
  return names.length === 1 ? `New command available: ${names[0]}` : `New commands available: ${names.join(', ')}`
}

const ATTEMPTS = 3

/**
 * Uninstall's confirmation (CORE package_uninstall.go): the user types the service's name (or
 * the app id, or `uninstall all <pkg>`), three tries. Without a terminal it fails naming --yes.
 */
export async function confirmByTyping(io: IO, prompt: string, expected: string): Promise<void> {
  if (!io.stdinIsTTY) {
    throw new DcosError('CONFIRMATION_REQUIRED', 'cannot ask for confirmation: standard input is not a terminal.', {
      hint: 'Pass --yes to confirm.',
    })
  }
  const {createInterface} = await import('node:readline')
  const rl = createInterface({input: io.input, terminal: false})
  const lines = rl[Symbol.asyncIterator]()
  try {
    for (let i = 0; i < ATTEMPTS; i++) {
      io.err.write(prompt)
      const next = await lines.next()
      if (next.done) break
      const answer = String(next.value).trim()
      if (answer === expected) return
      io.err.write(`Expected '${expected}'. You supplied '${answer}'.\n`)
    }
  } finally {
    rl.close()
  }
  throw new DcosError('CANCELLED', 'cancelling uninstall')
}
