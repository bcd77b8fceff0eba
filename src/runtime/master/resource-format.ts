/**
 * The two wire formats of reservations (Mesos `convertResourceFormat`): post-refinement
 * (`reservations` stack, what the master keeps and what RESERVATION_REFINEMENT frameworks get)
 * and pre-refinement (`role` plus a single `reservation`, what older frameworks read).
 * Also the reservation/volume conversions of RESERVE, UNRESERVE, CREATE and DESTROY, and the
 * Mesos text form of resources used in messages.
 */
import type {Reservation, Resource} from '../../mesos/types'
import {formatRanges, reservationRole} from '../../mesos/resources'

/** Post-refinement form: any `role`/`reservation` becomes a one-entry `reservations` stack. */
export function normalize(resource: Resource): Resource {
  const r = structuredClone(resource)
  if (!r.reservations?.length && r.role && r.role !== '*') {
    const reservation: Reservation = {type: r.reservation ? 'DYNAMIC' : 'STATIC', role: r.role}
    if (r.reservation?.principal) reservation.principal = r.reservation.principal
    if (r.reservation?.labels) reservation.labels = r.reservation.labels
    r.reservations = [reservation]
  }
  delete r.role
  delete r.reservation
  if (r.reservations && r.reservations.length === 0) delete r.reservations
  return r
}

/** Pre-refinement form for frameworks without RESERVATION_REFINEMENT: `role` always set. */
export function toPreRefinement(resource: Resource): Resource {
  const r = structuredClone(resource)
  const role = reservationRole(r)
  const last = r.reservations?.[r.reservations.length - 1]
  delete r.reservations
  r.role = role
  if (last && last.type !== 'STATIC') {
    const reservation: Reservation = {}
    if (last.principal) reservation.principal = last.principal
    if (last.labels) reservation.labels = last.labels
    r.reservation = reservation
  }
  return r
}

/** The resource with its most refined reservation removed (UNRESERVE). */
export function popReservation(resource: Resource): Resource {
  const r = normalize(resource)
  r.reservations?.pop()
  if (r.reservations?.length === 0) delete r.reservations
  return r
}

/** The disk a persistent volume was made from (CREATE consumes it, DESTROY gives it back). */
export function withoutVolume(resource: Resource): Resource {
  const r = structuredClone(resource)
  if (r.disk) {
    delete r.disk.persistence
    delete r.disk.volume
    if (Object.keys(r.disk).length === 0) delete r.disk
  }
  return r
}

/** Mesos text form, e.g. `cpus(allocated: *):0.1; mem(reservations: [(DYNAMIC,web)]):32`. */
export function formatResources(resources: Resource[]): string {
  if (resources.length === 0) return '{}'
  return resources
    .map((r) => {
      const tags: string[] = []
      if (r.allocation_info?.role) tags.push(`allocated: ${r.allocation_info.role}`)
      const stack = normalize(r).reservations
      if (stack?.length) tags.push(`reservations: [${stack.map((x) => `(${x.type ?? 'DYNAMIC'},${x.role ?? ''})`).join(',')}]`)
      const name = tags.length ? `${r.name}(${tags.join(')(')})` : r.name
      const volume = r.disk?.persistence?.id ? `[${r.disk.persistence.id}:${r.disk.volume?.container_path ?? ''}]` : ''
      return `${name}${volume}:${formatValue(r)}`
    })
    .join('; ')
}

function formatValue(r: Resource): string {
  if (r.type === 'SCALAR') return String(r.scalar?.value ?? 0)
  if (r.type === 'RANGES') return formatRanges(r.ranges?.range ?? [])
  if (r.type === 'SET') return `{${(r.set?.item ?? []).join(', ')}}`
  return ''
}
