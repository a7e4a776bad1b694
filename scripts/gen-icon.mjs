#!/usr/bin/env node
// Draws the extension icon (icon.png, 128x128 RGBA): a shield with a check mark on a dark tile.
// No dependencies: shapes are sampled 4x4 per pixel and written as a PNG with node:zlib.
//   node scripts/gen-icon.mjs            write icon.png
//   node scripts/gen-icon.mjs --check    exit 1 if icon.png differs from what this draws
import { deflateSync } from 'node:zlib';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SIZE = 128;
const SS = 4; // samples per axis

const TILE = [0x1b, 0x2a, 0x41]; // dark navy
const SHIELD = [0x2f, 0x80, 0xed]; // blue
const RIM = [0xe8, 0xf1, 0xff]; // light rim
const CHECK = [0xff, 0xff, 0xff];

function roundedRect(x, y, r) {
  const m = 4;
  const cx = Math.min(Math.max(x, m + r), SIZE - m - r);
  const cy = Math.min(Math.max(y, m + r), SIZE - m - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r && x >= m && x <= SIZE - m && y >= m && y <= SIZE - m;
}

/** Shield: flat top with rounded shoulders, sides curving to a point at the bottom. Scale s around the centre. */
function inShield(x, y, s = 1) {
  const cx = 64;
  const top = 64 - 46 * s;
  const bottom = 64 + 50 * s;
  const half = 38 * s;
  if (y < top || y > bottom) return false;
  const t = (y - top) / (bottom - top); // 0 at the top, 1 at the tip
  // the top edge dips slightly in the middle (a classic heater shield)
  const dip = 6 * s * (1 - ((x - cx) / half) ** 2);
  if (y < top + Math.max(0, dip) && t < 0.1) return false;
  const w = t < 0.45 ? half : half * Math.cos(((t - 0.45) / 0.55) * (Math.PI / 2));
  return Math.abs(x - cx) <= w;
}

function distToSegment(px, py, ax, ay, bx, by) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

function inCheck(x, y) {
  const w = 6.5;
  return distToSegment(x, y, 42, 64, 57, 79) <= w || distToSegment(x, y, 57, 79, 87, 46) <= w;
}

function colourAt(x, y) {
  if (inCheck(x, y) && inShield(x, y, 0.86)) return [...CHECK, 255];
  if (inShield(x, y, 0.86)) return [...SHIELD, 255];
  if (inShield(x, y)) return [...RIM, 255];
  if (roundedRect(x, y, 22)) return [...TILE, 255];
  return [0, 0, 0, 0];
}

export function drawIcon() {
  const rows = [];
  for (let py = 0; py < SIZE; py++) {
    const row = Buffer.alloc(1 + SIZE * 4); // filter byte 0 (None)
    for (let px = 0; px < SIZE; px++) {
      const acc = [0, 0, 0, 0];
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const c = colourAt(px + (sx + 0.5) / SS, py + (sy + 0.5) / SS);
          // premultiply so edges against transparency blend correctly
          acc[0] += c[0] * c[3];
          acc[1] += c[1] * c[3];
          acc[2] += c[2] * c[3];
          acc[3] += c[3];
        }
      }
      const a = acc[3];
      const o = 1 + px * 4;
      row[o] = a ? Math.round(acc[0] / a) : 0;
      row[o + 1] = a ? Math.round(acc[1] / a) : 0;
      row[o + 2] = a ? Math.round(acc[2] / a) : 0;
      row[o + 3] = Math.round(a / (SS * SS));
    }
    rows.push(row);
  }
  return png(SIZE, SIZE, Buffer.concat(rows));
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(w, h, raw) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = fileURLToPath(new URL('../icon.png', import.meta.url));
  const bytes = drawIcon();
  if (process.argv.includes('--check')) {
    const same = existsSync(out) && readFileSync(out).equals(bytes);
    if (!same) console.error('icon.png is stale: run node scripts/gen-icon.mjs');
    process.exit(same ? 0 : 1);
  }
  writeFileSync(out, bytes);
  console.log(`wrote icon.png (${bytes.length} bytes)`);
}
