/**
 * The system endpoints: `/v2/info` (`InfoResource`), `/v2/leader`, `/ping` (the public health
 * probe), `/metrics` (Dropwizard-style JSON) and the event stream `/v2/events`.
 */
import {RawJson, reply, type Router} from '../../http'
import {DCOS_VERSION} from '../../config'
import {isActive} from '../tasks'
import type {ApiContext} from './common'

/** The Marathon version we answer to (API and behaviour of the 1.10 line). */
export const MARATHON_VERSION = '1.10.26'

export function systemRoutes(router: Router, ctx: ApiContext): void {
  const {config, state, scheduler, events} = ctx
  const pong = new RawJson('"pong"')

  router.get('/ping', (req) => {
    const accept = req.header('accept') ?? ''
    if (accept.includes('application/json') && !accept.includes('text/plain')) return pong
    return reply(200, 'pong', {'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache, no-store, must-revalidate'})
  })

  router.get('/v2/info', () => ({
    name: config.frameworkName,
    version: MARATHON_VERSION,
    buildref: `dcos-${DCOS_VERSION}`,
    elected: true,
    leader: config.leader,
    frameworkId: scheduler.frameworkId ?? null,
    marathon_config: {
      checkpoint: true,
      decline_offer_duration: config.declineOfferSeconds * 1000,
      executor: '//cmd',
      failover_timeout: config.failoverTimeoutSeconds,
      features: [],
      framework_name: config.frameworkName,
      ha: false,
      hostname: config.leader.replace(/:\d+$/, ''),
      local_port_max: config.servicePorts.max,
      local_port_min: config.servicePorts.min,
      master: config.masterUrl,
      max_instances_per_offer: config.maxInstancesPerOffer,
      mesos_heartbeat_failure_threshold: 5,
      mesos_heartbeat_interval: 15000,
      mesos_role: config.role,
      mesos_user: 'root',
      min_revive_offers_interval: 0,
      reconciliation_interval: 600000,
      task_launch_timeout: 300000,
      webui_url: config.url,
    },
    zookeeper_config: {},
    http_config: {http_port: Number(config.leader.split(':').pop()), https_port: 0},
  }))

  router.get('/v2/leader', () => ({leader: config.leader}))
  router.delete('/v2/leader', async () => {
    await scheduler.abdicate()
    return {message: 'Leadership abdicated'}
  })

  router.get('/v2/events', (req) => events.serve(req))

  router.get('/metrics', () => {
    const tasks = [...scheduler.tracker.all()].filter(isActive)
    const gauge = (value: number) => ({value})
    const counters: Record<string, {count: number}> = {}
    for (const [type, count] of events.counts) counters[`marathon.events.${type}.counter`] = {count}
    return {
      version: '4.0.0',
      gauges: {
        'marathon.apps.active.gauge': gauge(state.apps.size),
        'marathon.groups.active.gauge': gauge(state.groups.size),
        'marathon.deployments.active.gauge': gauge(state.deployments.size),
        'marathon.instances.running.gauge': gauge(tasks.filter((t) => t.state === 'TASK_RUNNING').length),
        'marathon.instances.staged.gauge': gauge(tasks.filter((t) => t.state === 'TASK_STAGING' || t.state === 'TASK_STARTING').length),
        'marathon.instances.launch-overdue.gauge': gauge([...scheduler.waiting().values()].reduce((n, w) => n + w.count, 0)),
        'marathon.http.event-streams.active.gauge': gauge(events.subscriberCount),
        'marathon.health-checks.active.gauge': gauge(scheduler.health.size),
        'marathon.uptime.gauge': gauge(ctx.now() - config.startedAt),
        'marathon.mesos.connected.gauge': gauge(scheduler.connected ? 1 : 0),
      },
      counters,
      histograms: {},
      meters: {},
      timers: {},
    }
  })
}
