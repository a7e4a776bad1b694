/**
 * A streaming reader of Windows XML Event Log (EVTX) files: file header, 64 KiB chunks, records
 * and the BinXml token stream with templates and substitutions.
 *
 * Sources: MS-EVEN6 §2.2.12 / §3.1.4.7 for BinXml [E11]; the file and chunk layout as described in
 * scope-and-evidence.md §4.1 (libyal's documentation [E33], read, not copied) and checked on the
 * sample files (§5). Written for this project; no code was copied.
 *
 * Guarantees:
 * - Memory is bounded by one chunk (64 KiB) plus its decoded name and template caches, whatever
 *   the file size: chunks are read one at a time from the `ByteSource`.
 * - Never throws: a damaged chunk is reported with its byte offset and skipped, a damaged record
 *   is reported and the next one is tried, a failing `read` ends the file with a problem.
 * - Checksums (file header, chunk header, chunk records) are verified unless the file header says
 *   there are none (flag 0x4), and a mismatch is reported as a warning, never fatal.
 * - The header's chunk count and next record id are not trusted (stale on dirty files): every
 *   64 KiB slot to the end of the file is looked at and slots with the chunk signature are read;
 *   all-zero slots are skipped silently.
 * - Names are read at the offset each element gives (not through the chunk's hash table), so a
 *   damaged string cache loses nothing.
 */
import { crc32 } from './crc32';
import { READ_PAUSE, recordsOnly, type ReadItem } from './pause';
import { cappedProblems, type ByteSource, type EventRecord, type EvidenceProblem } from './types';
import { eventFromTree, invalidTimeMessage, MAX_TREE_CHARS, MAX_TREE_NODES, parseEventTime, TreeTooLarge, type TreeBudget, type XNode } from './xnode';

export const EVTX_HEADER_BLOCK = 4096;
export const EVTX_CHUNK_SIZE = 65536;
const CHUNK_HEADER = 512;
const MAX_DEPTH = 64;
const MAX_SUBSTITUTIONS = 4096;
/**
 * Nodes the records of one chunk may build and visit together (each record at most
 * `MAX_TREE_NODES`): records of a few bytes that each refer to a costly template of an earlier
 * record would otherwise cost `MAX_TREE_NODES` each, a thousand times a chunk. A chunk of real
 * records (a few hundred, a few hundred nodes each) uses a small part of it.
 */
export const MAX_CHUNK_NODES = 5_000_000;

const FILE_MAGIC = [0x45, 0x6c, 0x66, 0x46, 0x69, 0x6c, 0x65, 0x00]; // ElfFile\0
const CHUNK_MAGIC = [0x45, 0x6c, 0x66, 0x43, 0x68, 0x6e, 0x6b, 0x00]; // ElfChnk\0

export function hasEvtxMagic(b: Uint8Array): boolean {
  if (b.length < 8) return false;
  for (let i = 0; i < 8; i++) if (b[i] !== FILE_MAGIC[i]) return false;
  return true;
}

export interface EvtxHeaderInfo {
  majorVersion: number;
  minorVersion: number;
  flags: number;
  dirty: boolean;
  noCrc: boolean;
  chunkCount: number;
  nextRecordId: number;
}

export interface EvtxStats {
  chunks: number;
  damagedChunks: number;
  records: number;
  damagedRecords: number;
}

class DecodeError extends Error {}

function fail(message: string): never {
  throw new DecodeError(message);
}

const utf16 = new TextDecoder('utf-16le');
const latin1 = new TextDecoder('latin1');

function hex2(n: number): string {
  return (n < 16 ? '0' : '') + n.toString(16).toUpperCase();
}

/** 100-ns ticks since 1601 (as two u32 halves) → ISO 8601 with 7 fractional digits and `Z`. */
export function filetimeToIso(lo: number, hi: number): string | undefined {
  const ticks = (BigInt(hi) << 32n) | BigInt(lo);
  const unixTicks = ticks - 116444736000000000n;
  const secs = unixTicks / 10000000n;
  let frac = unixTicks % 10000000n;
  let s = secs;
  if (frac < 0n) {
    frac += 10000000n;
    s -= 1n;
  }
  const ms = Number(s) * 1000;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return undefined;
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  if (y < 0 || y > 9999) return undefined;
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  return `${iso.slice(0, 19)}.${frac.toString().padStart(7, '0')}Z`;
}

