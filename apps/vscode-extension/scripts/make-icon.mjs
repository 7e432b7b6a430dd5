// Draws media/icon.png (128×128): a rounded blue tile with a white check mark
// and two sync arrows' worth of ring. Run once; the PNG is committed.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const SIZE = 128;
const pixels = Buffer.alloc(SIZE * SIZE * 4);

function blend(x, y, [r, g, b], alpha) {
  if (x < 0 || y < 0 || x >= SIZE || y >= SIZE || alpha <= 0) return;
  const i = (y * SIZE + x) * 4;
  const a = Math.min(1, alpha);
  const dstA = pixels[i + 3] / 255;
  const outA = a + dstA * (1 - a);
  for (const [k, c] of [[0, r], [1, g], [2, b]]) {
    pixels[i + k] = Math.round((c * a + pixels[i + k] * dstA * (1 - a)) / (outA || 1));
  }
  pixels[i + 3] = Math.round(outA * 255);
}

/** Signed distance to a rounded square of half-size h and radius rad, centred. */
function roundedBox(px, py, h, rad) {
  const qx = Math.abs(px) - h + rad;
  const qy = Math.abs(py) - h + rad;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - rad;
}

function segmentDistance(px, py, [ax, ay], [bx, by]) {
  const t = Math.max(0, Math.min(1, ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
  return Math.hypot(px - (ax + t * (bx - ax)), py - (ay + t * (by - ay)));
}

const c = SIZE / 2;
for (let y = 0; y < SIZE; y++) {
  for (let x = 0; x < SIZE; x++) {
    const px = x + 0.5 - c;
    const py = y + 0.5 - c;
    // Tile: vertical gradient from a bright to a deep blue.
    const tile = roundedBox(px, py, 60, 22);
    const t = y / SIZE;
    blend(x, y, [Math.round(40 - 20 * t), Math.round(130 - 50 * t), Math.round(230 - 40 * t)], 0.5 - tile);
    // Ring: the "sync" circle, open at the top right.
    const ring = Math.abs(Math.hypot(px, py) - 38) - 5;
    const angle = Math.atan2(py, px);
    if (!(angle > -1.2 && angle < -0.35)) blend(x, y, [255, 255, 255], (0.5 - ring) * 0.55);
    // Check mark.
    const check = Math.min(segmentDistance(px, py, [-20, 2], [-6, 16]), segmentDistance(px, py, [-6, 16], [22, -14])) - 7;
    blend(x, y, [255, 255, 255], 0.5 - check);
  }
}

function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type), data]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}

function crc32(buf) {
  let crc = ~0;
  for (const byte of buf) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) pixels.copy(raw, y * (SIZE * 4 + 1) + 1, y * SIZE * 4, (y + 1) * SIZE * 4);
const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header.set([8, 6, 0, 0, 0], 8);
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(raw)),
  chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(new URL('../media/icon.png', import.meta.url), png);
