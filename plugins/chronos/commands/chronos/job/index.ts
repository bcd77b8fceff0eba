import ChronosJobList from './list'

/** `dcos chronos job`: the topic's own command, the job list (as `dcos task` is `dcos task list`). */
export default class ChronosJob extends ChronosJobList {
  static override summary = 'Manage Chronos jobs (alone: same as `dcos chronos job list`)'
  static override examples = ['<%= config.bin %> chronos job', '<%= config.bin %> chronos job add backup.json']
}
