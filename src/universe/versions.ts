/**
 * Version order of package revisions: by `version` as semver where both are semver (loose:
 * `v1.2.3` and `1.2.3` alike), otherwise by a natural order of their dot/dash parts (real
 * versions such as `0.9.2.0` or `2.0.0-0.11.0.0` are not semver), then by `releaseVersion`
 * (a number) when the versions are equal. The newest is the default pick.
 */
import semver from 'semver'
import {versionNotFound} from './errors'
import type {PackageDefinition} from './model'

/** Natural order of dotted versions: numeric parts as numbers, then text parts as text. */
function naturalCompare(a: string, b: string): number {
  const pa = a.split(/[.\-+]/)
  const pb = b.split(/[.\-+]/)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i]
    const y = pb[i]
    if (x === undefined) return -1
    if (y === undefined) return 1
    const nx = /^\d+$/.test(x) ? Number(x) : NaN
    const ny = /^\d+$/.test(y) ? Number(y) : NaN
    if (!Number.isNaN(nx) && !Number.isNaN(ny)) {
      if (nx !== ny) return nx < ny ? -1 : 1
    } else if (x !== y) return x < y ? -1 : 1
  }
  return 0
}

/** < 0 when `a` is older than `b`. */
export function compareVersions(a: string, b: string): number {
  const sa = semver.valid(a, {loose: true})
  const sb = semver.valid(b, {loose: true})
  if (sa && sb) return semver.compare(sa, sb, {loose: true})
  return naturalCompare(a, b)
}

/** < 0 when revision `a` is older than `b`: version first, releaseVersion breaks ties. */
export function comparePackages(a: PackageDefinition, b: PackageDefinition): number {
  return compareVersions(a.version, b.version) || a.releaseVersion - b.releaseVersion
}

/** Revisions newest first. */
export function newestFirst(packages: readonly PackageDefinition[]): PackageDefinition[] {
  return [...packages].sort((a, b) => comparePackages(b, a))
}

/**
 * The revision to use: the newest with exactly `version` when one is asked for
 * (`VersionNotFound` otherwise), else the newest of all. `revisions` are of one package.
 */
export function selectVersion(name: string, revisions: readonly PackageDefinition[], version?: string): PackageDefinition | undefined {
  const sorted = newestFirst(revisions)
  if (version === undefined) return sorted[0]
  const hit = sorted.find((p) => p.version === version)
  if (!hit) throw versionNotFound(name, version)
  return hit
}
