/**
 * The endpoints the gateway answers itself, in DC/OS's shapes: the cluster's identity
 * (`/metadata`, read by `dcos cluster setup` for CLUSTER_ID), the version (`dcos --version`),
 * the pkgpanda build info (probed by `dcos auth login`: 200 means auth is off) and a health check.
 */
import {createHash} from 'node:crypto'
import {isIP} from 'node:net'
import {DCOS_VERSION, type GatewayConfig} from '../config'
import {RawJson, type Router} from '../http'

/**
 * DC/OS identifies a build by the dcos-image commit and the bootstrap id (both 40 hex digits).
 * Ours is identified by its version, so both derive from it: stable per release, never random.
 */
const BUILD_ID = createHash('sha1').update(`dcos-local ${DCOS_VERSION}`).digest('hex')

/**
 * /metadata's PUBLIC_IPV4 (on DC/OS, the master's detected public IP): the public URL's host when
 * it is an IPv4 address, else the bound one when specific, else loopback.
 */
export function publicIpv4(publicUrl: string, host: string): string {
  const hostname = publicUrl === '' ? '' : new URL(publicUrl).hostname
  if (isIP(hostname) === 4) return hostname
  return isIP(host) === 4 && host !== '0.0.0.0' ? host : '127.0.0.1'
}

/** `publicUrl()`: the cluster's public URL (./public-url), '' until the gateway listens. */
export function mountMetadata(router: Router, config: GatewayConfig, publicUrl: () => string): void {
  const version = new RawJson(
    JSON.stringify({'version': DCOS_VERSION, 'dcos-variant': 'open', 'dcos-image-commit': BUILD_ID, 'bootstrap-id': BUILD_ID}),
  )
  let metadata: {url: string; json: RawJson} | undefined
  const health = new RawJson(
    JSON.stringify({status: 'ok', cluster_id: config.clusterId, cluster_name: config.clusterName, version: DCOS_VERSION}),
  )
  const buildInfo = new RawJson('{}')

  router.get('/dcos-metadata/dcos-version.json', () => version)
  router.get('/metadata', () => {
    const url = publicUrl()
    if (metadata?.url !== url) metadata = {url, json: new RawJson(JSON.stringify({PUBLIC_IPV4: publicIpv4(url, config.host), CLUSTER_ID: config.clusterId}))}
    return metadata.json
  })
  router.get('/pkgpanda/active.buildinfo.full.json', () => buildInfo)
  router.get('/health', () => health)
  router.get('/', () => health)
}
