/**
 * The package manager's typed errors, named and worded as Cosmos names and words them
 * (cosmos-common/.../cosmos/error/*.scala), so a client written for DC/OS reads them unchanged.
 * `type` is the stable code; the HTTP layer turns one into `{"type","message","data"}` with its
 * `status`. Never match on `message`.
 */
export class CosmosError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly data?: Record<string, unknown>,
    readonly status = 400,
  ) {
    super(message)
    this.name = 'CosmosError'
  }

  toJSON(): {type: string; message: string; data?: Record<string, unknown>} {
    return {type: this.type, message: this.message, ...(this.data !== undefined && {data: this.data})}
  }
}

export const packageNotFound = (packageName: string) => new CosmosError('PackageNotFound', `Package [${packageName}] not found`, {packageName})

export const versionNotFound = (packageName: string, packageVersion: string) =>
  new CosmosError('VersionNotFound', `Version [${packageVersion}] of package [${packageName}] not found`, {packageName, packageVersion})

/** A package file (or index entry) that is not a valid package; `where` names the file or entry. */
export const invalidPackage = (where: string, problems: string[]) =>
  new CosmosError('InvalidPackage', `${where} is not a valid package: ${problems.join('; ')}`, {where, problems})