/** A substitution value: where it is in the chunk, its size and type. */
interface SubValue {
  type: number;
  offset: number;
  size: number;
}

/** Template content: a tree whose text may hold substitution placeholders. */
interface TElement {
  name: string;
  attrs: { name: string; value: TPart }[];
  children: TPart[];
}
interface TSub {
  sub: number;
  optional: boolean;
}
type TPart = string | TSub | TElement | TInstance;
/** A template instance met inside a fragment (nested BinXml values carry their own). */
interface TInstance {
  instance: XNode[];
}

function isSub(p: TPart): p is TSub {
  return typeof p === 'object' && 'sub' in p;
}
function isInstance(p: TPart): p is TInstance {
  return typeof p === 'object' && 'instance' in p;
}

/** Decoder over one chunk: names and templates are chunk-relative. */
class ChunkDecoder {
  readonly dv: DataView;
  private readonly names = new Map<number, string>();
  private readonly templates = new Map<number, TElement[]>();
  private readonly decoding = new Set<number>();
  /** What the current record may still build (parsed or instantiated) and read: see `MAX_TREE_NODES`. */
  private budget: TreeBudget = { nodes: MAX_TREE_NODES, chars: MAX_TREE_CHARS };

  /** Start a record with its budget (which reading its values goes on spending). */
  startRecord(budget: TreeBudget): void {
    this.budget = budget;
  }

  private spend(n: number): void {
    if ((this.budget.nodes -= n) < 0) throw new TreeTooLarge();
  }

