import { describe, expect, it } from 'vitest';
import { parseCsv } from '~/server/services/csv.ts';
import { useTestDatabase } from '../helpers/context.ts';
import { coordinatorCohort } from '../helpers/cohort.ts';

const HEADER = 'record_id,sex,dob,diagnosis,site,treatment_start,treatment_intent,ecog,smoking,bmi,dod,last_follow_up,stage';
const GOOD = [
  'R001,M,1950-03-01,NSCLC,lung,2020-01-10,palliative,1,former,24.5,2020-06-01,,III',
  'R002,F,1960-02-29,SCLC,lung,2020-02-01,curative,0,never,22,,2021-02-01,II',
];

describe('CSV parsing', () => {
  it('handles BOM, semicolons, quoted fields with separators, quotes and newlines', () => {
    const csv = parseCsv('\uFEFFrecord_id;note;dob\r\nA1;"x; ""y""\nz";01/02/1950\r\n\r\n');
    expect(csv.delimiter).toBe(';');
    expect(csv.headers).toEqual(['record_id', 'note', 'dob']);
    expect(csv.rows).toHaveLength(1);
    expect(csv.rows[0].values).toEqual({ record_id: 'A1', note: 'x; "y"\nz', dob: '01/02/1950' });
  });
  it('reports broken CSV and non-UTF-8 text clearly', () => {
    expect(() => parseCsv('a,b\n"unterminated,1\n')).toThrow(/not valid CSV/);
    expect(() => parseCsv(Buffer.from([0x61, 0x2c, 0x62, 0x0a, 0xe9, 0x2c, 0x31]))).toThrow(/UTF-8/);
    expect(() => parseCsv('a,a\n1,2')).toThrow(/appears twice/);
  });
});

