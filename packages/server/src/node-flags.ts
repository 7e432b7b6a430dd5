/**
 * Node/V8 flags to run a long-lived sync server with (the CLI's daemon and
 * `pnpm start` pass them; a process embedding the server may too). A server
 * allocates in short bursts around each commit; V8's default young
 * generation grows to 32 MB for them and keeps it. With 1 MB semi-spaces,
 * RSS at 10k tasks and 100 clients went from 132 MB to about 95 MB, with
 * the same latency and throughput (packages/server/bench).
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1'];
