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
 * environment wins). Both settings are glibc malloc's; other C libraries
 * ignore them.
 * - `MALLOC_TRIM_THRESHOLD_`: each commit allocates and frees buffers of the
 *   file's size; malloc then raises its trim threshold and keeps the freed
 *   memory. A fixed 128 KB threshold hands it back: RssAnon at 1k tasks after
 *   2,000 updates went from 67–71 MB to 49 MB.
 * - `MALLOC_MMAP_THRESHOLD_`: blocks of 8 KB and more get pages of their
 *   own, which go back to the system when freed. In malloc's heap, the space
 *   such blocks free under load is left in holes that stay resident: the
 *   heap's mapping held 4.7 MB with 100 clients connected at 10k tasks and
 *   9.2 MB after 2,000 updates. 2 s after those updates, RssAnon went from
 *   37–40 to 32–35 MB at 1k tasks × 10 clients and from 52–55 to 49–51 MB at
 *   10k × 100, with the same durable throughput (the Yjs peer, in the same
 *   environment: 21–22 and 64–66 MB).
 *
 * Figures from packages/server/bench/commit.bench.mjs.
 */
export const SERVER_ENV: Readonly<Record<string, string>> = { MALLOC_TRIM_THRESHOLD_: '131072', MALLOC_MMAP_THRESHOLD_: '8192' };
