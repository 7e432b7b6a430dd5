// One event to N sockets (run `pnpm build` first): how long the server's broadcast loop holds
// the event loop, with our prepared frames (src/ws/prepared-frame.ts: framed once, one write per
// socket, with the write callback flow control needs) beside its anchors in the same run:
// ws.send with that callback (what the server did before), and bare ws.send without one (what
// the `ws` relay of commit.bench does). One ws server and N clients with permessage-deflate as
// the server sets it up, on loopback; each round sends one event of BENCH_BROADCAST_BYTES
// (1,200, about a bench task's `task.updated`) and waits until every client has it; the three
// ways take turns, round by round. BENCH_BROADCAST_CLIENTS (100), BENCH_BROADCAST_ROUNDS (300).
import WebSocket, { WebSocketServer } from 'ws';
import { prepareFrame, writePreparedFrame } from '../dist/ws/prepared-frame.js';

const CLIENTS = Number(process.env.BENCH_BROADCAST_CLIENTS ?? 100);
const ROUNDS = Number(process.env.BENCH_BROADCAST_ROUNDS ?? 300);
const BYTES = Number(process.env.BENCH_BROADCAST_BYTES ?? 1200);

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  perMessageDeflate: { threshold: 1024, serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 12, zlibDeflateOptions: { level: 1, memLevel: 7 } },
});
await new Promise((resolve) => wss.once('listening', resolve));
const url = `ws://127.0.0.1:${wss.address().port}`;
const sockets = [];
wss.on('connection', (ws) => sockets.push(ws));
let waiting;
let got = 0;
const clients = await Promise.all(
  Array.from({ length: CLIENTS }, () => new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: true });
    ws.on('message', () => { if (++got === CLIENTS) waiting?.(); });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  })),
);
while (sockets.length < CLIENTS) await new Promise((r) => setTimeout(r, 10));

const TEXT = { binary: false, compress: false };
const noop = () => {};
const ways = {
  'prepared frame + callback': (payload) => {
    const { frame } = prepareFrame(payload);
    for (const ws of sockets) if (!writePreparedFrame(ws, frame, noop)) throw new Error('the sender held something');
  },
  'ws.send + callback (before)': (payload) => {
    const bytes = Buffer.from(payload);
    for (const ws of sockets) ws.send(bytes, TEXT, noop);
  },
  'ws.send, no callback (relay)': (payload) => {
    const bytes = Buffer.from(payload);
    for (const ws of sockets) ws.send(bytes, TEXT);
  },
};
const times = Object.fromEntries(Object.keys(ways).map((k) => [k, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, send] of Object.entries(ways)) {
    const payload = JSON.stringify({ jsonrpc: '2.0', method: 'task.updated', params: { round, name, details: 'x'.repeat(BYTES) } }).slice(0, BYTES + 80);
    got = 0;
    const all = new Promise((resolve) => (waiting = resolve));
    const t0 = performance.now();
    send(payload);
    times[name].push(performance.now() - t0);
    await all;
  }
}
const p50 = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
const ours = p50(times['prepared frame + callback']);
console.log(`broadcast of one ${BYTES}-byte event to ${CLIENTS} sockets, ${ROUNDS} rounds a way, the loop's time p50:`);
for (const [name, v] of Object.entries(times)) console.log(`  ${name}: ${p50(v).toFixed(3)} ms${v === times['prepared frame + callback'] ? '' : ` · ours/this ${(ours / p50(v)).toFixed(2)}×`}`);
for (const c of clients) c.terminate();
wss.close();
