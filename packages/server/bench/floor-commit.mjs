// Child process for commit.bench.mjs: the rewrite floor under durable acknowledged updates.
// A `ws` server (the sync server's permessage-deflate settings, as relay.mjs) that takes
// the same `task.update` requests, parses them and, with group commit, makes each batch
// durable the way the store does: the whole file (same size as the project's tasks.json,
// bytes prepared once, nothing serialised) to a temp file beside it, fsync, rename over,
// fsync the directory; then it replies to every request of the batch. One write at a time;
// every request that arrived while a write ran goes into the next one.
// argv: <file to rewrite>
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { WebSocketServer } from 'ws';

const file = process.argv[2];
const bytes = readFileSync(file);
const temp = join(dirname(file), `.${basename(file)}.floor.tmp`);
const stats = { count: 0, ops: 0, ms: 0 };
let waiting = [];
let writing = false;
let revision = 0;

async function rewrite() {
  const handle = await fs.open(temp, 'w', 0o644);
  try {
    for (let at = 0; at < bytes.length; ) at += (await handle.write(bytes, at, bytes.length - at)).bytesWritten;
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(temp, file);
  const dir = await fs.open(dirname(file), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

async function commitLoop() {
  if (writing) return;
  writing = true;
  while (waiting.length > 0) {
    const batch = waiting;
    waiting = [];
    const t0 = performance.now();
    await rewrite();
    stats.count++;
    stats.ops += batch.length;
    stats.ms += performance.now() - t0;
    revision++;
    for (const { ws, id } of batch) ws.send(JSON.stringify({ jsonrpc: '2.0', id, result: { revision } }));
  }
  writing = false;
}

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  perMessageDeflate: { threshold: 1024, serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 12, zlibDeflateOptions: { level: 1, memLevel: 7 } },
});
wss.on('connection', (ws) => {
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString());
    if (m.method !== 'task.update') return;
    waiting.push({ ws, id: m.id });
    void commitLoop();
  });
});
wss.on('listening', () => process.send({ ready: true, wsUrl: `ws://127.0.0.1:${wss.address().port}` }));
process.on('message', (msg) => {
  if (msg === 'commits') process.send({ commits: { ...stats } });
  else if (msg === 'close') {
    for (const c of wss.clients) c.terminate();
    wss.close(() => process.exit(0));
  }
});
