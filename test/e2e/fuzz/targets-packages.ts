/**
 * The package service (Cosmos RPC at /package/* on the gateway, and the public bundled index and
 * artifacts) in the registry.
 *
 * What a request may change: nothing but 0-instance apps installed below Marathon's fuzz group
 * (`FUZZ_GROUP`, removed by the test after the run). Reads (search, describe, list-versions,
 * render, list, repository/list) change nothing and may answer 2xx. An install is sent only when
 * its body names an app id below the fuzz group with `service.instances: 0` (or is no package
 * request at all); an uninstall only for an app id below the group; a repository delete only for
 * a name no repository has; a repository add never succeeds (its URIs name nothing loadable).
 */
import {FUZZ_GROUP} from './targets-marathon'
import type {FuzzContext, FuzzRequest, FuzzTarget, Seed} from './target'

type Json = Record<string, unknown>

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v)
const isGet = (req: FuzzRequest) => req.method === 'GET' || req.method === 'HEAD'

/** The app id a package request names, as the service makes it absolute. */
function appIdOf(json: unknown): string | undefined {
  const id = isObject(json) ? json.appId : undefined
  if (typeof id !== 'string') return undefined
  return id.startsWith('/') ? id : `/${id}`
}

/** Strictly below the fuzz group, with no path tricks. */
const inFuzzGroup = (id: string | undefined) => id !== undefined && new RegExp(`^${FUZZ_GROUP}(/[a-z0-9-]+)+$`).test(id)

const media = (rpc: string, kind: 'request' | 'response', v = 1) => `application/vnd.dcos.package.${rpc}-${kind}+json;charset=utf-8;version=v${v}`

function rpcTarget(rpc: string, seeds: (ctx: FuzzContext) => Seed[], extra: Partial<FuzzTarget> = {}): FuzzTarget {
  return {
    name: `gateway POST /package/${rpc.replace('.', '/')}`,
    component: 'gateway',
    method: 'POST',
    path: () => `/package/${rpc.replace('.', '/')}`,
    headers: (_ctx, rng) => ({Accept: rng.pick([media(rpc, 'response', rpc === 'describe' ? 3 : rpc === 'install' ? 2 : 1), '*/*', 'application/json', 'text/html'])}),
    seeds,
    ...extra,
  }
}

/** Read-only RPCs: any 2xx is fine. */
const readOnly = {accepts: () => true}

const searchTarget = rpcTarget('search', () => [{label: 'all', body: {}}, {label: 'query', body: {query: 'hel*'}}], readOnly)

const describeTarget = rpcTarget(
  'describe',
  () => [
    {label: 'hello', body: {packageName: 'hello'}},
    {label: 'hello 1.0.0', body: {packageName: 'hello', packageVersion: '1.0.0'}},
  ],
  readOnly,
)

const listVersionsTarget = rpcTarget('list-versions', () => [{label: 'hello', body: {packageName: 'hello', includePackageVersions: true}}], readOnly)

const renderTarget = rpcTarget(
  'render',
  () => [{label: 'hello with options', body: {packageName: 'hello', options: {service: {name: 'fuzz-render', instances: 2}, hello: {message: 'x'}}, appId: '/fuzz-render'}}],
  readOnly,
)

const listTarget = rpcTarget('list', () => [{label: 'all', body: {}}, {label: 'hello', body: {packageName: 'hello'}}], readOnly)

const repositoryListTarget = rpcTarget('repository.list', () => [{label: 'list', body: {}}], readOnly)

/** An install that changes nothing but a 0-instance app below the fuzz group. */
function harmlessInstall(json: unknown): boolean {
  if (!isObject(json) || typeof json.packageName !== 'string') return true
  const service = isObject(json.options) && isObject(json.options.service) ? json.options.service : undefined
  return inFuzzGroup(appIdOf(json)) && service?.instances === 0
}

const installTarget = rpcTarget(
  'install',
  () => [
    {label: 'hello, 0 instances in the fuzz group', body: {packageName: 'hello', appId: `${FUZZ_GROUP}/pkg-hello`, options: {service: {instances: 0, name: 'fuzz-pkg'}}}, protect: ['appId', 'options.service.instances']},
    {label: 'static-server, 0 instances', body: {packageName: 'static-server', packageVersion: '1.0.0', appId: `${FUZZ_GROUP}/pkg-static`, options: {service: {instances: 0}}}, protect: ['appId', 'options.service.instances']},
    {label: 'unknown package', body: {packageName: 'fuzz-no-such-package', appId: `${FUZZ_GROUP}/pkg-none`}, protect: ['packageName']},
  ],
  {
    weight: 2,
    accepts: (req) => harmlessInstall(req.json),
    harmful: (req) => !harmlessInstall(req.json),
  },
)

const uninstallTarget = rpcTarget(
  'uninstall',
  () => [
    {label: 'fuzz-group app', body: {packageName: 'hello', appId: `${FUZZ_GROUP}/pkg-hello`}, protect: ['appId']},
    {label: 'not installed', body: {packageName: 'fuzz-no-such-package', appId: `${FUZZ_GROUP}/pkg-none`}, protect: ['appId']},
  ],
  {
    accepts: (req) => inFuzzGroup(appIdOf(req.json)),
    // Without an app id below the group it could remove a real install (all: true, or the only one).
    harmful: (req) => isObject(req.json) && typeof req.json.packageName === 'string' && !inFuzzGroup(appIdOf(req.json)),
  },
)

const repositoryAddTarget = rpcTarget('repository.add', () => [
  {label: 'missing directory', body: {name: 'fuzz-repo', uri: 'file:///nonexistent/fuzz-universe', index: 0}},
  {label: 'unreachable http', body: {name: 'fuzz-repo-2', uri: 'http://127.0.0.1:9/repo'}},
])

const repositoryDeleteTarget = rpcTarget('repository.delete', () => [{label: 'unknown name', body: {name: 'fuzz-no-repo'}, protect: ['name']}], {
  // A delete that does not name the unknown repository could remove a real one (the bundled Universe).
  harmful: (req) => isObject(req.json) && (req.json.name !== 'fuzz-no-repo' || req.json.uri !== undefined),
})

/** Artifact names: real ones, and every way out of the directory. */
const ARTIFACT_NAMES = ['hello.js', 'static-server.js', 'nope.js', '..', '%2e%2e', '..%2Frepo.json', '..%2F..%2Fruntime.js', '.hidden', '%00', 'a%2Fb', '%ZZ', 'x'.repeat(300)]

const publicReadsTarget: FuzzTarget = {
  name: 'gateway GET /package/universe/{repo,artifacts/<file>} (public)',
  component: 'gateway',
  method: 'GET',
  public: true,
  path: (_ctx, rng) => (rng.int(3) === 0 ? '/package/universe/repo' : `/package/universe/artifacts/${rng.pick(ARTIFACT_NAMES)}`),
  accepts: (req) => isGet(req),
}

export const PACKAGES_TARGETS: FuzzTarget[] = [
  searchTarget,
  describeTarget,
  listVersionsTarget,
  renderTarget,
  listTarget,
  repositoryListTarget,
  installTarget,
  uninstallTarget,
  repositoryAddTarget,
  repositoryDeleteTarget,
  publicReadsTarget,
]
