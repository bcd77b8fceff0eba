/**
 * Entry of every runtime process: `node dist/runtime.js <role> <config.json>`.
 * Roles: master, agent, gateway, marathon, supervisor.
 *
 * Signals: SIGTERM/SIGINT stop the component (an agent leaves its tasks running, to re-adopt
 * them on restart); SIGUSR1, as on a Mesos agent, shuts down everything it started (all tasks)
 * first. The handlers are installed before the component starts, so a signal during start-up
 * is not lost (and SIGUSR1 never reaches Node's default: starting the inspector).
 *
 * Built, each role has a bundle of its own (dist/runtime-<role>.js, chosen by dist/runtime.js):
 * the build defines `process.env.DCOS_RUNTIME_BUNDLE` as the role, and the other roles' branches
 * below, with everything only they import, drop out. A process then holds only its role's code
 * (~2 MB less resident memory each). Run from source, it is undefined and every role is here.
 */
import fs from 'node:fs'
import type {AgentConfig, Component, ComponentConfig, GatewayConfig, MarathonConfig, MasterConfig} from './config'
import {createLogger} from './log'

async function main() {
  const [role, file] = process.argv.slice(2)
  if (!role || !file) {
    process.stderr.write('usage: runtime <master|agent|gateway|marathon|supervisor> <config.json>\n')
    process.exit(2)
  }
  const log = createLogger(role)
  process.on('uncaughtException', (e) => {
    log.error(`uncaught: ${(e as Error).stack ?? e}`)
    process.exit(1)
  })
  process.on('unhandledRejection', (e) => {
    log.error(`unhandled rejection: ${(e as Error)?.stack ?? e}`)
    process.exit(1)
  })
  if ((process.env.DCOS_RUNTIME_BUNDLE === undefined || process.env.DCOS_RUNTIME_BUNDLE === 'supervisor') && role === 'supervisor') {
    const {runSupervisor} = await import('./cluster/supervisor')
    await runSupervisor(file)
    return
  }

  let component: Component | undefined
  let stopping: 'close' | 'shutdown' | undefined
  const stop = async (how: 'close' | 'shutdown') => {
    stopping ??= how
    if (!component) return // acted on once the component exists
    await (how === 'shutdown' && component.shutdown ? component.shutdown() : component.close())
    process.exit(0)
  }
  process.on('SIGTERM', () => void stop('close'))
  process.on('SIGINT', () => void stop('close'))
  process.on('SIGUSR1', () => void stop('shutdown'))

  const config = JSON.parse(fs.readFileSync(file, 'utf8')) as ComponentConfig
  if ((process.env.DCOS_RUNTIME_BUNDLE === undefined || process.env.DCOS_RUNTIME_BUNDLE === 'master') && config.role === 'master') {
    const {startMaster} = await import('./master')
    component = await startMaster(config as MasterConfig, {log})
  } else if ((process.env.DCOS_RUNTIME_BUNDLE === undefined || process.env.DCOS_RUNTIME_BUNDLE === 'agent') && config.role === 'agent') {
    const {startAgent} = await import('./agent')
    component = await startAgent(config as AgentConfig, {log})
  } else if ((process.env.DCOS_RUNTIME_BUNDLE === undefined || process.env.DCOS_RUNTIME_BUNDLE === 'gateway') && config.role === 'gateway') {
    const {startGateway} = await import('./gateway')
    component = await startGateway(config as GatewayConfig, {log})
  } else if ((process.env.DCOS_RUNTIME_BUNDLE === undefined || process.env.DCOS_RUNTIME_BUNDLE === 'marathon') && config.role === 'marathon') {
    const {startMarathon} = await import('./marathon')
    component = await startMarathon(config as MarathonConfig, {log})
  } else {
    throw new Error(`unknown role ${role}`)
  }
  log.info(`listening on ${component.url}`)
  if (stopping) await stop(stopping)
}

void main()
