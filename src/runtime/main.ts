/**
 * Entry of every runtime process: `node dist/runtime.js <role> <config.json>`.
 * Roles: master, agent, gateway, supervisor.
 */
import fs from 'node:fs'
import type {AgentConfig, Component, ComponentConfig, GatewayConfig, MasterConfig} from './config'
import {createLogger} from './log'

async function main() {
  const [role, file] = process.argv.slice(2)
  if (!role || !file) {
    process.stderr.write('usage: runtime <master|agent|gateway|supervisor> <config.json>\n')
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
  if (role === 'supervisor') {
    const {runSupervisor} = await import('./cluster/supervisor')
    await runSupervisor(file)
    return
  }
  const config = JSON.parse(fs.readFileSync(file, 'utf8')) as ComponentConfig
  let component: Component
  if (config.role === 'master') {
    const {startMaster} = await import('./master')
    component = await startMaster(config as MasterConfig, {log})
  } else if (config.role === 'agent') {
    const {startAgent} = await import('./agent')
    component = await startAgent(config as AgentConfig, {log})
  } else if (config.role === 'gateway') {
    const {startGateway} = await import('./gateway')
    component = await startGateway(config as GatewayConfig, {log})
  } else {
    throw new Error(`unknown role ${role}`)
  }
  log.info(`listening on ${component.url}`)
  const stop = async () => {
    await component.close()
    process.exit(0)
  }
  process.on('SIGTERM', () => void stop())
  process.on('SIGINT', () => void stop())
  // SIGUSR1 as on a Mesos agent: shut down everything started (all tasks), then exit.
  process.on('SIGUSR1', () => void (component.shutdown ?? component.close)().then(() => process.exit(0)))
}

void main()
