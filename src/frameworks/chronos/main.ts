/**
 * `node chronos.js [flags]`: the Chronos process, as Marathon runs it from the package. The
 * master is `--master`, else the one the agent we run on reports (MESOS_AGENT_ENDPOINT → the
 * agent's /state `flags.master`, as real Mesos agents report it). SIGTERM/SIGINT close the
 * subscription without tearing the framework down, so the relaunched task fails over to it.
 * With DCOS_SERVICE_ACCOUNT_CREDENTIAL in the environment (the package's secret) Chronos logs in
 * as that service account for its calls (../service-auth) and requires a valid cluster token on
 * its API (but /ping and /); without it there is no auth (clusters started with --no-auth).
 * Exit status: 2 for a bad command line, 1 when start-up fails; errors are one line each.
 */
import {HttpError, type Request} from '../../runtime/http'
import {createLogger} from '../../runtime/log'
import {frameworkAuth, type FrameworkAuth} from '../service-auth'
import {agentMaster} from './agent-master'
import {UsageError, masterUrl, parseFlags, usage, type ParsedFlags} from './flags'
import {startChronos} from './index'

const err = (line: string) => process.stderr.write(`${line}\n`)

async function main(argv: string[]): Promise<number> {
  let parsed: ParsedFlags
  try {
    parsed = parseFlags(argv, process.env)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    err(`chronos: ${error.message}\n\n${usage()}`)
    return 2
  }
  if (parsed.help) {
    process.stdout.write(`${usage()}\n`)
    return 0
  }
  const {flags} = parsed
  const log = createLogger('chronos')
  if (parsed.ignored.length > 0) log.info(`ignoring flags that configure what this Chronos does not have: ${parsed.ignored.map((f) => `--${f}`).join(' ')}`)
  let auth: FrameworkAuth
  try {
    auth = await frameworkAuth({log})
  } catch (error) {
    err(`chronos: ${(error as Error).message}`)
    return 1
  }
  let master: string
  if (flags.master) master = masterUrl(flags.master)
  else if (process.env.MESOS_AGENT_ENDPOINT) {
    try {
      master = await agentMaster(process.env.MESOS_AGENT_ENDPOINT, auth.headers())
    } catch (error) {
      err(`chronos: could not learn the master from the agent at ${process.env.MESOS_AGENT_ENDPOINT}: ${(error as Error).message}; pass --master`)
      return 1
    }
  } else {
    err('chronos: no --master given and not running on a Mesos agent (no MESOS_AGENT_ENDPOINT)')
    return 2
  }
  const service = await startChronos({
    masterUrl: master,
    frameworkName: flags.frameworkName,
    hostname: flags.hostname,
    user: flags.user,
    role: flags.role,
    ...((flags.principal ?? auth.uid) && {principal: flags.principal ?? auth.uid}),
    failoverTimeoutSeconds: flags.failoverTimeoutSeconds,
    failureRetryMs: flags.failureRetryMs,
    disableAfterFailures: flags.disableAfterFailures,
    declineOfferMs: flags.declineOfferMs,
    headers: auth.headers,
    ...(auth.uid && {authorize: requireToken(auth)}),
    stateDir: flags.stateDir,
    bindHost: flags.httpAddress,
    port: flags.httpPort,
    ...(flags.webuiUrl && {webuiUrl: flags.webuiUrl}),
    jobDefaults: {taskEpsilonSeconds: flags.taskEpsilonSeconds, cpus: flags.taskCpus, mem: flags.taskMem, disk: flags.taskDisk},
    log,
  })
  log.info(`framework '${flags.frameworkName}' at master ${master}; state in ${flags.stateDir}`)
  await new Promise<void>((resolve) => {
    const stop = () => resolve()
    process.once('SIGTERM', stop)
    process.once('SIGINT', stop)
  })
  await service.close()
  auth.stop()
  return 0
}

/** With a service account, every API request needs a valid cluster token (the gateway forwards the caller's). */
function requireToken(auth: FrameworkAuth): (req: Request) => Promise<void> {
  return async (req) => {
    const verdict = await auth.verify(req.header('authorization'))
    if (!verdict.ok) throw new HttpError(verdict.status, verdict.body.description, verdict.body, verdict.headers)
  }
}

function fail(error: unknown): never {
  err(`chronos: ${(error as Error)?.message ?? String(error)}`)
  process.exit(1)
}

process.on('uncaughtException', fail)
main(process.argv.slice(2)).then((code) => process.exit(code), fail)
