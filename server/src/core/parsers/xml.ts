/**
 * A small, position-aware, non-validating XML reader for hostile input.
 *
 * Why not a library: the parsers need source spans for every element, attribute and text run
 * (diagnostics, quick fixes), and fast-xml-parser gives none. This reader builds a plain tree with
 * spans (string indexes into the input) and never interprets a DTD:
 *
 * - `<!DOCTYPE …>` anywhere → `unsafe-xml` problem; the declaration (internal subset included) is
 *   skipped with a single forward scan and nothing in it is used. Only the five predefined entities
 *   and numeric character references are decoded; any other `&name;` is reported and left as text.
 * - No recursion: one loop with an explicit stack, so deep nesting cannot overflow the JS stack.
 *   Elements deeper than `LIMITS.maxXmlDepth` are skipped (tag balance is still tracked with a counter).
 * - Linear time: every search moves forward (`indexOf` from the current position, bounded scans for
 *   entity names), end-tag matching uses a count of open names instead of searching the stack, and
 *   duplicate-attribute checks switch to a Set on large tags.
 * - Best-effort recovery: a mismatched end tag closes the elements it skips, an unknown end tag is
 *   ignored, a broken start tag still yields an element with the attributes read so far, and a file
 *   that stops early (truncation) keeps every element read before the cut (`closed: false`).
 *
 * Text follows XML's rules: line breaks in text become `\n`; literal tabs and line breaks in attribute
 * values become spaces (character references such as `&#xA;` are kept). Mixed CRLF / LF input is fine:
 * spans are raw string indexes, never line-based.
 */
import { LIMITS } from '../limits';
import type { Comment, Problem, Span } from '../types';

export const XML_NS = 'http://www.w3.org/XML/1998/namespace';
export const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

export interface XmlAttribute {
  /** Qualified name as written, e.g. `xsi:type`. */
  name: string;
  prefix: string;
  local: string;
  /** Namespace URI; '' for an unprefixed attribute (attributes do not take the default namespace). */
  ns: string;
  /** Decoded value. */
  value: string;
  /** Spans are stored as numbers and built on access: each read returns a new object (see `XmlElement`). */
  readonly nameSpan: Span;
  /** Inside the quotes. */
  readonly valueSpan: Span;
}

/** The namespace declarations in scope: one node per element that declares any. */
export interface NsScope {
  /** [prefix, URI] pairs declared on one element ('' = default namespace). */
  readonly decls: readonly (readonly [string, string])[];
  readonly parent: NsScope | undefined;
  /** Prefix → URI of `decls` (the first declaration of a prefix wins), built on first lookup. */
  byPrefix?: Map<string, string>;
}

export interface XmlElement {
  /** Qualified name as written, e.g. `q1:SecurityOptions`. */
  name: string;
  prefix: string;
  local: string;
  /** Resolved namespace URI ('' when none is in scope). */
  ns: string;
  /** Read-only: an element without attributes (or children) shares one frozen empty array. */
  readonly attributes: readonly XmlAttribute[];
  readonly children: readonly XmlElement[];
  parent: XmlElement | undefined;
  /** Decoded character data directly inside this element (CDATA included), in document order. */
  text: string;
  /**
   * Raw span of that text: from the start of the first text run to the end of the last one
   * (for a leaf element, everything between the tags). Empty, at the end of the start tag, when
   * there is no text.
   *
   * The spans of an element are stored as numbers and built on access: each read returns a new
   * object (a large report holds about a million elements; see the memory notes on `readXml`).
   */
  readonly textSpan: Span;
  readonly startTag: Span;
  /** Start tag to the end of the end tag (to where reading stopped when `closed` is false). */
  readonly span: Span;
  /** Between the tags; undefined for `<x/>`. */
  readonly content?: Span;
  selfClosing: boolean;
  /** False when the end tag is missing (mismatched or truncated file). */
  closed: boolean;
  /** 1 for the root. */
  depth: number;
  scope: NsScope | undefined;
}

export interface XmlDocument {
  root: XmlElement | undefined;
  comments: Comment[];
  problems: Problem[];
  /** The text ended with elements still open. */
  truncated: boolean;
  /** A DOCTYPE was seen (and refused). */
  hasDoctype: boolean;
}

export interface XmlReadOptions {
  /** Deepest element nesting read (default `LIMITS.maxXmlDepth`). */
  maxDepth?: number;
  /** Most problems kept; one more summarises the rest (default `LIMITS.maxProblemsPerFile`). */
  maxProblems?: number;
}

// ---------------------------------------------------------------------------------------------
// Character classes (XML 1.0 fifth edition NameStartChar / NameChar, Basic Multilingual Plane only).

function isNameStart(c: number): boolean {
  if (c < 0x80) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58;
  return (
    (c >= 0xc0 && c <= 0xd6) ||
    (c >= 0xd8 && c <= 0xf6) ||
    (c >= 0xf8 && c <= 0x2ff) ||
    (c >= 0x370 && c <= 0x37d) ||
    (c >= 0x37f && c <= 0x1fff) ||
    (c >= 0x200c && c <= 0x200d) ||
    (c >= 0x2070 && c <= 0x218f) ||
    (c >= 0x2c00 && c <= 0x2fef) ||
    (c >= 0x3001 && c <= 0xd7ff) ||
    (c >= 0xf900 && c <= 0xfdcf) ||
    (c >= 0xfdf0 && c <= 0xfffd)
  );
}

function isNameChar(c: number): boolean {
  if (c < 0x80) {
    return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 58 || c === 45 || c === 46;
  }
  return isNameStart(c) || c === 0xb7 || (c >= 0x300 && c <= 0x36f) || (c >= 0x203f && c <= 0x2040);
}

