// Child process for the fan-out benchmark's anchor: a bare `ws` relay with the sync server's
// permessage-deflate settings, sending every message it gets to every other client.
import { readFileSync } from 'node:fs';
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  perMessageDeflate: { threshold: 1024, serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 12, zlibDeflateOptions: { level: 1, memLevel: 7 } },
});
wss.on('connection', (ws) => {
  ws.on('message', (data) => {
    const text = data.toString();
    for (const other of wss.clients) if (other !== ws) other.send(text);
  });
});
wss.on('listening', () => process.send({ ready: true, wsUrl: `ws://127.0.0.1:${wss.address().port}` }));
process.on('message', async (msg) => {
  if (msg === 'mem') {
    globalThis.gc?.();
    await new Promise((resolve) => setTimeout(resolve, 250));
    globalThis.gc?.();
    // V8 unmaps the pages a collection freed on a background thread: read once it has.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;
    process.send({ mem: { rss: process.memoryUsage().rss, anon: kb('RssAnon'), peak: kb('VmHWM') } });
  } else if (msg === 'close') {
    for (const c of wss.clients) c.terminate();
    wss.close(() => process.exit(0));
  }
});
