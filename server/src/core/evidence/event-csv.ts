/**
 * Event CSV exports:
 * 1. The recipe published in docs/evidence.md: columns TimeCreated, LogName, ProviderName, Id,
 *    RecordId, MachineName, EventData (a JSON object: named values by name, positional ones as
 *    `Data[0]`, `Data[1]`, …). Plain `Get-WinEvent | Export-Csv` loses the event data (the
 *    `Properties` column holds only a type name, scope-and-evidence.md §4.3): recognised and
 *    refused with a clear problem.
 * 2. `Query-InsecureLDAPBinds.ps1` (Microsoft PFE, [E36], §4.5): IPAddress, Port, User, BindType
 *    (Unsigned → 2889 type 0, Simple → type 1). It has no time and no DC name, so the window and
 *    the recording DC are unknown: such evidence can name clients but never makes a rule ready.
 *
 * RFC 4180 fields (quotes, doubled quotes, line breaks inside quotes), streamed a block at a time.
 */
import { invalidTimeMessage, parseEventTime } from './xnode';
import { isPause, READ_PAUSE, recordsOnly, type ReadItem, type ReadPause } from './pause';
import { TEXT_BLOCK, textBlocks } from './text-stream';
import { cappedProblems, type ByteSource, type EventRecord, type EvidenceProblem } from './types';

const MAX_FIELD_CHARS = 1 << 20;
/**
 * Most fields, and characters, one row may hold (the recipe has 7 columns, Query-InsecureLDAPBinds
 * 4; a row of nothing but commas held one string per comma until memory ran out). A row past either
 * is skipped with an error, and is not held while it is read to its end.
 */
export const MAX_CSV_FIELDS = 256;
export const MAX_CSV_ROW_CHARS = 4 << 20;

export type CsvFlavour = 'recipe' | 'insecure-ldap-binds' | 'export-csv-lost-data' | 'missing-columns' | 'unknown';

export const RECIPE_COLUMNS = ['TimeCreated', 'LogName', 'ProviderName', 'Id', 'RecordId', 'MachineName', 'EventData'];
/** The recipe's columns without which no event can be judged: events are keyed on (LogName, Id) and named by EventData. */
export const NEEDED_RECIPE_COLUMNS = ['LogName', 'Id', 'EventData'];
export const INSECURE_BINDS_COLUMNS = ['IPAddress', 'Port', 'User', 'BindType'];

function headerSet(header: string[]): Set<string> {
  return new Set(header.map((h) => h.replace(/^\uFEFF/, '').trim().toLowerCase()));
}

export function csvFlavour(header: string[]): CsvFlavour {
  const set = headerSet(header);
  if (INSECURE_BINDS_COLUMNS.every((c) => set.has(c.toLowerCase()))) return 'insecure-ldap-binds';
  if (set.has('id') && (set.has('timecreated') || set.has('logname')) && !set.has('eventdata')) return 'export-csv-lost-data';
  // Recognisably an event export: TimeCreated or LogName and at least one other column of the recipe.
  const recipe = RECIPE_COLUMNS.filter((c) => set.has(c.toLowerCase()));
  if ((set.has('timecreated') || set.has('logname')) && recipe.length >= 2) {
    return missingRecipeColumns(header).length ? 'missing-columns' : 'recipe';
  }
  return 'unknown';
}

/** The needed recipe columns a header lacks, in the recipe's order. */
export function missingRecipeColumns(header: string[]): string[] {
  const set = headerSet(header);
  return NEEDED_RECIPE_COLUMNS.filter((c) => !set.has(c.toLowerCase()));
}

/** A row too big to hold (`MAX_CSV_FIELDS`, `MAX_CSV_ROW_CHARS`): read to its end, not kept. */
interface SkippedRow {
  skipped: 'fields' | 'chars';
  line: number;
}

