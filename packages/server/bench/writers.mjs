// Child process for commit.bench.mjs: the writer of each system (ours, the ws relay, Yjs),
// apart from the receivers, as a user's editor is apart from the other clients.
//
// Why apart: in the bench's own process, whatever a writer did after its send ran on the
// receivers' event loop while its server fanned the update out. The Yjs writer did most:
// its server sends every update back to it too, about 1 ms to handle at 10k tasks, and the
// receivers' messages waited behind it. Ours and the relay's writers do nothing after their
// send (ours gets its reply once the write is durable, long after).
//
// Nothing crosses between the two processes while an update is on its way: the bench asks
// for the send's time once every receiver has it.
//
// IPC in: { connect: { ours, relay, yjs, tasks } } (URLs; the task count the Yjs writer
// waits for) → { ready: true }; { seq, system, id, title }: the write, nothing sent back;
// { ask: seq, reply } → { seq, t0, reply }: t0 is the send's time on process.hrtime (the
// monotonic clock every process on the machine shares), in ms; with `reply` true (ours),
// once the JSON-RPC reply came, which then goes with it; else null at once.
import { connectWriter } from '@taskmaster/bench-peers/yjs-tasks';
import { jsonClient } from './json-client.mjs';

const hr = () => Number(process.hrtime.bigint()) / 1e6;
let writers;
/** seq → the send's time and the reply to come (ours). */
const sends = new Map();

process.on('message', async (msg) => {
  if (msg.connect) {
    const { ours, relay, yjs, tasks } = msg.connect;
    writers = { ours: await jsonClient(ours), relay: await jsonClient(relay), Yjs: await connectWriter(yjs, tasks) };
    process.send({ ready: true });
    return;
  }
  if (msg.ask !== undefined) {
    const sent = sends.get(msg.ask);
    sends.delete(msg.ask);
    process.send({ seq: msg.ask, t0: sent.t0, reply: msg.reply ? await sent.reply : null });
    return;
  }
  const { seq, system, id, title } = msg;
  const t0 = hr();
  let reply;
  if (system === 'ours') reply = writers.ours.call('task.update', { id, title });
  // What our receivers get for the same change: a task.patched with the new title.
  else if (system === 'relay') writers.relay.notify(JSON.stringify({ jsonrpc: '2.0', method: 'task.patched', params: { tag: 'master', id: String(id), revision: seq, set: { title }, unset: [] } }));
  else writers.Yjs.set(id, 'title', title);
  sends.set(seq, { t0, reply });
});
