/**
 * A minimal EVTX writer for tests: a file header, one chunk, records of plain BinXml (names written
 * inline) and template instances. The layout is scope-and-evidence.md §4.1's; checksums are
 * written, so the reader reports nothing about them.
 */
import { crc32 } from '../../server/src/core/evidence/crc32';

/** BinXml written at a known chunk offset (inline names refer to their own position). */
export class BinXml {
  readonly out: number[] = [];
  constructor(readonly start: number) {}
  at(): number {
    return this.start + this.out.length;
  }
  raw(...bytes: number[]): void {
    for (const b of bytes) this.out.push(b);
  }
  u16(n: number): void {
    this.raw(n & 0xff, (n >>> 8) & 0xff);
  }
  u32(n: number): void {
    this.raw(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
  }
  private utf16(s: string): void {
    for (let i = 0; i < s.length; i++) this.u16(s.charCodeAt(i));
  }
  name(s: string): void {
    this.u32(this.at() + 4);
    this.u32(0);
    this.u16(0);
    this.u16(s.length);
    this.utf16(s);
    this.u16(0);
  }
  text(s: string): void {
    this.raw(0x05, 0x01);
    this.u16(s.length);
    this.utf16(s);
  }
  /** An element; children are text, nested elements or writers called in place. */
  elem(tag: string, attrs: [string, string][] = [], children: (string | ((w: BinXml) => void))[] = []): void {
    this.raw(attrs.length ? 0x41 : 0x01);
    this.u16(0xffff);
    this.u32(0);
    this.name(tag);
    if (attrs.length) {
      this.u32(0);
      attrs.forEach(([k, v], i) => {
        this.raw(i < attrs.length - 1 ? 0x46 : 0x06);
        this.name(k);
        this.text(v);
      });
    }
    if (!children.length) return this.raw(0x03);
    this.raw(0x02);
    for (const c of children) {
      if (typeof c === 'string') this.text(c);
      else c(this);
    }
    this.raw(0x04);
  }
  /** A template instance without substitutions: defined here the first time (`defs` keeps where), referred to after. */
  instance(id: number, defs: Map<number, number>, body: (w: BinXml) => void): void {
    const known = defs.get(id);
    this.raw(0x0c, 0x01);
    this.u32(id);
    if (known !== undefined) {
      this.u32(known);
      this.u32(0); // no substitutions
      return;
    }
    const def = this.at() + 4;
    defs.set(id, def);
    this.u32(def);
    const header = this.out.length;
    for (let i = 0; i < 24; i++) this.raw(0);
    const bodyStart = this.out.length;
    this.raw(0x0f, 0x01, 0x01, 0x00);
    body(this);
    this.raw(0x00);
    const size = this.out.length - bodyStart;
    for (let i = 0; i < 4; i++) this.out[header + 20 + i] = (size >>> (8 * i)) & 0xff;
    this.u32(0); // no substitutions
  }
}

export interface TestEvent {
  id: number;
  channel: string;
  provider?: string;
  time?: string;
  recordId?: number;
  computer?: string;
  /** Values, by name (`''`: positional). */
  data?: [string, string][];
}

/** The `<Event>` of an event, its EventData values written by `extra` too when given. */
export function eventElement(w: BinXml, e: TestEvent, extra?: (w: BinXml) => void): void {
  const system: ((w: BinXml) => void)[] = [
    (x) => x.elem('Provider', [['Name', e.provider ?? 'P']]),
    (x) => x.elem('EventID', [], [String(e.id)]),
  ];
  if (e.time) system.push((x) => x.elem('TimeCreated', [['SystemTime', e.time as string]]));
  if (e.recordId !== undefined) system.push((x) => x.elem('EventRecordID', [], [String(e.recordId)]));
  system.push((x) => x.elem('Channel', [], [e.channel]));
  system.push((x) => x.elem('Computer', [], [e.computer ?? 'DC01']));
  const data: ((w: BinXml) => void)[] = (e.data ?? []).map(([k, v]) => (x: BinXml) => x.elem('Data', k ? [['Name', k]] : [], v ? [v] : []));
  if (extra) data.push(extra);
  w.elem(
    'Event',
    [['xmlns', 'http://schemas.microsoft.com/win/2004/08/events/event']],
    [(x) => x.elem('System', [], system), (x) => x.elem('EventData', [], data)],
  );
}

/** A record's BinXml: a fragment header, what `body` writes, the end of the fragment. */
export type RecordBody = (w: BinXml) => void;

export function plainRecord(e: TestEvent): RecordBody {
  return (w) => eventElement(w, e);
}

/** 2026-01-01T00:00:00Z as a FILETIME (100 ns ticks since 1601-01-01). */
export const FILETIME_2026 = 134116992000000000n;

/**
 * An EVTX of one chunk holding these records (ids from 1), record `i` written with the FILETIME
 * `filetimes[i]` (default 2026-01-01).
 */
export function writeEvtx(records: RecordBody[], filetimes: bigint[] = []): Uint8Array {
  const chunk = new Uint8Array(65536);
  const dv = new DataView(chunk.buffer);
  let pos = 512;
  let last = 512;
  records.forEach((body, i) => {
    const w = new BinXml(pos + 24);
    w.raw(0x0f, 0x01, 0x01, 0x00);
    body(w);
    w.raw(0x00);
    const size = 24 + w.out.length + 4;
    if (pos + size > chunk.length) throw new Error('chunk full');
    dv.setUint32(pos, 0x2a2a, true);
    dv.setUint32(pos + 4, size, true);
    dv.setBigUint64(pos + 8, BigInt(i + 1), true);
    dv.setBigUint64(pos + 16, filetimes[i] ?? FILETIME_2026, true);
    chunk.set(w.out, pos + 24);
    dv.setUint32(pos + size - 4, size, true);
    last = pos;
    pos += size;
  });
  chunk.set([0x45, 0x6c, 0x66, 0x43, 0x68, 0x6e, 0x6b, 0x00]);
  const n = BigInt(records.length);
  dv.setBigUint64(8, 1n, true);
  dv.setBigUint64(16, n, true);
  dv.setBigUint64(24, 1n, true);
  dv.setBigUint64(32, n, true);
  dv.setUint32(40, 128, true);
  dv.setUint32(44, last, true);
  dv.setUint32(48, pos, true);
  dv.setUint32(52, crc32(chunk, 512, pos), true);
  dv.setUint32(124, crc32(chunk, 128, 512, crc32(chunk, 0, 120)), true);
  const header = new Uint8Array(4096);
  const hv = new DataView(header.buffer);
  header.set([0x45, 0x6c, 0x66, 0x46, 0x69, 0x6c, 0x65, 0x00]);
  hv.setBigUint64(8, 0n, true);
  hv.setBigUint64(16, 0n, true);
  hv.setBigUint64(24, n + 1n, true);
  hv.setUint32(32, 128, true);
  hv.setUint16(36, 1, true);
  hv.setUint16(38, 3, true);
  hv.setUint16(40, 4096, true);
  hv.setUint16(42, 1, true);
  hv.setUint32(124, crc32(header, 0, 120), true);
  const out = new Uint8Array(4096 + 65536);
  out.set(header);
  out.set(chunk, 4096);
  return out;
}
