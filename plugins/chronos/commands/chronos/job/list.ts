import {DcosCommand} from '../../../../../src/cli/base'
import {renderTable} from '../../../../../src/cli/table'
import {ChronosApi, serviceFlag, type ChronosJob} from '../../../chronos-client'

/** `dcos chronos job list [--json]`: every job with its schedule or parents and its counters. */
export default class ChronosJobList extends DcosCommand<ChronosJob[]> {
  static override summary = 'List the Chronos jobs'
  static override enableJsonFlag = true
  static override flags = serviceFlag
  static override examples = ['<%= config.bin %> chronos job list', '<%= config.bin %> chronos job list --json']

  async run(): Promise<ChronosJob[]> {
    const {flags} = await this.parse(ChronosJobList)
    const api = new ChronosApi(await this.http(), flags.name)
    const jobs = (await api.jobs()).sort((a, b) => a.name.localeCompare(b.name))
    if (!this.jsonEnabled()) {
      const states = new Map(
        (await api.text('graph/csv'))
          .split('\n')
          .filter((l) => l.startsWith('node,'))
          .map((l) => {
            const parts = l.split(',')
            return [parts.slice(1, -2).join(','), parts.at(-1)!] as [string, string]
          }),
      )
      this.print(
        renderTable<ChronosJob>(
          [
            {header: 'name', value: (j) => j.name},
            {header: 'schedule', value: (j) => j.schedule ?? `after ${(j.parents ?? []).join(', ')}`},
            {header: 'state', value: (j) => (j.disabled ? 'disabled' : states.get(j.name))},
            {header: 'success', value: (j) => j.successCount, align: 'right'},
            {header: 'errors', value: (j) => j.errorCount, align: 'right'},
            {header: 'last success', value: (j) => j.lastSuccess},
            {header: 'last error', value: (j) => j.lastError},
          ],
          jobs,
        ),
      )
    }
    return jobs
  }
}
