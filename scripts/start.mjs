// `npm start`: (after `npm ci` and the build) starts a local cluster with 2 agents and shows it
// working the way every Mesos tutorial does: the nodes, one task run to TASK_FINISHED with
// mesos-execute, and that task's output read back through the cluster's files API.
import {execFileSync} from 'node:child_process'
import path from 'node:path'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const dcos = path.join(root, 'bin', 'dcos')
const mesosExecute = path.join(root, 'bin', 'mesos-execute')

function step(title, cmd, args) {
  process.stdout.write(`\n$ ${[path.relative(root, cmd), ...args].join(' ')}   # ${title}\n`)
  return execFileSync(cmd, args, {stdio: ['ignore', 'inherit', 'inherit']})
}

try {
  step('start a cluster', dcos, ['cluster', 'up', '--agents', '2'])
  const url = execFileSync(dcos, ['config', 'show', 'core.dcos_url'], {encoding: 'utf8'}).trim()
  step('its nodes', dcos, ['node', 'list'])
  const master = `${url.replace(/^https?:\/\//, '')}/mesos`
  step('run a task', mesosExecute, [`--master=${master}`, '--name=hello', '--command=echo hello from a Mesos task; sleep 1'])
  step("read the task's output", dcos, ['task', 'log', '--completed', 'hello'])
  process.stdout.write(`\nThe cluster is up at ${url}. Try 'bin/dcos task list --completed', then 'bin/dcos cluster down'.\n`)
} catch (error) {
  process.stderr.write(`\nnpm start failed: ${error.message.split('\n')[0]}\n`)
  process.exit(1)
}
