import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { login } from '~/server/services/auth.ts';
import { PhotoStore } from '~/server/storage/photo-store.ts';
import { callerFor, makeUser, useTestDatabase } from '../helpers/context.ts';
import { makeSurveyCohort } from './survey-fixtures.ts';
import { facesDir } from '../helpers/cohort.ts';

/**
 * Security of the rater endpoints: a rater's session reaches only what the survey part allows.
 * Assertions are on the exact JSON keys returned, and on the absence of identifying values.
 */
const FACES = path.join(facesDir() ?? '/nonexistent', 'images');
const store = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'survey-photos-')), 'store');
process.env.PHOTO_STORE_DIR = store;

type U = Awaited<ReturnType<typeof makeUser>>;
let coordinator: U, analyst: U, raterA: U, raterB: U, outsider: U;
let surveyId: string, otherSurveyId: string;
let patientStrings: string[] = [];
let realPhotoSha: string | null = null;

beforeAll(async () => {
  const db = useTestDatabase();
  coordinator = await makeUser('coordinator');
  analyst = await makeUser('analyst');
  raterA = await makeUser('rater', { profession: 'oncologist' });
  raterB = await makeUser('rater', { profession: 'nurse' });
  outsider = await makeUser('rater');
  const c = callerFor(coordinator);
  const study = await c.studies.create({ name: `Survey access ${Date.now()}` });
  // One real face photo (when the shared faces are present) so the photo route is exercised on a file.
  const real = fs.existsSync(FACES) ? fs.readdirSync(FACES).find((f) => f.endsWith('.jpg')) : undefined;
  let realKey: string | null = null;
  if (real) {
    const put = await new PhotoStore(store).put(fs.readFileSync(path.join(FACES, real)));
    realKey = put.key;
    realPhotoSha = put.sha256;
  }
  const cohort = await makeSurveyCohort(db, {
    studyId: study.id,
    name: 'access',
    n: 30,
    storageKey: (i) => (i < 30 && realKey ? realKey : `synthetic:${i}`),
    sha: (i) => (i === 0 && realPhotoSha ? realPhotoSha : `${i.toString(16).padStart(4, '0')}${'ab'.repeat(30)}`),
  });
  const other = await makeSurveyCohort(db, { studyId: study.id, name: 'other', n: 12, seed: 99 });
  const patients = await db.patient.findMany({ where: { cohortId: cohort.id }, include: { photos: true } });
  patientStrings = patients.flatMap((p) => [p.id, p.recordId, p.photos[0].id, p.photos[0].sha256, p.photos[0].sourceFileName]);

  const created = await c.survey.create({
    cohortId: cohort.id,
    name: 'Three-part survey',
    parts: [1, 2, 3],
    vignetteFields: ['sex', 'ecog', 'covariates.stage'],
    trainingCohortId: cohort.id,
    modelCovariates: ['chronoAge'],
    sampling: 'random',
    size: 6,
    seed: 4242,
  });
  surveyId = created.id;
  await c.survey.invite({ surveyId, userId: raterA.id, profession: 'oncologist' });
  await c.survey.invite({ surveyId, userId: raterB.id, profession: 'nurse' });
  const o = await c.survey.create({ cohortId: other.id, name: 'Other survey', parts: [1], size: 4, seed: 1 });
  otherSurveyId = o.id;
  await c.survey.invite({ surveyId: otherSurveyId, userId: outsider.id, profession: 'other' });
});

function leaks(value: unknown): string[] {
  const json = JSON.stringify(value);
  const found = patientStrings.filter((s) => json.includes(s));
  if (/\d{4}-\d{2}-\d{2}/.test(json)) found.push('a date');
  for (const k of ['recordId', 'patientId', 'photoId', 'sha256', 'dateOfBirth', 'survivalYears', 'event', 'faceAge', 'chronoAge', 'storageKey', 'sourceFileName', 'diagnosis', 'raterId', 'userId'])
    if (json.includes(`"${k}"`)) found.push(k);
  return found;
}

async function answerAll(user: U, part: number, seedAge = 60) {
  const r = callerFor(user);
  const first = await r.survey.view({ surveyId, part });
  for (let i = 0; i < first.total; i++) {
    const v = await r.survey.view({ surveyId, part, index: i });
    await r.survey.save({ surveyId, part, itemId: v.item.id, estimatedAge: v.askAge ? seedAge + i : undefined, survive6m: i % 2 === 0, survivalProbability: 10 * i });
  }
}

