// One sync server in a process of its own: `node server-process.mjs <root>`. Prints "ready" once listening.
// The server is loaded from its build by path: @taskmaster/server depends on this package, not the other way.
import { createServer } from '../../server/dist/index.js';

const server = await createServer({ root: process.argv[2], host: '127.0.0.1', port: 0, httpPort: 0, batchWindowMs: 5 });
process.stdout.write('ready\n');
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