describe('clinical import', () => {
  it('suggests a mapping, detects the date format and previews without writing', async () => {
    const db = useTestDatabase();
    const { caller, cohort } = await coordinatorCohort();
    const preview = await caller.imports.previewClinical({ cohortId: cohort.id, csvText: [HEADER, ...GOOD].join('\n') });
    expect(preview.mapping.core).toMatchObject({ recordId: 'record_id', sex: 'sex', dateOfBirth: 'dob', treatmentStart: 'treatment_start', dateOfDeath: 'dod', lastFollowUp: 'last_follow_up', bmi: 'bmi' });
    expect(preview.dateFormat).toBe('iso');
    expect(preview).toMatchObject({ rowCount: 2, validCount: 2, problems: [], newCount: 2 });
    expect(await db.patient.count({ where: { cohortId: cohort.id } })).toBe(0);
  });

  it('lists every problem type by line and column, and a failed import changes nothing', async () => {
    const db = useTestDatabase();
    const { caller, cohort } = await coordinatorCohort();
    await db.covariateDefinition.create({ data: { cohortId: cohort.id, name: 'stage', type: 'categorical', levels: ['I', 'II', 'III', 'IV'] } });
    const rows = [
      HEADER,
      ...GOOD, // lines 2-3 fine
      'R003,X,1950-13-01,NSCLC,lung,2020-01-10,sometimes,7,maybe,abc,,,V', // line 4: sex, date, intent, ecog range, smoking, bmi number, stage level
      'R001,M,1950-03-01,NSCLC,lung,2020-01-10,palliative,1,former,24.5,,2021-01-01,III', // line 5: duplicate record id
      ',F,1950-03-01,,,,,,,,,,', // line 6: missing record id
      'R006,F,1970-01-01,,,2020-01-01,,,,,1960-01-01,,', // line 7: death before birth
      'R007,F,1970-01-01,,,1960-01-01,,,,,,,', // line 8: treatment before birth
      'R008,M,2099-01-01,,,,,,,,,,', // line 9: future date
    ];
    const mapping = (await caller.imports.previewClinical({ cohortId: cohort.id, csvText: GOOD.join('\n') === '' ? '' : [HEADER, ...GOOD].join('\n') })).mapping;
    mapping.covariates = [{ column: 'stage', name: 'stage', type: 'categorical' }];
    const preview = await caller.imports.previewClinical({ cohortId: cohort.id, csvText: rows.join('\n'), mapping, dateFormat: 'iso' });
    const at = (line: number) => preview.problems.filter((p) => p.line === line).map((p) => `${p.column}:${p.kind}`).sort();
    expect(at(2)).toEqual([]);
    expect(at(4)).toEqual(['bmi:invalid_number', 'dob:unparseable_date', 'ecog:out_of_range', 'sex:unknown_category', 'smoking:unknown_category', 'stage:unknown_category', 'treatment_intent:unknown_category']);
    expect(at(5)).toEqual(['record_id:duplicate_record_id']);
    expect(at(6)).toEqual(['record_id:missing_required']);
    expect(at(7)).toEqual(['dod:death_before_birth']);
    expect(at(8)).toEqual(['treatment_start:date_order']);
    expect(at(9)).toEqual(['dob:future_date']);
    expect(preview).toMatchObject({ validCount: 2, rejectedCount: 6 });

    const auditsBefore = await db.auditEvent.count();
    await expect(caller.imports.commitClinical({ cohortId: cohort.id, csvText: rows.join('\n'), mapping, dateFormat: 'iso', mode: 'all' })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/nothing was imported/) });
    expect(await db.patient.count({ where: { cohortId: cohort.id } })).toBe(0);
    expect(await db.auditEvent.count()).toBe(auditsBefore);
    expect((await db.cohort.findUniqueOrThrow({ where: { id: cohort.id } })).importMapping).toBeNull();

    // valid rows only: rejected rows come back as CSV with their problems
    const res = await caller.imports.commitClinical({ cohortId: cohort.id, csvText: rows.join('\n'), mapping, dateFormat: 'iso', mode: 'valid' });
    expect(res).toMatchObject({ created: 2, updated: 0, rejected: 6 });
    const rejected = parseCsv(res.rejectedCsv!);
    expect(rejected.headers.at(-1)).toBe('problems');
    expect(rejected.rows.map((r) => r.values.record_id)).toEqual(['R003', 'R001', '', 'R006', 'R007', 'R008']);
    expect(await db.patient.count({ where: { cohortId: cohort.id } })).toBe(2);
  });

  it('reads MM/DD/YYYY and DD-MM-YYYY as confirmed, remembers the mapping, re-import updates by record id with an audited field list', async () => {
    const db = useTestDatabase();
    const { caller, cohort, user } = await coordinatorCohort();
    const us = 'pmrn;gender;birth_date;rt_start;last_contact\n"A1";"female";"02/29/1960";"03/01/2020";"03/01/2021"\nA2;male;12/31/1949;01/15/2020;\n';
    const p1 = await caller.imports.previewClinical({ cohortId: cohort.id, csvText: us });
    expect(p1.dateFormat).toBe('mdy');
    expect(p1.mapping.core).toMatchObject({ recordId: 'pmrn', sex: 'gender', dateOfBirth: 'birth_date', treatmentStart: 'rt_start', lastFollowUp: 'last_contact' });
    await caller.imports.commitClinical({ cohortId: cohort.id, csvText: us, mapping: p1.mapping, dateFormat: p1.dateFormat, mode: 'all' });
    const a1 = await db.patient.findUniqueOrThrow({ where: { cohortId_recordId: { cohortId: cohort.id, recordId: 'A1' } } });
    expect(a1).toMatchObject({ sex: 'F', dateOfBirth: new Date('1960-02-29T00:00:00Z'), treatmentStart: new Date('2020-03-01T00:00:00Z') });

    // European export of the same cohort, re-imported: A1's follow-up changes, A2 unchanged, A3 new
    const eu = 'pmrn,gender,birth_date,rt_start,last_contact\nA1,F,29-02-1960,01-03-2020,01-09-2021\nA2,M,31-12-1949,15-01-2020,\nA3,F,01-01-1970,01-02-2020,01-02-2022\n';
    const p2 = await caller.imports.previewClinical({ cohortId: cohort.id, csvText: eu });
    expect(p2.mapping.core.recordId).toBe('pmrn'); // remembered
    expect(p2.dateDetection).toMatchObject({ format: 'dmy' });
    expect(p2).toMatchObject({ existingCount: 2, newCount: 1 });
    const r2 = await caller.imports.commitClinical({ cohortId: cohort.id, csvText: eu, mapping: p2.mapping, dateFormat: 'dmy', mode: 'all' });
    expect(r2).toMatchObject({ created: 1, updated: 1, unchanged: 1 });
    const upd = await db.auditEvent.findFirstOrThrow({ where: { action: 'patient.update', entityId: a1.id } });
    expect(upd.userId).toBe(user.id);
    expect(upd.details).toMatchObject({ fields: ['lastFollowUp'] });
    expect(JSON.stringify(upd.details)).not.toMatch(/2021/); // no values in the audit trail
    const summary = await db.auditEvent.findFirstOrThrow({ where: { action: 'clinical.import', entityId: cohort.id }, orderBy: { at: 'desc' } });
    expect(summary.details).toMatchObject({ created: 1, updated: 1, unchanged: 1, rejected: 0 });
  });

  it('is refused to analysts and raters', async () => {
    const { cohort } = await coordinatorCohort();
    const { callerFor, makeUser } = await import('../helpers/context.ts');
    for (const role of ['analyst', 'rater'] as const) {
      await expect(callerFor(await makeUser(role)).imports.commitClinical({ cohortId: cohort.id, csvText: 'a\n1', mapping: { core: { recordId: 'a' }, covariates: [] }, dateFormat: 'iso', mode: 'all' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    }
  });
});
