/**
 * Flags of the `dcos marathon` commands that change apps and groups, spelled and described as
 * the real CLI does (`--force`), plus `--wait` on every command that starts a deployment.
 */
import {Flags} from '@oclif/core'
import {DcosError} from '../errors'

export const deploymentFlags = {
  force: Flags.boolean({description: 'Disable checks in Marathon during updates.'}),
  wait: Flags.boolean({description: 'Wait for the deployment to finish (progress on stderr); exit 1 if it fails.'}),
}

export const waitFlag = {wait: deploymentFlags.wait}

/** What `--wait` does, for the commands' descriptions. */
export const WAIT_NOTE =
  'With --wait the command returns only when the deployment is over: it polls /v2/deployments, reports progress on stderr, and exits 1 if the deployment fails (its new tasks fail, or it is rolled back or stopped).'

/** `--max-count=N`: checked before any request, with the real CLI's words. */
export function positiveCount(input: string): number {
  const n = Number(input)
  if (!/^[+-]?\d+$/.test(input.trim()) || n <= 0) throw new DcosError('INVALID_COUNT', `maximum count must be a positive number: ${input}`)
  return n
}
