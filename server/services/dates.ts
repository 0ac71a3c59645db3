/**
 * Calendar dates for clinical data. Every date is a UTC-midnight `Date` (Prisma @db.Date), so a
 * difference of two dates is an exact whole number of days — no time zones, no DST.
 *
 * Conventions (DESIGN.md §5, docs/cohorts.md):
 *  - time in years = days / 365.25 (Julian year), the convention of the paper's curation scripts;
 *  - chronological age at the photo = (photo date − date of birth) in days / 365.25.
 */

export type DateFormat = 'iso' | 'mdy' | 'dmy';

export const DATE_FORMATS: Record<DateFormat, string> = {
  iso: 'YYYY-MM-DD (ISO, REDCap date_ymd)',
  mdy: 'MM/DD/YYYY or MM-DD-YYYY (US, REDCap date_mdy)',
  dmy: 'DD-MM-YYYY or DD/MM/YYYY (European, REDCap date_dmy)',
};

export const DAYS_PER_YEAR = 365.25;
const MS_PER_DAY = 86_400_000;

/** A valid calendar date as UTC midnight, or null (e.g. 2023-02-29 is null). */
export function utcDate(y: number, m: number, d: number): Date | null {
  if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d)) return null;
  if (y < 1800 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31) return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return date;
}

// A time part as REDCap's datetime fields export it ("2021-03-04 13:45" or with seconds / 'T').
const TIME = String.raw`(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?`;
const ISO_RE = new RegExp(String.raw`^(\d{4})-(\d{1,2})-(\d{1,2})${TIME}$`);
const ISO_SLASH_RE = new RegExp(String.raw`^(\d{4})/(\d{1,2})/(\d{1,2})${TIME}$`);
const DMY_MDY_RE = new RegExp(String.raw`^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})${TIME}$`);

/** Parses one date string in the given format; blank → null with ok=true; unparseable → ok=false. */
export function parseDate(raw: string | null | undefined, format: DateFormat): { ok: true; date: Date | null } | { ok: false } {
  const s = (raw ?? '').trim();
  if (s === '') return { ok: true, date: null };
  let m = ISO_RE.exec(s) ?? ISO_SLASH_RE.exec(s);
  if (m) {
    // Year-first dates are unambiguous whatever format the user picked.
    const date = utcDate(Number(m[1]), Number(m[2]), Number(m[3]));
    return date ? { ok: true, date } : { ok: false };
  }
  m = DMY_MDY_RE.exec(s);
  if (m && format !== 'iso') {
    const a = Number(m[1]);
    const b = Number(m[3]);
    const y = Number(m[4]);
    const date = format === 'mdy' ? utcDate(y, a, b) : utcDate(y, b, a);
    return date ? { ok: true, date } : { ok: false };
  }
  return { ok: false };
}

export interface FormatDetection {
  /** The best guess; the user confirms it. */
  format: DateFormat;
  /** Formats under which every non-blank value parses. */
  candidates: DateFormat[];
  /** True when both day-first and month-first read every value (e.g. all days ≤ 12). */
  ambiguous: boolean;
}

/** Guesses the date format of a set of values (all the date columns of a file together). */
export function detectDateFormat(values: Iterable<string>): FormatDetection {
  const list = [...values].map((v) => v.trim()).filter((v) => v !== '');
  const candidates = (['iso', 'mdy', 'dmy'] as DateFormat[]).filter((f) => list.every((v) => parseDate(v, f).ok));
  const allIso = list.length > 0 && list.every((v) => ISO_RE.test(v) || ISO_SLASH_RE.test(v));
  if (allIso || list.length === 0) return { format: 'iso', candidates: ['iso', 'mdy', 'dmy'], ambiguous: false };
  const slashes = list.filter((v) => v.includes('/')).length;
  const dmyOk = candidates.includes('dmy');
  const mdyOk = candidates.includes('mdy');
  if (mdyOk && dmyOk) return { format: slashes * 2 >= list.length ? 'mdy' : 'dmy', candidates, ambiguous: true };
  if (mdyOk) return { format: 'mdy', candidates, ambiguous: false };
  if (dmyOk) return { format: 'dmy', candidates, ambiguous: false };
  return { format: slashes * 2 >= list.length ? 'mdy' : 'dmy', candidates, ambiguous: false };
}

/** b − a in whole days (both calendar dates). */
export function daysBetween(a: Date, b: Date): number {
  return Math.round((b.getTime() - a.getTime()) / MS_PER_DAY);
}

/** b − a in years (days / 365.25). */
export function yearsBetween(a: Date, b: Date): number {
  return daysBetween(a, b) / DAYS_PER_YEAR;
}

/** ISO calendar date (YYYY-MM-DD) of a UTC-midnight date. */
export function isoDate(d: Date | null | undefined): string | null {
  return d ? d.toISOString().slice(0, 10) : null;
}

/** EXIF-style local timestamps → calendar date (the date the camera shows, no zone shift). */
export function calendarDateOf(d: Date): Date {
  return new Date(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()));
}
