// One sync server in its own process, as a developer's machine runs it: `node server-process.mjs <root>`.
// Prints "ready" once listening (the URLs and token are in connection.json); SIGTERM closes it.
import { createServer } from '../../dist/index.js';

const root = process.argv[2];
const server = await createServer({
  root,
  host: '127.0.0.1',
  port: 0,
  httpPort: 0,
  batchWindowMs: 5,
  log: (level, message, data) => process.stderr.write(`${JSON.stringify({ level, message, data })}\n`),
});
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