  constructor(readonly b: Uint8Array) {
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  private u8(pos: number, end: number): number {
    if (pos + 1 > end) fail(`truncated BinXml at chunk offset ${pos}`);
    return this.b[pos];
  }
  private u16(pos: number, end: number): number {
    if (pos + 2 > end) fail(`truncated BinXml at chunk offset ${pos}`);
    return this.dv.getUint16(pos, true);
  }
  private u32(pos: number, end: number): number {
    if (pos + 4 > end) fail(`truncated BinXml at chunk offset ${pos}`);
    return this.dv.getUint32(pos, true);
  }

  /** The name at a chunk offset; its byte length when written inline. */
  private nameAt(off: number): { name: string; length: number } {
    if (off < 0 || off + 8 > this.b.length) fail(`name offset ${off} is outside the chunk`);
    const count = this.dv.getUint16(off + 6, true);
    const length = 8 + count * 2 + 2;
    const cached = this.names.get(off);
    if (cached !== undefined) return { name: cached, length };
    if (off + 8 + count * 2 > this.b.length) fail(`name at chunk offset ${off} runs past the chunk`);
    const name = utf16.decode(this.b.subarray(off + 8, off + 8 + count * 2));
    this.names.set(off, name);
    return { name, length };
  }

  /** Read a name reference at `pos`: returns the name and the position after it (skipping an inline name). */
  private nameRef(pos: number, end: number): { name: string; pos: number } {
    const off = this.u32(pos, end);
    pos += 4;
    const n = this.nameAt(off);
    if (off === pos) pos += n.length;
    return { name: n.name, pos };
  }

  /**
   * Parse a fragment (record body, template body or nested BinXml value) from `pos` to `end`.
   * `subs` are the substitution values in effect (undefined inside a template definition, where
   * substitutions become placeholders).
   */
  parseFragment(pos: number, end: number, depth: number): { parts: TPart[]; pos: number } {
    if (depth > MAX_DEPTH) fail('BinXml nested too deeply');
    const parts: TPart[] = [];
    while (pos < end) {
      const tok = this.b[pos];
      const base = tok & 0x0f;
      if (tok === 0x00) return { parts, pos: pos + 1 };
      if (tok === 0x0f) {
        pos += 4;
      } else if (tok === 0x0c) {
        const r = this.templateInstance(pos, end, depth);
        parts.push({ instance: r.nodes });
        pos = r.pos;
      } else if (base === 0x01) {
        const r = this.element(pos, end, depth + 1);
        parts.push(r.el);
        pos = r.pos;
      } else if (base === 0x0a || base === 0x0b) {
        pos = this.skipPi(pos, end);
      } else {
        fail(`unexpected BinXml token 0x${hex2(tok)} at chunk offset ${pos}`);
      }
    }
    return { parts, pos };
  }

  private skipPi(pos: number, end: number): number {
    const tok = this.b[pos] & 0x0f;
    if (tok === 0x0a) return this.nameRef(pos + 1, end).pos;
    const n = this.u16(pos + 1, end);
    return pos + 3 + n * 2;
  }

  /** One value token (text, substitution, char or entity reference, CDATA). */
  private valuePart(pos: number, end: number): { part: TPart; pos: number } | undefined {
    const tok = this.b[pos];
    const base = tok & 0x0f;
    if (base === 0x05) {
      const type = this.u8(pos + 1, end);
      if (type !== 0x01) fail(`value token of type 0x${hex2(type)} at chunk offset ${pos}`);
      const n = this.u16(pos + 2, end);
      const s = pos + 4;
      if (s + n * 2 > end) fail(`text at chunk offset ${pos} runs past its record`);
      return { part: utf16.decode(this.b.subarray(s, s + n * 2)), pos: s + n * 2 };
    }
    if (tok === 0x0d || tok === 0x0e) {
      const index = this.u16(pos + 1, end);
      this.u8(pos + 3, end);
      return { part: { sub: index, optional: tok === 0x0e }, pos: pos + 4 };
    }
    if (base === 0x08) {
      const cp = this.u16(pos + 1, end);
      return { part: String.fromCharCode(cp), pos: pos + 3 };
    }
    if (base === 0x09) {
      const r = this.nameRef(pos + 1, end);
      const ent: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
      return { part: ent[r.name] ?? `&${r.name};`, pos: r.pos };
    }
    if (base === 0x07) {
      const n = this.u16(pos + 1, end);
      const s = pos + 3;
      if (s + n * 2 > end) fail(`CDATA at chunk offset ${pos} runs past its record`);
      return { part: utf16.decode(this.b.subarray(s, s + n * 2)), pos: s + n * 2 };
    }
    return undefined;
  }

  private element(pos: number, end: number, depth: number): { el: TElement; pos: number } {
    if (depth > MAX_DEPTH) fail('BinXml elements nested too deeply');
    this.spend(1);
    const tok = this.b[pos];
    // token, dependency id (u16), data size (u32), name reference
    this.u16(pos + 1, end);
    this.u32(pos + 3, end);
    const nr = this.nameRef(pos + 7, end);
    pos = nr.pos;
    const el: TElement = { name: localName(nr.name), attrs: [], children: [] };
    if (tok & 0x40) {
      this.u32(pos, end); // attribute list size
      pos += 4;
      for (;;) {
        const t = this.u8(pos, end);
        if ((t & 0x0f) !== 0x06) break;
        const an = this.nameRef(pos + 1, end);
        pos = an.pos;
        const v = this.valuePart(pos, end);
        if (!v) fail(`attribute without a value at chunk offset ${pos}`);
        el.attrs.push({ name: localName(an.name), value: v.part });
        pos = v.pos;
        if (!(t & 0x40)) break;
      }
    }
    const close = this.u8(pos, end);
    if (close === 0x03) return { el, pos: pos + 1 };
    if (close !== 0x02) fail(`expected the end of a start tag at chunk offset ${pos}, found 0x${hex2(close)}`);
    pos += 1;
    for (;;) {
      const t = this.u8(pos, end);
      const base = t & 0x0f;
      if (t === 0x04) return { el, pos: pos + 1 };
      if (base === 0x01) {
        const r = this.element(pos, end, depth + 1);
        el.children.push(r.el);
        pos = r.pos;
        continue;
      }
      if (t === 0x0c) {
        const r = this.templateInstance(pos, end, depth + 1);
        el.children.push({ instance: r.nodes });
        pos = r.pos;
        continue;
      }
      if (base === 0x0a || base === 0x0b) {
        pos = this.skipPi(pos, end);
        continue;
      }
      const v = this.valuePart(pos, end);
      if (!v) fail(`unexpected BinXml token 0x${hex2(t)} inside <${el.name}> at chunk offset ${pos}`);
      el.children.push(v.part);
      pos = v.pos;
    }
  }

  /** The template definition at a chunk offset: parsed once per chunk. */
  private template(off: number, depth: number): { body: TElement[]; length: number } {
    if (off < CHUNK_HEADER || off + 24 > this.b.length) fail(`template offset ${off} is outside the chunk`);
    const size = this.dv.getUint32(off + 20, true);
    const start = off + 24;
    const end = start + size;
    if (end > this.b.length) fail(`template at chunk offset ${off} runs past the chunk`);
    const cached = this.templates.get(off);
    if (cached) return { body: cached, length: 24 + size };
    if (this.decoding.has(off)) fail(`template at chunk offset ${off} refers to itself`);
    this.decoding.add(off);
    try {
      const r = this.parseFragment(start, end, depth + 1);
      const body = r.parts.filter((p): p is TElement => typeof p === 'object' && !isSub(p) && !isInstance(p));
      this.templates.set(off, body);
      return { body, length: 24 + size };
    } finally {
      this.decoding.delete(off);
    }
  }

  private templateInstance(pos: number, end: number, depth: number): { nodes: XNode[]; pos: number } {
    if (depth > MAX_DEPTH) fail('template instances nested too deeply');
    const defOff = this.u32(pos + 6, end);
    pos += 10;
    const t = this.template(defOff, depth);
    if (defOff === pos) pos += t.length;
    const count = this.u32(pos, end);
    pos += 4;
    if (count > MAX_SUBSTITUTIONS || pos + count * 4 > end) fail(`implausible substitution count ${count} at chunk offset ${pos - 4}`);
    const subs: SubValue[] = new Array(count);
    let valuePos = pos + count * 4;
    for (let i = 0; i < count; i++) {
      const size = this.dv.getUint16(pos + i * 4, true);
      const type = this.b[pos + i * 4 + 2];
      subs[i] = { type, offset: valuePos, size };
      valuePos += size;
    }
    if (valuePos > end) fail(`substitution values run past the record at chunk offset ${pos}`);
    const nodes = t.body.map((e) => this.instantiate(e, subs, depth + 1)).filter((n): n is XNode => n !== undefined);
    return { nodes, pos: valuePos };
  }

  private instantiate(e: TElement, subs: SubValue[], depth: number): XNode | undefined {
    if (depth > MAX_DEPTH * 2) fail('template content nested too deeply');
    this.spend(1 + e.attrs.length + e.children.length);
    const node: XNode = { name: e.name, attrs: [], children: [] };
    for (const a of e.attrs) {
      if (isSub(a.value)) {
        const v = subs[a.value.sub];
        if (!v || v.type === 0x00) {
          if (a.value.optional || !v) continue;
          node.attrs.push([a.name, '']);
          continue;
        }
        node.attrs.push([a.name, this.renderFlat(v, depth)]);
      } else if (typeof a.value === 'string') {
        node.attrs.push([a.name, a.value]);
      }
    }
    for (const c of e.children) {
      if (typeof c === 'string') node.children.push(c);
      else if (isSub(c)) {
        const v = subs[c.sub];
        if (!v || v.type === 0x00) continue;
        if (v.type === 0x21) {
          for (const n of this.renderBinXml(v, depth)) node.children.push(n);
        } else node.children.push(this.render(v));
      } else if (isInstance(c)) {
        this.spend(c.instance.length);
        for (const n of c.instance) node.children.push(n);
      } else {
        const k = this.instantiate(c, subs, depth + 1);
        if (k) node.children.push(k);
      }
    }
    return node;
  }

  private renderFlat(v: SubValue, depth: number): string {
    if (v.type !== 0x21) return this.render(v);
    return this.renderBinXml(v, depth)
      .map((n) => (typeof n === 'string' ? n : ''))
      .join('');
  }

  private renderBinXml(v: SubValue, depth: number): (XNode | string)[] {
    const r = this.parseFragment(v.offset, v.offset + v.size, depth + 1);
    return partsToNodes(r.parts, depth);
  }

  /** A substitution value as Windows renders it in event XML. */
  render(v: SubValue): string {
    const { type, offset: o, size } = v;
    const b = this.b;
    const dv = this.dv;
    const need = (n: number): void => {
      if (size < n) fail(`value of type 0x${hex2(type)} is ${size} bytes, expected ${n}`);
    };
    if (type & 0x80) return this.renderArray(v);
    switch (type) {
      case 0x01:
        return stripNul(utf16.decode(b.subarray(o, o + (size & ~1))));
      case 0x02:
        return stripNul(latin1.decode(b.subarray(o, o + size)));
      case 0x03:
        need(1);
        return String(dv.getInt8(o));
      case 0x04:
        need(1);
        return String(b[o]);
      case 0x05:
        need(2);
        return String(dv.getInt16(o, true));
      case 0x06:
        need(2);
        return String(dv.getUint16(o, true));
      case 0x07:
        need(4);
        return String(dv.getInt32(o, true));
      case 0x08:
        need(4);
        return String(dv.getUint32(o, true));
      case 0x09:
        need(8);
        return dv.getBigInt64(o, true).toString();
      case 0x0a:
        need(8);
        return dv.getBigUint64(o, true).toString();
      case 0x0b:
        need(4);
        return String(dv.getFloat32(o, true));
      case 0x0c:
        need(8);
        return String(dv.getFloat64(o, true));
      case 0x0d:
        need(4);
        return dv.getUint32(o, true) !== 0 ? 'true' : 'false';
      case 0x0e: {
        let s = '';
        for (let i = 0; i < size; i++) s += hex2(b[o + i]);
        return s;
      }
      case 0x0f:
        need(16);
        return renderGuid(b, dv, o);
      case 0x10:
        if (size === 4) return '0x' + dv.getUint32(o, true).toString(16);
        need(8);
        return '0x' + dv.getBigUint64(o, true).toString(16);
      case 0x11:
        need(8);
        return filetimeToIso(dv.getUint32(o, true), dv.getUint32(o + 4, true)) ?? '';
      case 0x12: {
        need(16);
        const w = (i: number): number => dv.getUint16(o + i * 2, true);
        const p = (n: number, l = 2): string => String(n).padStart(l, '0');
        return `${p(w(0), 4)}-${p(w(1))}-${p(w(3))}T${p(w(4))}:${p(w(5))}:${p(w(6))}.${p(w(7), 3)}0000Z`;
      }
      case 0x13:
        return renderSid(b, dv, o, size);
      case 0x14:
        need(4);
        return '0x' + dv.getUint32(o, true).toString(16);
      case 0x15:
        need(8);
        return '0x' + dv.getBigUint64(o, true).toString(16);
      default:
        fail(`unknown substitution value type 0x${hex2(type)}`);
    }
  }

  private renderArray(v: SubValue): string {
    const t = v.type & 0x7f;
    if (t === 0x01) {
      const s = utf16.decode(this.b.subarray(v.offset, v.offset + (v.size & ~1)));
      const items = s.split('\u0000');
      if (items.length && items[items.length - 1] === '') items.pop();
      return items.join(', ');
    }
    if (t === 0x02) return latin1.decode(this.b.subarray(v.offset, v.offset + v.size)).split('\u0000').filter(Boolean).join(', ');
    const width: Record<number, number> = { 3: 1, 4: 1, 5: 2, 6: 2, 7: 4, 8: 4, 9: 8, 10: 8, 11: 4, 12: 8, 13: 4, 15: 16, 16: 8, 17: 8, 18: 16, 20: 4, 21: 8 };
    const w = width[t];
    if (!w) fail(`unknown array value type 0x${hex2(v.type)}`);
    const out: string[] = [];
    for (let o = v.offset; o + w <= v.offset + v.size && out.length < 10_000; o += w) out.push(this.render({ type: t, offset: o, size: w }));
    return out.join(', ');
  }
}

function stripNul(s: string): string {
  let e = s.length;
  while (e > 0 && s.charCodeAt(e - 1) === 0) e--;
  return e === s.length ? s : s.slice(0, e);
}

function localName(n: string): string {
  const c = n.indexOf(':');
  return c < 0 ? n : n.slice(c + 1);
}

function renderGuid(b: Uint8Array, dv: DataView, o: number): string {
  const h = (n: number, w: number): string => n.toString(16).toUpperCase().padStart(w, '0');
  let tail = '';
  for (let i = 10; i < 16; i++) tail += hex2(b[o + i]);
  return `{${h(dv.getUint32(o, true), 8)}-${h(dv.getUint16(o + 4, true), 4)}-${h(dv.getUint16(o + 6, true), 4)}-${hex2(b[o + 8])}${hex2(b[o + 9])}-${tail}}`;
}

function renderSid(b: Uint8Array, dv: DataView, o: number, size: number): string {
  if (size < 8) fail('SID value too short');
  const rev = b[o];
  const n = b[o + 1];
  if (size < 8 + n * 4) fail('SID value too short for its sub-authorities');
  let auth = 0;
  for (let i = 2; i < 8; i++) auth = auth * 256 + b[o + i];
  let s = `S-${rev}-${auth}`;
  for (let i = 0; i < n; i++) s += `-${dv.getUint32(o + 8 + i * 4, true)}`;
  return s;
}

/** Fragment parts read outside any template (no substitutions): plain nodes. */
function partsToNodes(parts: TPart[], depth: number): (XNode | string)[] {
  const out: (XNode | string)[] = [];
  for (const p of parts) {
    if (typeof p === 'string') out.push(p);
    else if (isInstance(p)) out.push(...p.instance);
    else if (isSub(p)) continue;
    else out.push(plain(p, depth + 1));
  }
  return out;
}

function plain(e: TElement, depth: number): XNode {
  if (depth > MAX_DEPTH * 2) fail('content nested too deeply');
  return {
    name: e.name,
    attrs: e.attrs.filter((a) => typeof a.value === 'string').map((a) => [a.name, a.value as string]),
    children: partsToNodes(e.children, depth),
  };
}

export interface EvtxReadOptions {
  /** Called with each decoded record's element tree (the oracle test renders it). */
  onTree?: (tree: XNode) => void;
}

/**
 * Read every record of an EVTX file. Problems go to `problems` (capped); `stats` is filled as the
 * file is read. A generator, so a caller can stop early and memory stays at one chunk.
 */
export function readEvtx(
  src: ByteSource,
  problems: EvidenceProblem[],
  stats: EvtxStats = { chunks: 0, damagedChunks: 0, records: 0, damagedRecords: 0 },
  options: EvtxReadOptions = {},
): Generator<EventRecord, EvtxHeaderInfo | undefined, void> {
  return recordsOnly(evtxItems(src, problems, stats, options));
}

/**
 * `readEvtx` with its pause points: `READ_PAUSE` after each 64 KiB slot read (a chunk, readable or
 * not), so a reading in steps can pause in a stretch of zero-filled or damaged chunks.
 */
export function* evtxItems(
  src: ByteSource,
  problems: EvidenceProblem[],
  stats: EvtxStats = { chunks: 0, damagedChunks: 0, records: 0, damagedRecords: 0 },
  options: EvtxReadOptions = {},
): Generator<ReadItem, EvtxHeaderInfo | undefined, void> {
  const { problem, finish } = cappedProblems(problems);
  const read = (offset: number, length: number): Uint8Array | undefined => {
    try {
      return src.read(offset, length);
    } catch (e) {
      problem({ severity: 'error', message: `Reading at byte ${offset} failed: ${(e as Error)?.message ?? String(e)}; the rest of the file was not read.`, offset });
      return undefined;
    }
  };

  const head = read(0, EVTX_HEADER_BLOCK);
  if (!head) return finish(), undefined;
  if (!hasEvtxMagic(head)) {
    problem({ severity: 'error', message: 'Not an EVTX file: the file header signature "ElfFile" is missing.', offset: 0 });
    return finish(), undefined;
  }
  if (head.length < 128) {
    problem({ severity: 'error', message: `The EVTX file is truncated: ${src.size} bytes, shorter than its 128-byte header.`, offset: 0 });
    return finish(), undefined;
  }
  const hdv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const flags = hdv.getUint32(120, true);
  const info: EvtxHeaderInfo = {
    minorVersion: hdv.getUint16(36, true),
    majorVersion: hdv.getUint16(38, true),
    flags,
    dirty: (flags & 1) !== 0,
    noCrc: (flags & 4) !== 0,
    chunkCount: hdv.getUint16(42, true),
    nextRecordId: Number(hdv.getBigUint64(24, true)),
  };
  if (!info.noCrc && crc32(head, 0, 120) !== hdv.getUint32(124, true)) {
    problem({ severity: 'warning', message: 'The EVTX file header checksum does not match (the header may be damaged; the chunks are read anyway).', offset: 0 });
  }
  if (info.majorVersion !== 3) {
    problem({ severity: 'warning', message: `Unexpected EVTX version ${info.majorVersion}.${info.minorVersion} (3.1 and 3.2 are known); reading anyway.`, offset: 36 });
  }
  if (head.length < EVTX_HEADER_BLOCK) {
    problem({ severity: 'error', message: `The EVTX file is truncated: it ends at byte ${src.size}, inside the 4096-byte header block; no chunk to read.`, offset: src.size });
    return finish(), info;
  }

  let partial = false;
  for (let off = EVTX_HEADER_BLOCK; off < src.size; off += EVTX_CHUNK_SIZE) {
    const chunk = read(off, EVTX_CHUNK_SIZE);
    if (!chunk) break;
    yield READ_PAUSE;
    if (isAllZero(chunk)) continue;
    let magicOk = chunk.length >= 8;
    for (let i = 0; magicOk && i < 8; i++) if (chunk[i] !== CHUNK_MAGIC[i]) magicOk = false;
    if (!magicOk) {
      stats.damagedChunks++;
      problem({ severity: 'error', message: `Damaged chunk at byte ${off}: no chunk signature; its records were skipped.`, offset: off });
      continue;
    }
    stats.chunks++;
    if (chunk.length < EVTX_CHUNK_SIZE) {
      partial = true;
      problem({
        severity: 'error',
        message: `The EVTX file is truncated: the chunk at byte ${off} has ${chunk.length} of ${EVTX_CHUNK_SIZE} bytes; the records that are complete were read.`,
        offset: off,
      });
      if (chunk.length < CHUNK_HEADER) continue;
    }
    yield* readChunk(chunk, off, info, stats, problem, options);
  }
  // A file cut at a chunk boundary has no partial chunk to show it. A dirty header is not trusted
  // (scope-and-evidence.md §4.1: the samples' stale headers count fewer chunks than the files hold),
  // but a file with fewer 64 KiB slots than its header counts cannot hold them all: reported as cut
  // (a damaged header reads the same way; either way chunks may be missing). A partial last chunk
  // has said so already.
  const slots = Math.ceil((src.size - EVTX_HEADER_BLOCK) / EVTX_CHUNK_SIZE);
  if (!partial && slots < info.chunkCount) {
    problem({
      severity: 'error',
      message: `The EVTX file is truncated: its header counts ${info.chunkCount} chunks, but the file ends at byte ${src.size}, after ${slots}; the events of the missing chunks were not read.`,
      offset: src.size,
    });
  }
  finish();
  return info;
}

function isAllZero(b: Uint8Array): boolean {
  // Cheap test: look at the signature bytes and a sample before a full scan.
  if (b[0] !== 0 || b[7] !== 0) return false;
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

function* readChunk(
  chunk: Uint8Array,
  chunkOffset: number,
  info: EvtxHeaderInfo,
  stats: EvtxStats,
  problem: (p: EvidenceProblem) => void,
  options: EvtxReadOptions,
): Generator<EventRecord> {
  const dv = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  let freeOffset = dv.getUint32(48, true);
  if (freeOffset < CHUNK_HEADER || freeOffset > chunk.length) {
    if (chunk.length === EVTX_CHUNK_SIZE) {
      problem({ severity: 'warning', message: `Chunk at byte ${chunkOffset}: its free-space offset ${freeOffset} is out of range; records were read until the first invalid one.`, offset: chunkOffset + 48 });
    }
    freeOffset = chunk.length;
  }
  if (!info.noCrc && chunk.length === EVTX_CHUNK_SIZE) {
    let c = crc32(chunk, 0, 120);
    c = crc32(chunk, 128, CHUNK_HEADER, c);
    if (c !== dv.getUint32(124, true)) {
      problem({ severity: 'warning', message: `Chunk at byte ${chunkOffset}: the header checksum does not match (its string or template table may be damaged); records were read by their own offsets.`, offset: chunkOffset });
    }
    if (crc32(chunk, CHUNK_HEADER, freeOffset) !== dv.getUint32(52, true)) {
      problem({ severity: 'warning', message: `Chunk at byte ${chunkOffset}: the records checksum does not match; records were read anyway and may be damaged.`, offset: chunkOffset + 52 });
    }
  }
  const dec = new ChunkDecoder(chunk);
  let chunkLeft = MAX_CHUNK_NODES;
  let pos = CHUNK_HEADER;
  while (pos + 28 <= freeOffset) {
    if (dv.getUint32(pos, true) !== 0x00002a2a) {
      if (freeOffset !== chunk.length || !isZeroFrom(chunk, pos)) {
        stats.damagedRecords++;
        problem({ severity: 'error', message: `Chunk at byte ${chunkOffset}: no record signature at byte ${chunkOffset + pos}; the rest of the chunk was skipped.`, offset: chunkOffset + pos });
      }
      return;
    }
    const size = dv.getUint32(pos + 4, true);
    if (size >= 28 && pos + size > chunk.length && chunk.length < EVTX_CHUNK_SIZE) return; // the cut, reported once for the chunk
    if (size < 28 || pos + size > chunk.length) {
      stats.damagedRecords++;
      problem({ severity: 'error', message: `Record at byte ${chunkOffset + pos} has an impossible size ${size}; the rest of the chunk was skipped.`, offset: chunkOffset + pos });
      return;
    }
    const recordNumber = Number(dv.getBigUint64(pos + 8, true));
    if (dv.getUint32(pos + size - 4, true) !== size) {
      problem({ severity: 'warning', message: `Record ${recordNumber} at byte ${chunkOffset + pos}: the size copy at its end does not match; decoded anyway.`, offset: chunkOffset + pos });
    }
    const allowed = Math.min(MAX_TREE_NODES, chunkLeft);
    const budget: TreeBudget = { nodes: allowed, chars: MAX_TREE_CHARS };
    try {
      dec.startRecord(budget);
      const r = dec.parseFragment(pos + 24, pos + size - 4, 0);
      const nodes = partsToNodes(r.parts, 0);
      const ev = nodes.find((n): n is XNode => typeof n !== 'string' && n.name === 'Event');
      if (!ev) fail('the record holds no <Event> element');
      if (options.onTree) options.onTree(ev);
      const rec = eventFromTree(ev, budget);
      if (rec.recordId === undefined) rec.recordId = recordNumber;
      if (rec.time === undefined) {
        rec.time = filetimeToIso(dv.getUint32(pos + 16, true), dv.getUint32(pos + 20, true));
        rec.timeMs = parseEventTime(rec.time);
      } else if (rec.timeMs === undefined) {
        problem({
          severity: 'warning',
          message: invalidTimeMessage(`Record ${recordNumber} at byte ${chunkOffset + pos}`, rec.time),
          offset: chunkOffset + pos,
        });
      }
      rec.offset = chunkOffset + pos;
      stats.records++;
      yield rec;
    } catch (e) {
      stats.damagedRecords++;
      if (e instanceof TreeTooLarge && allowed < MAX_TREE_NODES) {
        problem({
          severity: 'error',
          message: `Chunk at byte ${chunkOffset}: its records would build and visit more than ${MAX_CHUNK_NODES.toLocaleString('en-US')} nodes together (templates that repeat templates: damaged or built to be too complex); the records from record ${recordNumber} at byte ${chunkOffset + pos} on were skipped.`,
          offset: chunkOffset + pos,
        });
        return;
      }
      const why = e instanceof DecodeError || e instanceof TreeTooLarge ? e.message : `internal error: ${(e as Error)?.message ?? String(e)}`;
      problem({ severity: 'error', message: `Record ${recordNumber} at byte ${chunkOffset + pos} could not be decoded (${why}); skipped.`, offset: chunkOffset + pos });
    } finally {
      chunkLeft -= allowed - Math.max(0, budget.nodes);
    }
    pos += size;
  }
}

function isZeroFrom(b: Uint8Array, from: number): boolean {
  for (let i = from; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}
