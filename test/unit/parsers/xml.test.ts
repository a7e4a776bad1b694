import { assertTime } from '../../helpers/timing';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import {
  childElement,
  descendants,
  getAttr,
  lookupNamespace,
  readXml,
  xsiType,
  XSI_NS,
  type XmlDocument,
  type XmlElement,
} from '../../../server/src/core/parsers/xml';
import { decode } from '../../../server/src/core/text';
import type { Problem, Span } from '../../../server/src/core/types';

// Compiled to .test-out/test/unit/parsers/; fixtures stay in the source tree.
const FIXTURES = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'xml');

function load(file: string): string {
  return decode(readFileSync(join(FIXTURES, file))).text;
}

function at(text: string, s: Span | undefined): string {
  assert.ok(s, 'span expected');
  return text.slice(s.start, s.end);
}

function root(doc: XmlDocument): XmlElement {
  assert.ok(doc.root, 'root expected');
  return doc.root;
}

function codes(doc: XmlDocument): string[] {
  return doc.problems.map((p) => p.code);
}

function onlyProblem(doc: XmlDocument): Problem {
  assert.equal(doc.problems.length, 1, `expected one problem, got ${JSON.stringify(doc.problems)}`);
  return doc.problems[0];
}

/** Every span lies inside the text and nests inside its parent's span. */
function assertSpansSane(text: string, doc: XmlDocument): void {
  const inside = (s: Span, what: string) =>
    assert.ok(s.start >= 0 && s.start <= s.end && s.end <= text.length, `${what} ${JSON.stringify(s)} outside 0..${text.length}`);
  for (const p of doc.problems) if (p.span) inside(p.span, `problem "${p.message}"`);
  for (const c of doc.comments) inside(c.span, 'comment');
  if (!doc.root) return;
  for (const el of descendants(doc.root)) {
    inside(el.span, `<${el.name}> span`);
    inside(el.startTag, `<${el.name}> start tag`);
    inside(el.textSpan, `<${el.name}> text`);
    assert.ok(el.startTag.start === el.span.start && el.startTag.end <= el.span.end, `<${el.name}> start tag inside span`);
    if (el.parent) assert.ok(el.span.start >= el.parent.startTag.end && el.span.end <= el.parent.span.end, `<${el.name}> inside parent`);
    for (const a of el.attributes) {
      inside(a.nameSpan, 'attribute name');
      inside(a.valueSpan, 'attribute value');
      assert.equal(at(text, a.nameSpan), a.name);
    }
  }
}

