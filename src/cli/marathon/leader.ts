/**
 * `marathon leader show`. The real CLI asks Mesos-DNS for `marathon.mesos`; clusters without
 * Mesos-DNS (ours, plain Mesos+Marathon) have none, so this asks Marathon itself (`/v2/leader`,
 * `host:port`) and resolves the host, giving the same `{"host","ip"}` plus the port.
 */
import type {MarathonClient} from '../../clients/marathon'
import {DcosError} from '../errors'

export interface MarathonLeader {
  host: string
  ip: string | null
  port: number | null
}

export async function marathonLeader(marathon: MarathonClient): Promise<MarathonLeader> {
  const leader = await marathon.leader()
  if (!leader) throw new DcosError('NOT_FOUND', 'There is no leader', {hint: 'Marathon is electing one; try again in a moment.'})
  const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(leader)
  const host = m?.[1] ?? leader
  const port = m?.[2] ? Number(m[2]) : null
  return {host, ip: await address(host), port}
}

async function address(host: string): Promise<string | null> {
  const {isIP} = await import('node:net')
  if (isIP(host)) return host
  try {
    const {lookup} = await import('node:dns/promises')
    return (await lookup(host)).address
  } catch {
    return null
  }
}
