/**
 * Child-process entry of the robustness suites: builds one large hostile input in memory, parses and
 * lints it, and prints one JSON line of measurements. Run by hostile-*.test.ts as
 *   node --max-old-space-size=<budget> child.js --robust-child <work> [args]
 * so that a memory blow-up fails that child (heap limit) instead of the test runner.
 * Without `--robust-child` (node --test loads every file under test/) it does nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lint } from '../../../server/src/core/engine';
import { parseBytes } from '../../../server/src/core/parse';
import { parsePol } from '../../../server/src/core/parsers/pol';
import type { ParsedFile } from '../../../server/src/core/types';

const FIXTURES = path.resolve(__dirname, '../../../../test/fixtures');

export interface ChildCase {
  name: string;
  bytes: number;
  parseMs: number;
  lintMs: number;
  settings: number;
  problems: number;
  problemCodes: string[];
  findings: number;
  /** The longest message of any problem (a 1 MB line must not be copied into a message). */
  longestMessage: number;
}

export interface ChildResult {
  cases: ChildCase[];
  /** RSS once the input was built, before parsing (MB). */
  rssBeforeMB: number;
  /** Peak RSS of the whole child (MB). */
  maxRssMB: number;
  /** Heap used after the parse, with the result still alive (MB). */
  heapAfterMB: number;
}

const MB = 1024 * 1024;

function measure(name: string, bytes: Uint8Array, parse: () => ParsedFile): ChildCase {
  const t0 = process.hrtime.bigint();
  const p = parse();
  const t1 = process.hrtime.bigint();
  const findings = lint(p, { role: 'any', targetOs: 'legacy' });
  const t2 = process.hrtime.bigint();
  return {
    name,
    bytes: bytes.length,
    parseMs: Number(t1 - t0) / 1e6,
    lintMs: Number(t2 - t1) / 1e6,
    settings: p.settings.length,
    problems: p.problems.length,
    problemCodes: [...new Set(p.problems.map((x) => x.code))].sort(),
    findings: findings.length,
    longestMessage: Math.max(0, ...p.problems.map((x) => x.message.length), ...findings.map((f) => f.message.length)),
  };
}

/** The text of a real GPO report (UTF-16LE + BOM on disk). */
export function reportText(): string {
  const raw = fs.readFileSync(path.join(FIXTURES, 'xml/sos-dod-ws2019-dc__gpreport.xml'));
  return raw.subarray(2).toString('utf16le');
}

/** The span of all `<prefix:local>` elements of one kind (first start tag to last end tag). */
function block(text: string, local: string): [number, number] {
  const m = new RegExp(`<(\\w+):${local}>`).exec(text);
  if (!m) throw new Error(`no ${local} in the report`);
  const end = `</${m[1]}:${local}>`;
  return [m.index, text.lastIndexOf(end) + end.length];
}

/**
 * A GPO report of about `target` bytes: the real report with its SecurityOptions and (ADMX) Policy
 * elements repeated in place, so the result is a valid report of the same shape.
 */
export function bigReport(target: number, encoding: 'utf16' | 'utf8'): Buffer {
  const text = reportText();
  const [sa, sb] = block(text, 'SecurityOptions');
  const [pa, pb] = block(text, 'Policy');
  const sec = text.slice(sa, sb);
  const pol = text.slice(pa, pb);
  const perChar = encoding === 'utf16' ? 2 : 1;
  const reps = Math.max(1, Math.ceil((target / perChar - text.length) / (sec.length + pol.length)));
  const cuts: [number, string][] = [
    [sb, sec],
    [pb, pol],
  ];
  cuts.sort((x, y) => x[0] - y[0]);
  const parts: string[] = [];
  let at = 0;
  for (const [cut, blk] of cuts) {
    parts.push(text.slice(at, cut), blk.repeat(reps));
    at = cut;
  }
  parts.push(text.slice(at));
  const out = parts.join('');
  return encoding === 'utf16' ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(out, 'utf16le')]) : Buffer.from(out, 'utf8');
}

