import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ErrorCode } from '@taskmaster/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, makeProject } from './helpers.js';

const run = promisify(execFile);
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

afterEach(cleanup);

// A server of its own, in a child process started from the build, so nothing the test runner
// loaded counts: it serves an HTTP request and a bad one, then lists the CommonJS modules loaded.
const child = `
import { createRequire } from 'node:module';
import { createServer } from './dist/index.js';
const server = await createServer({ root: process.argv[1], token: false, host: '127.0.0.1', port: 0, httpPort: 0, writeConnectionFile: false, log: () => {} });
const list = await fetch(server.httpUrl + '/api/tasks');
const bad = await fetch(server.httpUrl + '/api/tasks', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"task": 5}' });
const loaded = Object.keys(createRequire(process.cwd() + '/').cache);
await server.close();
console.log(JSON.stringify({ list: list.status, tasks: (await list.json()).tasks.length, bad: bad.status, badCode: (await bad.json()).error?.code, loaded }));
`;

// Every request is checked with the protocol's zod schemas; fastify's JSON Schema compilers
// (ajv, its formats, fast-json-stringify) would only hold heap for the life of the server.
describe('the HTTP API runs without JSON Schema compilers', () => {
  it('serves and refuses requests, and never loads ajv or fast-json-stringify', async () => {
    const root = await makeProject();
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', child, root], { cwd: packageDir });
    const out = JSON.parse(stdout) as { list: number; tasks: number; bad: number; badCode: number; loaded: string[] };
    expect(out).toMatchObject({ list: 200, tasks: 5, bad: 400, badCode: ErrorCode.InvalidParams });
    expect(out.loaded.some((f) => f.includes('/fastify/'))).toBe(true);
    const compilers = out.loaded.filter((f) => /\/node_modules\/(ajv|ajv-formats|fast-uri|@fastify\/ajv-compiler|@fastify\/fast-json-stringify-compiler)\//.test(f));
    expect(compilers).toEqual([]);
  });
});
