import { flag, type Command } from '../command.js';
import { stopDaemon } from '../daemon.js';
import { color, printJson, say } from '../output.js';
import { openProject } from '../project.js';

/** `taskmaster sync server stop`: SIGTERM (then SIGKILL) to the server; not running is fine. */
export const command: Command = {
  spec: {
    name: 'sync server stop',
    summary: 'stop the sync server of this project',
    usage: 'sync server stop [--json]',
    options: { json: { type: 'boolean', description: 'print JSON: {stopped, pid?, killed}' } },
    examples: ['taskmaster sync server stop'],
    notes: 'Clients are told the server is shutting down (error 1007). A server that does not stop\nwithin 5 s is killed. Exits 0 when no server was running.',
  },
  async run(args) {
    const { store } = await openProject(args);
    const { pid, killed, wasRunning } = await stopDaemon(store);
    if (flag(args, 'json')) return printJson({ stopped: wasRunning, ...(pid !== undefined ? { pid } : {}), killed });
    if (!wasRunning) return say('No sync server is running for this project.');
    say(`${color.green('Stopped')} sync server (pid ${pid})${killed ? ' — it did not stop in time and was killed' : ''}`);
  },
};
