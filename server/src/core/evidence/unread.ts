/**
 * Event logs that could not be read in full (an error-level problem: a damaged chunk, a file cut in
 * its header, XML that is not well-formed, a CSV cut in a quoted field): a readiness judged while
 * one of them may hold the rule's events says so. The status stays what the logs read show (the
 * statuses say what was seen; see docs/evidence.md), but `unread` names the files and `why` ends
 * with the caveat, so no output presents it as plainly ready.
 */
import type { EvidenceFileSummary } from './readiness';

/** Paths kept in `unread` per readiness entry; `why` names the first three and the count. */
export const MAX_UNREAD_LISTED = 20;

/**
 * The files with an error-level problem that may hold events of a rule with these channels. An
 * EVTX file holds one log: when its records named channels, only a rule of one of them is affected.
 * A file that named none (cut in its header, not an EVTX at all) or an XML or CSV export (which can
 * mix logs) may hold anything.
 */
export function unreadFor(files: readonly EvidenceFileSummary[], channels: readonly string[]): EvidenceFileSummary[] {
  const want = channels.map((c) => c.trim().toLowerCase());
  return files.filter(
    (f) =>
      f.problems.some((p) => p.severity === 'error') &&
      (f.format !== 'evtx' || f.channels.length === 0 || f.channels.some((c) => want.includes(c.trim().toLowerCase()))),
  );
}

/** The caveat added to a readiness `why` (empty without unread files). */
export function unreadCaveat(unread: readonly EvidenceFileSummary[]): string {
  if (!unread.length) return '';
  const names = unread.slice(0, 3).map((f) => f.path);
  const more = unread.length - names.length;
  const list = `${names.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
  return ` ${unread.length === 1 ? 'An event log' : `${unread.length} event logs`} could not be read in full (${list}; see the errors of the event logs read): events in the part not read are not counted, so this holds only as far as the logs read show.`;
}
