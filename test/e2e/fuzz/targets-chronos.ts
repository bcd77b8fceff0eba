/**
 * Chronos's REST API in the registry (`component: 'chronos'`: its own port, its webui_url, and
 * the gateway's `/service/chronos`), both path families.
 *
 * Nothing may change: the test installs the chronos package with one witness job
 * (`CHRONOS_WITNESS_JOB`, scheduled in 2099) and checks the job list is the same after the run.
 * Job bodies are kept invalid by a protected field (an invalid name; a dependency on a job that
 * does not exist); runs, deletes and kills name jobs that do not exist, and any write whose URL
 * names the witness is never sent. Reads may answer 2xx.
 */
import type {FuzzContext, FuzzRequest, FuzzTarget, Seed} from './target'

/** A job no request may run, change or delete. */
export const CHRONOS_WITNESS_JOB = 'fuzz-chronos-witness'

const PREFIXES = ['/scheduler', '/v1/scheduler']
/** Names of jobs that do not exist, and every way out of a path segment. */
const NAMES = ['fuzz-missing', 'Fuzz%20Missing', '..', '%2e%2e', 'a%2Fb', '%00', '%ZZ', 'x'.repeat(300), '__proto__', 'constructor', '%F0%9F%92%A5']

const isGet = (req: FuzzRequest) => req.method === 'GET' || req.method === 'HEAD'

/** Whether a request names the witness anywhere in its URL (decoded as the server would). */
function touchesWitness(req: FuzzRequest): boolean {
  let url = req.url
  try {
    url = decodeURIComponent(req.url)
  } catch {
    /* not decodable: the server refuses it too */
  }
  return url.includes(CHRONOS_WITNESS_JOB)
}

const writeGuards = {
  harmful: (req: FuzzRequest) => !isGet(req) && touchesWitness(req),
}

/** A job that is valid but for its name (protected): no mutation makes it acceptable. */
function invalidNameJob(extra: Record<string, unknown>): Seed {
  return {
    label: 'a full job with an invalid name',
    body: {
      name: 'fuzz/invalid name',
      command: 'echo fuzz',
      schedule: 'R/2099-01-01T00:00:00Z/PT1H',
      scheduleTimeZone: 'America/New_York',
      epsilon: 'PT30S',
      retries: 1,
      cpus: 0.1,
      mem: 32,
      disk: 10,
      uris: ['http://127.0.0.1:9/x.tgz'],
      environmentVariables: [{name: 'A', value: 'b'}],
      arguments: ['-v'],
      ...extra,
    },
    protect: ['name'],
  }
}

function jobTargets(kind: 'iso8601' | 'dependency'): FuzzTarget[] {
  const seeds = (_ctx: FuzzContext): Seed[] =>
    kind === 'iso8601'
      ? [invalidNameJob({})]
      : [
          invalidNameJob({parents: [CHRONOS_WITNESS_JOB]}),
          {label: 'a dependent job of a job that does not exist', body: {name: 'fuzz-dependent', command: 'echo fuzz', parents: ['fuzz-missing-parent']}, protect: ['parents']},
        ]
  return PREFIXES.flatMap((prefix) =>
    ['POST', 'PUT'].map((method) => ({
      name: `chronos ${method} ${prefix}/${kind}`,
      component: 'chronos',
      method,
      path: () => `${prefix}/${kind}`,
      seeds,
      ...writeGuards,
    })),
  )
}

function namedTarget(method: string, route: string, seeds?: Seed[]): FuzzTarget {
  return {
    name: `chronos ${method} /scheduler/${route}<name>`,
    component: 'chronos',
    method,
    path: (_ctx, rng) => `${rng.pick(PREFIXES)}/${route}${rng.pick(NAMES)}`,
    ...(seeds && {seeds: () => seeds}),
    ...writeGuards,
  }
}

const readsTarget: FuzzTarget = {
  name: 'chronos GET /scheduler/{jobs,jobs/search,jobs/summary,graph/*,job/stat/<name>,leader}',
  component: 'chronos',
  method: 'GET',
  path: (_ctx, rng) => `${rng.pick(PREFIXES)}/${rng.pick(['jobs', 'jobs/summary', 'graph/csv', 'graph/dot', 'leader', `job/stat/${rng.pick(NAMES)}`, `job/stat/${CHRONOS_WITNESS_JOB}`])}`,
  accepts: (req) => isGet(req),
  ...writeGuards,
}

const searchTarget: FuzzTarget = {
  name: 'chronos GET /scheduler/jobs/search',
  component: 'chronos',
  method: 'GET',
  path: (_ctx, rng) => `${rng.pick(PREFIXES)}/jobs/search`,
  query: () => ({name: 'fuzz', command: 'echo', any: 'x', limit: '10', offset: '0'}),
  accepts: (req) => isGet(req),
  ...writeGuards,
}

export const CHRONOS_TARGETS: FuzzTarget[] = [
  ...jobTargets('iso8601'),
  ...jobTargets('dependency'),
  namedTarget('PUT', 'job/', [
    {label: 'arguments', body: {arguments: ['a', 'b']}},
    {label: 'a list', body: ['a']},
  ]),
  namedTarget('DELETE', 'job/'),
  namedTarget('DELETE', 'task/kill/'),
  namedTarget('PUT', 'job/success/'),
  readsTarget,
  searchTarget,
]
