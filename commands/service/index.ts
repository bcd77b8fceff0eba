import ServiceList from './list'

/** Plain `dcos service` lists the services, as the real CLI does. */
export default class Service extends ServiceList {
  static override summary = 'Manage DC/OS services (alone: same as `dcos service list`)'
  static override hidden = true
  static override examples = ['<%= config.bin %> service']
}
