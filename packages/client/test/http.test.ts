import { getEventListeners } from 'node:events';
import { ErrorCode } from '@taskmaster/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchChanges, type RequestLimits } from '../src/http.js';
import { closedPort, Harness } from './helpers.js';

const h = new Harness();
afterEach(() => h.cleanup());

/** The HTTP fallback's requests, against a real server. */
describe('HTTP requests', () => {
  it('let go of the client once each is over: 200 polls leave nothing on its close signal', async () => {
    const root = await h.project();
    const server = await h.server(root);
    const closing = new AbortController();
    const limits: RequestLimits = { timeoutMs: 5000, closed: closing.signal };
    const endpoint = { httpUrl: server.httpUrl, token: server.token };
    const first = await fetchChanges(endpoint, undefined, undefined, limits);
    expect(first.changed).toBe(true);
    for (let i = 0; i < 200; i++) await fetchChanges(endpoint, undefined, undefined, limits);
    // A refused request and an unreachable one end the same way.
    await expect(fetchChanges({ httpUrl: server.httpUrl, token: 'a-wrong-token-of-enough-length' }, undefined, undefined, limits)).rejects.toMatchObject({
      code: ErrorCode.AuthenticationFailed,
    });
    await expect(fetchChanges({ httpUrl: `http://127.0.0.1:${await closedPort()}` }, undefined, undefined, limits)).rejects.toMatchObject({
      code: ErrorCode.ConnectionFailed,
      message: expect.stringMatching(/it is not reachable$/),
    });
    // Each request listened for the client closing only while it ran: none piles up on a client that polls for days.
    expect(getEventListeners(closing.signal, 'abort')).toHaveLength(0);
  });

  it('says the client was closed when that ended the request', async () => {
    const silent = await h.silentPort();
    const closing = new AbortController();
    const pending = fetchChanges({ httpUrl: `http://127.0.0.1:${silent.port}` }, undefined, undefined, { timeoutMs: 60_000, closed: closing.signal });
    await new Promise((r) => setTimeout(r, 200));
    closing.abort();
    await expect(pending).rejects.toMatchObject({ code: ErrorCode.ConnectionFailed, message: expect.stringMatching(/failed: the client was closed$/) });
    await expect(fetchChanges({ httpUrl: `http://127.0.0.1:${silent.port}` }, undefined, undefined, { timeoutMs: 300, closed: new AbortController().signal })).rejects.toMatchObject({
      message: expect.stringMatching(/failed: no answer within 300 ms$/),
    });
  });
});
