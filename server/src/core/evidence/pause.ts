/**
 * The pause points of the event-log readers: besides its records, a reader yields `READ_PAUSE`
 * after each read of its source (an EVTX chunk, a text block), so that whoever reads it in steps
 * (`readEvidenceSteps`) can pause after a bounded amount of bytes even where no record comes (a
 * stretch of zero-filled or damaged chunks, a text with no complete event or row).
 */
import type { EventRecord } from './types';

export const READ_PAUSE: { readonly pause: true } = Object.freeze({ pause: true as const });
export type ReadPause = typeof READ_PAUSE;
/** What a reader yields: a record, or a point where the reading may pause. */
export type ReadItem = EventRecord | ReadPause;

export function isPause(x: unknown): x is ReadPause {
  return x === READ_PAUSE;
}

/** The records of a reader without its pause points (the readers' public record-only form). */
export function* recordsOnly<R>(items: Generator<ReadItem, R, void>): Generator<EventRecord, R, void> {
  for (;;) {
    const r = items.next();
    if (r.done) return r.value;
    if (!isPause(r.value)) yield r.value;
  }
}
