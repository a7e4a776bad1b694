/**
 * `npm run bench:instructions` (scripts/bench-instructions.mjs): a scan run under callgrind, its
 * instructions sorted into kinds of work. The sorting is checked on symbols as callgrind_annotate
 * prints them, and one real count is made on the bundled examples (valgrind is a CI package).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO, tempDir } from '../helpers/cli';

interface Script {
  KINDS: [string, RegExp][];
  OTHER: string;
  kindOf(symbol: string): string;
  summarise(annotated: string): { total: number; kinds: Record<string, number> };
}

const load = async (): Promise<Script> => (await import(pathToFileURL(path.join(REPO, 'scripts', 'bench-instructions.mjs')).href)) as Script;

test('each symbol as callgrind_annotate prints it goes to its kind of work', async () => {
  const { kindOf } = await load();
  const table: [string, string][] = [
    ['???:v8::internal::compiler::GraphReducer::ReduceTop() [/usr/bin/node]', 'optimizing compiler (TurboFan)'],
    ['???:auto v8::internal::compiler::PipelineImpl::Run<v8::internal::compiler::TyperPhase>() [/usr/bin/node]', 'optimizing compiler (TurboFan)'],
    ['???:0x0000000078d29140 [???]', 'compiled JavaScript'],
    ['???:Builtins_LoadIC [/usr/bin/node]', 'V8 builtins'],
    ['???:Builtins_JsonStringify [/usr/bin/node]', 'V8 builtins'],
    ['???:heap::base::SlotCallbackResult v8::internal::Scavenger::ScavengeObject<v8::internal::FullHeapObjectSlot>(v8::internal::FullHeapObjectSlot, v8::internal::HeapObject) [/usr/bin/node]', 'garbage collection'],
    ['???:v8::internal::Heap::CollectGarbage(v8::internal::AllocationSpace, v8::internal::GarbageCollectionReason, v8::GCCallbackFlags) [/usr/bin/node]', 'garbage collection'],
    ['???:v8::internal::JsonStringifier::SerializeString(v8::internal::Handle<v8::internal::String>) [/usr/bin/node]', 'JSON text'],
    ['???:v8::internal::ValueDeserializer::ReadJSObject() [/usr/bin/node]', 'messages between threads'],
    ['???:v8::internal::Scanner::Next() [/usr/bin/node]', 'loading code (parse, bytecode, baseline)'],
    ['???:int v8::internal::Deserializer<v8::internal::Isolate>::ReadSingleBytecodeData<v8::internal::SlotAccessorForHeapObject>(unsigned char, v8::internal::SlotAccessorForHeapObject) [/usr/bin/node]', 'loading code (parse, bytecode, baseline)'],
    ['???:v8::internal::String::ComputeAndSetRawHash(v8::internal::SharedStringAccessGuardIfNeeded const&) [/usr/bin/node]', 'V8 runtime'],
    ['./malloc/./malloc/malloc.c:_int_free [/usr/lib/x86_64-linux-gnu/libc.so.6]', 'C and C++ libraries'],
    ['???:std::_Rb_tree_insert_and_rebalance(bool, std::_Rb_tree_node_base*, std::_Rb_tree_node_base*, std::_Rb_tree_node_base&) [/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30]', 'C and C++ libraries'],
    ['???:sha256_block_data_order_avx2 [/usr/bin/node]', 'node, libuv, OpenSSL, zlib'],
    ['/home/iojs/build/ws/out/../deps/uv/src/unix/fs.c:uv__fs_work [/usr/bin/node]', 'node, libuv, OpenSSL, zlib'],
    ['???:0x0000000004a1b2c0 [/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2]', 'C and C++ libraries'],
    ['???:0x00000000000123ab [/usr/lib/x86_64-linux-gnu/libfoo.so]', 'other'],
  ];
  for (const [symbol, kind] of table) assert.equal(kindOf(symbol), kind, symbol);
});

test('the summary adds each function of the list to its kind and the unlisted rest to "other"', async () => {
  const { summarise, KINDS, OTHER } = await load();
  const annotated = [
    '--------------------------------------------------------------------------------',
    'Ir                     ',
    '--------------------------------------------------------------------------------',
    '1,000,000 (100.0%)  PROGRAM TOTALS',
    '',
    '--------------------------------------------------------------------------------',
    'Ir                  file:function',
    '--------------------------------------------------------------------------------',
    '400,000 (40.00%)  ???:v8::internal::compiler::GraphReducer::Reduce(v8::internal::compiler::Node*) [/usr/bin/node]',
    '250,000 (25.00%)  ???:0x0000000078d29140 [???]',
    '100,000 (10.00%)  ???:Builtins_StringIndexOf [/usr/bin/node]',
    ' 99,000 ( 9.90%)  ???:0x0000000078d2a9c0 [???]',
  ].join('\n');
  const { total, kinds } = summarise(annotated);
  assert.equal(total, 1_000_000);
  assert.deepEqual(Object.keys(kinds), [...KINDS.map(([k]) => k), OTHER]);
  assert.equal(kinds['optimizing compiler (TurboFan)'], 400_000);
  assert.equal(kinds['compiled JavaScript'], 349_000);
  assert.equal(kinds['V8 builtins'], 100_000);
  assert.equal(kinds[OTHER], 151_000);
  assert.equal(Object.values(kinds).reduce((a, b) => a + b, 0), total);
  assert.throws(() => summarise('nothing here'), /PROGRAM TOTALS/);
});

test('a real count: the bundled examples scanned under callgrind', { timeout: 600_000 }, (t) => {
  const present = !spawnSync('valgrind', ['--version']).error;
  if (!present) {
    // .ci/run installs valgrind; only a developer machine without it gets here.
    assert.ok(!process.env.CI, 'valgrind is missing on CI');
    t.skip('valgrind is not installed (Debian package valgrind)');
    return;
  }
  const dir = tempDir('relaylint-instructions-');
  try {
    const json = path.join(dir, 'i.json');
    const r = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'bench-instructions.mjs'), '--target', 'examples', '--json', json], { cwd: REPO, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    const out = JSON.parse(fs.readFileSync(json, 'utf8')) as { command: string[]; layout: string; exit: number; total: number; kinds: Record<string, number> };
    assert.deepEqual(out.command, ['--single-threaded', 'server/out/cli.js', 'scan', 'examples', '--format', 'json']);
    assert.equal(out.layout, 'one thread');
    assert.equal(out.exit, 1, 'the examples have findings');
    // Node's own start-up is about half a billion instructions; a scan of the examples is more.
    assert.ok(out.total > 500_000_000, `total ${out.total}`);
    assert.equal(Object.values(out.kinds).reduce((a, b) => a + b, 0), out.total);
    for (const kind of ['compiled JavaScript', 'V8 builtins', 'loading code (parse, bytecode, baseline)', 'garbage collection']) assert.ok(out.kinds[kind] > 0, kind);
    assert.match(r.stdout, /^total +[\d,]+ +\(scan exit 1, \d+ s under valgrind\)$/m);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
