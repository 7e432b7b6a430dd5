import { afterEach, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { OutgoingEvent } from '../src/ws/outgoing-event.js';
import { SendQueue } from '../src/ws/send-queue.js';
import { prepareFrame, writePreparedFrame } from '../src/ws/prepared-frame.js';
import { RawClient, cleanup, eventually, register } from './helpers.js';

afterEach(cleanup);

/** A real ws server and client, connected, with permessage-deflate as the sync server sets it up. */
async function pair(): Promise<{ server: WebSocket; client: RawClient }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: { threshold: 1024 } });
  register(() => new Promise((resolve) => wss.close(resolve)));
  const accepted = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
  await new Promise((resolve) => wss.once('listening', resolve));
  const client = await RawClient.connect(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, { token: false });
  return { server: await accepted, client };
}

describe('prepared frames', () => {
  it('frame text of every header size as a ws client reads it, the payload a view of the frame', async () => {
    const { server, client } = await pair();
    // 7-bit, 16-bit and 64-bit lengths, each side of the boundaries, and text with multi-byte characters.
    const texts = [0, 1, 125, 126, 127, 65535, 65536, 70_000].map((n) => 'x'.repeat(n));
    texts.push(JSON.stringify({ title: 'Überprüfung — 検証 🚀'.repeat(20) }));
    for (const text of texts) {
      const { frame, payload } = prepareFrame(text);
      expect(payload.toString()).toBe(text);
      expect(payload.buffer).toBe(frame.buffer);
      const written = new Promise<void>((resolve, reject) => {
        expect(writePreparedFrame(server, frame, (err) => (err ? reject(err) : resolve()))).toBe(true);
      });
      await written;
    }
    await eventually(() => expect(client.rawFrames).toHaveLength(texts.length));
    expect(client.rawFrames).toEqual(texts);
  });

  it('never overtakes a reply ws is still compressing: it waits behind it, in order', async () => {
    const { server, client } = await pair();
    const queue = new SendQueue(server, {
      maxQueuedBytes: 1 << 24,
      envelope: () => 'jsonrpc',
      resyncNotice: () => new OutgoingEvent('sync.snapshot', {}),
      onOverflow: () => {},
      onReplyPressure: () => {},
      onDrained: () => {},
    });
    const big = JSON.stringify({ jsonrpc: '2.0', id: 1, result: { text: 'reply '.repeat(20_000) } });
    for (let round = 0; round < 5; round++) {
      const before = client.messages.length;
      queue.pushReply(big); // compressed by ws, off the event loop
      queue.pushEvents([new OutgoingEvent('task.updated', { round })]); // ready meanwhile
      queue.pushEvents([new OutgoingEvent('task.updated', { round, second: true })]);
      await client.waitFor((m) => (m.params as { second?: boolean } | undefined)?.second === true && (m.params as { round: number }).round === round);
      const got = client.messages.slice(before);
      expect(got.map((m) => ('result' in m ? 'reply' : (m.params as { second?: boolean }).second ? 'second' : 'event'))).toEqual(['reply', 'event', 'second']);
    }
  });
});
