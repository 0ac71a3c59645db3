/**
 * CSV in and out, as REDCap and hospital systems write it: UTF-8 with or without a BOM, comma or
 * semicolon (or tab) separated, quoted fields with embedded separators, quotes and newlines.
 */
import { parse } from 'csv-parse/sync';
import { UserError } from './errors.ts';

export interface ParsedCsv {
  delimiter: ',' | ';' | '\t';
  headers: string[];
  /** Data rows as records keyed by header; `line` is the 1-based line number in the file. */
  rows: { line: number; values: Record<string, string> }[];
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Counts separator candidates in the header line, outside quotes. */
export function detectDelimiter(text: string): ',' | ';' | '\t' {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && ch in counts) counts[ch as keyof typeof counts]++;
  }
  const best = (Object.entries(counts) as [',' | ';' | '\t', number][]).sort((a, b) => b[1] - a[1])[0];
  return best[1] > 0 ? best[0] : ',';
}

export function parseCsv(input: string | Buffer): ParsedCsv {
  const text = stripBom(typeof input === 'string' ? input : input.toString('utf8'));
  if (text.includes('\uFFFD')) throw new UserError('the file is not valid UTF-8 text: save it as "CSV UTF-8" and try again');
  if (text.trim() === '') throw new UserError('the file is empty');
  const delimiter = detectDelimiter(text);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, info: true, bom: true, trim: false }) as never;
  } catch (err) {
    const e = err as { message: string; lines?: number };
    throw new UserError(`the file is not valid CSV${e.lines ? ` (near line ${e.lines})` : ''}: ${e.message.replace(/^Invalid \w+ /, '')}`);
  }
  if (records.length === 0) throw new UserError('the file has no header row');
  const headers = records[0].record.map((h) => h.trim());
  const seen = new Set<string>();
  for (const h of headers) {
    if (h === '') continue;
    if (seen.has(h)) throw new UserError(`column "${h}" appears twice in the header row`);
    seen.add(h);
  }
  const rows = records.slice(1).map(({ record, info }) => {
    const values: Record<string, string> = {};
    headers.forEach((h, i) => {
      if (h !== '') values[h] = (record[i] ?? '').trim();
    });
    return { line: info.lines, values };
  });
  return { delimiter, headers: headers.filter((h) => h !== ''), rows: rows.filter((r) => Object.values(r.values).some((v) => v !== '')) };
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  // Quote when needed; defuse spreadsheet formula injection for text cells.
  const safe = typeof v === 'string' && /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** RFC 4180 CSV with a header row and CRLF line ends. */
export function toCsv(headers: string[], rows: unknown[][]): string {
  return [headers.map(cell).join(','), ...rows.map((r) => r.map(cell).join(','))].join('\r\n') + '\r\n';
}
