// The benchmarks' raw JSON-RPC client over a WebSocket, with permessage-deflate as a client offers it.
import WebSocket from 'ws';

/**
 * A JSON-RPC client of the benchmarks (ours, the relay, the floor): calls, and `onTitle(title)`
 * for each task's new title, from a `task.updated` (the whole task) or a `task.patched`.
 */
export async function jsonClient(url, onTitle = () => {}) {
  const ws = new WebSocket(url, { perMessageDeflate: true });
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  const pending = new Map();
  let nextId = 1;
  ws.on('message', (data) => {
    const value = JSON.parse(data.toString());
    for (const m of Array.isArray(value) ? value : [value]) {
      if (m.id !== undefined && pending.has(m.id)) {
        pending.get(m.id)(m);
        pending.delete(m.id);
      } else if (m.method === 'task.updated' && m.params?.task) onTitle(m.params.task.title);
      else if (m.method === 'task.patched' && m.params?.set?.title) onTitle(m.params.set.title);
    }
  });
  return {
    ws,
    call(method, params) {
      const id = nextId++;
      return new Promise((resolve) => { pending.set(id, resolve); ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params })); });
    },
    notify: (message) => ws.send(message),
    close: () => ws.terminate(),
  };
}
