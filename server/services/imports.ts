/**
 * Clinical import (REDCap / hospital CSV exports) into a cohort: column mapping onto the core
 * fields and custom covariates (remembered per cohort), a preview listing every problem by row
 * and column, and an atomic commit (all rows, or only the valid ones when the user chooses).
 * Re-importing updates patients by record id; changed field names are audited (never values).
 */
import { z } from 'zod';
import type { Prisma } from '~/generated/prisma/client.ts';
import type { Db } from '../db/client.ts';
import { audit } from './audit.ts';
import { parseCsv, toCsv, type ParsedCsv } from './csv.ts';
import { detectDateFormat, isoDate, parseDate, type DateFormat, type FormatDetection } from './dates.ts';
import { UserError } from './errors.ts';

export const CORE_FIELDS = [
  { key: 'recordId', label: 'Record id (required)', type: 'text', aliases: ['record_id', 'recordid', 'record', 'pmrn', 'mrn', 'patient_id', 'patientid', 'subj_id', 'subject_id', 'id'] },
  { key: 'sex', label: 'Sex (M/F)', type: 'sex', aliases: ['sex', 'gender'] },
  { key: 'dateOfBirth', label: 'Date of birth', type: 'date', aliases: ['dob', 'date_of_birth', 'birth_date', 'birthdate', 'birth_dt'] },
  { key: 'diagnosis', label: 'Diagnosis', type: 'text', aliases: ['diagnosis', 'dx', 'primary_diagnosis'] },
  { key: 'site', label: 'Tumour site', type: 'text', aliases: ['site', 'tumor_site', 'tumour_site', 'disease_site', 'primary_site'] },
  { key: 'treatmentStart', label: 'Treatment start date', type: 'date', aliases: ['treatment_start', 'rt_start', 'start_date', 'treatment_start_date', 'tx_start', 'date_start'] },
  { key: 'treatmentIntent', label: 'Treatment intent (curative/palliative)', type: 'intent', aliases: ['treatment_intent', 'intent', 'tx_intent'] },
  { key: 'ecog', label: 'ECOG (0–4)', type: 'ecog', aliases: ['ecog', 'ecog_ps', 'performance_status'] },
  { key: 'smoking', label: 'Smoking (never/former/current)', type: 'smoking', aliases: ['smoking', 'smoking_status', 'smoker'] },
  { key: 'bmi', label: 'BMI', type: 'bmi', aliases: ['bmi', 'body_mass_index'] },
  { key: 'dateOfDeath', label: 'Date of death', type: 'date', aliases: ['dod', 'date_of_death', 'death_date', 'deathdate'] },
  { key: 'lastFollowUp', label: 'Last follow-up date', type: 'date', aliases: ['last_follow_up', 'last_followup', 'last_fu', 'date_last_follow_up', 'last_contact', 'date_last_contact'] },
  { key: 'referenceDate', label: 'Reference date (curation window)', type: 'date', aliases: ['reference_date', 'consult_date', 'referral_date', 'date_consult'] },
] as const;
export type CoreField = (typeof CORE_FIELDS)[number]['key'];
const CORE_KEYS = CORE_FIELDS.map((f) => f.key) as [CoreField, ...CoreField[]];

export const covariateTypes = ['numeric', 'categorical', 'date', 'text'] as const;

export const mappingSchema = z.object({
  /** core field → CSV column (absent/null = not imported) */
  core: z.partialRecord(z.enum(CORE_KEYS), z.string().nullable()),
  covariates: z
    .array(z.object({ column: z.string().min(1), name: z.string().trim().min(1).max(100).regex(/^[A-Za-z][A-Za-z0-9_ .-]*$/, 'covariate names start with a letter'), type: z.enum(covariateTypes) }))
    .default([]),
});
export type ImportMapping = z.infer<typeof mappingSchema>;

export type ProblemKind =
  | 'missing_required'
  | 'unparseable_date'
  | 'unknown_category'
  | 'invalid_number'
  | 'out_of_range'
  | 'duplicate_record_id'
  | 'death_before_birth'
  | 'date_order'
  | 'future_date';

export interface ImportProblem {
  /** Line in the file (header = 1). */
  line: number;
  column: string;
  kind: ProblemKind;
  message: string;
}