describe('xml reader: tree, names and namespaces', () => {
  const text =
    '<?xml version="1.0" encoding="utf-8"?>\r\n' +
    '<r:Root xmlns:r="urn:r" xmlns="urn:d" a="1 &amp; 2" r:b=\'x\' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="r:Kind">\n' +
    '  <Child>te&lt;xt</Child>\r\n' +
    '  <r:Leaf/>\n' +
    '  <Inner xmlns="">plain<Deep xmlns:r="urn:other" r:z="9"/></Inner>\n' +
    '</r:Root>\n';
  const doc = readXml(text);
  const r = root(doc);

  test('no problems on a well-formed document', () => {
    assert.deepEqual(doc.problems, []);
    assert.equal(doc.truncated, false);
    assertSpansSane(text, doc);
  });

  test('element names, prefixes and resolved namespaces', () => {
    const rows: [XmlElement | undefined, string, string, string, string][] = [
      [r, 'r:Root', 'r', 'Root', 'urn:r'],
      [childElement(r, 'Child'), 'Child', '', 'Child', 'urn:d'],
      [childElement(r, 'Leaf'), 'r:Leaf', 'r', 'Leaf', 'urn:r'],
      [childElement(r, 'Inner'), 'Inner', '', 'Inner', ''],
      [childElement(childElement(r, 'Inner') as XmlElement, 'Deep'), 'Deep', '', 'Deep', ''],
    ];
    for (const [el, name, prefix, local, ns] of rows) {
      assert.ok(el, name);
      assert.deepEqual([el.name, el.prefix, el.local, el.ns], [name, prefix, local, ns]);
    }
  });

  test('attributes: decoded values, namespaces and exact spans', () => {
    const a = getAttr(r, 'a');
    assert.ok(a);
    assert.equal(a.value, '1 & 2');
    assert.equal(a.ns, '');
    assert.equal(at(text, a.valueSpan), '1 &amp; 2');
    assert.equal(at(text, a.nameSpan), 'a');
    const b = getAttr(r, 'b', 'urn:r');
    assert.ok(b);
    assert.equal(b.value, 'x');
    assert.equal(at(text, b.valueSpan), 'x');
    assert.equal(getAttr(r, 'b'), undefined, 'the prefixed attribute is not in no-namespace');
    const deep = childElement(childElement(r, 'Inner') as XmlElement, 'Deep') as XmlElement;
    assert.equal(getAttr(deep, 'z', 'urn:other')?.value, '9', 'a prefix re-declared deeper wins');
  });

  test('text content and raw spans', () => {
    const child = childElement(r, 'Child') as XmlElement;
    assert.equal(child.text, 'te<xt');
    assert.equal(at(text, child.textSpan), 'te&lt;xt');
    assert.equal(at(text, child.span), '<Child>te&lt;xt</Child>');
    assert.equal(at(text, child.startTag), '<Child>');
    assert.equal(at(text, child.content), 'te&lt;xt');
    const leaf = childElement(r, 'Leaf') as XmlElement;
    assert.equal(leaf.selfClosing, true);
    assert.equal(leaf.content, undefined);
    assert.equal(at(text, leaf.span), '<r:Leaf/>');
    assert.deepEqual(leaf.textSpan, { start: leaf.span.end, end: leaf.span.end });
    assert.equal(childElement(r, 'Inner')?.text, 'plain');
    assert.ok(at(text, r.span).startsWith('<r:Root xmlns:r='));
    assert.ok(at(text, r.span).endsWith('</r:Root>'));
  });

  test('xsi:type and QNames resolve through declared URIs, not prefixes', () => {
    assert.deepEqual(xsiType(r), { ns: 'urn:r', local: 'Kind' });
    assert.equal(getAttr(r, 'type', XSI_NS)?.value, 'r:Kind');
    const leaf = childElement(r, 'Leaf') as XmlElement;
    assert.equal(lookupNamespace(leaf, 'r'), 'urn:r');
    assert.equal(lookupNamespace(leaf, ''), 'urn:d');
    assert.equal(lookupNamespace(leaf, 'nope'), undefined);
    const inner = childElement(r, 'Inner') as XmlElement;
    assert.equal(lookupNamespace(inner, ''), '', 'xmlns="" undeclares the default namespace');
  });

  test('the same document with other prefixes gives the same namespaces', () => {
    const a = readXml('<x:A xmlns:x="urn:s"><x:B/></x:A>');
    const b = readXml('<q7:A xmlns:q7="urn:s"><q7:B/></q7:A>');
    assert.equal(root(a).children[0].ns, 'urn:s');
    assert.equal(root(b).children[0].ns, 'urn:s');
  });

  test('an undeclared prefix is a parse warning with the name span', () => {
    const t = '<a><q9:b/></a>';
    const doc2 = readXml(t);
    const p = onlyProblem(doc2);
    assert.equal(p.code, 'parse');
    assert.equal(p.severity, 'warning');
    assert.equal(at(t, p.span), 'q9:b');
  });
});

describe('xml reader: references', () => {
  const rows: [raw: string, decoded: string][] = [
    ['&lt;&gt;&amp;&quot;&apos;', `<>&"'`],
    ['&#65;&#x42;&#x1F600;', 'AB\u{1F600}'],
    ['a&#xA;b', 'a\nb'],
  ];
  for (const [raw, decoded] of rows) {
    test(`text ${raw} decodes to ${JSON.stringify(decoded)}`, () => {
      const t = `<a>${raw}</a>`;
      const doc = readXml(t);
      assert.deepEqual(doc.problems, []);
      assert.equal(root(doc).text, decoded);
      const attrDoc = readXml(`<a v="${raw}"/>`);
      assert.equal(getAttr(root(attrDoc), 'v')?.value, decoded);
    });
  }

  const bad: [raw: string, code: string, span: string, kept: string][] = [
    ['x &foo; y', 'parse', '&foo;', 'x &foo; y'],
    ['a & b', 'parse', '&', 'a & b'],
    ['&#0;', 'parse', '&#0;', '&#0;'],
    ['&#xD800;', 'parse', '&#xD800;', '&#xD800;'],
    ['&#12a;', 'parse', '&#12a;', '&#12a;'],
    ['&amp', 'parse', '&', '&amp'],
  ];
  for (const [raw, code, span, kept] of bad) {
    test(`bad reference in ${JSON.stringify(raw)} → ${code} on ${span}, left as written`, () => {
      const t = `<a>${raw}</a>`;
      const doc = readXml(t);
      const p = onlyProblem(doc);
      assert.equal(p.code, code);
      assert.equal(p.severity, 'error');
      assert.equal(at(t, p.span), span);
      assert.equal(root(doc).text, kept);
    });
  }

  test('attribute values: literal whitespace becomes spaces, references survive', () => {
    const t = '<a v="x\r\ny\tz&#xA;w"/>';
    assert.equal(getAttr(root(readXml(t)), 'v')?.value, 'x y z\nw');
  });

  test("'<' in an attribute value is reported", () => {
    const t = '<a v="1<2"/>';
    const p = onlyProblem(readXml(t));
    assert.equal(p.code, 'parse');
    assert.equal(at(t, p.span), '<');
  });
});

