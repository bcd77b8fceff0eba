/**
 * Finding the Mesos master from the agent a task runs on, as a framework launched by Marathon
 * does without a `--master`: MESOS_AGENT_ENDPOINT (host:port) → the agent's `/state` →
 * `flags.master`, which real Mesos agents report (`zk://...` or `host:port`).
 */
import http from 'node:http'
import {masterUrl} from './flags'

const MAX_STATE_BYTES = 32 * 1024 * 1024
const TIMEOUT_MS = 10_000

/** Asks the agent at `endpoint` (host:port) for its master (`/state` → flags.master). */
export async function agentMaster(endpoint: string, headers: Record<string, string>): Promise<string> {
  const body = await new Promise<string>((resolve, reject) => {
    const req = http.get(`http://${endpoint}/state`, {headers, timeout: TIMEOUT_MS}, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d) => {
        text += d
        if (text.length > MAX_STATE_BYTES) req.destroy(new Error('the agent state is too large'))
      })
      res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`the agent answered ${res.statusCode}`))))
    })
    req.on('timeout', () => req.destroy(new Error(`the agent did not answer within ${TIMEOUT_MS / 1000} s`)))
    req.on('error', reject)
  })
  let state: {flags?: {master?: unknown}} | undefined
  try {
    state = JSON.parse(body)
  } catch {
    throw new Error("the agent's /state is not JSON")
  }
  const master = state?.flags?.master
  if (typeof master !== 'string' || master === '') throw new Error("the agent's /state has no flags.master")
  if (master.startsWith('zk://')) throw new Error(`the agent's master is ${master}: ZooKeeper detection is not supported; pass --master`)
  return masterUrl(master)
}