export interface ParsedPatient {
  line: number;
  recordId: string;
  data: {
    sex: string | null;
    dateOfBirth: Date | null;
    diagnosis: string | null;
    site: string | null;
    treatmentStart: Date | null;
    treatmentIntent: string | null;
    ecog: number | null;
    smoking: string | null;
    bmi: number | null;
    dateOfDeath: Date | null;
    lastFollowUp: Date | null;
  };
  covariates: Record<string, string | number | null>;
  /** Which fields the file provides (others are left alone on re-import). */
  provided: Set<string>;
}

const norm = (s: string) => s.trim().toLowerCase().replace(/[\s\-.]+/g, '_');

/** Suggests a mapping from the header names (or the cohort's remembered one). */
export function suggestMapping(headers: string[], remembered?: unknown): ImportMapping {
  const prior = mappingSchema.safeParse(remembered);
  const core: ImportMapping['core'] = {};
  const used = new Set<string>();
  for (const f of CORE_FIELDS) {
    const fromPrior = prior.success ? prior.data.core[f.key] : undefined;
    const col = fromPrior && headers.includes(fromPrior) ? fromPrior : headers.find((h) => !used.has(h) && (f.aliases as readonly string[]).includes(norm(h)));
    if (col) {
      core[f.key] = col;
      used.add(col);
    }
  }
  const covariates = (prior.success ? prior.data.covariates : []).filter((c) => headers.includes(c.column) && !used.has(c.column));
  for (const c of covariates) used.add(c.column);
  return { core, covariates };
}

const SEX: Record<string, 'M' | 'F'> = { m: 'M', male: 'M', man: 'M', f: 'F', female: 'F', woman: 'F' };
const INTENT: Record<string, string> = { curative: 'curative', cur: 'curative', radical: 'curative', palliative: 'palliative', pall: 'palliative', pal: 'palliative' };
const SMOKING: Record<string, string> = {
  never: 'never', 'never smoker': 'never', non: 'never', 'non-smoker': 'never', nonsmoker: 'never', no: 'never',
  former: 'former', ex: 'former', 'ex-smoker': 'former', previous: 'former', past: 'former', quit: 'former',
  current: 'current', yes: 'current', smoker: 'current', active: 'current',
};

export interface ValidationResult {
  patients: ParsedPatient[];
  problems: ImportProblem[];
  /** Lines with at least one problem. */
  rejectedLines: Set<number>;
}

