import {marathonId} from '../../clients/marathon'
import type {QueueItem} from '../../clients/marathon-types'
import {DcosError} from '../errors'
import {queuedId} from '../views/marathon'

/** The launch queue's item of an app or pod, or a clear error when nothing of it waits. */
export function queuedItem(queue: readonly QueueItem[], id: string): QueueItem {
  const wanted = marathonId(id)
  const item = queue.find((i) => queuedId(i) === wanted)
  if (!item)
    throw new DcosError('NOT_FOUND', `app or pod '${wanted}' is not in Marathon's launch queue: nothing of it waits to launch`, {
      hint: "Run 'dcos marathon debug list' to see what waits.",
    })
  return item
}
