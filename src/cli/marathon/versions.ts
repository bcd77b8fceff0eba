/**
 * `--app-version` (CORE app_show.go calculateVersion): an integer is relative and must be
 * negative (`-1` is the version before the current one, counted in /v2/apps/{id}/versions,
 * newest first); anything else is an absolute ISO8601 version passed to Marathon as is.
 */
import {marathonId, type MarathonClient} from '../../clients/marathon'
import {DcosError} from '../errors'

export async function resolveAppVersion(marathon: MarathonClient, appId: string, version: string): Promise<string> {
  if (!/^[+-]?\d+$/.test(version.trim())) return version
  const behind = Number(version)
  if (behind >= 0) throw new DcosError('INVALID_VERSION', `relative versions must be negative: ${behind}`)
  const versions = await marathon.appVersions(appId)
  if (versions.length <= -behind) {
    throw new DcosError('NOT_FOUND', `application '${marathonId(appId)}' only has ${versions.length} version(s)`)
  }
  return versions[-behind]
}