/** Validates every row against the mapping; no database access except the definitions passed in. */
export function validateRows(
  csv: ParsedCsv,
  mapping: ImportMapping,
  dateFormat: DateFormat,
  definitions: { name: string; type: string; levels: string[] }[],
  today: Date = new Date(),
): ValidationResult {
  const problems: ImportProblem[] = [];
  const patients: ParsedPatient[] = [];
  const add = (line: number, column: string, kind: ProblemKind, message: string) => problems.push({ line, column, kind, message });
  for (const [field, col] of Object.entries(mapping.core)) {
    if (col && !csv.headers.includes(col)) throw new UserError(`column "${col}" mapped to ${field} is not in the file`);
  }
  for (const c of mapping.covariates) if (!csv.headers.includes(c.column)) throw new UserError(`column "${c.column}" is not in the file`);
  if (!mapping.core.recordId) throw new UserError('map a column to the record id');
  const defs = new Map(definitions.map((d) => [d.name, d]));
  const seen = new Map<string, number>();

  for (const row of csv.rows) {
    const get = (field: CoreField) => {
      const col = mapping.core[field];
      return col ? { col, value: row.values[col] ?? '' } : null;
    };
    const provided = new Set<string>();
    const date = (field: CoreField): Date | null => {
      const g = get(field);
      if (!g) return null;
      provided.add(field);
      const parsed = parseDate(g.value, dateFormat);
      if (!parsed.ok) {
        add(row.line, g.col, 'unparseable_date', `"${g.value}" is not a date in the chosen format`);
        return null;
      }
      if (parsed.date && parsed.date > today) add(row.line, g.col, 'future_date', 'date is in the future');
      return parsed.date;
    };
    const category = (field: CoreField, table: Record<string, string>, allowed: string): string | null => {
      const g = get(field);
      if (!g) return null;
      provided.add(field);
      if (g.value === '') return null;
      const v = table[g.value.toLowerCase()];
      if (!v) add(row.line, g.col, 'unknown_category', `"${g.value}" is not one of ${allowed}`);
      return v ?? null;
    };
    const text = (field: CoreField): string | null => {
      const g = get(field);
      if (!g) return null;
      provided.add(field);
      return g.value === '' ? null : g.value.slice(0, 500);
    };
    const number = (field: CoreField, min: number, max: number, integer: boolean): number | null => {
      const g = get(field);
      if (!g) return null;
      provided.add(field);
      if (g.value === '') return null;
      const n = Number(g.value.replace(',', '.'));
      if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) {
        add(row.line, g.col, 'invalid_number', `"${g.value}" is not ${integer ? 'a whole number' : 'a number'}`);
        return null;
      }
      if (n < min || n > max) {
        add(row.line, g.col, 'out_of_range', `${n} is outside ${min}–${max}`);
        return null;
      }
      return n;
    };

    const recordId = (row.values[mapping.core.recordId] ?? '').trim();
    if (!recordId) add(row.line, mapping.core.recordId, 'missing_required', 'record id is empty');
    else if (seen.has(recordId)) add(row.line, mapping.core.recordId, 'duplicate_record_id', `record id also on line ${seen.get(recordId)}`);
    else seen.set(recordId, row.line);

    const data = {
      sex: category('sex', SEX, 'M, F, male, female'),
      dateOfBirth: date('dateOfBirth'),
      diagnosis: text('diagnosis'),
      site: text('site'),
      treatmentStart: date('treatmentStart'),
      treatmentIntent: category('treatmentIntent', INTENT, 'curative, palliative'),
      ecog: number('ecog', 0, 4, true),
      smoking: category('smoking', SMOKING, 'never, former, current'),
      bmi: number('bmi', 10, 90, false),
      dateOfDeath: date('dateOfDeath'),
      lastFollowUp: date('lastFollowUp'),
    };
    const reference = date('referenceDate');
    // Date consistency checks that make the row unusable as entered.
    const col = (f: CoreField) => mapping.core[f] ?? f;
    if (data.dateOfBirth && data.dateOfDeath && data.dateOfDeath < data.dateOfBirth) add(row.line, col('dateOfDeath'), 'death_before_birth', 'date of death is before the date of birth');
    if (data.dateOfBirth && data.treatmentStart && data.treatmentStart < data.dateOfBirth) add(row.line, col('treatmentStart'), 'date_order', 'treatment start is before the date of birth');
    if (data.dateOfDeath && data.lastFollowUp && data.lastFollowUp > data.dateOfDeath) add(row.line, col('lastFollowUp'), 'date_order', 'last follow-up is after the date of death');

    const covariates: Record<string, string | number | null> = {};
    if (mapping.core.referenceDate) covariates.referenceDate = isoDate(reference);
    for (const c of mapping.covariates) {
      const raw = (row.values[c.column] ?? '').trim();
      provided.add(`covariate:${c.name}`);
      if (raw === '') {
        covariates[c.name] = null;
        continue;
      }
      if (c.type === 'numeric') {
        const n = Number(raw.replace(',', '.'));
        if (!Number.isFinite(n)) add(row.line, c.column, 'invalid_number', `"${raw}" is not a number`);
        covariates[c.name] = Number.isFinite(n) ? n : null;
      } else if (c.type === 'date') {
        const parsed = parseDate(raw, dateFormat);
        if (!parsed.ok) add(row.line, c.column, 'unparseable_date', `"${raw}" is not a date in the chosen format`);
        covariates[c.name] = parsed.ok ? isoDate(parsed.date) : null;
      } else if (c.type === 'categorical') {
        const def = defs.get(c.name);
        if (def && def.type === 'categorical' && def.levels.length > 0 && !def.levels.includes(raw)) {
          add(row.line, c.column, 'unknown_category', `"${raw}" is not a level of ${c.name} (${def.levels.slice(0, 10).join(', ')})`);
        }
        covariates[c.name] = raw;
      } else {
        covariates[c.name] = raw.slice(0, 500);
      }
    }
    patients.push({ line: row.line, recordId, data, covariates, provided });
  }
  return { patients, problems, rejectedLines: new Set(problems.map((p) => p.line)) };
}

export interface PreviewInput {
  cohortId: string;
  csvText: string;
  mapping?: ImportMapping;
  dateFormat?: DateFormat;
}

