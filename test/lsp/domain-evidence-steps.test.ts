/**
 * The workspace model reads event logs in steps (core readEvidenceSteps, driven by
 * server/src/lsp/domain.ts with the event loop let turn between steps): a request is answered while
 * a large EVTX is still being read, and a newer change stops a pass in the middle of a log (the file
 * is closed). No timing: the order of what happens is asserted. The CLI reads the same steps
 * straight through (its output is checked by the evidence and readiness tests).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { bytesSource, EvidenceCollector, parseBytes, readEvidenceFile, readEvidenceSteps, type EvidenceProgress } from '../../server/src/core';
import { readEvtx } from '../../server/src/core/evidence/evtx';
import { tryEvidence, tryEvidenceSteps } from '../../server/src/io/evidence-files';
import { computeDomain, DomainModel } from '../../server/src/lsp/domain';
import { lspInputs, writeLspSysvol, writeLspTopology } from '../helpers/domain';
import { EVTX_FIXTURES, fixture } from '../helpers/evidence';
import { writeSyntheticEvtx, type SynthResult } from '../helpers/evtx-synth';

const roots: string[] = [];
after(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

/** Records per valid chunk of security.evtx (what the synthesis helper needs to count records). */
function perChunk(): number[] {
  const sample = fixture('security.evtx');
  const out: number[] = [];
  for (let off = 4096; off + 65536 <= sample.length; off += 65536) {
    if (sample[off] !== 0x45) continue;
    const one = new Uint8Array(4096 + 65536);
    one.set(sample.subarray(0, 4096));
    one.set(sample.subarray(off, off + 65536), 4096);
    out.push([...readEvtx(bytesSource(one), [])].length);
  }
  return out;
}

interface Workspace {
  root: string;
  inf: (l: string) => string;
  log: string;
  synth: SynthResult;
}

let shared: Workspace | undefined;

/**
 * Four GPOs, the LDIF topology and an 8 MiB synthetic EVTX at `logs/big.evtx`: written once and
 * shared by the tests (none of them changes it).
 */
function workspace(): Workspace {
  if (shared) return shared;
  const root = fs.mkdtempSync(join(tmpdir(), 'relaylint-domain-evidence-'));
  roots.push(root);
  const inf = writeLspSysvol(root);
  writeLspTopology(root);
  fs.mkdirSync(join(root, 'logs'));
  const log = join(root, 'logs', 'big.evtx');
  const synth = writeSyntheticEvtx(join(EVTX_FIXTURES, 'security.evtx'), log, 8 * 1024 * 1024, perChunk());
  return (shared = { root, inf, log, synth });
}

/**
 * The workspace model of `root` as the server builds it, watched: `onStep` is called at each step
 * of an event-log reading (with the model, so that it can ask it something or change it meanwhile),
 * `onPass` at the end of each pass.
 */
function watchedModel(root: string, hooks: { onStep: (model: DomainModel, file: string, p: EvidenceProgress) => void; onPass?: () => void }): DomainModel {
  const model: DomainModel = new DomainModel(
    () => Promise.resolve(lspInputs(root)),
    () => hooks.onPass?.(),
    () => undefined,
    undefined,
    { onEvidenceStep: (file, p) => hooks.onStep(model, file, p) },
  );
  return model;
}

/** One full pass of `model`, to its end. */
async function pass(model: DomainModel): Promise<void> {
  model.schedule(0);
  await model.settled();
}

