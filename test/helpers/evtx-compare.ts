/**
 * Compare relaylint's EVTX records with python-evtx's (the development oracle): same records, same
 * event id, time, computer and event data. Differences of rendering only (scope-and-evidence.md
 * §3.1, §5) are normalised: python-evtx writes times as `YYYY-MM-DD HH:MM:SS.ffffff` (through a
 * float), pads hex to 16 digits, writes booleans as True/False, binary as base64, size_t in
 * decimal, GUIDs in lower case, and its XML went through an XML parser (line ends, control
 * characters).
 */
import type { EventRecord } from '../../server/src/core/evidence/types';
import type { OracleRecord } from './evidence';

/** Microseconds since 1970 from either rendering, or undefined. */
function micros(s: string): bigint | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?Z?$/.exec(s);
  if (!m) return undefined;
  const secs = BigInt(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000);
  const frac = BigInt(((m[7] ?? '') + '000000').slice(0, 6));
  return secs * 1_000_000n + frac;
}

export function sameValue(raw: string, theirs: string): boolean {
  if (raw === theirs) return true;
  // python-evtx's XML goes through an XML parser here: line ends become \n and characters XML
  // cannot carry (control characters) are gone.
  const ours = raw.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
  if (ours === theirs) return true;
  const a = micros(ours);
  const b = micros(theirs);
  // python-evtx converts FILETIMEs through a float: a few microseconds off at today's dates.
  if (a !== undefined && b !== undefined) return a - b <= 5n && b - a <= 5n;
  // GUIDs: Windows writes upper case, python-evtx lower case.
  if (/^\{[0-9A-F-]{36}\}$/i.test(ours) && ours.toLowerCase() === theirs.toLowerCase()) return true;
  // String arrays: python-evtx writes `<string>item</string>\n` per item, relaylint joins the items with ", ".
  if (theirs.startsWith('<string>')) {
    const items = [...theirs.matchAll(/<string>([\s\S]*?)<\/string>\n/g)].map((m) => m[1]);
    if (items.join(', ') === ours) return true;
    // python-evtx 0.6.1 mis-splits string arrays that hold empty items (it searches for the next
    // non-empty item from the start again): compare the sets of non-empty items then.
    const a = new Set(ours.split(', ').filter(Boolean));
    const b = new Set(items.filter(Boolean));
    if (ours.startsWith(', ') || ours.endsWith(', ') || ours.includes(', , ')) return [...a].every((x) => b.has(x));
  }
  if (/^0x[0-9a-f]+$/i.test(ours)) {
    if (/^0x[0-9a-f]+$/i.test(theirs)) return BigInt(ours) === BigInt(theirs);
    if (/^\d+$/.test(theirs)) return BigInt(ours) === BigInt(theirs); // size_t: decimal in python-evtx
  }
  if (/^(true|false)$/i.test(ours) && ours.toLowerCase() === theirs.toLowerCase()) return true;
  if (/^([0-9A-F]{2})+$/.test(ours) && Buffer.from(theirs, 'base64').toString('hex').toUpperCase() === ours) return true;
  if (/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(ours) && Number(ours) === Number(theirs)) return true;
  return false;
}

export function compare(file: string, ours: EventRecord[], oracle: OracleRecord[]): string[] {
  const diffs: string[] = [];
  const byRecord = new Map<number, EventRecord>();
  for (const r of ours) byRecord.set(r.recordId as number, r);
  if (ours.length !== oracle.length) diffs.push(`${file}: ${ours.length} records, oracle ${oracle.length}`);
  for (const o of oracle) {
    const id = Number(o.recordId ?? o.record);
    const r = byRecord.get(id);
    if (!r) {
      diffs.push(`${file} record ${id}: missing`);
      continue;
    }
    if (String(r.eventId) !== o.eventId) diffs.push(`${file} record ${id}: event id ${r.eventId} vs ${o.eventId}`);
    if (!o.time || !r.time || !sameValue(r.time, o.time)) diffs.push(`${file} record ${id}: time ${r.time} vs ${o.time}`);
    if ((r.computer ?? null) !== o.computer) diffs.push(`${file} record ${id}: computer ${r.computer} vs ${o.computer}`);
    const a = r.data.map((d) => [d.name, d.value]);
    if (a.length !== o.data.length) diffs.push(`${file} record ${id}: ${a.length} data values vs ${o.data.length}: ${JSON.stringify(a)} vs ${JSON.stringify(o.data)}`);
    else
      for (let i = 0; i < a.length; i++) {
        if (a[i][0] !== o.data[i][0] || !sameValue(a[i][1], o.data[i][1])) {
          diffs.push(`${file} record ${id}: data ${i} ${JSON.stringify(a[i])} vs ${JSON.stringify(o.data[i])}`);
        }
      }
  }
  return diffs;
}

