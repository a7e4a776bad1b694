#!/usr/bin/env node
// Shrinks the README screenshots (they are bundled in the .vsix): decodes an 8-bit RGB/RGBA PNG and
// writes a 256-colour palette PNG. The palette is the 256 most frequent colours of the picture and
// every other colour maps to its nearest palette colour (no dithering): on a UI screenshot that only
// touches the anti-aliased edges of text. No dependencies.
//   node scripts/png-shrink.mjs FILE.png...      (rewrites each file only when the result is smaller)
import { deflateSync, inflateSync } from 'node:zlib';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SIG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunks(buf) {
  if (!buf.subarray(0, 8).equals(SIG)) throw new Error('not a PNG');
  const out = [];
  for (let o = 8; o < buf.length; ) {
    const len = buf.readUInt32BE(o);
    out.push({ type: buf.toString('ascii', o + 4, o + 8), data: buf.subarray(o + 8, o + 8 + len) });
    o += 12 + len;
  }
  return out;
}

function paeth(a, b, c) {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Decode to raw RGBA rows (8-bit RGB or RGBA, non-interlaced). */
export function decode(buf) {
  const cs = chunks(buf);
  const ihdr = cs.find((c) => c.type === 'IHDR').data;
  const w = ihdr.readUInt32BE(0);
  const h = ihdr.readUInt32BE(4);
  const depth = ihdr[8];
  const type = ihdr[9];
  if (depth !== 8 || (type !== 2 && type !== 6) || ihdr[12] !== 0) throw new Error(`unsupported PNG (depth ${depth}, type ${type}, interlace ${ihdr[12]})`);
  const bpp = type === 6 ? 4 : 3;
  const raw = inflateSync(Buffer.concat(cs.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  const stride = w * bpp;
  const px = Buffer.alloc(w * h * 4);
  let prev = Buffer.alloc(stride);
  for (let y = 0; y < h; y++) {
    const f = raw[y * (stride + 1)];
    const line = Buffer.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? line[i - bpp] : 0;
      const b = prev[i];
      const c = i >= bpp ? prev[i - bpp] : 0;
      const add = f === 0 ? 0 : f === 1 ? a : f === 2 ? b : f === 3 ? (a + b) >> 1 : paeth(a, b, c);
      line[i] = (line[i] + add) & 0xff;
    }
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 4;
      px[o] = line[x * bpp];
      px[o + 1] = line[x * bpp + 1];
      px[o + 2] = line[x * bpp + 2];
      px[o + 3] = bpp === 4 ? line[x * bpp + 3] : 255;
    }
    prev = line;
  }
  return { w, h, px };
}

function filterRows(rows, stride, bpp) {
  const out = [];
  let prev = Buffer.alloc(stride);
  for (const line of rows) {
    let best;
    let bestScore = Infinity;
    for (let f = 0; f < 5; f++) {
      const o = Buffer.alloc(stride + 1);
      o[0] = f;
      let score = 0;
      for (let i = 0; i < stride; i++) {
        const a = i >= bpp ? line[i - bpp] : 0;
        const b = prev[i];
        const c = i >= bpp ? prev[i - bpp] : 0;
        const sub = f === 0 ? 0 : f === 1 ? a : f === 2 ? b : f === 3 ? (a + b) >> 1 : paeth(a, b, c);
        const v = (line[i] - sub) & 0xff;
        o[i + 1] = v;
        score += v < 128 ? v : 256 - v;
      }
      if (score < bestScore) {
        bestScore = score;
        best = o;
      }
    }
    out.push(best);
    prev = line;
  }
  return Buffer.concat(out);
}

const CRC = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function chunk(type, data) {
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  let c = 0xffffffff;
  for (const b of td) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE((c ^ 0xffffffff) >>> 0);
  return Buffer.concat([len, td, crc]);
}

export function encode({ w, h, px }) {
  let opaque = true;
  const colours = new Map();
  for (let i = 0; i < px.length; i += 4) {
    if (px[i + 3] !== 255) opaque = false;
    if (colours.size <= 256) {
      const k = px.readUInt32BE(i);
      if (!colours.has(k)) colours.set(k, colours.size);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  const extra = [];
  let data;
  if (colours.size <= 256) {
    ihdr[9] = 3; // palette
    const plte = Buffer.alloc(colours.size * 3);
    const trns = Buffer.alloc(colours.size);
    for (const [k, i] of colours) {
      plte[i * 3] = k >>> 24;
      plte[i * 3 + 1] = (k >>> 16) & 0xff;
      plte[i * 3 + 2] = (k >>> 8) & 0xff;
      trns[i] = k & 0xff;
    }
    extra.push(chunk('PLTE', plte));
    if (!opaque) extra.push(chunk('tRNS', trns));
    const rows = [];
    for (let y = 0; y < h; y++) {
      const r = Buffer.alloc(w);
      for (let x = 0; x < w; x++) r[x] = colours.get(px.readUInt32BE((y * w + x) * 4));
      rows.push(r);
    }
    data = Buffer.concat(rows.map((r) => Buffer.concat([Buffer.from([0]), r]))); // palette: no filter
  } else {
    const bpp = opaque ? 3 : 4;
    ihdr[9] = opaque ? 2 : 6;
    const rows = [];
    for (let y = 0; y < h; y++) {
      const r = Buffer.alloc(w * bpp);
      for (let x = 0; x < w; x++) px.copy(r, x * bpp, (y * w + x) * 4, (y * w + x) * 4 + bpp);
      rows.push(r);
    }
    data = filterRows(rows, w * bpp, bpp);
  }
  return Buffer.concat([SIG, chunk('IHDR', ihdr), ...extra, chunk('IDAT', deflateSync(data, { level: 9, memLevel: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** Map the picture onto its 256 most frequent colours (nearest colour in RGB, alpha kept per entry). */
export function quantize(img) {
  const freq = new Map();
  for (let i = 0; i < img.px.length; i += 4) {
    const k = img.px.readUInt32BE(i);
    freq.set(k, (freq.get(k) ?? 0) + 1);
  }
  if (freq.size <= 256) return img;
  const palette = [...freq].sort((a, b) => b[1] - a[1]).slice(0, 256).map(([k]) => k);
  const nearest = new Map();
  for (const k of freq.keys()) {
    let best = palette[0];
    let bestD = Infinity;
    for (const p of palette) {
      const d = ((k >>> 24) - (p >>> 24)) ** 2 + (((k >>> 16) & 0xff) - ((p >>> 16) & 0xff)) ** 2 + (((k >>> 8) & 0xff) - ((p >>> 8) & 0xff)) ** 2 + ((k & 0xff) - (p & 0xff)) ** 2;
      if (d < bestD) {
        bestD = d;
        best = p;
      }
    }
    nearest.set(k, best);
  }
  const px = Buffer.from(img.px);
  for (let i = 0; i < px.length; i += 4) px.writeUInt32BE(nearest.get(px.readUInt32BE(i)) >>> 0, i);
  return { ...img, px };
}

export function shrink(file) {
  const before = readFileSync(file);
  const img = quantize(decode(before));
  const after = encode(img);
  if (after.length < before.length) writeFileSync(file, after);
  return { before: before.length, after: Math.min(after.length, before.length) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const f of process.argv.slice(2)) {
    const r = shrink(f);
    console.log(`${f}: ${r.before} -> ${r.after} bytes`);
  }
}
