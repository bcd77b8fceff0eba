/**
 * Marathon task helpers of the `marathon task` commands (PY marathon/main.py): the not-found
 * message and the Python list form `Killed tasks: ['a', 'b']` prints.
 */
import {DcosError} from '../errors'

export function taskNotFound(id: string): DcosError {
  return new DcosError('NOT_FOUND', `Task '${id}' does not exist`, {hint: "Run 'dcos marathon task list' to see the tasks."})
}

/** A list of strings as Python prints it: `['a', 'b']`. */
export function pyList(items: readonly string[]): string {
  return `[${items.map((s) => `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`).join(', ')}]`
}