describe('survey rater endpoints return only what the part allows', () => {
  it('part 1: photo only — exact keys, no identifiers, dates, covariates or model', async () => {
    const r = callerFor(raterA);
    const mine = await r.survey.mine();
    expect(mine).toHaveLength(1);
    expect(Object.keys(mine[0]).sort()).toEqual(['answered', 'currentPart', 'name', 'open', 'parts', 'submittedParts', 'surveyId', 'total'].sort());
    const v = await r.survey.view({ surveyId });
    expect(Object.keys(v).sort()).toEqual(['answer', 'answered', 'askAge', 'done', 'index', 'item', 'locked', 'part', 'survey', 'total'].sort());
    expect(Object.keys(v.survey).sort()).toEqual(['id', 'name', 'parts', 'submittedParts']);
    expect(Object.keys(v.item).sort()).toEqual(['id', 'model', 'photoUrl', 'vignette']);
    expect(v.part).toBe(1);
    expect(v.item.vignette).toBeNull();
    expect(v.item.model).toBeNull();
    expect(v.answer).toBeNull();
    expect(v.item.photoUrl).toBe(`/api/survey/photo/${v.item.id}`);
    expect(v.item.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(leaks(v)).toEqual([]);
    expect(leaks(mine)).toEqual([]);
  });

  it('parts open in order; answers autosave, are private to their rater, and lock on submit', async () => {
    const a = callerFor(raterA);
    const b = callerFor(raterB);
    await expect(a.survey.view({ surveyId, part: 2 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const v = await a.survey.view({ surveyId, part: 1, index: 0 });
    // partial autosave, then completion
    const s1 = await a.survey.save({ surveyId, part: 1, itemId: v.item.id, estimatedAge: 71 });
    expect(s1.complete).toBe(false);
    expect(Object.keys(s1).sort()).toEqual(['answer', 'complete', 'savedAt']);
    await expect(a.survey.save({ surveyId, part: 1, itemId: v.item.id, survivalProbability: 140 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const s2 = await a.survey.save({ surveyId, part: 1, itemId: v.item.id, survive6m: false, survivalProbability: 30 });
    expect(s2.complete).toBe(true);
    expect(s2.answer).toEqual({ estimatedAge: 71, survive6m: false, survivalProbability: 30 });
    // resume: the default view goes to the first unanswered item
    const resumed = await a.survey.view({ surveyId, part: 1 });
    expect(resumed.answered).toBe(1);
    expect(resumed.item.id).not.toBe(v.item.id);
    // rater B sees the same item without A's answer
    const bv = await b.survey.view({ surveyId, part: 1 });
    const order = await Promise.all(Array.from({ length: bv.total }, (_, i) => b.survey.view({ surveyId, part: 1, index: i })));
    const same = order.find((x) => x.item.id === v.item.id)!;
    expect(same.answer).toBeNull();
    expect(leaks(order)).toEqual([]);
    // the two raters see the items in different (seeded) orders
    const orderA = await Promise.all(Array.from({ length: bv.total }, (_, i) => a.survey.view({ surveyId, part: 1, index: i })));
    expect(orderA.map((x) => x.item.id)).not.toEqual(order.map((x) => x.item.id));
    expect(new Set(orderA.map((x) => x.item.id))).toEqual(new Set(order.map((x) => x.item.id)));

    await expect(a.survey.submitPart({ surveyId, part: 1 })).rejects.toThrow(/still need an answer/);
    await answerAll(raterA, 1);
    const sub = await a.survey.submitPart({ surveyId, part: 1 });
    expect(sub).toEqual({ submittedParts: [1], nextPart: 2 });
    await expect(a.survey.save({ surveyId, part: 1, itemId: v.item.id, survivalProbability: 99 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const locked = await a.survey.view({ surveyId, part: 1, index: 0 });
    expect(locked.locked).toBe(true);
    expect(locked.answer?.survivalProbability).not.toBe(99);
  });

  it('part 2 adds only the chosen vignette fields; part 3 adds the model prediction', async () => {
    const a = callerFor(raterA);
    const v2 = await a.survey.view({ surveyId, part: 2 });
    expect(v2.item.model).toBeNull();
    expect(v2.item.vignette!.map((f) => f.label)).toEqual(['Sex', 'ECOG performance status', 'stage']);
    for (const f of v2.item.vignette!) expect(Object.keys(f).sort()).toEqual(['label', 'value']);
    expect(leaks(v2)).toEqual([]);
    await answerAll(raterA, 2);
    await a.survey.submitPart({ surveyId, part: 2 });
    const v3 = await a.survey.view({ surveyId, part: 3 });
    expect(Object.keys(v3.item.model!)).toEqual(['survival6m']);
    expect(v3.item.model!.survival6m).toBeGreaterThan(0);
    expect(v3.item.model!.survival6m).toBeLessThanOrEqual(100);
    expect(leaks(v3)).toEqual([]);
  });

  it('a rater cannot reach another survey, its items or photos', async () => {
    const a = callerFor(raterA);
    const out = callerFor(outsider);
    await expect(out.survey.view({ surveyId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const mineA = await a.survey.view({ surveyId, part: 1, index: 0 });
    await expect(out.survey.save({ surveyId, part: 1, itemId: mineA.item.id, survivalProbability: 1 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const otherItem = await out.survey.view({ surveyId: otherSurveyId });
    // own survey id with a foreign item id
    await expect(a.survey.save({ surveyId, part: 3, itemId: otherItem.item.id, survivalProbability: 1 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(a.survey.view({ surveyId: otherSurveyId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await out.survey.mine()).map((m) => m.surveyId)).toEqual([otherSurveyId]);
    // a closed survey takes no answers; reopening allows them again
    const c = callerFor(coordinator);
    await c.survey.setStatus({ id: otherSurveyId, status: 'closed' });
    await expect(out.survey.save({ surveyId: otherSurveyId, part: 1, itemId: otherItem.item.id, survivalProbability: 5 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await out.survey.view({ surveyId: otherSurveyId })).locked).toBe(true);
    await c.survey.setStatus({ id: otherSurveyId, status: 'open' });
    await expect(out.survey.save({ surveyId: otherSurveyId, part: 1, itemId: otherItem.item.id, survivalProbability: 5 })).resolves.toMatchObject({ complete: false });
    await expect(out.survey.setStatus({ id: otherSurveyId, status: 'closed' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('a rater cannot call coordinator or analyst procedures; others cannot call rater ones', async () => {
    const r = callerFor(raterA);
    await expect(r.survey.list()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(r.survey.get({ id: surveyId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(r.survey.results({ id: surveyId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(r.survey.options({ cohortId: 'x' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(r.survey.invite({ surveyId, userId: raterA.id, profession: 'x' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(r.survey.create({ cohortId: 'x', name: 'x', parts: [1], size: 2 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(r.cohorts.get({ id: 'x' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(callerFor(analyst).survey.view({ surveyId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(callerFor(coordinator).survey.save({ surveyId, part: 1, itemId: 'x', survivalProbability: 1 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(callerFor(coordinator).survey.results({ id: surveyId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(callerFor(null).survey.mine()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    // only rater accounts can be invited
    await expect(callerFor(coordinator).survey.invite({ surveyId, userId: analyst.id, profession: 'x' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('the photo route serves an invited rater only, by opaque id, without metadata', async () => {
    const db = useTestDatabase();
    const { GET } = await import('~/app/api/survey/photo/[itemId]/route.ts');
    const session = async (u: U) => (await login(db, u.email, u.password, 1)).token;
    const get = async (token: string | null, itemId: string) =>
      GET(new Request(`http://x/api/survey/photo/${itemId}`, { headers: token ? { cookie: `faceage_session=${token}` } : {} }), { params: Promise.resolve({ itemId }) });
    const item = (await callerFor(raterA).survey.view({ surveyId, part: 1, index: 0 })).item;
    const ok = await get(await session(raterA), item.id);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^image\/(jpeg|png)$/);
    expect(ok.headers.get('cache-control')).toContain('no-store');
    const bytes = Buffer.from(await ok.arrayBuffer());
    expect(bytes.length).toBeGreaterThan(100);
    if (realPhotoSha) {
      expect(ok.headers.get('content-type')).toBe('image/jpeg');
      // re-encoded: no EXIF segment, not the stored file
      expect(bytes.includes(Buffer.from('Exif\0\0'))).toBe(false);
    }
    for (const [k, v] of ok.headers) expect(`${k}: ${v}`).not.toMatch(/sha|IMG_|MRN/i);
    expect(await db.auditEvent.count({ where: { action: 'survey.photo_view', userId: raterA.id, entityId: item.id } })).toBe(1);
    expect((await get(await session(outsider), item.id)).status).toBe(404);
    expect((await get(await session(analyst), item.id)).status).toBe(403);
    expect((await get(null, item.id)).status).toBe(401);
    expect((await get(await session(raterA), 'not-an-item-id-000')).status).toBe(404);
    const otherItem = (await callerFor(outsider).survey.view({ surveyId: otherSurveyId })).item;
    expect((await get(await session(raterA), otherItem.id)).status).toBe(404);
  });
});
