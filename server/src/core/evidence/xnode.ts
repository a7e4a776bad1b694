/**
 * A minimal element tree shared by the EVTX decoder and the event XML reader, and the one place
 * that turns an `<Event>` tree into an `EventRecord` ([E11] event schema, scope-and-evidence.md §4.2).
 */
import type { EventDatum, EventRecord } from './types';

export interface XNode {
  /** Local name (any prefix dropped). */
  name: string;
  attrs: [string, string][];
  children: (XNode | string)[];
}

export function attr(n: XNode, name: string): string | undefined {
  for (const [k, v] of n.attrs) if (k === name) return v;
  return undefined;
}

export function child(n: XNode, name: string): XNode | undefined {
  for (const c of n.children) if (typeof c !== 'string' && c.name === name) return c;
  return undefined;
}

/**
 * Most nodes visited, and characters of text produced, reading one event's values. EVTX templates
 * can hold instances of other templates, so a record's tree shares subtrees: a few KiB of BinXml
 * can stand for billions of nodes (templates of 300 instances of the template below, 4 deep). An
 * event of a real log has at most a few hundred values in one 64 KiB chunk, far below both.
 */
export const MAX_TREE_NODES = 500_000;
export const MAX_TREE_CHARS = 1 << 20;

/** What reading one event may still cost (see `MAX_TREE_NODES`); shared by every `textOf` of the event. */
export interface TreeBudget {
  nodes: number;
  chars: number;
}

export function treeBudget(): TreeBudget {
  return { nodes: MAX_TREE_NODES, chars: MAX_TREE_CHARS };
}

/** Thrown when reading an event's tree spends its budget (the EVTX reader reports the record and goes on). */
export class TreeTooLarge extends Error {
  constructor() {
    super(
      `reading its values would visit more than ${MAX_TREE_NODES.toLocaleString('en-US')} nodes or give more than ${MAX_TREE_CHARS.toLocaleString('en-US')} characters: its templates repeat other templates too often, so the record is damaged or built to be too complex`,
    );
  }
}

/** All character data below a node, in document order; charged to `budget` when given. */
export function textOf(n: XNode, budget?: TreeBudget): string {
  let out = '';
  const stack: (XNode | string)[] = [n];
  while (stack.length) {
    const x = stack.pop() as XNode | string;
    if (budget && --budget.nodes < 0) throw new TreeTooLarge();
    if (typeof x === 'string') {
      if (budget && (budget.chars -= x.length) < 0) throw new TreeTooLarge();
      out += x;
    } else for (let i = x.children.length - 1; i >= 0; i--) stack.push(x.children[i]);
  }
  return out;
}

const WINDOWS_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * What a reader says of a TimeCreated that `parseEventTime` refuses (`where`: the line, record or
 * element): the same words in the CSV, XML and EVTX readers. `recipe`: the CSV recipe's hint.
 */
export function invalidTimeMessage(where: string, time: string, recipe = false): string {
  return `${where}: TimeCreated "${time.slice(0, 40)}" is not a valid time${recipe ? " (the recipe writes ToUniversalTime().ToString('o'))" : ''}; the event's time is unknown (it counts as inside the window and does not place it).`;
}

/**
 * A UTC date whose year is the year given: `Date.UTC` reads years 0–99 as 1900–1999, so year 1
 * would become 1901 (and pass for a plausible time).
 */
function utcMs(y: number, mo: number, d: number, h: number, mi: number, sec: number): Date {
  const t = new Date(0);
  t.setUTCFullYear(y, mo, d);
  t.setUTCHours(h, mi, sec, 0);
  return t;
}

/** Parse an event time (`2026-10-01T08:00:00.1234567Z`, python-evtx's `2016-07-08 18:12:55.269646`, offsets) to ms. */
export function parseEventTime(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const m = WINDOWS_TIME.exec(s.trim());
  if (!m) return undefined;
  const frac = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  const [y, mo, d, h, mi, sec] = [+m[1], +m[2], +m[3], +m[4], +m[5], +m[6]];
  // No rolling over: month 13, February 30 or hour 99 is not a time (Date.UTC would move it on).
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59) return undefined;
  if (d > utcMs(y, mo, 0, 0, 0, 0).getUTCDate()) return undefined;
  let ms = utcMs(y, mo - 1, d, h, mi, sec).getTime() + frac;
  const zone = m[8];
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const zh = Number(digits.slice(0, 2));
    const zm = Number(digits.slice(2, 4));
    if (zh > 14 || zm > 59) return undefined;
    ms -= sign * (zh * 60 + zm) * 60_000;
  }
  return Number.isFinite(ms) ? ms : undefined;
}

function intOrUndefined(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const t = s.trim();
  if (!/^\d{1,15}$/.test(t)) return undefined;
  return Number(t);
}

/** Leaves of a UserData subtree by local name (the published recipe does the same). */
function userDataLeaves(n: XNode, out: EventDatum[], budget?: TreeBudget): void {
  const stack: XNode[] = [n];
  while (stack.length && out.length < 1000) {
    const x = stack.pop() as XNode;
    if (budget && (budget.nodes -= 1 + x.children.length) < 0) throw new TreeTooLarge();
    const kids = x.children.filter((c): c is XNode => typeof c !== 'string');
    if (kids.length === 0 && x !== n) out.push({ name: x.name, value: textOf(x, budget) });
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
  }
}

/**
 * Read an `<Event>` tree. Values are kept raw (no meaning given to them here). `budget`: what
 * reading its values may cost (EVTX, whose trees share subtrees); past it `TreeTooLarge` is thrown.
 */
export function eventFromTree(ev: XNode, budget?: TreeBudget): EventRecord {
  const rec: EventRecord = { data: [] };
  const sys = child(ev, 'System');
  if (sys) {
    const provider = child(sys, 'Provider');
    if (provider) rec.provider = attr(provider, 'Name') ?? attr(provider, 'EventSourceName');
    const id = child(sys, 'EventID');
    if (id) rec.eventId = intOrUndefined(textOf(id, budget));
    const tc = child(sys, 'TimeCreated');
    if (tc) {
      const t = attr(tc, 'SystemTime');
      if (t) {
        rec.time = t;
        rec.timeMs = parseEventTime(t);
      }
    }
    const rid = child(sys, 'EventRecordID');
    if (rid) rec.recordId = intOrUndefined(textOf(rid, budget));
    const ch = child(sys, 'Channel');
    if (ch) rec.channel = textOf(ch, budget);
    const comp = child(sys, 'Computer');
    if (comp) rec.computer = textOf(comp, budget);
  }
  const ed = child(ev, 'EventData');
  if (ed) {
    let i = 0;
    for (const c of ed.children) {
      if (budget && --budget.nodes < 0) throw new TreeTooLarge();
      if (typeof c === 'string') continue;
      if (c.name === 'Data') {
        const name = attr(c, 'Name');
        rec.data.push({ name: name ? name : `Data[${i}]`, value: textOf(c, budget) });
        i++;
      } else {
        rec.data.push({ name: c.name, value: textOf(c, budget) });
      }
    }
  }
  const ud = child(ev, 'UserData');
  if (ud) userDataLeaves(ud, rec.data, budget);
  return rec;
}
