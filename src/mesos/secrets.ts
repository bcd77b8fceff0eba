/**
 * Secret environment variables of a TaskInfo (`{"name", "type": "SECRET", "secret": {"type":
 * "VALUE", "value": {"data": "<base64>"}}}`): how an agent reads them, and the copy of a task
 * that may be kept or shown anywhere else. A master keeps and serves only redacted task infos;
 * an agent decodes the values into the task's environment and shows none.
 */
import type {EnvironmentVariable, TaskInfo} from './types'

/** A base64 string as Mesos' JSON encodes bytes (standard alphabet, padded or not). */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/** The value a variable gives the task's environment (a SECRET's decoded bytes as UTF-8). */
export function variableValue(v: EnvironmentVariable): string {
  if (v.type !== 'SECRET') return v.value ?? ''
  return Buffer.from(v.secret?.value?.data ?? '', 'base64').toString('utf8')
}

/** Whether `data` is valid base64 as Mesos' JSON carries bytes. */
export function isBase64(data: string): boolean {
  return data.length % 4 !== 1 && BASE64.test(data)
}

/** `task` without the values of its secret variables (the same object when it has none). */
export function redactSecrets<T extends TaskInfo>(task: T): T {
  const variables = task.command?.environment?.variables
  if (!variables?.some((v) => v.type === 'SECRET' || v.secret !== undefined)) return task
  return {
    ...task,
    command: {
      ...task.command,
      environment: {
        ...task.command!.environment,
        variables: variables.map((v) => (v.type === 'SECRET' || v.secret !== undefined ? redactVariable(v) : v)),
      },
    },
  }
}

function redactVariable(v: EnvironmentVariable): EnvironmentVariable {
  const {value: _value, secret, ...rest} = v
  return {...rest, ...(secret && {secret: {type: secret.type, ...(secret.reference && {reference: secret.reference})}})}
}
