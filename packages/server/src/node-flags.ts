/**
 * Node/V8 flags to run a long-lived sync server with (the CLI's daemon and
 * `pnpm start` pass them; a process embedding the server may too). A server
 * allocates in short bursts around each commit; V8's default young
 * generation grows to 32 MB for them and keeps it. With 1 MB semi-spaces,
 * RSS at 10k tasks and 100 clients went from 132 MB to about 95 MB, with
 * the same latency and throughput (packages/server/bench).
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1'];

/**
 * Environment to run the server process with, beside {@link SERVER_NODE_FLAGS}
 * (the CLI's daemon and `pnpm start` set it; a value already in the
 * environment wins). Each commit allocates and frees buffers of the file's
 * size; glibc's malloc then raises its trim threshold and keeps the freed
 * memory. A fixed 128 KB threshold hands it back: RssAnon at 1k tasks after
 * 2,000 updates went from 67–71 MB to 49 MB (packages/server/bench). Other
 * C libraries ignore the variable.
 */
export const SERVER_ENV: Readonly<Record<string, string>> = { MALLOC_TRIM_THRESHOLD_: '131072' };
