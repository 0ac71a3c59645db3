import { describe, expect, it } from 'vitest';
import { chronologicalAge, consortFlow, curatePatient, DEFAULT_RULES, survival, type CurationPatient, type CurationPhoto } from '~/server/services/curation.ts';
import { analysisDataset } from '~/server/services/dataset.ts';
import { daysBetween, detectDateFormat, parseDate, utcDate } from '~/server/services/dates.ts';
import { makeUser, useTestDatabase } from '../helpers/context.ts';

const d = (s: string) => new Date(`${s}T00:00:00Z`);

describe('dates', () => {
  it('parses ISO, MM/DD/YYYY, DD-MM-YYYY and REDCap datetimes; rejects impossible dates', () => {
    expect(parseDate('2020-02-29', 'iso')).toEqual({ ok: true, date: d('2020-02-29') });
    expect(parseDate('2021-02-29', 'iso')).toEqual({ ok: false });
    expect(parseDate('03/04/2021', 'mdy')).toEqual({ ok: true, date: d('2021-03-04') });
    expect(parseDate('03-04-2021', 'dmy')).toEqual({ ok: true, date: d('2021-04-03') });
    expect(parseDate('2021-03-04 13:45', 'dmy')).toEqual({ ok: true, date: d('2021-03-04') });
    expect(parseDate('31/12/2021 08:00:00', 'dmy')).toEqual({ ok: true, date: d('2021-12-31') });
    expect(parseDate('13/01/2021', 'mdy')).toEqual({ ok: false });
    expect(parseDate('', 'iso')).toEqual({ ok: true, date: null });
    expect(parseDate('yesterday', 'iso')).toEqual({ ok: false });
    expect(utcDate(1900, 2, 29)).toBeNull(); // 1900 is not a leap year
    expect(utcDate(2000, 2, 29)).not.toBeNull(); // 2000 is
  });

  it('detects the date format and flags ambiguity', () => {
    expect(detectDateFormat(['2020-01-02', '1950-12-31']).format).toBe('iso');
    expect(detectDateFormat(['01/02/2020', '12/31/1950'])).toMatchObject({ format: 'mdy', ambiguous: false });
    expect(detectDateFormat(['31-12-1950', '01-02-2020'])).toMatchObject({ format: 'dmy', ambiguous: false });
    expect(detectDateFormat(['01/02/2020', '03/04/1950'])).toMatchObject({ ambiguous: true, candidates: ['mdy', 'dmy'] });
  });
});