describe('xml reader: DTDs are refused, never expanded', () => {
  test('billion laughs: one unsafe-xml error on the declaration, entity left as written', () => {
    const decl =
      '<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n' +
      ' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n]>';
    const t = `<?xml version="1.0"?>\n${decl}\n<lolz>&lol3;</lolz>`;
    const doc = readXml(t);
    assert.equal(doc.hasDoctype, true);
    assert.deepEqual(codes(doc), ['unsafe-xml', 'unsafe-xml']);
    const [d, e] = doc.problems;
    assert.equal(d.severity, 'error');
    assert.equal(at(t, d.span), decl);
    assert.match(d.message, /DTD/);
    assert.match(d.message, /[Nn]othing in it was expanded/);
    assert.equal(at(t, e.span), '&lol3;');
    assert.equal(root(doc).local, 'lolz');
    assert.equal(root(doc).text, '&lol3;');
  });

  test('a ">" inside a quoted entity value or a comment does not end the internal subset', () => {
    const decl = '<!DOCTYPE a [<!ENTITY x "a>b"><!-- ]> --><!ENTITY y \'c>d\'>]>';
    const t = `${decl}<a>ok</a>`;
    const doc = readXml(t);
    assert.deepEqual(codes(doc), ['unsafe-xml']);
    assert.equal(at(t, doc.problems[0].span), decl);
    assert.equal(root(doc).text, 'ok');
  });

  test('external DTD and a DOCTYPE inside the root are refused too; reading goes on', () => {
    const decl = '<!DOCTYPE a SYSTEM "http://evil.example/x.dtd">';
    const t = `<a><b>1</b>${decl}<c>2</c></a>`;
    const doc = readXml(t);
    assert.deepEqual(codes(doc), ['unsafe-xml']);
    assert.equal(at(t, doc.problems[0].span), decl);
    assert.deepEqual(
      root(doc).children.map((c) => [c.local, c.text]),
      [
        ['b', '1'],
        ['c', '2'],
      ],
    );
  });

  test('an unterminated DOCTYPE: unsafe-xml plus a truncation parse error', () => {
    const t = '<!DOCTYPE a [<!ENTITY x "y">';
    const doc = readXml(t);
    assert.deepEqual(codes(doc).slice(0, 2), ['unsafe-xml', 'parse']);
    assert.equal(at(t, doc.problems[0].span), t);
  });
});

describe('xml reader: comments, CDATA, PIs', () => {
  test('comments are collected with their inner text and whole span', () => {
    const t = '<!-- head --><a><!--relaylint-disable smb.server.require: lab only-->x<!---->y</a><!--tail-->';
    const doc = readXml(t);
    assert.deepEqual(doc.problems, []);
    assert.deepEqual(
      doc.comments.map((c) => [c.text, at(t, c.span)]),
      [
        [' head ', '<!-- head -->'],
        ['relaylint-disable smb.server.require: lab only', '<!--relaylint-disable smb.server.require: lab only-->'],
        ['', '<!---->'],
        ['tail', '<!--tail-->'],
      ],
    );
    assert.equal(root(doc).text, 'xy');
  });

  test('CDATA is text, markup inside it is not parsed', () => {
    const t = '<a>1<![CDATA[<b>&amp;</b>]]>2</a>';
    const doc = readXml(t);
    assert.deepEqual(doc.problems, []);
    assert.equal(root(doc).text, '1<b>&amp;</b>2');
    assert.equal(root(doc).children.length, 0);
    assert.equal(at(t, root(doc).textSpan), '1<![CDATA[<b>&amp;</b>]]>2');
  });

  test('the XML declaration and PIs are skipped; a late declaration is reported', () => {
    assert.deepEqual(readXml('\uFEFF<?xml version="1.0"?><a><?pi data?></a>').problems, []);
    const t = '\n<?xml version="1.0"?><a/>';
    const p = onlyProblem(readXml(t));
    assert.equal(p.code, 'parse');
    assert.equal(at(t, p.span), '<?xml version="1.0"?>');
  });
});

