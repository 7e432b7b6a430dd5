import { promisify } from 'node:util';
import zlib from 'node:zlib';

/**
 * gzip members carrying a short text in their header's comment field
 * (RFC 1952 FCOMMENT). A snapshot keeps its description there, so the
 * description and the bytes it describes are one file, written at once: no
 * sidecar or index to get out of step after a crash. Any gzip reader (zlib,
 * `gunzip`, `zcat`) skips the comment.
 */

const gzip = promisify(zlib.gzip);
const gunzip = promisify(zlib.gunzip);

const FLG = 3;
const HEADER_BYTES = 10;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
/** How much of a file's start is read to find its comment. */
export const GZIP_COMMENT_WINDOW = 4096;

/**
 * `bytes` compressed, with `comment` (Latin-1, no NUL; callers pass plain
 * ASCII) in the header. Compression runs on libuv's pool, off the event loop.
 */
export async function gzipWithComment(bytes: string | Uint8Array, comment: string, level = 6): Promise<Buffer> {
  const packed = await gzip(typeof bytes === 'string' ? Buffer.from(bytes) : bytes, { level });
  const text = Buffer.from(comment.replaceAll('\0', ''), 'latin1');
  // zlib writes a bare 10-byte header (FLG 0): the comment goes right after it. The CRC covers only the data.
  const header = Buffer.from(packed.subarray(0, HEADER_BYTES));
  header[FLG] = header[FLG]! | FCOMMENT;
  return Buffer.concat([header, text, Buffer.from([0]), packed.subarray(HEADER_BYTES)]);
}

/** The comment in the header at the start of `head` (the first {@link GZIP_COMMENT_WINDOW} bytes of a file), if any. */
export function gzipCommentOf(head: Uint8Array): string | undefined {
  if (head.length < HEADER_BYTES || head[0] !== 0x1f || head[1] !== 0x8b) return undefined;
  const flags = head[FLG]!;
  if (!(flags & FCOMMENT)) return undefined;
  let at = HEADER_BYTES;
  if (flags & FEXTRA) {
    if (at + 2 > head.length) return undefined;
    at += 2 + (head[at]! | (head[at + 1]! << 8));
  }
  if (flags & FNAME) {
    const end = head.indexOf(0, at);
    if (end < 0) return undefined;
    at = end + 1;
  }
  const end = head.indexOf(0, at);
  return end < 0 ? undefined : Buffer.from(head.subarray(at, end)).toString('latin1');
}

/** Decompresses `packed`; refuses (RangeError, ERR_BUFFER_TOO_LARGE) output over `maxBytes`, so a planted gzip bomb cannot fill memory. */
export function gunzipLimited(packed: Uint8Array, maxBytes: number): Promise<Buffer> {
  return gunzip(packed, { maxOutputLength: maxBytes });
}
