/**
 * Entry of the bundled CLI (dist/cli.js, loaded by bin/dcos). Runs oclif with the package root as
 * its dir, and turns the errors oclif raises outside any command (unknown command, bad config)
 * into the same one-line `Error: ...` form commands use.
 *
 * `dcos --version` is answered here before oclif loads its config: it must stay as fast as
 * bare node and never touch the network.
 */
import path from 'node:path'
import {Errors, flush, run as oclifRun} from '@oclif/core'
import pkg from '../../package.json'
import {DcosError, ExitCode, isExitError, toDcosError} from './errors'

/** `dcoscli.version=<version>`, the first line of the real `dcos --version`. */
export function versionText(): string {
  return `dcoscli.version=${pkg.version}\n`
}

export async function run(argv: string[] = process.argv.slice(2)): Promise<void> {
  if (argv.length === 1 && argv[0] === '--version') {
    process.stdout.write(versionText())
    return
  }
  // dist/cli.js lives in <root>/dist.
  const root = path.join(__dirname, '..')
  try {
    await oclifRun(argv, root)
    await flush()
  } catch (err) {
    exitWith(err)
  }
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