describe('xml reader: malformed input', () => {
  // [input, expected problem span text, first message fragment]
  const rows: [string, string, RegExp][] = [
    ['<a><b></a>', '<b>', /<b> is not closed before <\/a>/],
    ['<a></b></a>', '</b>', /does not match any open element/],
    ['<a>< b</a>', '<', /not followed by a tag name/],
    ['<a x="1"y="2"/>', 'y', /separated/],
    ['<a x=1/>', '1', /in quotes/],
    ['<a x/>', '/', /has no value/],
    ['<a x="1" x="2"/>', 'x', /repeated/],
    ['<a/ >', '/', /Unexpected '\/'/],
    ['<a></a >junk', 'junk', /Text after the root/],
    ['junk<a/>', 'junk', /Text before the root/],
    ['<a/><b/>', '<b/>', /second root/],
    ['', '', /No root element/],
    ['<a><!foo></a>', '<!foo>', /Unexpected markup/],
    ['<a></ a>', '</', /not followed by a tag name/],
  ];
  for (const [input, spanText, message] of rows) {
    test(`${JSON.stringify(input)} → parse problem on ${JSON.stringify(spanText)}`, () => {
      const doc = readXml(input);
      const p = doc.problems[0];
      assert.ok(p, 'a problem expected');
      assert.equal(p.code, 'parse');
      assert.equal(at(input, p.span), spanText);
      assert.match(p.message, message);
      assertSpansSane(input, doc);
    });
  }

  test('a mismatched end tag closes the inner element where the outer one ends', () => {
    const t = '<a><b>x</a>';
    const doc = readXml(t);
    const b = root(doc).children[0];
    assert.equal(b.closed, false);
    assert.equal(at(t, b.span), '<b>x');
    assert.equal(b.text, 'x');
    assert.equal(root(doc).closed, true);
    assert.equal(at(t, root(doc).span), t);
  });

  test('end tags match the same way whether their names are interned or past the interning limit (10,000 names)', () => {
    // Nested and repeated names, a stray end tag, end tags that close an element left open inside
    // them: once with the few names interned, once after 10,000 other names have filled the
    // table, so the same names are counted outside it; last, an element closed by the root's end tag.
    const body = '<x><y><x>1</x><y>2</y></y><z></q></z><w><v></w><x><x><u></x></x></x>';
    const problems = (t: string) => readXml(t).problems.map((p) => `${p.message} @${at(t, p.span)}`);
    const plain = `<r>${body}</r>`;
    const filler = Array.from({ length: 10_000 }, (_, i) => `<f${i}/>`).join('');
    const late = `<r>${filler}${body}</r>`;
    const expected = [
      'End tag </q> does not match any open element; it was ignored. @</q>',
      'Element <v> is not closed before </w>. @<v>',
      'Element <u> is not closed before </x>. @<u>',
    ];
    assert.deepEqual(problems(plain), expected);
    assert.deepEqual(problems(late), expected);
    const unclosed = problems(`<r>${filler}<x><y><x></y></r>`);
    assert.deepEqual(unclosed, ['Element <x> is not closed before </y>. @<x>', 'Element <x> is not closed before </r>. @<x>']);
  });

  test('a truncated file keeps everything read before the cut', () => {
    const t = '<r>\r\n  <item n="1">one</item>\n  <item n="2">tw';
    const doc = readXml(t);
    assert.equal(doc.truncated, true);
    const p = onlyProblem(doc);
    assert.equal(p.code, 'parse');
    assert.equal(at(t, p.span), '<item n="2">');
    assert.match(p.message, /2 elements are still open/);
    const items = root(doc).children;
    assert.deepEqual(
      items.map((i) => [getAttr(i, 'n')?.value, i.text, i.closed]),
      [
        ['1', 'one', true],
        ['2', 'tw', false],
      ],
    );
    assert.equal(items[1].span.end, t.length);
  });

  const cuts: [string, RegExp][] = [
    ['<a><b x="1', /never closed/],
    ['<a><b x="1"', /ends inside a start tag/],
    ['<a><!-- c', /ends inside a comment/],
    ['<a><![CDATA[ c', /ends inside a CDATA/],
    ['<a><?pi', /ends inside a processing instruction/],
    ['<a></a', /ends inside a end tag/],
  ];
  for (const [input, message] of cuts) {
    test(`cut at ${JSON.stringify(input)} is a parse error and a truncation`, () => {
      const doc = readXml(input);
      assert.equal(doc.truncated, true);
      assert.ok(doc.problems.every((p) => p.code === 'parse'));
      assert.match(doc.problems[0].message, message);
      assert.equal(root(doc).local, 'a');
    });
  }

  test('mixed CRLF / bare LF: spans are string indexes, text line breaks become LF', () => {
    const t = '<a>\r\n<b>l1\r\nl2\nl3\rl4</b>\n</a>';
    const doc = readXml(t);
    const b = root(doc).children[0];
    assert.equal(b.text, 'l1\nl2\nl3\nl4');
    assert.equal(at(t, b.textSpan), 'l1\r\nl2\nl3\rl4');
    assert.equal(b.span.start, t.indexOf('<b>'));
  });
});

