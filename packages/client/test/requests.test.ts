import { ErrorCode, TaskmasterError, isTaskmasterError, jsonRpcError, jsonRpcResult } from '@taskmaster/protocol';
import { describe, expect, it } from 'vitest';
import { RequestManager, type OutgoingRequest, type Transport } from '../src/requests.js';

/** A transport that records what it is given; `open` says whether it takes more. */
function recorder(): Transport & { sent: OutgoingRequest[]; open: boolean } {
  const t = {
    name: 'test',
    sent: [] as OutgoingRequest[],
    open: true,
    send(request: OutgoingRequest) {
      if (!t.open) return false;
      t.sent.push(request);
      return true;
    },
  };
  return t;
}

describe('request manager', () => {
  it('holds calls made without a transport and sends them in order once one is attached', async () => {
    const requests = new RequestManager();
    // A method outside the protocol's table: its results are passed on as they come (see server-messages.ts).
    const results = ['a', 'b', 'c'].map((title) => requests.call('test.echo', { task: { title } }));
    expect(requests.queued).toBe(3);
    const transport = recorder();
    requests.attach(transport);
    expect(transport.sent.map((r) => (r.params as { task: { title: string } }).task.title)).toEqual(['a', 'b', 'c']);
    for (const r of transport.sent) requests.handleResponse(jsonRpcResult(r.id, { echoed: r.id }));
    expect(await Promise.all(results)).toEqual(transport.sent.map((r) => ({ echoed: r.id })));
  });

  it('rejects calls beyond the queue limit with 1001 and keeps the ones already queued', async () => {
    const requests = new RequestManager({ queueLimit: 2 });
    const kept = [requests.call('test.echo'), requests.call('test.echo')];
    const over = requests.call('test.echo');
    await expect(over).rejects.toSatisfy((err) => isTaskmasterError(err, ErrorCode.ConnectionFailed));
    await expect(over).rejects.toThrow(/2 calls already wait/);
    expect(requests.queued).toBe(2);
    const transport = recorder();
    requests.attach(transport);
    for (const r of transport.sent) requests.handleResponse(jsonRpcResult(r.id, r.id));
    expect(await Promise.all(kept)).toEqual(transport.sent.map((r) => r.id));
  });

  it('keeps later calls behind queued ones so order survives a reconnect', () => {
    const requests = new RequestManager();
    const transport = recorder();
    transport.open = false;
    requests.attach(transport);
    void requests.call('ping', undefined);
    void requests.call('tasks.list', undefined);
    expect(requests.queued).toBe(2);
    transport.open = true;
    requests.attach(transport);
    void requests.call('tags.list', undefined);
    expect(transport.sent.map((r) => r.method)).toEqual(['ping', 'tasks.list', 'tags.list']);
  });

  it('gives every request its own numeric id and answers each by id, in any order', async () => {
    const requests = new RequestManager();
    const transport = recorder();
    requests.attach(transport);
    const first = requests.call('test.echo');
    const second = requests.call('test.echo');
    const [a, b] = transport.sent;
    expect(typeof a!.id).toBe('number');
    expect(a!.id).not.toBe(b!.id);
    requests.handleResponse(jsonRpcResult(b!.id, 'second'));
    requests.handleResponse(jsonRpcResult(a!.id, 'first'));
    expect(await first).toBe('first');
    expect(await second).toBe('second');
  });

  it("checks a result against its method's schema: a mismatch fails the call with 1003 naming the method and field", async () => {
    const requests = new RequestManager();
    const transport = recorder();
    requests.attach(transport);
    const good = requests.call('ping');
    const bad = requests.call('ping');
    const [a, b] = transport.sent;
    // What matches is passed on as it came, keys the schema does not name included.
    requests.handleResponse(jsonRpcResult(a!.id, { pong: true, time: 5, extra: 'x' }));
    requests.handleResponse(jsonRpcResult(b!.id, { pong: true, time: 'soon' }));
    expect(await good).toEqual({ pong: true, time: 5, extra: 'x' });
    await expect(bad).rejects.toSatisfy((err) => isTaskmasterError(err, ErrorCode.InvalidMessage));
    await expect(bad).rejects.toThrow("the server's result for ping does not match the protocol: time: expected number, received string");
    expect(requests.pending).toBe(0);
  });

  it('rejects with the server error, code and data included', async () => {
    const requests = new RequestManager();
    const transport = recorder();
    requests.attach(transport);
    const call = requests.call('task.update', { id: 1 });
    const data = { base: { title: 'a' }, mine: { title: 'b' }, theirs: { title: 'c' } };
    requests.handleResponse(jsonRpcError(transport.sent[0]!.id, { code: 1006, message: 'conflict', data }));
    await expect(call).rejects.toMatchObject({ name: 'TaskmasterError', code: 1006, data });
  });

  it('times out a sent request with 1001 and a message naming it', async () => {
    const requests = new RequestManager({ timeoutMs: 20 });
    requests.attach(recorder());
    await expect(requests.call('tasks.list')).rejects.toMatchObject({
      code: ErrorCode.ConnectionFailed,
      message: expect.stringMatching(/request tasks\.list \(\d+\) timed out after 20 ms/),
    });
    expect(requests.pending).toBe(0);
  });

  it('fails requests in flight on a lost transport instead of sending them twice', async () => {
    const requests = new RequestManager();
    const transport = recorder();
    requests.attach(transport);
    const call = requests.call('task.create', { task: { title: 'x' } });
    requests.detach(transport, 'the connection closed');
    await expect(call).rejects.toThrow(/may or may not have been applied/);
    void requests.call('ping');
    expect(requests.queued).toBe(1);
    expect(transport.sent).toHaveLength(1);
  });

  it('fails everything and every later call once closed', async () => {
    const requests = new RequestManager();
    const queued = requests.call('ping');
    const error = new TaskmasterError(ErrorCode.ConnectionFailed, 'closed');
    requests.close(error);
    await expect(queued).rejects.toBe(error);
    await expect(requests.call('ping')).rejects.toBe(error);
  });
});