/** Files with one line of about 1 MB, in every text format, plus 1 MB of markup characters. */
export function longLineFiles(): [string, string, Buffer][] {
  const n = MB;
  const sec = (() => {
    const t = reportText();
    const [a, b] = block(t, 'SecurityOptions');
    return t.slice(a, b).replace(/\r?\n\s*/g, '');
  })();
  const report = reportText().replace(/\r?\n\s*/g, '');
  const [a] = block(report, 'SecurityOptions');
  const oneLineReport = report.slice(0, a) + sec.repeat(Math.ceil(n / sec.length)) + report.slice(a);
  const u8 = (s: string) => Buffer.from(s, 'utf8');
  return [
    ['report on one 1 MB line', 'gpreport.xml', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(oneLineReport, 'utf16le')])],
    [
      'Registry.xml with a 1 MB attribute value',
      'Registry.xml',
      u8(
        `<?xml version="1.0" encoding="utf-8"?>\r\n<RegistrySettings clsid="{A3CCFC41-DFDB-43a5-8D26-0FE8B954DA51}"><Registry clsid="{9CD4B2F4-923D-47f5-A062-E897DD1DAD50}" name="x"><Properties action="U" hive="HKEY_LOCAL_MACHINE" key="SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters" name="RequireSecuritySignature" type="REG_SZ" value="${'A&amp;'.repeat(n / 6)}"/></Registry></RegistrySettings>\r\n`,
      ),
    ],
    ['Registry.xml: 1 MB of "<"', 'Registry.xml', u8(`<RegistrySettings>${'<'.repeat(n)}</RegistrySettings>`)],
    ['Registry.xml: 1 MB of "&"', 'Registry.xml', u8(`<RegistrySettings>${'&'.repeat(n)}</RegistrySettings>`)],
    ['Registry.xml: 1 MB of unknown entity references', 'Registry.xml', u8(`<RegistrySettings>${'&e;'.repeat(n / 3)}</RegistrySettings>`)],
    ['Registry.xml: 1 MB start tag of attributes', 'Registry.xml', u8(`<RegistrySettings ${Array.from({ length: n / 12 }, (_, i) => `a${i}="v"`).join(' ')}/>`)],
    ['Registry.xml: 1 MB of repeated attributes', 'Registry.xml', u8(`<RegistrySettings ${'a="v" '.repeat(n / 6)}/>`)],
    ['GptTmpl.inf with a 1 MB value line', 'GptTmpl.inf', u8(`[Unicode]\r\nUnicode=yes\r\n[Registry Values]\r\nMACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\NullSessionShares=7,${'S,'.repeat(n / 2)}\r\n`)],
    ['GptTmpl.inf: 1 MB section header', 'GptTmpl.inf', u8(`[Registry Values]\r\n[${'x'.repeat(n)}\r\n`)],
    ['GptTmpl.inf: 1 MB of "="', 'GptTmpl.inf', u8(`[Registry Values]\r\n${'='.repeat(n)}\r\n`)],
    ['.reg with a 1 MB hex line', 'import.reg', u8(`Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\x]\r\n"v"=hex:${'00,'.repeat(n / 3)}00\r\n`)],
    ['.reg with a 1 MB string', 'import.reg', u8(`Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\x]\r\n"v"="${'\\"'.repeat(n / 2)}"\r\n`)],
    ['.reg: 1 MB key line', 'import.reg', u8(`Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\${'k\\'.repeat(n / 2)}]\r\n`)],
    ['.reg: 1 MB of "["', 'import.reg', u8(`Windows Registry Editor Version 5.00\r\n${'['.repeat(n)}\r\n`)],
  ];
}

/** A Registry.pol of `count` minimal records (key "K", an empty or numbered value name, REG_DWORD, no data). */
export function tinyPol(count: number, distinct: boolean): Buffer {
  const u16 = (s: string) => Buffer.from(s, 'utf16le');
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  };
  const name = distinct ? '000000' : '';
  const rec = Buffer.concat([u16('[K'), Buffer.alloc(2), u16(';'), u16(name), Buffer.alloc(2), u16(';'), u32(4), u16(';'), u32(0), u16(';'), u16(']')]);
  const out = Buffer.alloc(8 + count * rec.length);
  out.write('PReg\x01\x00\x00\x00', 'latin1');
  for (let i = 0; i < count; i++) {
    const at = 8 + i * rec.length;
    rec.copy(out, at);
    if (distinct) out.write(i.toString(36).padStart(6, '0'), at + 8, 'utf16le');
  }
  return out;
}

function run(work: string, args: string[]): ChildResult {
  const cases: ChildCase[] = [];
  let rssBefore = 0;
  const before = () => {
    rssBefore = Math.max(rssBefore, process.memoryUsage().rss);
  };
  let keep: unknown;
  switch (work) {
    case 'report': {
      const bytes = bigReport(Number(args[1]), args[0] as 'utf16' | 'utf8');
      before();
      cases.push(measure(`report ${args[0]}`, bytes, () => (keep = parseBytes('gpreport.xml', bytes)) as ParsedFile));
      break;
    }
    case 'file': {
      // A file written by the parent: only its bytes are in memory before the parse.
      const bytes = fs.readFileSync(args[1]);
      before();
      cases.push(measure(`${args[0]} (${path.basename(args[1])})`, bytes, () => (keep = parseBytes(args[0], bytes)) as ParsedFile));
      break;
    }
    case 'long-lines': {
      const files = longLineFiles();
      before();
      for (const [label, name, bytes] of files) cases.push(measure(label, bytes, () => parseBytes(name, bytes)));
      break;
    }
    case 'pol': {
      const bytes = tinyPol(Number(args[0]), args[1] === 'distinct');
      before();
      cases.push(measure(`${args[0]} records (${args[1]})`, bytes, () => (keep = parsePol(bytes, 'HKLM')) as ParsedFile));
      break;
    }
    default:
      throw new Error(`unknown work ${work}`);
  }
  const heapAfter = process.memoryUsage().heapUsed;
  void keep;
  return { cases, rssBeforeMB: rssBefore / MB, maxRssMB: process.resourceUsage().maxRSS / 1024, heapAfterMB: heapAfter / MB };
}

if (require.main === module && process.argv[2] === '--robust-child') {
  process.stdout.write(JSON.stringify(run(process.argv[3], process.argv.slice(4))) + '\n');
}
