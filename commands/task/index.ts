import TaskList from './list'

/** Plain `dcos task [FILTER]` lists the tasks, as the real CLI does. */
export default class Task extends TaskList {
  static override summary = 'Manage DC/OS tasks (alone: same as `dcos task list`)'
  static override hidden = true
  static override examples = ['<%= config.bin %> task', '<%= config.bin %> task sleep']
}