async function definitionsOf(db: Db, cohortId: string) {
  return db.covariateDefinition.findMany({ where: { cohortId }, select: { name: true, type: true, levels: true } });
}

function dateValues(csv: ParsedCsv, mapping: ImportMapping): string[] {
  const cols = [
    ...CORE_FIELDS.filter((f) => f.type === 'date').map((f) => mapping.core[f.key]),
    ...mapping.covariates.filter((c) => c.type === 'date').map((c) => c.column),
  ].filter((c): c is string => !!c);
  return csv.rows.flatMap((r) => cols.map((c) => r.values[c] ?? ''));
}

export interface ImportPreview {
  delimiter: string;
  headers: string[];
  rowCount: number;
  mapping: ImportMapping;
  dateDetection: FormatDetection;
  dateFormat: DateFormat;
  problems: ImportProblem[];
  validCount: number;
  rejectedCount: number;
  existingCount: number;
  newCount: number;
  sample: { line: number; recordId: string; fields: Record<string, string | number | null> }[];
}

/** Parses and validates without writing anything. */
export async function previewClinicalImport(db: Db, input: PreviewInput): Promise<ImportPreview> {
  const cohort = await db.cohort.findUnique({ where: { id: input.cohortId } });
  if (!cohort) throw new UserError('cohort not found', 'NOT_FOUND');
  const csv = parseCsv(input.csvText);
  const mapping = input.mapping ?? suggestMapping(csv.headers, cohort.importMapping);
  const dateDetection = detectDateFormat(dateValues(csv, mapping));
  const dateFormat = input.dateFormat ?? dateDetection.format;
  if (!mapping.core.recordId) {
    return {
      delimiter: csv.delimiter, headers: csv.headers, rowCount: csv.rows.length, mapping, dateDetection, dateFormat,
      problems: [], validCount: 0, rejectedCount: 0, existingCount: 0, newCount: 0, sample: [],
    };
  }
  const v = validateRows(csv, mapping, dateFormat, await definitionsOf(db, input.cohortId));
  const ids = v.patients.map((p) => p.recordId).filter(Boolean);
  const existing = await db.patient.count({ where: { cohortId: input.cohortId, recordId: { in: ids } } });
  return {
    delimiter: csv.delimiter,
    headers: csv.headers,
    rowCount: csv.rows.length,
    mapping,
    dateDetection,
    dateFormat,
    problems: v.problems,
    validCount: v.patients.filter((p) => !v.rejectedLines.has(p.line)).length,
    rejectedCount: v.rejectedLines.size,
    existingCount: existing,
    newCount: new Set(ids).size - existing,
    sample: v.patients.slice(0, 10).map((p) => ({
      line: p.line,
      recordId: p.recordId,
      fields: Object.fromEntries([
        ...Object.entries(p.data).filter(([k]) => p.provided.has(k)).map(([k, val]) => [k, val instanceof Date ? isoDate(val) : val]),
        ...Object.entries(p.covariates),
      ]) as Record<string, string | number | null>,
    })),
  };
}

export const commitSchema = z.object({
  cohortId: z.string().min(1),
  csvText: z.string().min(1).max(50_000_000),
  mapping: mappingSchema,
  dateFormat: z.enum(['iso', 'mdy', 'dmy']),
  /** 'all': refuse the import when any row has a problem; 'valid': import valid rows only. */
  mode: z.enum(['all', 'valid']).default('all'),
});
export type CommitInput = z.input<typeof commitSchema>;

export interface ImportResult {
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** The rejected rows as CSV (original columns + "problems"), null when none. */
  rejectedCsv: string | null;
  problems: ImportProblem[];
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) return (a instanceof Date ? a.getTime() : a) === (b instanceof Date ? b.getTime() : b);
  return (a ?? null) === (b ?? null);
}