function isWs(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

function isValidCharRef(cp: number): boolean {
  return cp === 9 || cp === 10 || cp === 13 || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Longest `&…;` reference looked at; bounds the search for ';' so stray '&'s stay linear. */
const MAX_REF_LENGTH = 64;

/** Show a bit of input in a message without dumping a huge line. */
export function preview(s: string, max = 40): string {
  const one = s.replace(/[\r\n\t]/g, ' ');
  return one.length > max ? `${one.slice(0, max)}…` : one;
}

/** A name as it appears in a message: names are short in real files, a hostile one may be a megabyte. */
export function nameInMessage(name: string): string {
  return preview(name, 100);
}

// ---------------------------------------------------------------------------------------------
// Public helpers.

/** The namespace URI bound to `prefix` at `el` ('' prefix = default namespace). */
export function lookupNamespace(el: XmlElement, prefix: string): string | undefined {
  if (prefix === 'xml') return XML_NS;
  if (prefix === 'xmlns') return XMLNS_NS;
  // A map per scope: an element with 100,000 declarations must not make each lookup scan them all.
  for (let s = el.scope; s; s = s.parent) {
    if (!s.byPrefix) {
      const m = new Map<string, string>();
      for (const [p, uri] of s.decls) if (!m.has(p)) m.set(p, uri);
      s.byPrefix = m;
    }
    const uri = s.byPrefix.get(prefix);
    if (uri !== undefined) return uri;
  }
  return prefix === '' ? '' : undefined;
}

/** Resolve a QName written in content (e.g. an `xsi:type` value) against the scope of `el`. */
export function resolveQName(el: XmlElement, qname: string): { ns: string; local: string } | undefined {
  const q = qname.trim();
  const colon = q.indexOf(':');
  const prefix = colon < 0 ? '' : q.slice(0, colon);
  const local = colon < 0 ? q : q.slice(colon + 1);
  if (!local) return undefined;
  const ns = lookupNamespace(el, prefix);
  return ns === undefined ? undefined : { ns, local };
}

/** The attribute with this local name (and namespace; '' = unprefixed). */
export function getAttr(el: XmlElement, local: string, ns = ''): XmlAttribute | undefined {
  for (const a of el.attributes) if (a.local === local && a.ns === ns) return a;
  return undefined;
}

/** The `xsi:type` of an element, resolved through the declared namespaces. */
export function xsiType(el: XmlElement): { ns: string; local: string } | undefined {
  const a = getAttr(el, 'type', XSI_NS);
  return a ? resolveQName(el, a.value) : undefined;
}

/** Child elements with this local name (any namespace unless `ns` is given). */
export function childElements(el: XmlElement, local: string, ns?: string): XmlElement[] {
  return el.children.filter((c) => c.local === local && (ns === undefined || c.ns === ns));
}

/** First child element with this local name (any namespace unless `ns` is given). */
export function childElement(el: XmlElement, local: string, ns?: string): XmlElement | undefined {
  for (const c of el.children) if (c.local === local && (ns === undefined || c.ns === ns)) return c;
  return undefined;
}

/** Text of the first child with this local name, or undefined. */
export function childText(el: XmlElement, local: string, ns?: string): string | undefined {
  return childElement(el, local, ns)?.text;
}

/** Every element of the subtree in document order (iterative). */
export function* descendants(el: XmlElement): Generator<XmlElement> {
  const stack: XmlElement[] = [el];
  while (stack.length) {
    const e = stack.pop() as XmlElement;
    yield e;
    for (let i = e.children.length - 1; i >= 0; i--) stack.push(e.children[i]);
  }
}

// ---------------------------------------------------------------------------------------------
// The reader.

interface RawAttr {
  name: string;
  /** Where the name starts (it ends `name.length` later). */
  start: number;
  raw: string;
  /** Inside the quotes: [valueStart, valueEnd). */
  valueStart: number;
  valueEnd: number;
}

interface StartTag {
  name: string;
  attrs: RawAttr[];
  selfClosing: boolean;
  /** Index just after the tag. */
  end: number;
}

interface QName {
  name: string;
  prefix: string;
  local: string;
  valid: boolean;
  /**
   * Open elements of this name, when the name is interned (`Reader.names`); -1 for a name that is
   * not (past MAX_INTERNED_NAMES), whose open elements are counted in `Reader.openNames`.
   */
  open: number;
}

/** Distinct names interned per document; hostile input with more just stops sharing. */
const MAX_INTERNED_NAMES = 10_000;

const NO_ATTRIBUTES: readonly XmlAttribute[] = Object.freeze([]);
const NO_CHILDREN: readonly XmlElement[] = Object.freeze([]);

/** Whitespace-only texts (the indentation of container elements) shared per document, up to this many. */
const MAX_INTERNED_TEXTS = 10_000;
const MAX_INTERNED_TEXT_LENGTH = 256;

/**
 * A text run that is a line break (CRLF, LF or CR, all read as `\n`) followed by nothing but spaces
 * or nothing but tabs, at most 255: its code (spaces: their count; tabs: 256 + their count), else -1.
 */
function indentCode(text: string, start: number, end: number): number {
  let i = start;
  const c = text.charCodeAt(i);
  if (c === 13) i += text.charCodeAt(i + 1) === 10 && i + 1 < end ? 2 : 1;
  else if (c === 10) i++;
  else return -1;
  const n = end - i;
  if (n > 255) return -1;
  if (n === 0) return 0;
  const pad = text.charCodeAt(i);
  if (pad !== 32 && pad !== 9) return -1;
  for (let j = i + 1; j < end; j++) if (text.charCodeAt(j) !== pad) return -1;
  return pad === 32 ? n : 256 + n;
}

/** Codes of `indentCode`. */
const INDENT_CODES = 512;
/** Runs of indentation counted per element before they are kept one by one (the key of `finalText` stays a small integer). */
const MAX_FOLDED_INDENTS = 2048;
const INDENT_STRINGS: string[] = [];

/** The text of an indentation run: `\n` and its spaces or tabs (made once per process). */
function indentText(code: number): string {
  let t = INDENT_STRINGS[code];
  if (t === undefined) t = INDENT_STRINGS[code] = '\n' + (code < 256 ? ' '.repeat(code) : '\t'.repeat(code - 256));
  return t;
}

/** The runs `Frame.indents` stands for, as `parts`: another kind of run follows them. */
function unfoldIndents(f: Frame): void {
  const parts: string[] = [];
  for (let i = 1; i < f.indents; i++) parts.push(indentText(f.indentCode));
  parts.push(indentText(f.lastIndent));
  f.parts = parts;
  f.indents = 0;
}

/** An attribute of the tree: its spans are numbers turned into `Span` objects on access, as an element's are. */
class Attribute implements XmlAttribute {
  constructor(
    readonly name: string,
    readonly prefix: string,
    readonly local: string,
    public ns: string,
    readonly value: string,
    private readonly start: number,
    private readonly valueStart: number,
    private readonly valueEnd: number,
  ) {}

  get nameSpan(): Span {
    return { start: this.start, end: this.start + this.name.length };
  }

  get valueSpan(): Span {
    return { start: this.valueStart, end: this.valueEnd };
  }
}

/**
 * An element of the tree. Compact on purpose: spans are numbers turned into `Span` objects on
 * access, elements without attributes or children share frozen empty arrays.
 */
class Element implements XmlElement {
  attributes: readonly XmlAttribute[];
  children: readonly XmlElement[] = NO_CHILDREN;
  text = '';
  closed: boolean;
  /** Start tag: [tagStart, tagEnd). */
  private readonly tagStart: number;
  private readonly tagEnd: number;
  /** End of `span`. */
  private end: number;
  /** End of `content`; -1 when there is none (`<x/>`). */
  private contentEnd = -1;
  /** Text span; textStart -1 when there is no text (empty span at the end of the start tag). */
  private textStart = -1;
  private textEnd = -1;

  constructor(
    readonly name: string,
    readonly prefix: string,
    readonly local: string,
    readonly ns: string,
    attributes: readonly XmlAttribute[],
    public parent: XmlElement | undefined,
    tagStart: number,
    tagEnd: number,
    readonly selfClosing: boolean,
    readonly depth: number,
    readonly scope: NsScope | undefined,
  ) {
    this.attributes = attributes;
    this.tagStart = tagStart;
    this.tagEnd = tagEnd;
    this.end = tagEnd;
    this.closed = selfClosing;
  }

  get startTag(): Span {
    return { start: this.tagStart, end: this.tagEnd };
  }

  get span(): Span {
    return { start: this.tagStart, end: this.end };
  }

  get content(): Span | undefined {
    return this.contentEnd < 0 ? undefined : { start: this.tagEnd, end: this.contentEnd };
  }

  get textSpan(): Span {
    return this.textStart < 0 ? { start: this.tagEnd, end: this.tagEnd } : { start: this.textStart, end: this.textEnd };
  }

  addChild(child: XmlElement): void {
    if (this.children === NO_CHILDREN) this.children = [child];
    else (this.children as XmlElement[]).push(child);
  }

  /** The end of the element: its end tag is [contentEnd, end), or it was closed by force at `end`. */
  close(text: string, textStart: number, textEnd: number, contentEnd: number, end: number, closed: boolean): void {
    this.text = text;
    this.textStart = textStart;
    this.textEnd = textEnd;
    this.contentEnd = contentEnd;
    this.end = end;
    this.closed = closed;
  }
}

interface Frame {
  el: Element;
  /** The element's name, whose `open` count this frame holds one of. */
  q: QName;
  /** The first text run; later runs go to `parts` and are joined once, when the element closes. */
  text: string;
  parts: string[] | undefined;
  /**
   * While every text run is a line break and indentation (`indentText`): how many runs (0 when
   * the text is not such runs), the code of the first runs (all the same) and of the last. Their
   * `parts` are made only if another kind of run follows (`unfoldIndents`).
   */
  indents: number;
  indentCode: number;
  lastIndent: number;
  textStart: number;
  textEnd: number;
  /** Prefixes this element pushed onto `bindings`. */
  declared: string[] | undefined;
}

class Reader {
  private readonly len: number;
  private pos = 0;
  private readonly stack: Frame[] = [];
  /**
   * How many open elements carry each qualified name that is not interned (end-tag matching
   * without a stack search); an interned name counts its own (`QName.open`).
   */
  private readonly openNames = new Map<string, number>();
  /** prefix → stack of URIs in scope. */
  private readonly bindings = new Map<string, string[]>();
  /** > 0 while skipping a subtree deeper than the limit. */
  private skipDepth = 0;
  private problemCount = 0;
  private readonly maxDepth: number;
  private readonly maxProblems: number;
  private readonly docStart: number;
  readonly doc: XmlDocument = { root: undefined, comments: [], problems: [], truncated: false, hasDoctype: false };
  private rootClosed = false;
  private readonly names = new Map<string, QName>();
  private readonly texts = new Map<string, string>();
  /** The texts of elements whose runs are all indentation, by their runs (`finalText`). */
  private readonly indentTexts = new Map<number, string>();
  /** Whitespace-only runs of the source, as written → as decoded (line breaks normalised). */
  private readonly whitespace = new Map<string, string>();

  constructor(
    private readonly text: string,
    options: XmlReadOptions,
  ) {
    this.len = text.length;
    this.maxDepth = options.maxDepth ?? LIMITS.maxXmlDepth;
    this.maxProblems = options.maxProblems ?? LIMITS.maxProblemsPerFile;
    this.docStart = text.charCodeAt(0) === 0xfeff ? 1 : 0;
    this.pos = this.docStart;
  }

  private problem(p: Problem): void {
    this.problemCount++;
    if (this.problemCount <= this.maxProblems) {
      this.doc.problems.push(p);
    } else if (this.problemCount === this.maxProblems + 1) {
      this.doc.problems.push({
        code: 'limit',
        severity: 'warning',
        message: `More than ${this.maxProblems} XML problems; the rest are not listed.`,
        span: p.span,
      });
    }
  }

  private parseError(message: string, span: Span, severity: Problem['severity'] = 'error'): void {
    if (this.problemCount > this.maxProblems) {
      this.problemCount++;
      return;
    }
    this.problem({ code: 'parse', severity, message, span });
  }

  run(): XmlDocument {
    const { text, len } = this;
    // Start of the pending text run; a stray '<' stays inside the run instead of splitting it.
    let textFrom = this.pos;
    while (this.pos < len) {
      const lt = text.indexOf('<', this.pos);
      if (lt < 0) break;
      const c1 = text.charCodeAt(lt + 1);
      if (c1 !== 33 /* ! */ && c1 !== 63 /* ? */ && c1 !== 47 /* / */ && !isNameStart(c1)) {
        this.parseError(
          lt + 1 >= len ? "The file ends with '<'." : "'<' is not followed by a tag name; write it as &lt; in text.",
          { start: lt, end: Math.min(lt + 1, len) },
        );
        this.pos = lt + 1;
        continue;
      }
      if (lt > textFrom) this.onText(textFrom, lt);
      this.pos = lt;
      if (!this.onMarkup(lt)) {
        textFrom = this.pos = len;
        break;
      }
      textFrom = this.pos;
    }
    if (textFrom < len) this.onText(textFrom, len);
    this.finish();
    return this.doc;
  }

  /** Handle the markup at `lt` ('<' followed by '!', '?', '/' or a name); false when reading must stop. */
  private onMarkup(lt: number): boolean {
    const { text } = this;
    const c1 = text.charCodeAt(lt + 1);
    if (c1 === 33 /* ! */) {
      if (text.startsWith('<!--', lt)) return this.onComment(lt);
      if (text.startsWith('<![CDATA[', lt)) return this.onCdata(lt);
      if (text.slice(lt + 2, lt + 9).toUpperCase() === 'DOCTYPE') return this.onDoctype(lt);
      const gt = text.indexOf('>', lt + 2);
      this.parseError(`Unexpected markup "${preview(text.slice(lt, gt < 0 ? lt + 40 : gt + 1))}"; it was skipped.`, {
        start: lt,
        end: gt < 0 ? this.len : gt + 1,
      });
      if (gt < 0) return this.eofInside(lt, 'markup declaration');
      this.pos = gt + 1;
      return true;
    }
    if (c1 === 63 /* ? */) return this.onPi(lt);
    if (c1 === 47 /* / */) return this.onEndTag(lt);
    return this.onStartTag(lt);
  }

  private eofInside(start: number, what: string): false {
    this.parseError(`The file ends inside a ${what}; the file looks truncated.`, { start, end: this.len });
    this.doc.truncated = true;
    return false;
  }

  // ---- comments, CDATA, PIs, DOCTYPE ----

  private onComment(lt: number): boolean {
    const end = this.text.indexOf('-->', lt + 4);
    if (end < 0) return this.eofInside(lt, 'comment');
    this.doc.comments.push({ text: this.text.slice(lt + 4, end), span: { start: lt, end: end + 3 } });
    this.pos = end + 3;
    return true;
  }

  private onCdata(lt: number): boolean {
    const end = this.text.indexOf(']]>', lt + 9);
    if (end < 0) return this.eofInside(lt, 'CDATA section');
    this.pos = end + 3;
    const top = this.stack[this.stack.length - 1];
    if (this.skipDepth > 0) return true;
    if (!top) {
      this.parseError('CDATA section outside the root element.', { start: lt, end: end + 3 });
      return true;
    }
    this.appendText(top, this.text.slice(lt + 9, end).replace(/\r\n?/g, '\n'), lt, end + 3);
    return true;
  }

  private onPi(lt: number): boolean {
    const { text } = this;
    const end = text.indexOf('?>', lt + 2);
    let t = lt + 2;
    while (t < this.len && isNameChar(text.charCodeAt(t))) t++;
    const target = text.slice(lt + 2, t);
    if (end < 0) return this.eofInside(lt, 'processing instruction');
    if (target.toLowerCase() === 'xml' && lt !== this.docStart) {
      this.parseError('The XML declaration (<?xml …?>) must be the very first thing in the file.', { start: lt, end: end + 2 }, 'warning');
    } else if (!target) {
      this.parseError('Processing instruction without a target name.', { start: lt, end: end + 2 }, 'warning');
    }
    this.pos = end + 2;
    return true;
  }

  /**
   * Skip a DOCTYPE without interpreting it. One forward scan: quoted literals, comments and the
   * `[ … ]` internal subset are stepped over so a `>` inside them does not end the declaration.
   */
  private onDoctype(lt: number): boolean {
    const { text, len } = this;
    let j = lt + 9;
    let quote = 0;
    let inSubset = false;
    let end = -1;
    while (j < len) {
      const c = text.charCodeAt(j);
      if (quote) {
        if (c === quote) quote = 0;
        j++;
        continue;
      }
      if (c === 34 || c === 39) {
        quote = c;
      } else if (inSubset && c === 60 && text.startsWith('<!--', j)) {
        const e = text.indexOf('-->', j + 4);
        if (e < 0) {
          j = len;
          break;
        }
        j = e + 3;
        continue;
      } else if (c === 91 /* [ */) {
        inSubset = true;
      } else if (c === 93 /* ] */) {
        inSubset = false;
      } else if (c === 62 /* > */ && !inSubset) {
        end = j + 1;
        break;
      }
      j++;
    }
    this.doc.hasDoctype = true;
    this.problem({
      code: 'unsafe-xml',
      severity: 'error',
      message:
        'DOCTYPE declaration refused: relaylint does not read DTDs or entity declarations (they can expand to huge or external content). Nothing in it was expanded; the rest of the file was read without it.',
      span: { start: lt, end: end < 0 ? len : end },
    });
    if (end < 0) return this.eofInside(lt, 'DOCTYPE declaration');
    this.pos = end;
    return true;
  }

  // ---- text ----

  /** Character data between markup. */
  private onText(start: number, end: number): void {
    if (this.skipDepth > 0) return;
    const top = this.stack[this.stack.length - 1];
    const { text } = this;
    if (!top) {
      let s = start;
      while (s < end && isWs(text.charCodeAt(s))) s++;
      if (s < end) {
        let e = end;
        while (e > s && isWs(text.charCodeAt(e - 1))) e--;
        this.parseError(
          this.rootClosed || this.doc.root ? 'Text after the root element.' : 'Text before the root element.',
          { start: s, end: e },
        );
      }
      return;
    }
    // Indentation between elements (a line break, then spaces or tabs only): no slice, no lookup by
    // text. About a third of a GPO report's text runs (bench/README.md, wave 19).
    const code = indentCode(text, start, end);
    if (code >= 0) return this.appendIndent(top, code, start, end);
    const raw = text.slice(start, end);
    // Other whitespace between elements repeats the same few runs: each is normalised once.
    if (end - start <= MAX_INTERNED_TEXT_LENGTH && isWs(text.charCodeAt(start))) {
      let ws = this.whitespace.get(raw);
      if (ws === undefined) {
        let i = start + 1;
        while (i < end && isWs(text.charCodeAt(i))) i++;
        if (i < end) return this.appendText(top, this.decode(raw, start, false), start, end);
        ws = this.decode(raw, start, false);
        if (this.whitespace.size < MAX_INTERNED_TEXTS) this.whitespace.set(raw, ws);
      }
      return this.appendText(top, ws, start, end);
    }
    this.appendText(top, this.decode(raw, start, false), start, end);
  }

  private appendText(f: Frame, decoded: string, start: number, end: number): void {
    if (f.textStart < 0) {
      f.textStart = start;
      f.text = decoded;
    } else {
      if (f.indents > 0) unfoldIndents(f);
      (f.parts ??= [f.text]).push(decoded);
    }
    f.textEnd = end;
  }

  /** A run that is an indentation (`indentCode`): counted while the element's runs are all such runs. */
  private appendIndent(f: Frame, code: number, start: number, end: number): void {
    if (f.textStart < 0) {
      f.textStart = start;
      f.text = indentText(code);
      f.indents = 1;
      f.indentCode = f.lastIndent = code;
    } else if (f.indents > 0 && f.indents < MAX_FOLDED_INDENTS && (f.indents === 1 || f.lastIndent === f.indentCode)) {
      if (f.indents === 1) f.indentCode = f.lastIndent;
      f.indents++;
      f.lastIndent = code;
    } else {
      if (f.indents > 0) unfoldIndents(f);
      (f.parts ??= [f.text]).push(indentText(code));
    }
    f.textEnd = end;
  }

  /** The final text of an element: runs joined, whitespace-only texts shared. */
  private finalText(f: Frame): string {
    if (f.indents > 0) {
      // Runs of indentation only: their text is one of few (n - 1 runs alike, then the last).
      if (f.indents === 1) return f.text;
      const key = f.indents * INDENT_CODES * INDENT_CODES + f.indentCode * INDENT_CODES + f.lastIndent;
      let t = this.indentTexts.get(key);
      if (t === undefined) {
        t = indentText(f.indentCode).repeat(f.indents - 1) + indentText(f.lastIndent);
        if (this.indentTexts.size < MAX_INTERNED_TEXTS) this.indentTexts.set(key, t);
      }
      return t;
    }
    const t = f.parts ? f.parts.join('') : f.text;
    if (t.length === 0 || t.length > MAX_INTERNED_TEXT_LENGTH) return t;
    for (let i = 0; i < t.length; i++) if (!isWs(t.charCodeAt(i))) return t;
    const shared = this.texts.get(t);
    if (shared !== undefined) return shared;
    if (this.texts.size < MAX_INTERNED_TEXTS) this.texts.set(t, t);
    return t;
  }

  /**
   * Decode references in raw text or an attribute value. Literal line breaks become `\n` (text) or
   * literal whitespace becomes a space (attributes); references are decoded after that, so `&#xA;`
   * survives. Unknown or malformed references are reported and kept as written.
   */
  private decode(raw: string, offset: number, attr: boolean): string {
    const norm = (s: string): string => (attr ? s.replace(/\r\n|[\r\n\t]/g, ' ') : s.replace(/\r\n?/g, '\n'));
    let amp = raw.indexOf('&');
    if (amp < 0) return attr ? (/[\r\n\t]/.test(raw) ? norm(raw) : raw) : raw.indexOf('\r') < 0 ? raw : norm(raw);
    let out = '';
    // `from`: start of the raw text not yet copied. A reference left as written is not copied on its
    // own; it stays in the raw run (it holds no whitespace, so normalising the run leaves it intact).
    let from = 0;
    while (amp >= 0) {
      // Find ';' within a bounded window.
      let semi = -1;
      const limit = Math.min(raw.length, amp + MAX_REF_LENGTH);
      for (let k = amp + 1; k < limit; k++) {
        const c = raw.charCodeAt(k);
        if (c === 59) {
          semi = k;
          break;
        }
        if (c === 38 || c === 60 || isWs(c)) break;
      }
      if (semi < 0) {
        this.parseError("A bare '&' must be written as &amp;.", { start: offset + amp, end: offset + amp + 1 });
        amp = raw.indexOf('&', amp + 1);
        continue;
      }
      const decoded = this.decodeRef(raw.slice(amp + 1, semi), { start: offset + amp, end: offset + semi + 1 });
      if (decoded !== undefined) {
        out += norm(raw.slice(from, amp)) + decoded;
        from = semi + 1;
      }
      amp = raw.indexOf('&', semi + 1);
    }
    return from === 0 ? norm(raw) : out + norm(raw.slice(from));
  }

  private decodeRef(body: string, span: Span): string | undefined {
    if (body.charCodeAt(0) === 35 /* # */) {
      const hex = body.charCodeAt(1) === 120; /* x */
      const digits = body.slice(hex ? 2 : 1);
      const ok = hex ? /^[0-9A-Fa-f]+$/.test(digits) : /^[0-9]+$/.test(digits);
      const cp = ok ? parseInt(digits, hex ? 16 : 10) : NaN;
      if (!ok || !isValidCharRef(cp)) {
        this.parseError(`Invalid character reference &${body};.`, span);
        return undefined;
      }
      return String.fromCodePoint(cp);
    }
    const pre = PREDEFINED[body];
    if (pre !== undefined) return pre;
    let valid = body.length > 0 && isNameStart(body.charCodeAt(0));
    for (let k = 1; valid && k < body.length; k++) valid = isNameChar(body.charCodeAt(k));
    if (!valid) {
      this.parseError(`Malformed reference &${preview(body)}; (a bare '&' must be written as &amp;).`, span);
      return undefined;
    }
    this.problem({
      code: this.doc.hasDoctype ? 'unsafe-xml' : 'parse',
      severity: 'error',
      message: `Entity reference &${body}; is not one of XML's five predefined entities; relaylint does not expand entities, so it was left as written.`,
      span,
    });
    return undefined;
  }

  // ---- tags ----

  private scanName(i: number): number {
    const { text, len } = this;
    while (i < len && isNameChar(text.charCodeAt(i))) i++;
    return i;
  }

  private skipWs(i: number): number {
    const { text, len } = this;
    while (i < len && isWs(text.charCodeAt(i))) i++;
    return i;
  }

  /**
   * Recover inside a broken tag: continue to the next '>' (tag ends there) or stop before the next
   * '<' (tag ends before it). Returns the index after the tag and whether it was `/>`; -1 at EOF.
   */
  private recoverTag(i: number): { end: number; selfClosing: boolean } {
    const { text, len } = this;
    for (let k = i; k < len; k++) {
      const c = text.charCodeAt(k);
      if (c === 62) return { end: k + 1, selfClosing: text.charCodeAt(k - 1) === 47 };
      if (c === 60) return { end: k, selfClosing: false };
    }
    return { end: -1, selfClosing: false };
  }

  /** Read a start tag at `lt` (name start known). Undefined when the input ends inside it. */
  private readStartTag(lt: number): StartTag | undefined {
    const { text, len } = this;
    const nameEnd = this.scanName(lt + 1);
    const name = text.slice(lt + 1, nameEnd);
    const attrs: RawAttr[] = [];
    let seen: Set<string> | undefined;
    let i = nameEnd;
    for (;;) {
      const wsStart = i;
      i = this.skipWs(i);
      if (i >= len) {
        this.eofInside(lt, `start tag <${nameInMessage(name)}>`);
        return undefined;
      }
      const c = text.charCodeAt(i);
      if (c === 62 /* > */) return { name, attrs, selfClosing: false, end: i + 1 };
      if (c === 47 /* / */ && text.charCodeAt(i + 1) === 62) return { name, attrs, selfClosing: true, end: i + 2 };
      let bad: string | undefined;
      if (isNameStart(c)) {
        const aStart = i;
        const aEnd = this.scanName(i);
        const aName = text.slice(aStart, aEnd);
        if (i === wsStart) {
          this.parseError(`Attribute ${nameInMessage(aName)} must be separated from what precedes it by a space.`, { start: aStart, end: aEnd });
        }
        i = this.skipWs(aEnd);
        if (text.charCodeAt(i) !== 61 /* = */) {
          bad = `Attribute ${nameInMessage(aName)} has no value (expected ="…").`;
        } else {
          i = this.skipWs(i + 1);
          const q = text.charCodeAt(i);
          if (q !== 34 && q !== 39) {
            bad = `The value of attribute ${nameInMessage(aName)} must be in quotes.`;
          } else {
            const close = text.indexOf(q === 34 ? '"' : "'", i + 1);
            if (close < 0) {
              this.parseError(`The value of attribute ${nameInMessage(aName)} is never closed; the file looks truncated.`, { start: aStart, end: len });
              this.doc.truncated = true;
              return undefined;
            }
            const raw = text.slice(i + 1, close);
            const lt2 = raw.indexOf('<');
            if (lt2 >= 0) this.parseError(`'<' is not allowed in an attribute value; write &lt;.`, { start: i + 1 + lt2, end: i + 2 + lt2 });
            // Duplicate check: linear on small tags, a Set on large ones.
            let dup = false;
            if (seen) dup = seen.has(aName);
            else {
              for (const a of attrs) if (a.name === aName) dup = true;
              if (attrs.length >= 16) seen = new Set(attrs.map((a) => a.name));
            }
            if (seen) seen.add(aName);
            if (dup) {
              this.parseError(`Attribute ${nameInMessage(aName)} is repeated; the first one is used.`, { start: aStart, end: aEnd });
            } else {
              attrs.push({ name: aName, start: aStart, raw, valueStart: i + 1, valueEnd: close });
            }
            i = close + 1;
            continue;
          }
        }
      } else {
        bad = `Unexpected ${c === 47 ? "'/'" : `character '${preview(text[i], 4)}'`} in start tag <${nameInMessage(name)}>.`;
      }
      // Broken tag: report, then recover.
      this.parseError(bad, { start: i, end: Math.min(i + 1, len) });
      const r = this.recoverTag(i);
      if (r.end < 0) {
        this.eofInside(lt, `start tag <${nameInMessage(name)}>`);
        return undefined;
      }
      return { name, attrs, selfClosing: r.selfClosing, end: r.end };
    }
  }

  /** Split a qualified name; names are interned (they repeat a lot) so the tree shares one copy. */
  private splitName(qname: string, start: number): QName {
    const cached = this.names.get(qname);
    if (cached) {
      if (!cached.valid) this.parseError(`"${preview(qname)}" is not a valid qualified name.`, { start, end: start + qname.length }, 'warning');
      return cached;
    }
    const colon = qname.indexOf(':');
    let q: QName;
    if (colon < 0) q = { name: qname, prefix: '', local: qname, valid: true, open: -1 };
    else {
      const prefix = qname.slice(0, colon);
      const local = qname.slice(colon + 1);
      q =
        !prefix || !local || local.indexOf(':') >= 0
          ? { name: qname, prefix: '', local: qname, valid: false, open: -1 }
          : { name: qname, prefix, local, valid: true, open: -1 };
      if (!q.valid) this.parseError(`"${preview(qname)}" is not a valid qualified name.`, { start, end: start + qname.length }, 'warning');
    }
    if (this.names.size < MAX_INTERNED_NAMES) {
      q.open = 0;
      this.names.set(qname, q);
    }
    return q;
  }

  /** `start`, `length`: the name the prefix belongs to, for a problem. */
  private resolvePrefix(prefix: string, start: number, length: number): string {
    if (prefix === 'xml') return XML_NS;
    if (prefix === 'xmlns') return XMLNS_NS;
    const st = this.bindings.get(prefix);
    if (st && st.length) return st[st.length - 1];
    if (prefix !== '') this.parseError(`Namespace prefix "${nameInMessage(prefix)}" is not declared.`, { start, end: start + length }, 'warning');
    return '';
  }

  private onStartTag(lt: number): boolean {
    const tag = this.readStartTag(lt);
    if (!tag) return false;
    this.pos = tag.end;
    if (this.skipDepth > 0) {
      if (!tag.selfClosing) this.skipDepth++;
      return true;
    }
    if (this.stack.length >= this.maxDepth) {
      this.problem({
        code: 'limit',
        // Content that was not read may hold a weak value: fail closed (it counts toward --fail-on).
        severity: 'error',
        message: `XML nesting deeper than ${this.maxDepth} levels; this element and everything inside it were not read.`,
        span: { start: lt, end: tag.end },
      });
      if (!tag.selfClosing) this.skipDepth = 1;
      return true;
    }
    if (!this.stack.length && (this.doc.root || this.rootClosed)) {
      this.parseError(`A second root element <${nameInMessage(tag.name)}>; an XML document has exactly one.`, { start: lt, end: tag.end });
    }

    // Namespace declarations of this tag, then names.
    const parentFrame = this.stack[this.stack.length - 1];
    const parent = parentFrame?.el;
    let decls: [string, string][] | undefined;
    const attrs: XmlAttribute[] = tag.attrs.length ? [] : (NO_ATTRIBUTES as XmlAttribute[]);
    // Declarations first (they bind the prefixes of this tag's names), so the other attributes wait;
    // a tag without any (most tags) builds each attribute at once.
    let pending: { raw: RawAttr; value: string; q: QName }[] | undefined;
    for (const a of tag.attrs) if (a.name.startsWith('xmlns')) pending = [];
    for (const a of tag.attrs) {
      const value = this.decode(a.raw, a.valueStart, true);
      const q = this.splitName(a.name, a.start);
      if (q.name === 'xmlns' || q.prefix === 'xmlns') {
        const p = q.name === 'xmlns' ? '' : q.local;
        if (p !== '' && value === '') this.parseError(`Namespace prefix "${nameInMessage(p)}" cannot be bound to an empty URI.`, { start: a.start, end: a.start + a.name.length }, 'warning');
        (decls ??= []).push([p, value]);
        attrs.push(new Attribute(q.name, q.prefix, q.local, XMLNS_NS, value, a.start, a.valueStart, a.valueEnd));
      } else if (pending) {
        pending.push({ raw: a, value, q });
      } else {
        // Its prefix is resolved below, after every name of the tag is split (problems keep their order).
        attrs.push(new Attribute(q.name, q.prefix, q.local, '', value, a.start, a.valueStart, a.valueEnd));
      }
    }
    let declared: string[] | undefined;
    if (decls) {
      declared = [];
      const once = new Set<string>();
      for (const [p, uri] of decls) {
        if (once.has(p)) continue;
        once.add(p);
        let st = this.bindings.get(p);
        if (!st) this.bindings.set(p, (st = []));
        st.push(uri);
        declared.push(p);
      }
    }
    if (!pending) for (const a of attrs as Attribute[]) if (a.prefix) a.ns = this.resolvePrefix(a.prefix, a.nameSpan.start, a.name.length);
    for (const p of pending ?? []) {
      const ns = p.q.prefix ? this.resolvePrefix(p.q.prefix, p.raw.start, p.raw.name.length) : '';
      attrs.push(new Attribute(p.q.name, p.q.prefix, p.q.local, ns, p.value, p.raw.start, p.raw.valueStart, p.raw.valueEnd));
    }
    const q = this.splitName(tag.name, lt + 1);
    const { name: qname, prefix, local } = q;
    const ns = this.resolvePrefix(prefix, lt + 1, tag.name.length);
    const scope: NsScope | undefined = decls ? { decls, parent: parent ? parent.scope : undefined } : parent?.scope;

    const el = new Element(qname, prefix, local, ns, attrs, parent, lt, tag.end, tag.selfClosing, this.stack.length + 1, scope);
    if (parent) parent.addChild(el);
    else if (!this.doc.root) this.doc.root = el;

    if (tag.selfClosing) {
      this.popBindings(declared);
      if (!parent) this.rootClosed = true;
      return true;
    }
    this.stack.push({ el, q, text: '', parts: undefined, indents: 0, indentCode: 0, lastIndent: 0, textStart: -1, textEnd: -1, declared });
    if (q.open >= 0) q.open++;
    else this.openNames.set(qname, (this.openNames.get(qname) ?? 0) + 1);
    return true;
  }

  private popBindings(declared: string[] | undefined): void {
    if (!declared) return;
    for (const p of declared) this.bindings.get(p)?.pop();
  }

  /** Pop the top frame. `endTag` = the span of its end tag, or undefined when closed by force at `at`. */
  private closeTop(at: number, endTag: Span | undefined): void {
    const f = this.stack.pop() as Frame;
    const el = f.el;
    if (f.q.open > 0) f.q.open--;
    else {
      const n = (this.openNames.get(el.name) ?? 1) - 1;
      if (n) this.openNames.set(el.name, n);
      else this.openNames.delete(el.name);
    }
    this.popBindings(f.declared);
    el.close(this.finalText(f), f.textStart, f.textEnd, endTag ? endTag.start : at, endTag ? endTag.end : at, endTag !== undefined);
    if (!this.stack.length) this.rootClosed = true;
  }

  private onEndTag(lt: number): boolean {
    const { text } = this;
    let end: number;
    let name = '';
    if (!isNameStart(text.charCodeAt(lt + 2))) {
      this.parseError("'</' is not followed by a tag name.", { start: lt, end: Math.min(lt + 2, this.len) });
      const r = this.recoverTag(lt + 2);
      if (r.end < 0) return this.eofInside(lt, 'end tag');
      this.pos = r.end;
      return true;
    }
    const nameEnd = this.scanName(lt + 2);
    name = text.slice(lt + 2, nameEnd);
    const after = this.skipWs(nameEnd);
    if (after >= this.len) return this.eofInside(lt, `end tag </${nameInMessage(name)}>`);
    if (text.charCodeAt(after) === 62) {
      end = after + 1;
    } else {
      this.parseError(`End tag </${nameInMessage(name)}> must end with '>' right after the name.`, { start: after, end: after + 1 });
      const r = this.recoverTag(after);
      if (r.end < 0) return this.eofInside(lt, `end tag </${nameInMessage(name)}>`);
      end = r.end;
    }
    this.pos = end;
    const span = { start: lt, end };
    if (this.skipDepth > 0) {
      this.skipDepth--;
      return true;
    }
    if (!this.stack.length) {
      this.parseError(`End tag </${nameInMessage(name)}> has no matching start tag.`, span);
      return true;
    }
    // The usual case, the innermost element closing, needs no count.
    if (this.stack[this.stack.length - 1].el.name !== name && !this.isOpen(name)) {
      this.parseError(`End tag </${nameInMessage(name)}> does not match any open element; it was ignored.`, span);
      return true;
    }
    // Close the elements left open inside the matching one.
    while (this.stack[this.stack.length - 1].el.name !== name) {
      const top = this.stack[this.stack.length - 1].el;
      this.parseError(`Element <${nameInMessage(top.name)}> is not closed before </${nameInMessage(name)}>.`, top.startTag);
      this.closeTop(lt, undefined);
    }
    this.closeTop(lt, span);
    return true;
  }

  /** Whether an open element carries this qualified name. */
  private isOpen(name: string): boolean {
    const q = this.names.get(name);
    return q !== undefined ? q.open > 0 : this.openNames.has(name);
  }

  private finish(): void {
    if (this.stack.length) {
      const innermost = this.stack[this.stack.length - 1].el;
      const n = this.stack.length;
      this.parseError(
        `The file ends before <${nameInMessage(innermost.name)}> is closed${n > 1 ? ` (${n} elements are still open)` : ''}; the file looks truncated.`,
        innermost.startTag,
      );
      this.doc.truncated = true;
      while (this.stack.length) this.closeTop(this.len, undefined);
    } else if (this.skipDepth > 0) {
      this.doc.truncated = true;
    }
    if (!this.doc.root && !this.doc.truncated) {
      this.parseError('No root element: the file contains no XML element.', { start: 0, end: 0 });
    } else if (!this.doc.root) {
      this.parseError('No root element was read before the file ended.', { start: 0, end: 0 });
    }
  }
}

/**
 * Read an XML text into a tree with source spans. Never throws.
 *
 * Memory: about 280 bytes per element on top of the text (measured on a 50 MB GPO report of
 * 435,000 elements: 120 MB of tree), about half of what plain objects with span objects took.
 * Spans are numbers until read, elements without attributes or children share frozen empty arrays,
 * names are interned and whitespace-only texts shared. test/unit/robustness/hostile-xml.test.ts
 * holds the figures and the budget (a 50 MB report parses in a 256 MB V8 heap).
 */
export function readXml(text: string, options: XmlReadOptions = {}): XmlDocument {
  return new Reader(text, options).run();
}

/**
 * Keep at most `LIMITS.maxProblemsPerFile` problems, summarising the rest in one `limit` line
 * (a parser adds its own problems after the reader's, so the cap is applied once more at the end).
 */
export function capProblems(problems: Problem[], max: number = LIMITS.maxProblemsPerFile): void {
  if (problems.length <= max + 1) return;
  const hidden = problems.length - max;
  const first = problems[max];
  problems.length = max;
  problems.push({
    code: 'limit',
    severity: 'warning',
    message: `${hidden} more problems are not listed; relaylint lists at most ${max} per file.`,
    span: first.span,
  });
}
