/**
 * `mesos-execute`: launches one command as a task through the v1 scheduler API and follows it to
 * its end. Exit status: 0 when the task finished, 1 when it did not (or the master could not be
 * reached), 2 for a bad command line. Errors are one line each; never a stack trace.
 */
import os from 'node:os'
import {CommandScheduler} from './command-scheduler'
import {UsageError, parseFlags, usage, type ParsedCommandLine} from './flags'
import {acsToken} from './token'

const out = (line: string) => process.stdout.write(`${line}\n`)
const err = (line: string) => process.stderr.write(`${line}\n`)

async function main(argv: string[]): Promise<number> {
  let parsed: ParsedCommandLine
  try {
    parsed = parseFlags(argv, process.env)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    err(`${error.message}\n\n${usage()}`)
    return 2
  }
  if (parsed.help) {
    out(usage())
    return 0
  }
  let user: string
  try {
    user = os.userInfo().username
  } catch (error) {
    err(`Failed to get username: ${(error as Error).message}`)
    return 1
  }
  const token = await acsToken(parsed.flags.masterUrl, process.env)
  const headers = token ? () => ({Authorization: `token=${token}`}) : undefined
  const scheduler = new CommandScheduler(parsed.flags, user, {out, err}, {headers})
  process.on('SIGINT', () => scheduler.interrupt())
  process.on('SIGTERM', () => scheduler.interrupt())
  return scheduler.run()
}

function fail(error: unknown): never {
  err(`mesos-execute: ${(error as Error)?.message ?? String(error)}`)
  process.exit(1)
}

process.on('uncaughtException', fail)
main(process.argv.slice(2)).then((code) => process.exit(code), fail)
