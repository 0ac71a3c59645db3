/**
 * `faceage predict` end to end through bin/faceage.js: one CSV row per photo in the documented
 * column order, bad files reported per row, exit codes.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureModels } from '../../models/build.ts';
import { facesDir, repoRoot } from './support.ts';

const HEADER = 'subj_id,faceage,face_count,confidence,box_x,box_y,box_w,box_h,age_model,detector,error';
let tmp: string;

function run(args: string[]) {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'faceage.js'), ...args], {
    cwd: tmp,
    encoding: 'utf8',
    timeout: 240_000,
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  await ensureModels();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'faceage-predict-'));
  const photos = path.join(tmp, 'photos');
  fs.mkdirSync(photos);
  // a gradient with no face (JPEG, upper-case extension) and a PNG with alpha
  const w = 120;
  const h = 90;
  const raw = Buffer.alloc(w * h * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 7) % 256;
  await sharp(raw, { raw: { width: w, height: h, channels: 3 } }).jpeg().toFile(path.join(photos, 'gradient.JPG'));
  await sharp(raw, { raw: { width: w, height: h, channels: 3 } }).ensureAlpha().png().toFile(path.join(photos, 'alpha.png'));
  fs.writeFileSync(path.join(photos, 'broken.jpeg'), 'this is not a jpeg');
  const big = await sharp(Buffer.alloc(300 * 300 * 3, 90), { raw: { width: 300, height: 300, channels: 3 } }).jpeg().toBuffer();
  fs.writeFileSync(path.join(photos, 'truncated.jpg'), big.subarray(0, Math.floor(big.length / 2)));
  fs.writeFileSync(path.join(photos, 'notes.txt'), 'ignored');
  const faces = facesDir();
  if (faces) fs.copyFileSync(path.join(faces, 'images', '01080A18.jpg'), path.join(photos, 'face.jpg'));
  fs.mkdirSync(path.join(tmp, 'empty'));
}, 600_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('faceage predict', () => {
  it('writes one row per photo, bad files included, and exits 0', () => {
    const r = run(['predict', 'photos', '--out', 'out/predictions.csv', '--threads', '1']);
    expect(r.code, r.stderr).toBe(0);
    const lines = fs.readFileSync(path.join(tmp, 'out', 'predictions.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe(HEADER);
    const rows = new Map(lines.slice(1).map((l) => [l.split(',')[0], l.split(',')]));
    const expected = ['alpha', 'broken', 'gradient', 'truncated', ...(facesDir() ? ['face'] : [])];
    expect([...rows.keys()].sort()).toEqual(expected.sort());
    expect(lines).toHaveLength(expected.length + 1); // one physical line per photo (errors are single-line)
    expect(rows.get('truncated')![10]).toMatch(/^unreadable image/);
    for (const cols of rows.values()) expect(cols).toHaveLength(11);
    expect(rows.get('broken')![10]).toMatch(/^unreadable image/);
    expect(rows.get('broken')![1]).toBe('');
    expect(rows.get('gradient')![10]).toBe('no face found');
    expect(rows.get('gradient')![2]).toBe('0');
    expect(rows.get('gradient')![4]).toBe('');
    if (facesDir()) {
      const f = rows.get('face')!;
      expect(Number(f[1])).toBeGreaterThan(5);
      expect(f.slice(2, 8)).toEqual(['1', '1', '68', '10', '185', '221']); // mtcnn 0.1.1's box for this photo
      expect(f[8]).toMatch(/^baseline-/);
      expect(f[9]).toBe('mtcnn-0.1.1');
      expect(f[10]).toBe('');
    }
    expect(r.stderr).toMatch(/BASELINE apparent-age model, not FaceAge/);
    expect(r.stderr).not.toMatch(/\x1b\[/); // not a terminal: plain progress lines
    expect(r.stderr).toMatch(/progress \d+\/\d+/);
  }, 300_000);

  it('--limit takes the first N photos by name; --threads 2 gives the same rows', () => {
    const r = run(['predict', 'photos', '--out', 'two.csv', '--limit', '2', '--threads', '2']);
    expect(r.code, r.stderr).toBe(0);
    const lines = fs.readFileSync(path.join(tmp, 'two.csv'), 'utf8').trim().split('\n');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['alpha', 'broken']);
  }, 300_000);

  it('usage errors and empty folders exit non-zero', () => {
    expect(run(['predict', 'no-such-folder']).code).not.toBe(0);
    expect(run(['predict', 'photos', '--limit', '0']).code).not.toBe(0);
    expect(run(['predict', 'photos', '--age-model', 'no-such-model']).code).not.toBe(0);
    expect(run(['predict', 'empty']).code).toBe(1);
  }, 300_000);
});
