// Child process for packages/server/bench/commit.bench.mjs: the Yjs peer. It is
// @y/websocket-server's own `src/server.js` (an http server, `ws` with `noServer`,
// `setupWSConnection` for every upgrade) with the `ws` that package resolves (its
// optional dependency), except that it listens on a free port, reports it over IPC and
// answers memory requests. Before it listens it fills the document the clients will open
// (`/tasks`) from a Task Master tasks file: one Y.Map per task in the Y.Map "tasks", keyed
// by id, holding the task's fields (subtasks and dependencies as plain JSON values).
// argv: <tasks.json>
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { getYDoc, setupWSConnection } from '@y/websocket-server/utils';
import { fillTasksDoc } from './yjs-tasks.mjs';

const serverPackage = fileURLToPath(import.meta.resolve('@y/websocket-server/package.json'));
const WebSocket = createRequire(serverPackage)('ws');

const file = JSON.parse(readFileSync(process.argv[2], 'utf8'));
fillTasksDoc(getYDoc('tasks'), file.master.tasks);

const wss = new WebSocket.Server({ noServer: true });
const server = http.createServer((_request, response) => {
  response.writeHead(200, { 'Content-Type': 'text/plain' });
  response.end('okay');
});
wss.on('connection', setupWSConnection);
server.on('upgrade', (request, socket, head) => {
  wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
});
server.listen(0, '127.0.0.1', () => process.send({ ready: true, wsUrl: `ws://127.0.0.1:${server.address().port}/tasks`, wsVersion: createRequire(serverPackage)('ws/package.json').version }));

process.on('message', async (msg) => {
  if (msg === 'mem') {
    globalThis.gc?.();
    await new Promise((resolve) => setTimeout(resolve, 250));
    globalThis.gc?.();
    // V8 unmaps the pages a collection freed on a background thread: read once it has.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;
    const m = process.memoryUsage();
    process.send({ mem: { rss: m.rss, heapUsed: m.heapUsed, external: m.external, anon: kb('RssAnon'), peak: kb('VmHWM') } });
  } else if (msg === 'close') {
    for (const c of wss.clients) c.terminate();
    server.close();
    process.exit(0);
  }
});
