// The tasks as a Yjs document, and the two kinds of client commit.bench.mjs uses: a writer
// that holds the whole document (synced from the server the way y-websocket's provider
// does it) and changes one field of one task, and a receiver that reads the updates the
// server broadcasts and finds the change in them (it does not ask for the document).
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';

const messageSync = 0;

/** One Y.Map per task in the Y.Map "tasks", keyed by id. */
export function fillTasksDoc(doc, tasks) {
  const map = doc.getMap('tasks');
  doc.transact(() => {
    for (const task of tasks) {
      const t = new Y.Map();
      for (const [k, v] of Object.entries(task)) t.set(k, v);
      map.set(String(task.id), t);
    }
  });
}

function open(url) {
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** A client holding the document: `set(id, field, value)` changes it and sends the update. */
export async function connectWriter(url, expectedTasks) {
  const ws = await open(url);
  const doc = new Y.Doc();
  const tasks = doc.getMap('tasks');
  let synced;
  const ready = new Promise((resolve) => (synced = resolve));
  ws.on('message', (data) => {
    const encoder = encoding.createEncoder();
    const decoder = decoding.createDecoder(new Uint8Array(data));
    if (decoding.readVarUint(decoder) !== messageSync) return;
    encoding.writeVarUint(encoder, messageSync);
    syncProtocol.readSyncMessage(decoder, encoder, doc, ws);
    if (encoding.length(encoder) > 1) ws.send(encoding.toUint8Array(encoder));
    if (tasks.size >= expectedTasks) synced();
  });
  doc.on('update', (update, origin) => {
    if (origin === ws) return;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, messageSync);
    syncProtocol.writeUpdate(encoder, update);
    ws.send(encoding.toUint8Array(encoder));
  });
  const step1 = encoding.createEncoder();
  encoding.writeVarUint(step1, messageSync);
  syncProtocol.writeSyncStep1(step1, doc);
  ws.send(encoding.toUint8Array(step1));
  await ready;
  return {
    ws,
    doc,
    set: (id, field, value) => tasks.get(String(id)).set(field, value),
    close: () => { ws.terminate(); doc.destroy(); },
  };
}

/** A client that decodes each broadcast update and calls `onValue(value)` for every string it sets. */
export async function connectReceiver(url, onValue) {
  const ws = await open(url);
  ws.on('message', (data) => {
    const decoder = decoding.createDecoder(new Uint8Array(data));
    if (decoding.readVarUint(decoder) !== messageSync) return;
    const type = decoding.readVarUint(decoder);
    if (type !== syncProtocol.messageYjsUpdate && type !== syncProtocol.messageYjsSyncStep2) return;
    const { structs } = Y.decodeUpdate(decoding.readVarUint8Array(decoder));
    for (const s of structs) {
      const content = s.content?.getContent?.();
      if (content) for (const v of content) if (typeof v === 'string') onValue(v);
    }
  });
  return { ws, close: () => ws.terminate() };
}