/** Atomic commit: everything in one transaction; with mode 'all' any problem refuses the whole file. */
export async function commitClinicalImport(db: Db, input: CommitInput, userId: string | null): Promise<ImportResult> {
  const data = commitSchema.parse(input);
  const csv = parseCsv(data.csvText);
  const cohort = await db.cohort.findUnique({ where: { id: data.cohortId } });
  if (!cohort) throw new UserError('cohort not found', 'NOT_FOUND');
  const v = validateRows(csv, data.mapping, data.dateFormat, await definitionsOf(db, data.cohortId));
  if (data.mode === 'all' && v.problems.length > 0) {
    throw new UserError(`${v.problems.length} problem(s) in ${v.rejectedLines.size} row(s): nothing was imported. Fix the file, or import only the valid rows.`);
  }
  const valid = v.patients.filter((p) => !v.rejectedLines.has(p.line));
  const rejectedRows = csv.rows.filter((r) => v.rejectedLines.has(r.line));
  const rejectedCsv = rejectedRows.length
    ? toCsv(
        [...csv.headers, 'problems'],
        rejectedRows.map((r) => [
          ...csv.headers.map((h) => r.values[h] ?? ''),
          v.problems.filter((p) => p.line === r.line).map((p) => `${p.column}: ${p.message}`).join('; '),
        ]),
      )
    : null;

  const result = await db.$transaction(
    async (tx) => {
      // Serialise imports into one cohort (two concurrent re-imports must not interleave).
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${'import:' + data.cohortId}))`;
      // Covariate definitions: create new ones; extend categorical levels with new values.
      for (const c of data.mapping.covariates) {
        const levels = c.type === 'categorical' ? [...new Set(valid.map((p) => p.covariates[c.name]).filter((x): x is string => typeof x === 'string'))].sort() : [];
        const def = await tx.covariateDefinition.findUnique({ where: { cohortId_name: { cohortId: data.cohortId, name: c.name } } });
        if (!def) await tx.covariateDefinition.create({ data: { cohortId: data.cohortId, name: c.name, type: c.type, levels } });
        else if (def.type !== c.type) throw new UserError(`covariate ${c.name} is already defined as ${def.type}, not ${c.type}`, 'CONFLICT');
        else if (def.levels.length === 0 && levels.length) await tx.covariateDefinition.update({ where: { id: def.id }, data: { levels } });
      }
      const existing = new Map(
        (await tx.patient.findMany({ where: { cohortId: data.cohortId, recordId: { in: valid.map((p) => p.recordId) } } })).map((p) => [p.recordId, p]),
      );
      let created = 0;
      let updated = 0;
      let unchanged = 0;
      for (const p of valid) {
        const prior = existing.get(p.recordId);
        const fields = Object.fromEntries(Object.entries(p.data).filter(([k]) => p.provided.has(k)));
        if (!prior) {
          const row = await tx.patient.create({ data: { cohortId: data.cohortId, recordId: p.recordId, ...fields, covariates: p.covariates as Prisma.InputJsonValue } });
          await audit(tx, { userId, action: 'patient.create', entityType: 'Patient', entityId: row.id, details: { cohortId: data.cohortId, fields: Object.keys(fields) } });
          created++;
          continue;
        }
        const changed = Object.keys(fields).filter((k) => !sameValue((prior as Record<string, unknown>)[k], fields[k]));
        const priorCov = (prior.covariates ?? {}) as Record<string, unknown>;
        const changedCov = Object.keys(p.covariates).filter((k) => !sameValue(priorCov[k], p.covariates[k]));
        if (changed.length === 0 && changedCov.length === 0) {
          unchanged++;
          continue;
        }
        await tx.patient.update({
          where: { id: prior.id },
          data: { ...fields, covariates: { ...priorCov, ...p.covariates } as Prisma.InputJsonValue },
        });
        // Field names only: the audit trail must not hold clinical values.
        await audit(tx, { userId, action: 'patient.update', entityType: 'Patient', entityId: prior.id, details: { cohortId: data.cohortId, fields: changed, covariates: changedCov } });
        updated++;
      }
      await tx.cohort.update({ where: { id: data.cohortId }, data: { importMapping: data.mapping as Prisma.InputJsonValue } });
      await audit(tx, {
        userId,
        action: 'clinical.import',
        entityType: 'Cohort',
        entityId: data.cohortId,
        details: { rows: csv.rows.length, created, updated, unchanged, rejected: v.rejectedLines.size, mode: data.mode, dateFormat: data.dateFormat, columns: csv.headers.length },
      });
      return { created, updated, unchanged };
    },
    { timeout: 300_000, maxWait: 30_000 },
  );
  return { ...result, rejected: v.rejectedLines.size, rejectedCsv, problems: v.problems };
}
