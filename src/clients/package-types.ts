/**
 * The Cosmos RPC bodies (dcos/cosmos docs/schemas/cosmos/rpc, copies in
 * shared/fixtures/universe-real/cosmos-rpc-schemas): only the fields the CLI reads are typed;
 * everything else is passed through untouched (describe and list print what the server sent).
 */

export interface PackageImages {
  'icon-small'?: string
  'icon-medium'?: string
  'icon-large'?: string
  screenshots?: string[]
}

/** `/package/search` v1: one entry per package, its versions mapped to their releaseVersion. */
export interface SearchResult {
  name: string
  currentVersion: string
  versions: Record<string, number | string>
  description: string
  framework: boolean
  tags: string[]
  selected?: boolean
  images?: PackageImages
}

export interface SearchResponse {
  packages: SearchResult[]
}

/** resource.cli.binaries.<platform>.x86-64 (v3-resource-schema). */
export interface CliBinary {
  kind: 'executable' | 'zip' | (string & {})
  url: string
  contentHash: {algo: string; value: string}[]
}

export interface CliResource {
  binaries?: Partial<Record<'darwin' | 'linux' | 'windows', {'x86-64'?: CliBinary}>>
}

export interface PackageResource {
  images?: PackageImages
  assets?: {uris?: Record<string, string>; container?: {docker?: Record<string, string>}}
  cli?: CliResource
}

/** A package definition as `describe` v3 returns it (package.json + releaseVersion + the rest). */
export interface PackageDefinition {
  packagingVersion: string
  name: string
  version: string
  releaseVersion?: number
  maintainer?: string
  description: string
  tags?: string[]
  selected?: boolean
  framework?: boolean
  preInstallNotes?: string
  postInstallNotes?: string
  postUninstallNotes?: string
  marathon?: {v2AppMustacheTemplate: string}
  config?: Record<string, unknown>
  resource?: PackageResource
  command?: {pip: string[]}
  [key: string]: unknown
}

export interface DescribeResponse {
  package: PackageDefinition
}

export interface InstallRequest {
  packageName: string
  packageVersion?: string
  options?: Record<string, unknown>
  appId?: string
}

/** `/package/install` v2 (v1 has no notes and no cli). */
export interface InstallResponse {
  packageName: string
  packageVersion: string
  appId?: string
  postInstallNotes?: string
  cli?: CliResource
}

export interface RenderResponse {
  marathonJson: Record<string, unknown>
}

export interface UninstallResult {
  packageName: string
  appId: string
  packageVersion?: string
  postUninstallNotes?: string
}

export interface UninstallResponse {
  results: UninstallResult[]
}

export interface InstalledPackage {
  appId: string
  packageInformation: {
    packageDefinition: PackageDefinition
    resourceDefinition?: PackageResource
  }
}

export interface ListResponse {
  packages: InstalledPackage[]
}

export interface ListVersionsResponse {
  /** version -> releaseVersion (a string in v1). */
  results: Record<string, string | number>
}

export interface PackageRepository {
  name: string
  uri: string
}

export interface RepositoriesResponse {
  repositories: PackageRepository[]
}

/** Cosmos's error body (rpc/v1/model/ErrorResponse.scala). */
export interface CosmosErrorBody {
  type: string
  message: string
  data?: Record<string, unknown>
}