/** Descriptors of this process open on `file` (Linux; undefined elsewhere). */
function openOn(file: string): number | undefined {
  let fds: string[];
  try {
    fds = fs.readdirSync('/proc/self/fd');
  } catch {
    return undefined;
  }
  let n = 0;
  for (const fd of fds) {
    try {
      if (fs.readlinkSync(`/proc/self/fd/${fd}`) === file) n++;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}

/** Consecutive equal entries as one (`step` ×n → `steps`). */
function squash(events: string[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    const s = e === 'step' ? 'steps' : e;
    if (out[out.length - 1] !== s) out.push(s);
  }
  return out;
}

describe('event logs are read in steps', () => {
  test('driven straight through, the steps give what readEvidenceFile and tryEvidence give; a step every so many records', () => {
    const { log, synth } = workspace();
    const bytes = fs.readFileSync(log);
    const whole = new EvidenceCollector();
    const summary = readEvidenceFile(whole, 'big.evtx', 'evtx', bytesSource(bytes));
    assert.equal(summary.records, synth.records);
    const stepped = new EvidenceCollector();
    const steps = readEvidenceSteps(stepped, 'big.evtx', 'evtx', bytesSource(bytes), { records: 1000, bytes: Number.MAX_SAFE_INTEGER });
    const seen: EvidenceProgress[] = [];
    let r = steps.next();
    while (!r.done) {
      seen.push(r.value);
      r = steps.next();
    }
    assert.deepStrictEqual(r.value, summary);
    assert.deepStrictEqual(stepped.files, whole.files);
    assert.deepStrictEqual(
      seen.map((p) => p.records),
      Array.from({ length: Math.floor(synth.records / 1000) }, (_, i) => (i + 1) * 1000),
    );
    // From the file: the same summary as the CLI's straight-through read, and the file is closed.
    const fromFile = new EvidenceCollector();
    assert.deepStrictEqual(tryEvidence(fromFile, log, 'big.evtx', false), summary);
    assert.equal(openOn(log) ?? 0, 0);
  });

  test('a reading stopped between steps closes the file', () => {
    const { log } = workspace();
    const steps = tryEvidenceSteps(new EvidenceCollector(), log, log, false);
    assert.equal(steps.next().done, false);
    if (openOn(log) !== undefined) assert.equal(openOn(log), 1);
    steps.return(undefined);
    assert.equal(openOn(log) ?? 0, 0);
  });

  test('a request is answered while a large EVTX is read: steps, the hover, more steps, then the pass ends', async () => {
    const { root, inf, log, synth } = workspace();
    const b = inf('B');
    const text = parseBytes(b, fs.readFileSync(b)).text;
    const events: string[] = [];
    let passes = 0;
    let watch = false;
    let asked = false;
    const model = watchedModel(root, {
      onStep: (m, file) => {
        if (!watch || file !== log) return;
        events.push('step');
        if (!asked) {
          asked = true;
          // A request arriving while the log is read: answered at the next turn of the event loop.
          setImmediate(() => events.push(`hover (busy: ${m.busy}): ${m.hoverLines(b, text, { line: 6, character: 3 }).join(' | ')}`));
        }
      },
      onPass: () => passes++,
    });
    try {
      await pass(model);
      assert.equal(passes, 1);
      assert.equal(model.state?.evidence.find((e) => e.path === log)?.records, synth.records);
      watch = true;
      await pass(model);
      events.push(`pass ended: ${passes} passes`);
      const hover = [
        '**Effective in:** Servers (this line wins)',
        '**Readiness (audit-off):** The audit switch (smb.server.audit.signing) is not on in the GPOs scanned, so a quiet log proves nothing: turn on "Audit client does not support signing" (AuditClientDoesNotSupportSigning = 1) on the SMB servers, then export Microsoft-Windows-SMBServer/Audit.',
      ].join(' | ');
      assert.deepStrictEqual(squash(events), ['steps', `hover (busy: true): ${hover}`, 'steps', 'pass ended: 2 passes']);
      assert.equal(model.state?.evidence.find((e) => e.path === log)?.records, synth.records);
    } finally {
      model.dispose();
    }
  });

  test('a newer change stops a pass in the middle of a log; the next pass reads it whole', async () => {
    const { root, log, synth } = workspace();
    const events: string[] = [];
    let passes = 0;
    let last = 0;
    let changedOnce = false;
    const model = watchedModel(root, {
      onStep: (m, file, p) => {
        if (file !== log) return;
        if (p.records < last) events.push('new reading');
        last = p.records;
        events.push('step');
        if (passes === 1 && !changedOnce && events.filter((e) => e === 'step').length >= 2) {
          changedOnce = true;
          events.push('change');
          m.schedule(0);
        }
      },
      onPass: () => {
        passes++;
        events.push(`pass ended (${openOn(log) ?? 0} open)`);
      },
    });
    try {
      await pass(model);
      events.length = 0;
      last = 0;
      await pass(model);
      // The second pass: two steps, the change, no further step of that reading; a new reading to the end.
      assert.deepStrictEqual(squash(events), ['steps', 'change', 'new reading', 'steps', 'pass ended (0 open)']);
      assert.equal(events.indexOf('change'), 2);
      assert.equal(passes, 2);
      assert.equal(model.state?.evidence.find((e) => e.path === log)?.records, synth.records);
    } finally {
      model.dispose();
    }
  });

  test('computeDomain stops with the model\'s Cancelled at the step after the flag, and closes the log', async () => {
    const { root, log } = workspace();
    let steps = 0;
    let stop = false;
    await assert.rejects(
      computeDomain(lspInputs(root), () => stop, undefined, {
        onEvidenceStep: (file) => {
          if (file !== log) return;
          steps++;
          if (steps === 3) stop = true;
        },
      }),
      (e: unknown) => e instanceof Error && e.constructor.name === 'Cancelled',
    );
    assert.equal(steps, 3);
    assert.equal(openOn(log) ?? 0, 0);
  });
});
