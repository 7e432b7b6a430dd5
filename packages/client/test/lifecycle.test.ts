import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { openStore } from '@taskmaster/store';
import { closedPort, exited, Harness, until } from './helpers.js';

/**
 * These run the built client (`@taskmaster/client`, i.e. dist/) in a child
 * process that never calls process.exit: it exits only if the client left
 * no socket or timer behind.
 */
const h = new Harness();
afterEach(() => h.cleanup());

describe('client lifecycle', () => {
  it('leaves nothing running after close()', async () => {
    const root = await h.project();
    const server = await h.server(root);
    const child = h.child(
      `const client = createClient({ url: process.env.WS_URL, httpUrl: process.env.HTTP_URL, token: process.env.TOKEN });
       await client.ready();
       const { tasks } = await client.call('tasks.list');
       await client.close();
       console.log('closed', client.mode, tasks.length);`,
      { WS_URL: server.wsUrl, HTTP_URL: server.httpUrl, TOKEN: server.token! },
    );
    const result = await exited(child, 15_000);
    expect(result.timedOut).toBe(false);
    expect(result.code).toBe(0);
    expect(result.out.trim()).toBe('closed offline 0');
  });

  it('leaves nothing running after close() while it is still trying to reconnect', async () => {
    const child = h.child(
      `const client = createClient({ url: 'ws://127.0.0.1:' + process.env.PORT + '/taskmaster', reconnect: { minDelayMs: 10, maxDelayMs: 50 } });
       const pending = client.call('ping').catch((err) => err.code);
       await new Promise((r) => setTimeout(r, 300));
       await client.close();
       console.log('closed', await pending);`,
      { PORT: String(await closedPort()) },
    );
    const result = await exited(child, 15_000);
    expect(result.timedOut).toBe(false);
    expect(result.out.trim()).toBe('closed 1001');
  });

  it('ends a poll under way when closed, though the HTTP server never answers', async () => {
    const silent = await h.silentPort();
    const child = h.child(
      `const client = createClient({ url: 'ws://127.0.0.1:' + process.env.WS_PORT + '/taskmaster', httpUrl: 'http://127.0.0.1:' + process.env.HTTP_PORT,
         requestTimeoutMs: 60_000, reconnect: { minDelayMs: 10, maxDelayMs: 50 } });
       await nextLine();
       await client.close();
       console.log('closed', client.mode);`,
      { WS_PORT: String(await closedPort()), HTTP_PORT: String(silent.port) },
    );
    // The poll asking whether HTTP answers was sent: it waits on the silent server. Then the client is closed.
    await until(() => silent.open() >= 1, 'the poll to reach the silent server');
    child.stdin!.end('close\n');
    const result = await exited(child, 15_000);
    expect(result.timedOut).toBe(false);
    expect(result.out.trim()).toBe('closed offline');
    // The request was given up, not left open until its 60 s timeout.
    await until(() => silent.open() === 0, 'the poll to be given up');
  });

  it('ends a call posted over HTTP when closed, though the server has not answered it yet', async () => {
    const root = await h.project();
    const server = await h.server(root);
    // Another writer holds Task Master's lock: the server waits for it, and so does the POST.
    const session = await (await openStore(root)).begin();
    try {
      const child = h.child(
        `const client = createClient({ url: 'ws://127.0.0.1:' + process.env.WS_PORT + '/taskmaster', httpUrl: process.env.HTTP_URL, token: process.env.TOKEN,
           requestTimeoutMs: 60_000, polling: { intervalMs: 100 } });
         await client.ready();
         const pending = client.call('task.create', { task: { title: 'Posted, then closed' } }).catch((err) => err.code);
         await new Promise((r) => setTimeout(r, 300));
         await client.close();
         console.log('closed', client.mode, await pending);`,
        { WS_PORT: String(await closedPort()), HTTP_URL: server.httpUrl, TOKEN: server.token! },
      );
      const result = await exited(child, 15_000);
      expect(result.timedOut).toBe(false);
      expect(result.out.trim()).toBe('closed offline 1001');
    } finally {
      await session.fail(new Error('released by the test'));
    }
  });

  it('stops retrying after an authentication failure, so the process can exit', async () => {
    const root = await h.project();
    const server = await h.server(root, { token: true });
    const child = h.child(
      `const client = createClient({ url: process.env.WS_URL, token: 'not-the-right-token', reconnect: { minDelayMs: 10, maxDelayMs: 20 } });
       const err = await client.ready().catch((e) => e);
       console.log(err.code, client.mode);`,
      { WS_URL: server.wsUrl },
    );
    const result = await exited(child, 15_000);
    expect(result.timedOut).toBe(false);
    expect(result.out.trim()).toBe('1002 offline');
  });
});

describe('README', () => {
  it('has an example that works against a running server', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const example = /```ts\n([\s\S]*?)```/.exec(readme)![1]!;
    expect(example.trim().split('\n').length).toBeLessThanOrEqual(12);
    const root = await h.project();
    await h.server(root);
    // Run from the project root, as a tool would; the import points at the built client.
    const script = example.replace("'@taskmaster/client'", JSON.stringify(new URL('../dist/index.js', import.meta.url).href));
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const result = await exited(child, 15_000);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain('mode: realtime');
    expect(result.out).toContain('1 tasks in master');
    expect(result.out).toContain('task 1 is now in-progress');
  });

  it('hears of its own update before the reply, in 100 of 100 runs of the example', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const example = /```ts\n([\s\S]*?)```/.exec(readme)![1]!;
    const root = await h.project();
    await h.server(root);
    const body = example.replace(/^import .*$/m, '');
    const script = `import { createClient } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)};\nfor (let run = 0; run < 100; run++) {\n${body}\n}`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const result = await exited(child, 120_000);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const heard = result.out.split('\n').filter((line) => /^task \d+ is now in-progress$/.test(line));
    expect(heard).toHaveLength(100);
    expect(new Set(heard).size).toBe(100);
  }, 150_000);
});