describe('xml reader: limits and hostile input', () => {
  test('nesting deeper than maxDepth: one limit problem, nothing below is read, later siblings are', () => {
    const t = '<a><b><c><d>deep</d></c></b><e>after</e></a>';
    const doc = readXml(t, { maxDepth: 2 });
    const p = onlyProblem(doc);
    assert.equal(p.code, 'limit');
    assert.equal(at(t, p.span), '<c>');
    assert.equal(p.severity, 'error', 'content not read fails closed');
    const a = root(doc);
    assert.deepEqual(
      a.children.map((c) => c.local),
      ['b', 'e'],
    );
    assert.equal(a.children[0].children.length, 0);
    assert.equal(a.children[1].text, 'after');
    assert.equal(a.closed, true);
  });

  test('a million nested elements neither overflow the stack nor exceed LIMITS.maxXmlDepth', () => {
    const n = 1_000_000;
    const t = '<a>'.repeat(n) + '</a>'.repeat(n);
    const doc = readXml(t);
    assert.deepEqual(codes(doc), ['limit']);
    let depth = 0;
    for (const el of descendants(root(doc))) depth = Math.max(depth, el.depth);
    assert.equal(depth, 256);
    assert.equal(doc.truncated, false);
  });

  test('problem floods are capped with one summary line', () => {
    const doc = readXml(`<a>${'&x;'.repeat(1000)}</a>`, { maxProblems: 10 });
    assert.equal(doc.problems.length, 11);
    assert.equal(doc.problems[10].code, 'limit');
  });

  // Each input is ~10 MB; quadratic behaviour would take minutes. The bound is generous on purpose.
  const hostile: [string, () => string][] = [
    ['bare ampersands', () => `<a>${'&'.repeat(10_000_000)}</a>`],
    ['stray <', () => `<a>${'<'.repeat(10_000_000)}</a>`],
    ['unknown end tags', () => `${'<a>'.repeat(200)}${'</b>'.repeat(2_500_000)}`],
    ['open-and-close pairs at depth 250', () => `${'<a>'.repeat(250)}${'<b></c>'.repeat(1_400_000)}`],
    ['one 10 MB line of attributes', () => `<a ${'k="v" '.repeat(1_600_000)}/>`],
    ['an unterminated comment', () => `<a><!--${'-'.repeat(10_000_000)}`],
  ];
  for (const [name, make] of hostile) {
    test(`linear time: ${name}`, () => {
      const t = make();
      const t0 = Date.now();
      const doc = readXml(t);
      const ms = Date.now() - t0;
      assertTime(ms < 8000, `${name}: ${ms} ms`);
      assert.ok(doc.problems.length <= 201);
    });
  }
});

