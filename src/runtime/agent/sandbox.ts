/**
 * The agent's work dir, laid out as a Mesos agent lays it out (docs/sandbox.md):
 *
 *   <workDir>/slaves/<agentId>/frameworks/<fid>/executors/<eid>/runs/<containerId>   a sandbox
 *   <workDir>/slaves/<agentId>/frameworks/<fid>/executors/<eid>/runs/latest          -> newest run
 *   <workDir>/volumes/roles/<role>/<persistenceId>                                   a persistent volume
 *   <workDir>/meta/                                                                  checkpoints
 *   <workDir>/fetch-cache/                                                           the fetcher's cache
 *
 * For command tasks the executor id is the task id.
 */
import fs from 'node:fs'
import path from 'node:path'
import type {Resource} from '../../mesos/types'
import {volumeRef, type VolumeRef} from './operations'

/** The one file of a container's checkpoint directory: where its wrapper writes the command's exit status. */
export const EXIT_STATUS_FILE = 'exit_status'

export class Layout {
  constructor(readonly workDir: string) {}

  get slavesDir(): string {
    return path.join(this.workDir, 'slaves')
  }

  get volumesDir(): string {
    return path.join(this.workDir, 'volumes')
  }

  get metaDir(): string {
    return path.join(this.workDir, 'meta')
  }

  get fetchCacheDir(): string {
    return path.join(this.workDir, 'fetch-cache')
  }

  /** Where a task's wrapper writes the exit status of its command (not user-visible). */
  exitStatusFile(containerId: string): string {
    return path.join(this.metaDir, 'containers', containerId, EXIT_STATUS_FILE)
  }

  containerMetaDir(containerId: string): string {
    return path.join(this.metaDir, 'containers', containerId)
  }

  runsDir(agentId: string, frameworkId: string, executorId: string): string {
    return path.join(this.slavesDir, agentId, 'frameworks', frameworkId, 'executors', executorId, 'runs')
  }

  sandbox(agentId: string, frameworkId: string, executorId: string, containerId: string): string {
    return path.join(this.runsDir(agentId, frameworkId, executorId), containerId)
  }

  /** Hierarchical roles (`a/b`) name one directory, as in Mesos. */
  volumeDir(ref: VolumeRef): string {
    return path.join(this.volumesDir, 'roles', ref.role.replaceAll('/', ' '), ref.persistenceId)
  }
}

/**
 * Makes the sandbox (empty stdout and stderr in it) and points `runs/latest` at it. On a task's
 * launch path: the steps after the directory run side by side, and the first run of an executor
 * links `latest` in one step (a later run replaces the link atomically).
 */
/**
 * Removes a directory the agent made whose usual contents it knows (`files`): they are unlinked
 * and the directory removed, a syscall each, where a recursive rm lstat()s and reads everything
 * first (a thousand tasks ending made that a tenth of the agent's time). A directory holding
 * anything else is then removed recursively; one already gone is fine.
 */
export async function removeDir(dir: string, files: string[]): Promise<void> {
  await Promise.all(files.map((f) => fs.promises.unlink(path.join(dir, f)).catch(ignoreMissing)))
  try {
    await fs.promises.rmdir(dir)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error
    await fs.promises.rm(dir, {recursive: true, force: true})
  }
}

/** For removals: a file that is not there is as good as removed. */
export function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error
}

export async function createSandbox(dir: string): Promise<void> {
  await fs.promises.mkdir(dir, {recursive: true})
  await Promise.all([...['stdout', 'stderr'].map((f) => fs.promises.writeFile(path.join(dir, f), '', {flag: 'a'})), linkLatest(dir)])
}

async function linkLatest(dir: string): Promise<void> {
  const latest = path.join(path.dirname(dir), 'latest')
  try {
    await fs.promises.symlink(path.basename(dir), latest)
    return
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
  const tmp = `${latest}.${path.basename(dir)}`
  await fs.promises.rm(tmp, {force: true})
  await fs.promises.symlink(path.basename(dir), tmp)
  await fs.promises.rename(tmp, latest)
}

/** A task's persistent volumes: disk resources carrying a persistence id and a container path. */
export function taskVolumes(resources: Resource[]): {ref: VolumeRef; containerPath: string}[] {
  return resources
    .filter((r) => r.name === 'disk' && r.disk?.persistence?.id && r.disk.volume?.container_path)
    .map((r) => ({ref: volumeRef(r), containerPath: r.disk!.volume!.container_path}))
}

/**
 * Links each persistent volume into the sandbox at its container path. Throws an Error whose
 * message explains a volume that does not exist or a path that would leave the sandbox.
 */
export async function linkVolumes(layout: Layout, sandbox: string, resources: Resource[]): Promise<void> {
  for (const {ref, containerPath} of taskVolumes(resources)) {
    if (path.isAbsolute(containerPath))
      throw new Error(`Absolute container path '${containerPath}' of volume '${ref.persistenceId}' needs a container image; use a relative path`)
    const target = path.resolve(sandbox, containerPath)
    if (!target.startsWith(sandbox + path.sep)) throw new Error(`Container path '${containerPath}' leaves the sandbox`)
    const source = layout.volumeDir(ref)
    if (!fs.existsSync(source)) throw new Error(`Persistent volume '${ref.persistenceId}' of role '${ref.role}' does not exist on this agent`)
    await fs.promises.mkdir(path.dirname(target), {recursive: true})
    await fs.promises.symlink(source, target)
  }
}
