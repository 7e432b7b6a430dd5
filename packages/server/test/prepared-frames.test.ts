import { afterEach, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { Receiver, WebSocketServer, type WebSocket } from 'ws';
import { OutgoingEvent } from '../src/ws/outgoing-event.js';
import { SendQueue } from '../src/ws/send-queue.js';
import { prepareFrame } from '../src/ws/prepared-frame.js';
import { RawClient, cleanup, register } from './helpers.js';

afterEach(cleanup);

/** What ws's own client-side parser makes of `bytes`. */
function receive(bytes: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const receiver = new Receiver({ isServer: false, maxPayload: 0 });
    receiver.on('message', (data: Buffer, isBinary: boolean) => (isBinary ? reject(new Error('binary')) : resolve(data.toString())));
    receiver.on('error', reject);
    receiver.write(bytes);
  });
}

describe('prepared frames', () => {
  it('frames text of every header size as ws reads it, the payload a view of the frame', async () => {
    // 7-bit, 16-bit and 64-bit lengths, each side of the boundaries, and text with multi-byte characters.
    for (const length of [0, 1, 125, 126, 127, 65535, 65536, 70_000]) {
      const text = 'x'.repeat(length);
      const { frame, payload } = prepareFrame(text);
      expect(payload.toString()).toBe(text);
      expect(payload.buffer).toBe(frame.buffer);
      expect(await receive(frame)).toBe(text);
    }
    const text = JSON.stringify({ title: 'Überprüfung — 検証 🚀'.repeat(20) });
    const { frame, payload } = prepareFrame(text);
    expect(payload.length).toBe(Buffer.byteLength(text));
    expect(await receive(frame)).toBe(text);
  });

  it('never overtakes a reply ws is still compressing: it waits behind it, in order', async () => {
    // A real ws pair with permessage-deflate, as the server sets it up.
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: { threshold: 1024 } });
    register(() => new Promise((resolve) => wss.close(resolve)));
    const accepted = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
    await new Promise((resolve) => wss.once('listening', resolve));
    const client = await RawClient.connect(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, { token: false });
    const queue = new SendQueue(await accepted, {
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
