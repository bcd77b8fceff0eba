/**
 * Marathon's error bodies (`MarathonExceptionMapper.scala`), as HttpErrors the server sends as
 * they are. Validation problems are collected with their JSON path (`/field`, `/list(0)/field`)
 * and answered together: 422 `{"message","details":[{"path","errors"}]}`, with the message
 * "Invalid JSON" when a value has the wrong JSON type and "Object is not valid" otherwise.
 */
import {HttpError} from '../http'

export interface Violation {
  path: string
  errors: string[]
}

export class Violations {
  readonly #byPath = new Map<string, string[]>()
  #typeErrors = false

  add(path: string, error: string): void {
    const list = this.#byPath.get(path)
    if (list) {
      if (!list.includes(error)) list.push(error)
    } else this.#byPath.set(path, [error])
  }

  /** A value of the wrong JSON type (play-json's `error.expected.*` keys). */
  typeError(path: string, expected: 'jsstring' | 'jsnumber' | 'jsboolean' | 'jsarray' | 'jsobject' | 'jsinteger'): void {
    this.#typeErrors = true
    this.add(path, `error.expected.${expected}`)
  }

  get empty(): boolean {
    return this.#byPath.size === 0
  }

  list(): Violation[] {
    return [...this.#byPath].map(([path, errors]) => ({path, errors}))
  }

  /** Throws the 422 when anything was collected. */
  throwIfAny(): void {
    if (!this.empty) throw invalid(this.list(), this.#typeErrors ? 'Invalid JSON' : 'Object is not valid')
  }
}

export function invalid(details: Violation[], message = 'Object is not valid'): HttpError {
  return new HttpError(422, message, {message, details})
}

/** One violation at one path. */
export function invalidAt(path: string, error: string): HttpError {
  return invalid([{path, errors: [error]}])
}

export function message(status: number, text: string): HttpError {
  return new HttpError(status, text, {message: text})
}

export function appNotFound(id: string, version?: string): HttpError {
  return message(404, `App '${id}' does not exist${version ? ` in version ${version}` : ''}`)
}

export function groupNotFound(id: string, version?: string): HttpError {
  return message(404, `Group '${id}' does not exist${version ? ` in version ${version}` : ''}`)
}

export function appExists(id: string): HttpError {
  return message(409, `An app with id [${id}] already exists.`)
}

/** `RootGroup.noCyclicDependencies`: answered at `/`, whatever closes the cycle (Marathon names no app). */
export const CYCLIC = 'Dependency graph has cyclic dependencies.'

/**
 * An app whose id is a group's (`Group.noAppsAndGroupsWithSameName`): Marathon's validation of the
 * root group, a 422 at `/`, saying it is a group, whichever side the request wrote.
 */
export function appGroupClash(): HttpError {
  return invalidAt('/', 'Groups and Applications may not have the same identifier.')
}

/** `AppLockedException`: the change touches apps that running deployments hold. */
export function locked(deploymentIds: string[]): HttpError {
  const text = `App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/${deploymentIds.join(',')}'.`
  return new HttpError(409, text, {message: text, deployments: deploymentIds.map((id) => ({id}))})
}
