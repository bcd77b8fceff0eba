/**
 * `deployment watch` (PY marathon/main.py deployment_watch): every interval, the deployment as
 * JSON under `Deployment update time: <UTC>`, until it is no longer listed (exit 0, also when it
 * never was) or --max-count polls. A terminal is cleared before each print, as the real CLI does.
 */
import type {MarathonClient} from '../../clients/marathon'
import type {IO} from '../io'

export interface WatchOptions {
  maxCount?: number
  intervalMs: number
  signal?: AbortSignal
  /** The clock for the update time; tests pass a fixed one. */
  now?: () => Date
}

export async function watchDeployment(marathon: MarathonClient, io: IO, id: string, options: WatchOptions): Promise<void> {
  const now = options.now ?? (() => new Date())
  for (let count = 0; options.maxCount === undefined || count < options.maxCount; count++) {
    const deployment = (await marathon.deployments()).find((d) => d.id === id)
    if (!deployment) return
    if (io.isTTY) io.out.write('\x1b[2J\x1b[H')
    io.out.write(`Deployment update time: ${now().toISOString().replace('T', ' ').replace(/\.\d+Z$/, '')} \n\n`)
    io.out.write(JSON.stringify(deployment, null, 2) + '\n')
    if (options.maxCount !== undefined && count + 1 >= options.maxCount) return
    if (!(await sleep(options.intervalMs, options.signal))) return
  }
}

/** false when interrupted (Ctrl-C ends a watch quietly). */
function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false)
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve(true)
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      resolve(false)
    }
    signal?.addEventListener('abort', onAbort, {once: true})
  })
}
