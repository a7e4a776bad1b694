/**
 * Event XML exports (scope-and-evidence.md §4.2): `wevtutil qe <log> /f:xml` (a sequence of
 * `<Event>` elements without a root), the same with `/e:Events` (a root), `/f:RenderedXml` (each
 * event also carries `RenderingInfo`, whose localised text is ignored) and
 * `Get-WinEvent … | ForEach-Object { $_.ToXml() }` (one event per line).
 *
 * Streaming: the text is read a block at a time and cut into `<Event>…</Event>` pieces, each read
 * with the core's XML reader; an event with an XML error (a mismatched end tag, a bare `&`, a
 * repeated attribute, an entity other than XML's five) is skipped, never read in part. A
 * `<!DOCTYPE` anywhere in the file refuses the whole file: it is looked for in a first pass over the
 * text, before any event is read (DTDs are refused). Memory is bounded by the largest event
 * (capped at `MAX_EVENT_CHARS`). A file cut in the middle keeps every complete event before the
 * cut and says where it ends.
 */
import { readXml, type XmlElement } from '../parsers/xml';
import { READ_PAUSE, recordsOnly, type ReadItem } from './pause';
import { TEXT_BLOCK, textBlocks } from './text-stream';
import { cappedProblems, type ByteSource, type EventRecord, type EvidenceProblem } from './types';
import { eventFromTree, invalidTimeMessage, type XNode } from './xnode';

const MAX_EVENT_CHARS = 4 << 20;
const EVENT_START = /<(?:[A-Za-z_][\w.-]*:)?Event(?=[\s>/])/g;
const EVENT_END = /<\/(?:[A-Za-z_][\w.-]*:)?Event\s*>/g;

function toXNode(el: XmlElement): XNode {
  const node: XNode = { name: el.local, attrs: el.attributes.map((a) => [a.local, a.value]), children: [] };
  if (el.children.length === 0) {
    if (el.text) node.children.push(el.text);
  } else {
    if (el.text.trim()) node.children.push(el.text);
    for (const c of el.children) node.children.push(toXNode(c));
  }
  return node;
}

function countLines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = s.indexOf('\n', from); i >= 0 && i < to; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * The line of the first `<!DOCTYPE` in the text (case-insensitive). A failing read ends the pass
 * with none found: the reading that follows fails at the same place and says so.
 */
function* findDoctype(src: ByteSource, block: number): Generator<ReadItem, number | undefined, void> {
  const DOCTYPE = /<!DOCTYPE/i;
  let line = 1; // line of tail[0]
  let tail = '';
  try {
    for (const text of textBlocks(src, block)) {
      const s = tail + text;
      const m = DOCTYPE.exec(s);
      if (m) return line + countLines(s, 0, m.index);
      const keep = Math.min(s.length, 8);
      line += countLines(s, 0, s.length - keep);
      tail = s.slice(s.length - keep);
      yield READ_PAUSE;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

export function readEventXml(src: ByteSource, problems: EvidenceProblem[], block = TEXT_BLOCK): Generator<EventRecord, void, void> {
  return recordsOnly(eventXmlItems(src, problems, block));
}

/**
 * `readEventXml` with its pause points: `READ_PAUSE` after each text block read, so a reading in
 * steps can pause in a long stretch without a complete `<Event>` (no start tag, an event without its
 * end tag, events that are all skipped).
 */
export function* eventXmlItems(src: ByteSource, problems: EvidenceProblem[], block = TEXT_BLOCK): Generator<ReadItem, void, void> {
  const { problem, finish } = cappedProblems(problems);
  try {
    yield* xmlItems(src, problem, block);
  } finally {
    finish();
  }
}

function* xmlItems(src: ByteSource, problem: (p: EvidenceProblem) => void, block: number): Generator<ReadItem, void, void> {
  let buf = '';
  let line = 1; // line of buf[0]
  let events = 0;
  /** `<Event>` pieces found, read or skipped as not well-formed. */
  let found = 0;
  // A first pass: a DOCTYPE anywhere refuses the file before any event is read.
  const doctype = yield* findDoctype(src, block);
  if (doctype !== undefined) {
    problem({ severity: 'error', message: `The XML has a document type declaration (DOCTYPE) at line ${doctype}; relaylint refuses it and reads nothing from this file.`, line: doctype });
    return;
  }
  const blocks = textBlocks(src, block);
  let eof = false;
  // The next block onto `buf`, then a pause point; false at the end (or when a read failed).
  function* more(): Generator<ReadItem, boolean, void> {
    if (eof) return false;
    try {
      const r = blocks.next();
      if (r.done) {
        eof = true;
        return false;
      }
      buf += r.value;
    } catch (e) {
      problem({ severity: 'error', message: `Reading the file failed: ${(e as Error)?.message ?? String(e)}; the rest was not read.`, line });
      eof = true;
      return false;
    }
    yield READ_PAUSE;
    return true;
  }
  yield* more();
  for (;;) {
    EVENT_START.lastIndex = 0;
    const start = EVENT_START.exec(buf);
    if (!start) {
      // Keep a small tail in case a start tag is split across blocks.
      const keep = Math.min(buf.length, 64);
      line += countLines(buf, 0, buf.length - keep);
      buf = buf.slice(buf.length - keep);
      if (!(yield* more())) break;
      continue;
    }
    if (start.index > 0) {
      line += countLines(buf, 0, start.index);
      buf = buf.slice(start.index);
    }
    EVENT_END.lastIndex = 0;
    let end = EVENT_END.exec(buf);
    while (!end && buf.length <= MAX_EVENT_CHARS && (yield* more())) {
      EVENT_END.lastIndex = 0;
      end = EVENT_END.exec(buf);
    }
    if (!end) {
      if (buf.length > MAX_EVENT_CHARS) {
        problem({ severity: 'error', message: `An <Event> at line ${line} is longer than ${MAX_EVENT_CHARS} characters without its end tag; the rest of the file was not read.`, line });
      } else {
        problem({
          severity: 'error',
          message: `The file ends inside the <Event> that starts at line ${line} (the export looks cut in the middle); the ${events} complete events before it were read.`,
          line,
        });
      }
      return;
    }
    const stop = end.index + end[0].length;
    const piece = buf.slice(0, stop);
    const doc = readXml(piece);
    const root = doc.root;
    found++;
    const bad = doc.problems.find((p) => p.severity === 'error');
    if (bad || doc.hasDoctype || !root || root.local !== 'Event' || doc.truncated) {
      const why = bad ? ` (${bad.message.replace(/\.$/, '')})` : '';
      problem({ severity: 'error', message: `The <Event> at line ${line} is not well-formed XML${why}; it was skipped.`, line });
    } else {
      const rec = eventFromTree(toXNode(root));
      rec.line = line;
      if (rec.time !== undefined && rec.timeMs === undefined) {
        problem({
          severity: 'warning',
          message: invalidTimeMessage(`The <Event> at line ${line}`, rec.time),
          line,
        });
      }
      events++;
      yield rec;
    }
    line += countLines(buf, 0, stop);
    buf = buf.slice(stop);
  }
  // Events found but every one skipped have said why each; none found at all is not an event export.
  if (events === 0 && found === 0) problem({ severity: 'error', message: 'No <Event> element was found: this is not an event XML export.', line: 1 });
}