/** CSV rows (arrays of fields) with the line each starts on, and a pause point after each block read. */
function* csvRows(blocks: Iterable<string>, problem: (p: EvidenceProblem) => void): Generator<{ fields: string[]; line: number } | SkippedRow | ReadPause> {
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let afterQuote = false;
  let line = 1;
  let rowLine = 1;
  let tooLong = false;
  /** Characters the row holds; why it is no longer held. */
  let rowChars = 0;
  let skip: SkippedRow['skipped'] | undefined;
  // One character of a field. A skipped row keeps at most one (whether its field has begun: a quote
  // opens a quoted field only at its start).
  const add = (c: string): void => {
    if (skip) {
      if (field === '') field = c;
    } else if (field.length < MAX_FIELD_CHARS) {
      field += c;
      if (++rowChars > MAX_CSV_ROW_CHARS) {
        skip = 'chars';
        fields = [];
        field = c;
      }
    } else tooLong = true;
  };
  const endField = (): void => {
    if (!skip) {
      fields.push(field);
      if (fields.length > MAX_CSV_FIELDS) {
        skip = 'fields';
        fields = [];
      }
    }
    field = '';
  };
  // The row ends (a line end, or the end of the text): what it gives (nothing for an empty line);
  // after it is given, `cutWarning` says whether a field of it was cut.
  const endRow = (): { fields: string[]; line: number } | SkippedRow | undefined => {
    endField();
    if (skip) return { skipped: skip, line: rowLine };
    return fields.length === 1 && fields[0] === '' ? undefined : { fields, line: rowLine };
  };
  const cutWarning = (): void => {
    if (tooLong && !skip) problem({ severity: 'warning', message: `A field on line ${rowLine} is longer than ${MAX_FIELD_CHARS} characters; it was cut.`, line: rowLine });
  };
  for (const block of blocks) {
    yield READ_PAUSE;
    for (let i = 0; i < block.length; i++) {
      const c = block[i];
      if (inQuotes) {
        if (c === '"') {
          if (block[i + 1] === '"') {
            add('"');
            i++;
          } else if (i + 1 === block.length) {
            // A quote at the end of a block: decide on the next block.
            inQuotes = false;
            afterQuote = true;
          } else {
            inQuotes = false;
            afterQuote = true;
          }
        } else {
          if (c === '\n') line++;
          add(c);
        }
        continue;
      }
      if (afterQuote && c === '"') {
        // The doubled quote was split across blocks.
        add('"');
        inQuotes = true;
        afterQuote = false;
        continue;
      }
      afterQuote = false;
      if (c === '"' && field === '') {
        inQuotes = true;
        if (skip) field = c;
      } else if (c === ',') endField();
      else if (c === '\n' || c === '\r') {
        if (c === '\r' && block[i + 1] === '\n') i++;
        const row = endRow();
        if (row) yield row;
        cutWarning();
        tooLong = false;
        skip = undefined;
        rowChars = 0;
        fields = [];
        field = '';
        line++;
        rowLine = line;
      } else add(c);
    }
  }
  if (inQuotes) problem({ severity: 'error', message: `The file ends inside a quoted field that starts on line ${rowLine} (the export looks cut); that row was not read.`, line: rowLine });
  else {
    const row = endRow();
    if (row) yield row;
    cutWarning();
  }
}

const BIND_TYPE: Record<string, string> = { unsigned: '0', simple: '1' };

export interface CsvReadResult {
  flavour: CsvFlavour;
}

export function readEventCsv(src: ByteSource, problems: EvidenceProblem[], result: CsvReadResult = { flavour: 'unknown' }, block = TEXT_BLOCK): Generator<EventRecord, void, void> {
  return recordsOnly(eventCsvItems(src, problems, result, block));
}

/**
 * `readEventCsv` with its pause points: `READ_PAUSE` after each text block read, so a reading in
 * steps can pause in a long stretch without a complete row (no line end, blank lines).
 */
export function* eventCsvItems(src: ByteSource, problems: EvidenceProblem[], result: CsvReadResult = { flavour: 'unknown' }, block = TEXT_BLOCK): Generator<ReadItem, void, void> {
  const { problem, finish } = cappedProblems(problems);
  try {
    yield* csvItems(src, problem, result, block);
  } finally {
    finish();
  }
}

