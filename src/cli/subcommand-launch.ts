/**
 * `dcos <name> ...` for a name no built-in command or topic knows: the attached cluster's
 * installed package CLI of that name (./subcommands), run as a child process with the cluster in
 * its environment, as the real CLI passes it to plugins (GO pkg/cmd/dcos.go pluginEnv):
 * DCOS_URL, DCOS_ACS_TOKEN, DCOS_TLS_INSECURE or DCOS_TLS_CA_PATH, DCOS_CLI_EXECUTABLE_PATH,
 * DCOS_CLI_VERSION, plus DCOS_CLUSTER (the cluster's id) so the plugin reads the same config.
 *
 * Loaded only when the first argument is unknown: built-in commands never pay for it.
 */
import type {ClusterConfig} from './config'
import {ConfigManager} from './config'
import {CredentialStore, osKeychain} from './credentials'
import {findPluginCommand, listPlugins, runPluginCommand} from './subcommands'

/** Runs the installed subcommand named by argv[0]; undefined when there is none. */
export async function runInstalledSubcommand(argv: string[], env: NodeJS.ProcessEnv, version: string): Promise<number | undefined> {
  const cluster = ConfigManager.fromEnv(env).tryCurrent()
  if (!cluster) return undefined
  const command = findPluginCommand(cluster.dir, argv[0])
  if (!command) return undefined
  return runPluginCommand(command, argv, await pluginEnv(cluster, env, version))
}

/**
 * The root help's section of the attached cluster's package commands, but those a built-in
 * command shadows (empty when none is installed, no cluster is attached or its config cannot be read: help never fails on them).
 */
export function installedCommandsHelp(env: NodeJS.ProcessEnv, isBuiltIn: (name: string) => boolean): string {
  let commands: {name: string; description?: string}[]
  try {
    const cluster = ConfigManager.fromEnv(env).tryCurrent()
    commands = cluster ? listPlugins(cluster.dir).flatMap((p) => p.commands.filter((c) => !isBuiltIn(c.name))) : []
  } catch {
    return ''
  }
  if (commands.length === 0) return ''
  const width = Math.max(...commands.map((c) => c.name.length))
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.description ?? ''}`.trimEnd())
  return `PACKAGE COMMANDS (installed for the attached cluster)\n${lines.join('\n')}\n`
}

async function pluginEnv(cluster: ClusterConfig, env: NodeJS.ProcessEnv, version: string): Promise<NodeJS.ProcessEnv> {
  const endpoints = cluster.endpoints()
  const token = endpoints.token ?? (await new CredentialStore(osKeychain).readStored(cluster))?.token
  const out: NodeJS.ProcessEnv = {...env, DCOS_CLUSTER: cluster.id, DCOS_CLI_VERSION: version}
  if (process.argv[1]) out.DCOS_CLI_EXECUTABLE_PATH = process.argv[1]
  if (endpoints.dcosUrl) out.DCOS_URL = endpoints.dcosUrl
  if (token) out.DCOS_ACS_TOKEN = token
  if (endpoints.sslVerify === false) out.DCOS_TLS_INSECURE = '1'
  else if (typeof endpoints.sslVerify === 'string') out.DCOS_TLS_CA_PATH = endpoints.sslVerify
  return out
}
