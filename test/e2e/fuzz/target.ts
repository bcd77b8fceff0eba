/**
 * What a fuzz target is: one endpoint (or a family of GET endpoints) and how to make requests to
 * it. A target names the valid bodies it starts from and everything that keeps the fuzzer from
 * changing the cluster for real: fields a mutation must not touch, which 2xx answers are fine,
 * and which requests must never be sent. The generator (./generate) does the rest.
 */
import type {Random} from './random'

/** What the test knows of the cluster under fuzz. */
export interface FuzzContext {
  /**
   * Base URLs per component, each a way to reach it: `master` → [its own port, the gateway's
   * `/mesos`], `agent` → [its port, `/agent/<id>`, `/slave/<id>`], `gateway` → [the gateway].
   * `marathon` → [its port, the gateway's `/marathon`, `/service/marathon`].
   */
  bases: Record<string, string[]>
  /** `Authorization: token=<jwt>` of a logged-in user. */
  authorization: string
  /** A framework subscribed by the test for the fuzzer: calls with its stream id reach every handler. */
  victim: {frameworkId: string; streamId: string; frameworkInfo: Record<string, unknown>}
  /** A framework with a running task that no request may touch. */
  witness: {frameworkId: string; taskId: string}
  /** A framework torn down before the run (a completed framework). */
  ghostFrameworkId: string
  agentId: string
  /** The witness task's sandbox (absolute path on the agent). */
  sandbox: string
  adminUid: string
  /** Ids of the cluster swapped into id fields by mutations. */
  knownIds: string[]
  /** Frameworks a request must never tear down, shut down or fail over. */
  liveFrameworkIds: string[]
  /** A Marathon app with a running task that no request may touch (when Marathon is fuzzed). */
  marathonWitness?: {appId: string; taskId: string}
}

/** A valid (or deliberately almost valid) body the fuzzer starts from. */
export interface Seed {
  /** A label for reports: `ACCEPT (victim)`. */
  label: string
  body: unknown
  /** Dotted paths a mutation must not touch (its ancestors may only be deleted or broken). */
  protect?: string[]
  /** Headers this seed needs (e.g. `Mesos-Stream-Id`). */
  headers?: Record<string, string>
}

/** One request, fully built: what is sent and what is expected of the answer. */
export interface FuzzRequest {
  index: number
  target: string
  strategy: string
  /** What was done to the seed, for the report. */
  steps: string[]
  method: string
  /** Base URL + path + query. */
  url: string
  headers: Record<string, string>
  body?: string | Buffer
  /** Whether the request carries a valid token. */
  authenticated: boolean
  /** The parsed body as sent, when it was JSON the generator built (for `accepts` and `harmful`). */
  json?: unknown
}

export interface FuzzTarget {
  /** Unique, as reports show it: `master POST /api/v1/scheduler`. */
  name: string
  /** The key of `FuzzContext.bases` this endpoint lives on. */
  component: string
  /** The base URLs to use (default: all of the component's). */
  bases?: (ctx: FuzzContext) => string[]
  /** Share of the run, relative to other targets (default 1). */
  weight?: number
  method: string
  /** Path below the base, with query for GET targets. */
  path: (ctx: FuzzContext, rng: Random) => string
  /** How bodies are sent. */
  encoding?: 'json' | 'form'
  /** Valid bodies to mutate; none for GET targets. */
  seeds?: (ctx: FuzzContext) => Seed[]
  /** Headers for every request (merged under the seed's). */
  headers?: (ctx: FuzzContext, rng: Random) => Record<string, string>
  /** Query parameters (name → a valid value) that GET fuzzing garbles; the path then has none. */
  query?: (ctx: FuzzContext, rng: Random) => Record<string, string>
  /** Values worth trying for the query parameters, besides generic tricks. */
  queryTricks?: (ctx: FuzzContext) => string[]
  /** Reachable without a token (login): a 2xx without one is no failure. */
  public?: boolean
  /** Only broken tokens are sent (logout: a valid one would be revoked). */
  brokenAuthOnly?: boolean
  /** Whether a 2xx is an acceptable answer to `req` (default: only for GET and HEAD). */
  accepts?: (req: FuzzRequest, ctx: FuzzContext) => boolean
  /** Requests that would really change the cluster (tear down the witness...): never sent. */
  harmful?: (req: FuzzRequest, ctx: FuzzContext) => boolean
  /** Statuses >= 500 that are this endpoint's documented answer (e.g. 501 for an unimplemented call). */
  allowedStatuses?: (req: FuzzRequest) => number[]
}
