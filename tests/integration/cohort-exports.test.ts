import { describe, expect, it } from 'vitest';
import { GET as exportRoute } from '~/app/api/cohorts/[id]/export/route.ts';
import { login, SESSION_COOKIE } from '~/server/services/auth.ts';
import { callerFor, makeUser, useTestDatabase } from '../helpers/context.ts';
import { coordinatorCohort } from '../helpers/cohort.ts';

async function requestAs(role: 'rater' | 'analyst' | 'coordinator' | null, url: string) {
  const headers = new Headers();
  if (role) {
    const user = await makeUser(role);
    const session = await login(useTestDatabase(), user.email, user.password, 1);
    headers.set('cookie', `${SESSION_COOKIE}=${session.token}`);
  }
  return new Request(url, { headers });
}

describe('exports', () => {
  it('are available to coordinator, analyst and admin only, and audited', async () => {
    const db = useTestDatabase();
    const { caller, cohort } = await coordinatorCohort('exports');
    await caller.imports.commitClinical({
      cohortId: cohort.id, csvText: 'record_id,dob,stage\nA,1950-01-01,=HYPERLINK("x")\nB,1960-01-01,II\n',
      mapping: { core: { recordId: 'record_id', dateOfBirth: 'dob' }, covariates: [{ column: 'stage', name: 'stage', type: 'text' }] }, dateFormat: 'iso', mode: 'all',
    });
    const url = (kind: string) => `http://localhost/api/cohorts/${cohort.id}/export?kind=${kind}`;
    const params = { params: Promise.resolve({ id: cohort.id }) };
    expect((await exportRoute(await requestAs(null, url('analysis')), params)).status).toBe(401);
    expect((await exportRoute(await requestAs('rater', url('analysis')), params)).status).toBe(403);
    expect((await exportRoute(await requestAs('analyst', url('nonsense')), params)).status).toBe(400);
    const res = await exportRoute(await requestAs('analyst', url('analysis')), params);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename=".*-analysis\.csv"/);
    const text = await res.text();
    const [header, ...lines] = text.trim().split('\r\n');
    expect(header).toContain('record_id,sex,site');
    expect(header).toContain('cov_stage');
    expect(header).toContain('face_box_x');
    expect(lines).toHaveLength(2);
    expect(text).toContain(`"'=HYPERLINK(""x"")"`); // spreadsheet formula defused
    expect(lines[0]).toContain('treatment start missing');
    const consort = await (await exportRoute(await requestAs('coordinator', url('consort')), params)).text();
    expect(consort.split('\r\n')[0]).toBe('step,key,label,excluded,remaining,reason,reason_count');
    expect(consort).toContain('dates,Missing or inconsistent dates,2,0,treatment start missing,2');
    const events = await db.auditEvent.findMany({ where: { entityId: cohort.id, action: { startsWith: 'export.' } } });
    expect(events.map((e) => e.action).sort()).toEqual(['export.analysis', 'export.consort']);
  });

  it('curation rules are editable per cohort and audited', async () => {
    const { caller, cohort } = await coordinatorCohort('rules');
    const before = await caller.curation.get({ cohortId: cohort.id });
    expect(before.rules).toMatchObject({ photoWindowDays: 30, referenceWindowDays: 30, allowedIntents: null });
    await caller.curation.updateRules({ cohortId: cohort.id, rules: { photoWindowDays: 60, allowedIntents: ['curative'] } });
    expect((await caller.curation.get({ cohortId: cohort.id })).rules).toMatchObject({ photoWindowDays: 60, allowedIntents: ['curative'], referenceWindowDays: 30 });
    const analyst = callerFor(await makeUser('analyst'));
    await expect(analyst.curation.updateRules({ cohortId: cohort.id, rules: null })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const ev = await useTestDatabase().auditEvent.findFirstOrThrow({ where: { action: 'curation.rules_update', entityId: cohort.id } });
    expect(ev.details).toMatchObject({ changed: ['photoWindowDays', 'allowedIntents'] });
  });

  it('viewing the curation overview and the photo list is audited with counts only', async () => {
    const db = useTestDatabase();
    const { caller, cohort, user } = await coordinatorCohort('views');
    await caller.imports.commitClinical({
      cohortId: cohort.id, csvText: 'record_id,dob\nA,1950-01-01\nB,1960-01-01\n',
      mapping: { core: { recordId: 'record_id', dateOfBirth: 'dob' }, covariates: [] }, dateFormat: 'iso', mode: 'all',
    });
    await caller.curation.get({ cohortId: cohort.id });
    await caller.photos.list({ cohortId: cohort.id });
    const events = await db.auditEvent.findMany({ where: { entityId: cohort.id, action: { in: ['curation.view', 'photos.view'] } } });
    const byAction = new Map(events.map((e) => [e.action, e]));
    expect(events).toHaveLength(2);
    expect(byAction.get('curation.view')).toMatchObject({ userId: user.id, details: { patients: 2, included: 0 } });
    expect(byAction.get('photos.view')).toMatchObject({ userId: user.id, details: { photos: 0 } });
    expect(JSON.stringify(events.map((e) => e.details))).not.toMatch(/1950|1960|"A"|"B"/);
  });
});
