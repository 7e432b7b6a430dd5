import * as z from 'zod';
import { ConflictStrategySchema } from './methods.js';
import { TeamConfigSchema } from './team.js';

/**
 * `.taskmaster/config/sync.json`: every key has a default, so `{}` is valid.
 * Unknown keys are rejected so a typo is reported instead of ignored.
 */
export const SyncConfigSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(5173),
    httpPort: z.number().int().min(0).max(65535).default(5174),
    path: z.string().startsWith('/').default('/taskmaster'),
    /** The token clients must present; without it (and without `auth: "none"`) the server generates one per start. */
    token: z.string().min(16).optional(),
    /**
     * `"token"` (default): clients must present a token. `"none"`: anyone who can
     * reach the ports can read and change the tasks — every page on any localhost
     * port included — so it is an explicit opt-out, warned about at start.
     */
    auth: z.enum(['token', 'none']).default('token'),
    /** Browser origins allowed besides loopback ones, e.g. `vscode-webview://...`. */
    allowedOrigins: z.array(z.string()).default([]),
    /** Host header values allowed besides loopback names (DNS-rebinding defence). */
    allowedHosts: z.array(z.string()).default([]),
    conflictStrategy: ConflictStrategySchema.default('last-write-wins'),
    batchWindowMs: z.number().int().min(0).max(100).default(25),
    /**
     * How long the watcher lets a burst of file events settle before reading. Short: a second
     * Task Master process may overwrite the first one's write within milliseconds, and a version
     * the server never read cannot be merged back. Half-written files are waited out anyway.
     */
    debounceMs: z.number().int().min(0).max(1000).default(3),
    maxConnections: z.number().int().min(1).default(100),
    autoSync: z.boolean().default(false),
    history: z
      .object({
        maxSnapshots: z.number().int().min(0).default(50),
        maxBytes: z.number().int().min(0).default(50 * 1024 * 1024),
      })
      .strict()
      .default({ maxSnapshots: 50, maxBytes: 50 * 1024 * 1024 }),
    log: z
      .object({ maxBytes: z.number().int().min(1024).default(1024 * 1024), keep: z.number().int().min(0).default(3) })
      .strict()
      .default({ maxBytes: 1024 * 1024, keep: 3 }),
    /** Team sync on PostgreSQL (see `@taskmaster/team`); absent: this project syncs on this machine only. */
    team: TeamConfigSchema.optional(),
  })
  .strict()
  .refine((c) => !(c.auth === 'none' && c.token !== undefined), {
    path: ['auth'],
    message: '"auth": "none" and a "token" contradict each other; remove one',
  });
export type SyncConfig = z.output<typeof SyncConfigSchema>;
export type SyncConfigInput = z.input<typeof SyncConfigSchema>;

/**
 * `.taskmaster/config/connection.json`, written by a running server (mode 0600)
 * so clients discover it instead of guessing ports.
 */
export const ConnectionFileSchema = z
  .object({
    pid: z.number().int(),
    host: z.string(),
    port: z.number().int(),
    httpPort: z.number().int(),
    path: z.string(),
    scheme: z.enum(['ws', 'wss']),
    wsUrl: z.string(),
    httpUrl: z.string(),
    token: z.string().optional(),
    epoch: z.string(),
    startedAt: z.string(),
    connections: z
      .array(
        z.object({
          clientId: z.string(),
          client: z.string().optional(),
          peer: z.string(),
          since: z.string(),
          mode: z.enum(['websocket', 'http']),
        }),
      )
      .default([]),
  })
  .loose();
export type ConnectionFile = z.output<typeof ConnectionFileSchema>;
