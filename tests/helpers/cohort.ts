import fs from 'node:fs';
import path from 'node:path';
import { callerFor, makeUser } from './context.ts';

/** A coordinator with a fresh study and cohort. */
export async function coordinatorCohort(name = 'cohort') {
  const user = await makeUser('coordinator');
  const caller = callerFor(user);
  const study = await caller.studies.create({ name: `Study ${name} ${Date.now()} ${Math.random().toString(36).slice(2, 7)}` });
  const cohort = await caller.cohorts.create({ studyId: study.id, name });
  return { user, caller, study, cohort };
}

/** ../shared/faces (or $FACEAGE_SHARED_DIR/faces), or null when absent. */
export function facesDir(): string | null {
  const root = process.env.FACEAGE_SHARED_DIR ? path.resolve(process.env.FACEAGE_SHARED_DIR) : path.resolve(import.meta.dirname, '../../../shared');
  const dir = path.join(root, 'faces');
  return fs.existsSync(path.join(dir, 'labels.csv')) ? dir : null;
}

export function faceFiles(n: number): string[] {
  const dir = facesDir();
  if (!dir) return [];
  return fs.readdirSync(path.join(dir, 'images')).filter((f) => f.endsWith('.jpg')).sort().slice(0, n).map((f) => path.join(dir, 'images', f));
}
