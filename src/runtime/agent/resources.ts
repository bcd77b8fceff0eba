/**
 * What the agent advertises: its total resources (declared in Mesos flag form, the rest detected
 * the way a Mesos agent does) and its attributes.
 */
import fs from 'node:fs'
import os from 'node:os'
import {parseResources, scalarResource, subtract, add, contains, isPersistentVolume} from '../../mesos/resources'
import type {Attribute, Resource} from '../../mesos/types'

const MiB = 1024 * 1024
const GiB = 1024 * MiB

/** Mesos' default `ports` resource (src/slave/constants.hpp). */
const DEFAULT_PORTS = {begin: 31000, end: 32000}

export interface HostFacts {
  cpus: number
  memBytes: number
  /** Free bytes on the work dir's filesystem. */
  diskFreeBytes: number
}

export function hostFacts(workDir: string): HostFacts {
  const fsStat = fs.statfsSync(workDir)
  return {cpus: os.cpus().length, memBytes: os.totalmem(), diskFreeBytes: fsStat.bavail * fsStat.bsize}
}

/**
 * The agent's base resources: the declared ones, plus detected cpus, mem, disk and the default
 * ports for any not declared. Like Mesos, memory leaves 1 GiB to the host (half when the host has
 * under 2 GiB) and disk leaves 5 GiB headroom (half when under 10 GiB). Throws on a bad spec.
 */
export function baseResources(spec: string | undefined, host: HostFacts): Resource[] {
  const declared = spec ? parseResources(spec) : []
  const has = (name: string) => declared.some((r) => r.name === name)
  const detected: Resource[] = []
  if (!has('cpus')) detected.push(scalarResource('cpus', host.cpus))
  if (!has('mem')) {
    const mem = host.memBytes >= 2 * GiB ? host.memBytes - GiB : host.memBytes / 2
    detected.push(scalarResource('mem', Math.floor(mem / MiB)))
  }
  if (!has('disk')) {
    const disk = host.diskFreeBytes >= 10 * GiB ? host.diskFreeBytes - 5 * GiB : host.diskFreeBytes / 2
    detected.push(scalarResource('disk', Math.floor(disk / MiB)))
  }
  if (!has('ports')) detected.push({name: 'ports', type: 'RANGES', ranges: {range: [DEFAULT_PORTS]}})
  return add(declared, detected)
}

/**
 * Resources that operations created: dynamic reservations and persistent volumes. These are what
 * the agent checkpoints, so they survive restarts on top of whatever the base resources are then.
 */
export function isCheckpointed(r: Resource): boolean {
  return isPersistentVolume(r) || (r.reservations ?? []).some((x) => x.type !== 'STATIC') || r.reservation !== undefined
}

/** The unreserved, plain form a checkpointed resource was made from. */
function unreservedSource(r: Resource): Resource {
  const c = structuredClone(r)
  delete c.disk
  delete c.reservation
  delete c.allocation_info
  delete c.role
  c.reservations = (c.reservations ?? []).filter((x) => x.type === 'STATIC')
  if (c.reservations.length === 0) delete c.reservations
  return c
}

/**
 * Base resources with the checkpointed reservations and volumes carved out of them. `fits` is
 * false when the base no longer holds them (the host shrank); they are reported all the same,
 * since tasks and volumes depend on them.
 */
export function totalResources(base: Resource[], checkpointed: Resource[]): {total: Resource[]; fits: boolean} {
  const sources = checkpointed.map(unreservedSource)
  return {total: add(subtract(base, sources), checkpointed), fits: contains(base, sources)}
}

/**
 * Parses Mesos' `--attributes` form: `rack:r1;zone:a;level:3;ids:[1-5];tags:{a,b}`. Numbers become
 * SCALAR, `[...]` RANGES, `{...}` SET, anything else TEXT. Throws on a part without a value.
 */
export function parseAttributes(spec: string | undefined): Attribute[] {
  if (!spec) return []
  const out: Attribute[] = []
  for (const raw of spec.split(';')) {
    const part = raw.trim()
    if (!part) continue
    const colon = part.indexOf(':')
    if (colon <= 0 || colon === part.length - 1) throw new Error(`invalid attribute '${part}' (expected NAME:VALUE, e.g. rack:r1)`)
    const name = part.slice(0, colon).trim()
    const value = part.slice(colon + 1).trim()
    if (/^-?\d+(\.\d+)?$/.test(value)) out.push({name, type: 'SCALAR', scalar: {value: Number(value)}})
    else if (value.startsWith('[') || value.startsWith('{')) {
      const [r] = parseResources(`${name}:${value}`)
      out.push(r.type === 'RANGES' ? {name, type: 'RANGES', ranges: r.ranges} : {name, type: 'SET', set: r.set})
    } else out.push({name, type: 'TEXT', text: {value}})
  }
  return out
}