function* csvItems(src: ByteSource, problem: (p: EvidenceProblem) => void, result: CsvReadResult, block: number): Generator<ReadItem, void, void> {
  let blocks: Iterable<string>;
  try {
    blocks = textBlocks(src, block);
  } catch (e) {
    problem({ severity: 'error', message: `Reading the file failed: ${(e as Error)?.message ?? String(e)}.` });
    return;
  }
  const guarded = (function* () {
    try {
      yield* blocks;
    } catch (e) {
      problem({ severity: 'error', message: `Reading the file failed: ${(e as Error)?.message ?? String(e)}; the rest was not read.` });
    }
  })();
  let header: string[] | undefined;
  let col: Record<string, number> = {};
  let shortRows = 0;
  let firstShort = { line: 0, fields: 0 };
  for (const row of csvRows(guarded, problem)) {
    if (isPause(row)) {
      yield READ_PAUSE;
      continue;
    }
    if ('skipped' in row) {
      const what = row.skipped === 'fields' ? `more than ${MAX_CSV_FIELDS} fields` : `more than ${MAX_CSV_ROW_CHARS} characters`;
      if (!header) {
        problem({ severity: 'error', message: `The header on line ${row.line} has ${what}; this is not an event export relaylint reads, and nothing was read from it.`, line: row.line });
        return;
      }
      problem({ severity: 'error', message: `Line ${row.line} has ${what}; the row was skipped.`, line: row.line });
      continue;
    }
    const { fields, line } = row;
    if (!header) {
      header = fields.map((f) => f.replace(/^\uFEFF/, '').trim());
      result.flavour = csvFlavour(header);
      col = {};
      header.forEach((h, i) => (col[h.toLowerCase()] = i));
      if (result.flavour === 'export-csv-lost-data') {
        problem({
          severity: 'error',
          message:
            'This CSV has event columns but no EventData column: Export-Csv of Get-WinEvent objects drops the event data (the Properties column holds only a type name), so no client can be read. Export with the recipe in docs/evidence.md instead.',
          line,
        });
        return;
      }
      if (result.flavour === 'missing-columns') {
        problem({
          severity: 'error',
          message: `This CSV looks like an event export but lacks the column(s) ${missingRecipeColumns(header).join(', ')} that relaylint needs, so no event can be judged from it. Export with the recipe in docs/evidence.md (columns ${RECIPE_COLUMNS.join(', ')}).`,
          line,
        });
        return;
      }
      if (result.flavour === 'unknown') {
        problem({
          severity: 'error',
          message: `This CSV has none of the columns relaylint reads: the recipe's ${RECIPE_COLUMNS.join(', ')} or Query-InsecureLDAPBinds.ps1's ${INSECURE_BINDS_COLUMNS.join(', ')}.`,
          line,
        });
        return;
      }
      continue;
    }
    if (fields.length < header.length) {
      // Fewer fields than the header: a cut or broken row, not an event (counted, said once at the end).
      if (shortRows++ === 0) firstShort = { line, fields: fields.length };
      continue;
    }
    const get = (name: string): string | undefined => {
      const i = col[name.toLowerCase()];
      return i === undefined ? undefined : fields[i];
    };
    if (result.flavour === 'insecure-ldap-binds') {
      const ip = (get('IPAddress') ?? '').trim();
      const port = (get('Port') ?? '').trim();
      const bind = (get('BindType') ?? '').trim();
      const addr = ip.includes(':') && port ? `[${ip}]:${port}` : port ? `${ip}:${port}` : ip;
      yield {
        eventId: 2889,
        channel: 'Directory Service',
        data: [
          { name: 'Data[0]', value: addr },
          { name: 'Data[1]', value: get('User') ?? '' },
          { name: 'Data[2]', value: BIND_TYPE[bind.toLowerCase()] ?? bind },
        ],
        line,
      };
      continue;
    }
    // recipe
    const rec: EventRecord = { data: [], line };
    const idText = (get('Id') ?? '').trim();
    if (/^\d{1,10}$/.test(idText)) rec.eventId = Number(idText);
    rec.channel = get('LogName')?.trim() || undefined;
    rec.provider = get('ProviderName')?.trim() || undefined;
    rec.computer = get('MachineName')?.trim() || undefined;
    const rid = (get('RecordId') ?? '').trim();
    if (/^\d{1,15}$/.test(rid)) rec.recordId = Number(rid);
    const t = get('TimeCreated')?.trim();
    if (t) {
      rec.time = t;
      rec.timeMs = parseEventTime(t);
      if (rec.timeMs === undefined) problem({ severity: 'warning', message: invalidTimeMessage(`Line ${line}`, t, true), line });
    }
    const ed = get('EventData');
    if (ed && ed.trim()) {
      try {
        const obj = JSON.parse(ed) as unknown;
        if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
          for (const [k, v] of Object.entries(obj as Record<string, unknown>)) rec.data.push({ name: k, value: v === null || v === undefined ? '' : String(v) });
        } else problem({ severity: 'warning', message: `Line ${line}: EventData is not a JSON object; the event data was not read.`, line });
      } catch {
        problem({ severity: 'warning', message: `Line ${line}: EventData is not valid JSON; the event data was not read.`, line });
      }
    }
    yield rec;
  }
  if (!header) problem({ severity: 'error', message: 'The CSV is empty: no header line.', line: 1 });
  else if (shortRows) {
    problem({
      severity: 'warning',
      message: `${shortRows} row${shortRows === 1 ? ' has' : 's have'} fewer fields than the header's ${header.length} (the first on line ${firstShort.line}, with ${firstShort.fields}); ${shortRows === 1 ? 'it was' : 'they were'} skipped and not counted as events.`,
      line: firstShort.line,
    });
  }
}
