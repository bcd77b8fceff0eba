/**
 * The package repository model (Universe formats, Cosmos semantics), pure but for the explicit
 * loaders (./load, `loadDirectory`, `UniverseSchemas.load`). The package service
 * (src/runtime/packages) and the build (scripts/build-universe.mjs) are its users.
 */
export {CosmosError, invalidPackage, packageNotFound, versionNotFound} from './errors'
export {DETAIL_FIELDS, definitionFromFiles, isObject, marathonTemplate, normalizeDefinition, packageDetails, PACKAGING_VERSIONS} from './model'
export type {Images, Json, JsonObject, License, PackageDefinition, PackagingVersion, Resource, RevisionFiles} from './model'
export {compareVersions, comparePackages, newestFirst, selectVersion} from './versions'
export {deepMerge, jsonSchemaMismatch, resolveOptions, schemaDefaults} from './options'
export {compatibleSchema, dottedPath, jsonType, SchemaValidator, type SchemaError} from './schema'
export {PACKAGE_DEFINITION_MEDIA_TYPE, packageLabels, renderApp, renderTemplate, type RenderInput} from './render'
export {loadDirectory, matchesQuery, packagesDir, parseIndex, readRevisions, Repository, sortSearchResults, type DirectoryRevision, type SearchResult} from './repository'
export {checkRepositoryUri, loadRepository, REPO_ACCEPT, type LoadOptions} from './load'
export {UniverseSchemas} from './validate'
export {isRelativeUri, resolveResourceUris} from './artifacts'
