/**
 * Offer operations the master applies on an agent: RESERVE, UNRESERVE, CREATE and DESTROY turn
 * the agent's total resources into new ones. Pure: the caller makes the volume directories and
 * checkpoints the result. All operations of one request apply, or none (a thrown HttpError).
 */
import {add, contains, isPersistentVolume, reservationRole, subtract, summary, unallocate} from '../../mesos/resources'
import type {Operation, Resource} from '../../mesos/types'
import {HttpError, badRequest, checkId, conflict} from '../http'

export interface VolumeRef {
  role: string
  persistenceId: string
}

export interface OperationsResult {
  total: Resource[]
  created: VolumeRef[]
  destroyed: VolumeRef[]
}

/** The resource with its innermost reservation removed (what a RESERVE consumed). */
function popReservation(r: Resource): Resource {
  const c = structuredClone(r)
  if (c.reservations && c.reservations.length > 0) {
    c.reservations = c.reservations.slice(0, -1)
    if (c.reservations.length === 0) delete c.reservations
  } else {
    delete c.reservation
    delete c.role
  }
  return c
}

/** The innermost reservation is dynamic (a refined reservation without a type counts as one). */
function isDynamicallyReserved(r: Resource): boolean {
  const last = r.reservations?.[r.reservations.length - 1]
  return last ? last.type !== 'STATIC' : r.reservation !== undefined && reservationRole(r) !== '*'
}

/** A volume back to the reserved disk it was created from. */
function stripVolume(r: Resource): Resource {
  const c = structuredClone(r)
  if (c.disk) {
    delete c.disk.persistence
    delete c.disk.volume
    if (Object.keys(c.disk).length === 0) delete c.disk
  }
  return c
}

export function volumeRef(r: Resource): VolumeRef {
  return {role: reservationRole(r), persistenceId: r.disk!.persistence!.id}
}

function describe(rs: Resource[]): string {
  return JSON.stringify(summary(rs))
}

function requireContained(total: Resource[], wanted: Resource[], op: string): void {
  if (!contains(total, wanted)) throw conflict(`Invalid ${op} operation: ${describe(wanted)} is not available in ${describe(total)}`)
}

/**
 * Applies `ops` in order to `total`. `volumeUser` names the task using a persistent volume, if
 * any: such a volume cannot be destroyed.
 */
export function applyOperations(
  total: Resource[],
  ops: Operation[],
  volumeUser: (persistenceId: string) => string | undefined,
): OperationsResult {
  let current = total
  const created: VolumeRef[] = []
  const destroyed: VolumeRef[] = []
  for (const op of ops) {
    switch (op.type) {
      case 'RESERVE': {
        const resources = unallocate(op.reserve?.resources ?? [])
        if (resources.length === 0) throw badRequest('RESERVE operation has no resources')
        for (const r of resources)
          if (!isDynamicallyReserved(r)) throw badRequest(`RESERVE of '${r.name}' needs a dynamic reservation for a role`)
        const sources = op.reserve?.source ? unallocate(op.reserve.source) : resources.map(popReservation)
        requireContained(current, sources, 'RESERVE')
        current = add(subtract(current, sources), resources)
        break
      }
      case 'UNRESERVE': {
        const resources = unallocate(op.unreserve?.resources ?? [])
        if (resources.length === 0) throw badRequest('UNRESERVE operation has no resources')
        for (const r of resources) {
          if (!isDynamicallyReserved(r)) throw badRequest(`UNRESERVE of '${r.name}' needs a dynamically reserved resource`)
          if (isPersistentVolume(r)) throw conflict(`UNRESERVE of persistent volume '${r.disk!.persistence!.id}': DESTROY it first`)
        }
        requireContained(current, resources, 'UNRESERVE')
        current = add(subtract(current, resources), resources.map(popReservation))
        break
      }
      case 'CREATE': {
        const volumes = unallocate(op.create?.volumes ?? [])
        if (volumes.length === 0) throw badRequest('CREATE operation has no volumes')
        for (const v of volumes) {
          if (!isPersistentVolume(v)) throw badRequest("CREATE needs disk resources with 'disk.persistence.id'")
          const id = checkId('disk.persistence.id', v.disk!.persistence!.id)
          if (reservationRole(v) === '*') throw badRequest(`Persistent volume '${id}' must be reserved for a role`)
          checkId('role', reservationRole(v).replaceAll('/', ' '))
          if (current.some((r) => r.disk?.persistence?.id === id)) throw conflict(`Persistent volume '${id}' already exists`)
          const source = stripVolume(v)
          requireContained(current, [source], 'CREATE')
          current = add(subtract(current, [source]), [v])
          created.push(volumeRef(v))
        }
        break
      }
      case 'DESTROY': {
        const volumes = unallocate(op.destroy?.volumes ?? [])
        if (volumes.length === 0) throw badRequest('DESTROY operation has no volumes')
        for (const v of volumes) {
          const id = v.disk?.persistence?.id
          if (!id) throw badRequest("DESTROY needs disk resources with 'disk.persistence.id'")
          const existing = current.find((r) => r.disk?.persistence?.id === id)
          if (!existing) throw new HttpError(404, `Persistent volume '${id}' does not exist`)
          const user = volumeUser(id)
          if (user) throw conflict(`Persistent volume '${id}' is in use by task '${user}'`)
          current = add(subtract(current, [existing]), [stripVolume(existing)])
          destroyed.push(volumeRef(existing))
        }
        break
      }
      default:
        throw badRequest(`Operation type '${String(op.type)}' cannot be applied on an agent (RESERVE, UNRESERVE, CREATE, DESTROY)`)
    }
  }
  return {total: current, created, destroyed}
}
