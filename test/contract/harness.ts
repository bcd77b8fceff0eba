/**
 * Runs a command class in-process with an in-memory IO (gh's IOStreams.Test()), so tests never
 * stub process.stdout (which node:test uses to report; see aesthetics-ecosystem.md B.6). The
 * oclif config comes from a package.json without commands: the command under test is the only
 * one involved.
 */
import fs from 'node:fs'
import path from 'node:path'
import {Config} from '@oclif/core'
import type {DcosCommand} from '../../src/cli/base'
import {type KeychainLoader, noKeychain} from '../../src/cli/credentials'
import {bufferIO} from '../../src/cli/io-buffer'

let config: Promise<Config> | undefined

function oclifConfig(): Promise<Config> {
  config ??= Config.load({root: path.join(__dirname, 'fixtures', 'oclif-root')})
  return config
}

export interface CommandRun<T> {
  stdout: string
  stderr: string
  /** The exit status the process would have (0 when run() returned). */
  exit: number
  result?: T
}

type CommandClass<T> = new (argv: string[], config: Config) => DcosCommand<T>

export async function runCommand<T>(
  Cmd: CommandClass<T>,
  argv: string[],
  options: {env: NodeJS.ProcessEnv; input?: string; isTTY?: boolean; interrupt?: AbortSignal; id?: string; keychain?: KeychainLoader},
): Promise<CommandRun<T>> {
  const cmd = new Cmd(argv, await oclifConfig())
  // oclif sets the id when it loads commands by id; here the class is run directly.
  if (options.id) cmd.id = options.id
  const io = bufferIO({input: options.input, isTTY: options.isTTY})
  cmd.io = io
  cmd.env = options.env
  cmd.interrupt = options.interrupt
  // Never the machine's real keychain: a fake one, or none.
  cmd.keychain = options.keychain ?? noKeychain
  try {
    // _run is what oclif calls: parse, run, --json printing, catch.
    const result = (await (cmd as unknown as {_run(): Promise<T>})._run()) as T
    return {stdout: io.stdout(), stderr: io.stderr(), exit: 0, result}
  } catch (e) {
    const exit = (e as {oclif?: {exit?: number}}).oclif?.exit
    if (typeof exit !== 'number') throw e
    return {stdout: io.stdout(), stderr: io.stderr(), exit}
  }
}

/** A JSON fixture from ./fixtures. */
export function fixture<T = unknown>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8')) as T
}