describe('xml reader: corpus files and fast-xml-parser as an oracle', () => {
  const files = [
    'hardenad-ldap-audit-enabled__Registry.xml',
    'group3r-2CE5ACF5__Registry.xml',
    'goad-north-CCF6CAE3__Registry.xml',
    'hardenad-smb-signing-configuration__gpreport.xml',
    'sos-ddcp-soslan__gpreport.xml',
    'nsa-shb-windows__gpreport.xml',
  ];
  const texts = files.map(load);

  test('real files: both parsers accept them, no problems, sane spans', () => {
    texts.forEach((t, i) => {
      assert.equal(XMLValidator.validate(t), true, files[i]);
      const doc = readXml(t);
      assert.deepEqual(doc.problems, [], files[i]);
      assertSpansSane(t, doc);
    });
  });

  /*
   * Differential property: whenever XMLValidator says a mutated document is not well-formed, readXml
   * reports a 'parse' problem. The reverse is not required: readXml is deliberately stricter in places
   * XMLValidator lets through (undeclared prefixes, unknown entities, '&' or '<' in attribute values,
   * several roots, text after the root, a comment/CDATA/PI left open after the root). A DOCTYPE yields
   * 'unsafe-xml' rather than 'parse' when nothing else is wrong; mutations here cannot create one
   * (no 'Y' in the alphabet), so the property stays strict.
   */
  const ALPHABET = ['<', '>', '/', '&', ';', '"', "'", '=', '!', '?', '-', '[', ']', ' ', '\n', 'a', ':', '#', 'x'];
  type Mutation = { kind: 'insert'; at: number; s: string } | { kind: 'delete'; at: number; n: number } | { kind: 'truncate'; at: number } | { kind: 'dup'; at: number; n: number };
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), s: fc.string({ unit: fc.constantFrom(...ALPHABET), minLength: 1, maxLength: 3 }) }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 12 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('dup' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 40 }) }),
  );
  function apply(t: string, m: Mutation): string {
    const at = t.length ? m.at % (t.length + 1) : 0;
    switch (m.kind) {
      case 'insert':
        return t.slice(0, at) + m.s + t.slice(at);
      case 'delete':
        return t.slice(0, at) + t.slice(at + m.n);
      case 'truncate':
        return t.slice(0, at);
      case 'dup':
        return t.slice(0, at + m.n) + t.slice(at, at + m.n) + t.slice(at + m.n);
    }
  }

  test('mutations and truncations: XMLValidator rejects ⇒ readXml reports parse', () => {
    let rejected = 0;
    fc.assert(
      fc.property(fc.nat({ max: texts.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (fi, ms) => {
        const t = ms.reduce(apply, texts[fi]);
        const verdict = XMLValidator.validate(t);
        const doc = readXml(t);
        assertSpansSane(t, doc);
        if (verdict !== true) {
          rejected++;
          assert.ok(
            doc.problems.some((p) => p.code === 'parse'),
            `XMLValidator: ${JSON.stringify(verdict)}; readXml problems: ${JSON.stringify(doc.problems.map((p) => p.message))}`,
          );
        }
      }),
      { numRuns: 1500, seed: 20250115 },
    );
    // The oracle must actually have judged documents malformed for the property to mean anything.
    assert.ok(rejected > 300, `only ${rejected} rejected documents`);
  });
});

describe('indentation runs (counted, not kept one by one)', () => {
  /** Text of `<r>` when its children are `<a/>` only: the runs between them, CDATA unwrapped, line breaks as `\n`. */
  const expected = (runs: string[]) => runs.map((r) => r.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1').replace(/\r\n?/g, '\n')).join('');
  const pieces = ['\r\n  ', '\r\n    ', '\n\t', '\n\t\t', '\r  ', '\n', '\r\n', '\n' + ' '.repeat(255), '\r\n' + ' '.repeat(256), '\n \t', '  ', 'x', '&amp;', '<![CDATA[ y ]]>', '\n  z'];
  test('an element\'s text and text span are the joined runs, whatever their mix and number', () => {
    let seed = 7;
    const rnd = (k: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % k;
    };
    const cases: string[][] = [];
    for (let i = 0; i < 3000; i++) cases.push(Array.from({ length: 1 + rnd(8) }, () => pieces[rnd(pieces.length)]));
    for (const n of [2047, 2048, 2049, 5000]) cases.push([...Array.from({ length: n }, () => '\r\n  '), '\r\n']);
    cases.push([...Array.from({ length: 2100 }, () => '\n\t'), 'x']);
    for (const runs of cases) {
      const xml = `<r>${runs.join('<a/>')}</r>`;
      const r = readXml(xml).root as XmlElement;
      const want = expected(runs).replace(/&amp;/g, '&');
      assert.equal(r.text, want, JSON.stringify(runs).slice(0, 200));
      assert.deepEqual(r.textSpan, { start: 3, end: xml.length - 4 }, JSON.stringify(runs).slice(0, 200));
    }
  });
});
