import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import path from 'node:path';

/** Content types of what a Vite build holds; anything else is served as bytes. */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** A static file is a page asset, never a data dump: larger ones are refused. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** A file found under the board folder. */
export interface BoardFile {
  body: Buffer;
  contentType: string;
  /** Vite's content-hashed assets never change under their name. */
  immutable: boolean;
}

/**
 * Reads the file a URL path names under `dir`, or undefined (then: 404).
 * `/` is `index.html`; folders are never listed; dot-files, `..` and
 * anything whose real path (symbolic links resolved) leaves `dir` are not
 * served, so a link planted in the folder cannot expose other files.
 */
export async function readBoardFile(dir: string, urlPath: string): Promise<BoardFile | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0]!);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.length === 0) segments.push('index.html');
  if (segments.some((s) => s.startsWith('.'))) return undefined;
  const root = await realpath(dir).catch(() => undefined);
  if (root === undefined) return undefined;
  const real = await realpath(path.join(root, ...segments)).catch(() => undefined);
  if (real === undefined || !real.startsWith(root + path.sep)) return undefined;
  // O_NOFOLLOW: the path was just resolved; a link swapped in since is refused, not followed.
  const handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => undefined);
  if (!handle) return undefined;
  try {
    const info = await handle.stat();
    if (!info.isFile() || info.size > MAX_FILE_BYTES) return undefined;
    const body = await handle.readFile();
    const ext = path.extname(real).toLowerCase();
    return {
      body,
      contentType: CONTENT_TYPES[ext] ?? 'application/octet-stream',
      immutable: segments[0] === 'assets',
    };
  } finally {
    await handle.close();
  }
}

/**
 * The board's Content-Security-Policy: its own scripts and styles only (no
 * inline code, no eval), and connections to this server alone — its HTTP
 * origin (`'self'`) and its WebSocket at `wsOrigin`.
 */
export function boardCsp(wsOrigin: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${wsOrigin}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
