import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '~/cli/index.ts';
import { useTestDatabase } from '../helpers/context.ts';
import { coordinatorCohort } from '../helpers/cohort.ts';

describe('faceage cohort CLI', () => {
  it('imports clinical data (valid rows only, rejected rows to a file) and exports, audited as the given user', async () => {
    useTestDatabase();
    const { cohort, user } = await coordinatorCohort('cli');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faceage-cli-'));
    const csv = path.join(dir, 'clinical.csv');
    fs.writeFileSync(csv, 'record_id;dob;treatment_start;last_follow_up\nC1;1950-01-01;2020-01-01;2021-01-01\nC2;not a date;2020-01-01;2021-01-01\n');
    process.exitCode = 0;
    await main(['node', 'faceage', 'cohort', 'import-clinical', cohort.id, csv, '--valid-only', '--as', user.email]);
    expect(process.exitCode).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'clinical.rejected.csv'), 'utf8')).toMatch(/C2.*not a date in the chosen format/);
    const out = path.join(dir, 'analysis.csv');
    await main(['node', 'faceage', 'cohort', 'export', cohort.id, '--kind', 'analysis', '-o', out, '--as', user.email]);
    const lines = fs.readFileSync(out, 'utf8').trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^C1,/);
    const db = useTestDatabase();
    expect(await db.auditEvent.count({ where: { entityId: cohort.id, userId: user.id, action: { in: ['clinical.import', 'export.analysis'] } } })).toBe(2);
    // a bad kind is a clear error, not a stack trace
    await main(['node', 'faceage', 'cohort', 'export', cohort.id, '--kind', 'everything']);
    expect(process.exitCode).toBe(1);
    process.exitCode = 0;
  });
});
