/**
 * Entry of the bundled CLI (dist/cli.js, loaded by bin/dcos). Runs oclif with the package root as
 * its dir, and turns the errors oclif raises outside any command (unknown command, bad config)
 * into the same one-line `Error: ...` form commands use.
 *
 * `dcos --version` is answered here before oclif loads its config: it must stay as fast as
 * bare node and never touch the network.
 *
 * A first argument that is no built-in command or topic may be a package CLI installed for the
 * attached cluster (./subcommand-launch): only then is the cluster's subcommands dir looked at.
 */
import path from 'node:path'
import {Config, Errors, flush, run as oclifRun} from '@oclif/core'
import pkg from '../../package.json'
import {DcosError, ExitCode, isExitError, toDcosError} from './errors'

/** `dcoscli.version=<version>`, the first line of the real `dcos --version`. */
export function versionText(): string {
  return `dcoscli.version=${pkg.version}\n`
}

export interface RunOptions {
  /** Look up unknown commands among the installed package CLIs (off inside a package CLI itself). */
  subcommands?: boolean
}

export async function run(argv: string[] = process.argv.slice(2), options: RunOptions = {}): Promise<void> {
  if (argv.length === 1 && argv[0] === '--version') {
    process.stdout.write(versionText())
    return
  }
  // dist/cli.js lives in <root>/dist.
  const root = path.join(__dirname, '..')
  try {
    const config = await Config.load(root)
    if (options.subcommands !== false && isUnknown(config, argv[0])) {
      const {runInstalledSubcommand} = await import('./subcommand-launch')
      const code = await runInstalledSubcommand(argv, process.env, pkg.version)
      if (code !== undefined) {
        process.exitCode = code
        return
      }
    }
    await oclifRun(argv, config)
    if (options.subcommands !== false && isRootHelp(argv)) {
      const {installedCommandsHelp} = await import('./subcommand-launch')
      process.stdout.write(installedCommandsHelp(process.env, (name) => !isUnknown(config, name)))
    }
    await flush()
  } catch (err) {
    exitWith(err)
  }
}

/** `dcos` or `dcos --help`: the root help, which also lists the installed package commands. */
function isRootHelp(argv: string[]): boolean {
  return argv.length === 0 || (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h'))
}

/** A first word that names no command or topic (flags and help are oclif's). */
function isUnknown(config: Config, first: string | undefined): first is string {
  if (!first || first.startsWith('-') || first.includes(':') || first === 'help') return false
  return !config.findCommand(first) && !config.findTopic(first)
}

function exitWith(err: unknown): never {
  if (isExitError(err)) process.exit((err as Errors.ExitError).oclif.exit ?? ExitCode.error)
  const e = notACommand(err) ?? toDcosError(err)
  process.stderr.write(`Error: ${e.message}\n`)
  process.exit(e.exit)
}

/** oclif's `command foo:bar not found`, said the way the real CLI says it. */
function notACommand(err: unknown): DcosError | undefined {
  const message = err instanceof Error ? err.message : ''
  const m = /^command (\S+) not found/.exec(message)
  if (!m) return undefined
  return new DcosError('USAGE', `'${m[1].replaceAll(':', ' ')}' is not a dcos command.`, {
    exit: ExitCode.usage,
    hint: "Run 'dcos --help' to see the available commands.",
  })
}
