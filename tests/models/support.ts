/** Shared helpers for tests/models. */
import fs from 'node:fs';
import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '../..');

/**
 * The labelled development photos: $FACEAGE_SHARED_DIR (the shared folder or its faces/
 * subfolder) or <repo>/../shared/faces. Null when absent (tests then skip with a message).
 */
export function facesDir(): string | null {
  const env = process.env.FACEAGE_SHARED_DIR;
  const candidates = env ? [path.join(path.resolve(env), 'faces'), path.resolve(env)] : [path.resolve(repoRoot, '../shared/faces')];
  for (const c of candidates) if (fs.existsSync(path.join(c, 'labels.csv')) && fs.existsSync(path.join(c, 'mtcnn-0.1.1.jsonl'))) return c;
  return null;
}

export function skipMessage(what: string): string {
  const where = process.env.FACEAGE_SHARED_DIR ?? path.resolve(repoRoot, '../shared/faces');
  return `SKIPPED ${what}: labelled photos not found at ${where} (set FACEAGE_SHARED_DIR to the folder holding labels.csv and mtcnn-0.1.1.jsonl)`;
}

export interface RefFace {
  box: [number, number, number, number];
  confidence: number;
  keypoints: Record<string, [number, number]>;
}
export interface RefLine {
  file: string;
  width: number;
  height: number;
  faces: RefFace[];
}

export function readReference(dir: string): RefLine[] {
  return fs
    .readFileSync(path.join(dir, 'mtcnn-0.1.1.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as RefLine);
}

export interface Label {
  file: string;
  age: number;
  kind: string;
}

export function readLabels(dir: string): Label[] {
  const lines = fs.readFileSync(path.join(dir, 'labels.csv'), 'utf8').trim().split('\n');
  const head = lines[0].split(',');
  const fi = head.indexOf('file');
  const ai = head.indexOf('age');
  const ki = head.indexOf('kind');
  return lines.slice(1).map((l) => {
    const c = l.split(',');
    return { file: c[fi], age: Number(c[ai]), kind: c[ki] };
  });
}

export function iou(a: readonly number[], b: readonly number[]): number {
  const x1 = Math.max(a[0], b[0]);
  const y1 = Math.max(a[1], b[1]);
  const x2 = Math.min(a[0] + a[2], b[0] + b[2]);
  const y2 = Math.min(a[1] + a[3], b[1] + b[3]);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = a[2] * a[3] + b[2] * b[3] - inter;
  return union > 0 ? inter / union : 0;
}

/** Deterministic pseudo-random numbers (mulberry32). */
export { mulberry32 as rng } from '~/server/services/random.ts';
