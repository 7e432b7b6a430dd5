// Child process for the benchmark: runs one server and reports its memory on request.
import { createServer } from '../dist/index.js';

const root = process.argv[2];
const commits = { count: 0, ops: 0, ms: 0 };
const log = (level, message, data) => {
  if (message === 'commit') {
    commits.count++;
    commits.ops += data.ops;
    commits.ms += data.ms;
  }
};
const server = await createServer({ log, root, token: false, host: '127.0.0.1', port: 0, httpPort: 0, maxConnections: Number(process.env.BENCH_MAX_CONNECTIONS ?? 1000), writeConnectionFile: false });
process.send({ ready: true, wsUrl: server.wsUrl, httpUrl: server.httpUrl });
process.on('message', async (msg) => {
  if (msg === 'mem') {
    // Steady state: collect, let V8 hand freed pages back, collect again.
    globalThis.gc?.();
    await new Promise((resolve) => setTimeout(resolve, 250));
    globalThis.gc?.();
    // V8 unmaps the pages a collection freed on a background thread: read once it has.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const m = process.memoryUsage();
    const status = (await import('node:fs')).readFileSync('/proc/self/status', 'utf8');
    const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;
    process.send({ mem: { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, anon: kb('RssAnon'), file: kb('RssFile'), peak: kb('VmHWM') }, commits: { ...commits } });
  } else if (msg === 'commits') {
    process.send({ commits: { ...commits } });
  } else if (msg === 'close') {
    await server.close();
    process.exit(0);
  }
});
