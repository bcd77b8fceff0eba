/**
 * The Chronos REST API, mounted twice: at /scheduler/* as Chronos 2.x has it (the universe
 * packages' 2.4/2.5) and at /v1/scheduler/* as 3.x has it. Writes answer 204; a bad job or an
 * unknown name answers 400 with a plain-text message, as Chronos does. Plus /ping (the health
 * probe) and a small index page at /.
 */
import {HttpError, reply, type Request, type Router} from '../../runtime/http'
import {graphCsv, graphDot, lastState, searchJobs} from './core'
import {JobError, checkName, isDependent, parseJob, serializeJob, type JobDefaults, type JobKind} from './job'
import type {ChronosScheduler} from './scheduler'

export const API_PREFIXES = ['/scheduler', '/v1/scheduler']

export interface ApiContext {
  scheduler: ChronosScheduler
  defaults: JobDefaults
  now: () => number
  /** `host:port` this Chronos serves on (`leader`). */
  leader: () => string
  frameworkName: string
}

const NO_CONTENT = () => reply(204)
const MAX_JOBS = 10_000
const MAX_SEARCH_LIMIT = 10_000

function bad(message: string): HttpError {
  return new HttpError(400, message)
}

/** JobErrors become the 400 Chronos answers; anything else propagates. */
async function guarded<T>(fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn()
  } catch (error) {
    if (error instanceof JobError) throw bad(error.message)
    throw error
  }
}

function nameParam(req: Request): string {
  return guardedSync(() => checkName(req.params.name))
}

function guardedSync<T>(fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    if (error instanceof JobError) throw bad(error.message)
    throw error
  }
}

function intParam(req: Request, key: string, dflt: number, max: number): number {
  const v = req.query.get(key)
  if (v === null || v === '') return dflt
  if (!/^\d{1,9}$/.test(v)) throw bad(`${key} must be a non-negative integer`)
  return Math.min(Number(v), max)
}

/** `?arguments=a b&arguments=c`, or a JSON body `{"arguments": [...]}` / `[...]`. */
async function runArguments(req: Request): Promise<string[]> {
  const args = req.query.getAll('arguments').flatMap((a) => a.split(/\s+/).filter(Boolean))
  const text = (await req.text()).trim()
  if (text !== '') {
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      throw bad('the body of a run must be JSON: {"arguments": ["..."]}')
    }
    const list = Array.isArray(body) ? body : (body as {arguments?: unknown})?.arguments
    if (list !== undefined) {
      if (!Array.isArray(list) || !list.every((a) => typeof a === 'string')) throw bad('arguments must be a list of strings')
      args.push(...(list as string[]))
    }
  }
  if (args.length > 100 || args.some((a) => a.length > 4096 || a.includes('\0'))) throw bad('at most 100 arguments of at most 4096 characters each')
  return args
}

export function chronosRoutes(router: Router, ctx: ApiContext): void {
  const {scheduler} = ctx
  const jobsList = () => [...scheduler.jobs.values()].sort((a, b) => a.name.localeCompare(b.name))

  const putJob = (kind: JobKind) => async (req: Request) => {
    const body = await req.json()
    await guarded(async () => {
      const job = parseJob(body, kind, ctx.defaults, ctx.now())
      if (!scheduler.jobs.has(job.name) && scheduler.jobs.size >= MAX_JOBS) throw new JobError(`at most ${MAX_JOBS} jobs`)
      await scheduler.putJob(job, new Set(Object.keys(body as object)))
    })
    return NO_CONTENT()
  }

  for (const p of API_PREFIXES) {
    router.get(`${p}/jobs`, () => jobsList().map(serializeJob))
    router.get(`${p}/jobs/search`, (req) => {
      const q = (k: string) => req.query.get(k) ?? undefined
      const limit = intParam(req, 'limit', 10, MAX_SEARCH_LIMIT)
      const offset = intParam(req, 'offset', 0, MAX_JOBS)
      return searchJobs(jobsList(), {name: q('name'), command: q('command'), any: q('any')})
        .slice(offset, offset + limit)
        .map(serializeJob)
    })
    router.get(`${p}/jobs/summary`, () => ({
      jobs: jobsList().map((j) => ({
        name: j.name,
        status: lastState(j),
        state: scheduler.currentState(j.name),
        ...(isDependent(j) ? {parents: j.parents} : {schedule: j.schedule}),
        disabled: j.disabled,
      })),
    }))
    router.on(['POST', 'PUT'], `${p}/iso8601`, putJob('iso8601'))
    router.on(['POST', 'PUT'], `${p}/dependency`, putJob('dependency'))
    router.put(`${p}/job/:name`, async (req) => {
      const name = nameParam(req)
      const args = await runArguments(req)
      await guarded(() => scheduler.runNow(name, args))
      return NO_CONTENT()
    })
    router.put(`${p}/job/success/:name`, async (req) => {
      const name = nameParam(req)
      await guarded(() => scheduler.markSuccess(name))
      return NO_CONTENT()
    })
    router.delete(`${p}/job/:name`, async (req) => {
      const name = nameParam(req)
      await guarded(() => scheduler.deleteJob(name))
      return NO_CONTENT()
    })
    router.delete(`${p}/task/kill/:name`, async (req) => {
      const name = nameParam(req)
      if (!scheduler.jobs.has(name)) throw bad(`Job '${name}' not found`)
      await scheduler.killTasks(name)
      return NO_CONTENT()
    })
    router.get(`${p}/job/stat/:name`, (req) => {
      const name = nameParam(req)
      const job = scheduler.jobs.get(name)
      if (!job) throw bad(`Job '${name}' not found`)
      return {name, successCount: job.successCount, errorCount: job.errorCount, lastSuccess: job.lastSuccess, lastError: job.lastError, state: scheduler.currentState(name)}
    })
    router.get(`${p}/graph/csv`, () => reply(200, graphCsv(scheduler.jobs, (n) => scheduler.currentState(n)), {'Content-Type': 'text/plain; charset=utf-8'}))
    router.get(`${p}/graph/dot`, () => reply(200, graphDot(scheduler.jobs), {'Content-Type': 'text/plain; charset=utf-8'}))
    router.get(`${p}/leader`, () => ({leader: ctx.leader()}))
  }
  router.get('/ping', () => reply(200, 'pong\n', {'Content-Type': 'text/plain; charset=utf-8'}))
  router.get('/', () =>
    reply(
      200,
      `<!doctype html><title>Chronos</title><h1>Chronos (${escapeHtml(ctx.frameworkName)})</h1><p>${scheduler.jobs.size} job(s). API: <a href="scheduler/jobs">scheduler/jobs</a>, <a href="scheduler/graph/dot">scheduler/graph/dot</a>.</p>\n`,
      {'Content-Type': 'text/html; charset=utf-8'},
    ),
  )
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