describe('curation arithmetic (hand-computed)', () => {
  it('chronological age counts leap days: days / 365.25', () => {
    // 1960-02-29 → 2020-02-29: 60 years = 21915 days (15 leap days: 1964…2020) → 21915/365.25 = 60 exactly
    expect(daysBetween(d('1960-02-29'), d('2020-02-29'))).toBe(21915);
    expect(chronologicalAge(d('1960-02-29'), d('2020-02-29'))).toBe(60);
    // 1999-03-01 → 2000-03-01 spans 2000-02-29: 366 days → 366/365.25 = 1.002053388...
    expect(chronologicalAge(d('1999-03-01'), d('2000-03-01'))).toBeCloseTo(366 / 365.25, 12);
    // 1900-03-01 → 1901-03-01: 1900 is not a leap year: 365 days
    expect(daysBetween(d('1900-03-01'), d('1901-03-01'))).toBe(365);
    // 1948-07-15 → 2019-07-15: 71×365 + 17 leap days (1952…2016) = 25932; → 2019-11-03: 16+31+30+31+3 = 111; total 26043
    expect(daysBetween(d('1948-07-15'), d('2019-11-03'))).toBe(26043);
    expect(chronologicalAge(d('1948-07-15'), d('2019-11-03'))).toBeCloseTo(26043 / 365.25, 12);
  });

  it('survival time runs from the photo to death, else last follow-up; event flag', () => {
    // 2019-11-03 → 2020-03-01: 28 (Nov) + 31 + 31 + 29 (Feb 2020) + 1 = 119 days
    expect(survival(d('2019-11-03'), d('2020-03-01'), null)).toEqual({ years: 119 / 365.25, event: 1 });
    expect(survival(d('2019-11-03'), null, d('2021-11-03'))).toEqual({ years: 731 / 365.25, event: 0 });
    expect(survival(d('2019-11-03'), null, null)).toEqual({ years: null, event: null });
  });

  const base: CurationPatient = {
    id: 'p1', recordId: 'R1', dateOfBirth: d('1950-01-01'), treatmentStart: d('2020-01-10'), treatmentIntent: 'palliative',
    dateOfDeath: null, lastFollowUp: d('2021-01-10'), covariates: {},
  };
  const photo = (over: Partial<CurationPhoto> = {}): CurationPhoto => ({ id: 'ph1', patientId: 'p1', takenAt: d('2020-01-01'), qaStatus: 'pending', hasEstimate: true, estimateFailed: false, ...over });

  it('applies each rule with its reason', () => {
    expect(curatePatient(base, [photo()], DEFAULT_RULES)).toMatchObject({ included: true, reasons: [], photoId: 'ph1' });
    expect(curatePatient({ ...base, dateOfDeath: d('1949-01-01') }, [photo()], DEFAULT_RULES)).toMatchObject({ included: false, excludedAt: 'dates', reasons: expect.arrayContaining(['death before birth']) });
    expect(curatePatient({ ...base, lastFollowUp: d('2019-12-31') }, [photo()], DEFAULT_RULES).reasons).toContain('last follow-up before treatment start');
    expect(curatePatient(base, [photo()], { ...DEFAULT_RULES, allowedIntents: ['curative'] })).toMatchObject({ excludedAt: 'intent' });
    expect(curatePatient({ ...base, covariates: { referenceDate: '2019-12-01' } }, [photo()], DEFAULT_RULES)).toMatchObject({ excludedAt: 'reference' });
    expect(curatePatient({ ...base, covariates: { referenceDate: '2019-12-11' } }, [photo()], DEFAULT_RULES)).toMatchObject({ included: true }); // exactly 30 days
    expect(curatePatient(base, [], DEFAULT_RULES)).toMatchObject({ excludedAt: 'photo' });
    // 2019-12-10 → 2020-01-10 is 31 days: outside the 30-day window; 2019-12-11 is inside
    expect(curatePatient(base, [photo({ takenAt: d('2019-12-10') })], DEFAULT_RULES)).toMatchObject({ excludedAt: 'window' });
    expect(curatePatient(base, [photo({ takenAt: d('2019-12-11') })], DEFAULT_RULES)).toMatchObject({ included: true });
    expect(curatePatient(base, [photo({ takenAt: null })], DEFAULT_RULES).reasons).toEqual(['no photo date (log or EXIF)']);
    expect(curatePatient(base, [photo({ qaStatus: 'culled' })], DEFAULT_RULES)).toMatchObject({ excludedAt: 'qa' });
    expect(curatePatient(base, [photo({ hasEstimate: false, estimateFailed: true })], DEFAULT_RULES)).toMatchObject({ excludedAt: 'estimate', reasons: ['no face found or FaceAge failed'] });
    // the closest photo to treatment start is used; culled ones are skipped
    const two = [photo({ id: 'far', takenAt: d('2019-12-20') }), photo({ id: 'near', takenAt: d('2020-01-09'), qaStatus: 'culled' })];
    expect(curatePatient(base, two, DEFAULT_RULES)).toMatchObject({ included: true, photoId: 'far' });
  });

  it('builds the CONSORT flow', () => {
    const results = [
      curatePatient(base, [photo()], DEFAULT_RULES),
      curatePatient({ ...base, id: 'p2' }, [], DEFAULT_RULES),
      curatePatient({ ...base, id: 'p3', dateOfBirth: null }, [], DEFAULT_RULES),
    ];
    const flow = consortFlow(results);
    expect(flow[0]).toMatchObject({ key: 'start', remaining: 3 });
    expect(flow.find((s) => s.key === 'dates')).toMatchObject({ excluded: 1, remaining: 2, reasons: { 'date of birth missing': 1 } });
    expect(flow.find((s) => s.key === 'photo')).toMatchObject({ excluded: 1, remaining: 1 });
    expect(flow.at(-1)).toMatchObject({ key: 'included', remaining: 1 });
  });
});

describe('analysis dataset', () => {
  it('works on a synthetic demo cohort (synthetic: storage keys, synthetic-demo estimates)', async () => {
    const db = useTestDatabase();
    const user = await makeUser('coordinator');
    const study = await db.study.create({ data: { name: `Synthetic ${Date.now()}-${Math.random()}`, createdById: user.id } });
    const cohort = await db.cohort.create({ data: { studyId: study.id, name: 'demo', isSynthetic: true } });
    const p = await db.patient.create({
      data: { cohortId: cohort.id, recordId: 'S001', sex: 'F', dateOfBirth: d('1960-02-29'), treatmentStart: d('2020-02-29'), treatmentIntent: 'palliative', dateOfDeath: d('2021-02-28'), covariates: { stage: 'III' } },
    });
    const ph = await db.photo.create({
      data: { cohortId: cohort.id, patientId: p.id, sha256: 'a'.repeat(64), storageKey: 'synthetic:S001', takenAt: d('2020-02-29'), takenAtSource: 'log', width: 0, height: 0, bytes: 0, sourceFileName: 'synthetic', qaStatus: 'passed' },
    });
    await db.faceAgeEstimate.create({ data: { photoId: ph.id, detectorId: 'synthetic', ageModelId: 'synthetic-demo', faceCount: 1, value: 66.5 } });
    const ds = await analysisDataset(db, cohort.id);
    expect(ds).toMatchObject({ ageModelId: 'synthetic-demo', isSynthetic: true });
    expect(ds.rows).toHaveLength(1);
    expect(ds.rows[0]).toMatchObject({
      recordId: 'S001', sex: 'F', chronoAge: 60, faceAge: 66.5, ageGap: 6.5, photoDate: '2020-02-29', survivalYears: 365 / 365.25, event: 1,
      included: true, qaStatus: 'passed', detectorId: 'synthetic', ageModelId: 'synthetic-demo', ageModelKind: 'synthetic', covariates: { stage: 'III' },
    });
  });
});
