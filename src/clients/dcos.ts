/**
 * The cluster's own metadata endpoints, served by DC/OS admin router (and by our gateway):
 * `/metadata` (the cluster id) and `/dcos-metadata/dcos-version.json` (the version).
 */
import type {HttpClient} from './http'

export interface ClusterMetadata {
  CLUSTER_ID?: string
  PUBLIC_IPV4?: string
}

export interface DcosVersion {
  version?: string
  'dcos-variant'?: string
  'dcos-image-commit'?: string
  'bootstrap-id'?: string
}

export class DcosMetadataClient {
  readonly http: HttpClient

  constructor(http: HttpClient) {
    this.http = http
  }

  metadata(): Promise<ClusterMetadata> {
    return this.http.getJson<ClusterMetadata>('/metadata')
  }

  version(options: {timeoutMs?: number} = {}): Promise<DcosVersion> {
    return this.http.getJson<DcosVersion>('/dcos-metadata/dcos-version.json', options)
  }
}
