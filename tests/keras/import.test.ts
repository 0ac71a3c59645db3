/**
 * `faceage model import / fetch / list / default`: registration with provenance, and clear
 * failures (missing, truncated, corrupt, weights-only, non-Keras, unsupported version/layer) that
 * register nothing.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import h5wasm from 'h5wasm/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KerasImportError } from '../../models/keras/errors.ts';
import { fetchFaceAgeModel, importKerasModel } from '../../models/keras/import.ts';
import { defaultAgeModel, listModels } from '../../models/registry.ts';
import { modelListJson } from '../../cli/model.ts';
import { writeKerasH5, type KerasFile } from './support/keras-graph.ts';
import { buildFaceAgeModel } from './support/facenet.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'keras-import-'));
const modelDirPath = path.join(tmp, 'models');
const prevDir = process.env.FACEAGE_MODEL_DIR;
let good: string;
let goodModel: KerasFile;

beforeAll(async () => {
  process.env.FACEAGE_MODEL_DIR = modelDirPath;
  // A FaceAge-shaped model (160×160×3 → age), slimmed (1/8 width, one block per stage) for speed.
  goodModel = buildFaceAgeModel({ seed: 5, width: 0.125, repeats: [1, 1, 1] });
  good = path.join(tmp, 'faceage_model.h5');
  await writeKerasH5(good, goodModel);
});
afterAll(() => {
  if (prevDir === undefined) delete process.env.FACEAGE_MODEL_DIR;
  else process.env.FACEAGE_MODEL_DIR = prevDir;
  fs.rmSync(tmp, { recursive: true, force: true });
});

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/faceage.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, FACEAGE_MODEL_DIR: modelDirPath },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const imported = () => listModels().filter((m) => !m.builtin);
const onnxFiles = () => (fs.existsSync(modelDirPath) ? fs.readdirSync(modelDirPath).filter((f) => f.endsWith('.onnx')) : []);

async function expectImportFails(file: string, code: string, ...parts: (string | RegExp)[]) {
  const before = JSON.stringify(imported());
  const beforeFiles = onnxFiles();
  let err: unknown;
  try {
    await importKerasModel(file);
  } catch (e) {
    err = e;
  }
  expect(err, 'import should fail').toBeInstanceOf(KerasImportError);
  expect((err as KerasImportError).code).toBe(code);
  for (const p of parts) expect((err as Error).message).toMatch(p);
  expect((err as Error).message).toContain('next step:');
  expect(JSON.stringify(imported())).toBe(before);
  expect(onnxFiles()).toEqual(beforeFiles);
}

describe('faceage model import', () => {
  it('converts, writes the ONNX, registers id + both sha256 + input spec, kind faceage', async () => {
    const r = await importKerasModel(good, { name: 'FaceAge test' });
    const h5sha = createHash('sha256').update(fs.readFileSync(good)).digest('hex');
    expect(r.h5Sha256).toBe(h5sha);
    expect(r.entry.id).toBe(`faceage-keras-${h5sha.slice(0, 12)}`);
    expect(r.entry.kind).toBe('faceage');
    expect(r.entry.role).toBe('age');
    expect(r.entry.isDefault).toBe(false);
    expect(fs.existsSync(r.onnxPath)).toBe(true);
    expect(createHash('sha256').update(fs.readFileSync(r.onnxPath)).digest('hex')).toBe(r.entry.sha256);
    expect(r.entry.inputSpec).toMatchObject({ width: 160, height: 160, channels: 3, colour: 'RGB', layout: 'NHWC', normalisation: { type: 'per-image-standardisation' } });
    expect(r.entry.origin).toContain(h5sha);
    const row = modelListJson().find((m) => m.id === r.entry.id)!;
    expect(row).toMatchObject({ role: 'age', kind: 'faceage', sha256: r.onnxSha256, h5Sha256: h5sha, isDefault: false, onnxPath: r.onnxPath });
  }, 120_000);

  it('CLI: list --json, default <id>, and re-import is idempotent', async () => {
    const list = cli('model', 'list', '--json');
    expect(list.code, list.stderr).toBe(0);
    const rows = JSON.parse(list.stdout) as Record<string, unknown>[];
    expect(Array.isArray(rows)).toBe(true);
    for (const r of rows) for (const k of ['id', 'role', 'name', 'sha256', 'onnxPath', 'inputSpec', 'isDefault']) expect(r, k).toHaveProperty(k);
    const fa = rows.find((r) => r.kind === 'faceage')!;
    expect(rows.find((r) => r.kind === 'baseline')!.isDefault).toBe(true);

    const def = cli('model', 'default', String(fa.id));
    expect(def.code, def.stderr).toBe(0);
    expect(defaultAgeModel().id).toBe(fa.id);

    const bad = cli('model', 'default', 'no-such-model');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/unknown model id no-such-model/);
    expect(bad.stderr).toMatch(/faceage model list/);

    const again = await importKerasModel(good);
    expect(again.entry.id).toBe(fa.id);
    expect(imported().filter((m) => m.kind === 'faceage')).toHaveLength(1);
  }, 180_000);

  it('CLI: a truncated copy fails clearly and registers nothing', async () => {
    const trunc = path.join(tmp, 'truncated.h5');
    const buf = fs.readFileSync(good);
    fs.writeFileSync(trunc, buf.subarray(0, Math.floor(buf.length * 0.6)));
    const before = JSON.stringify(listModels());
    const files = onnxFiles();
    const r = cli('model', 'import', trunc, '--default');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is truncated: it has \d+ bytes but its HDF5 header says \d+ bytes/);
    expect(r.stderr).toMatch(/next step: download the file again/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    expect(JSON.stringify(listModels())).toBe(before);
    expect(onnxFiles()).toEqual(files);
  }, 120_000);

  it('missing file', async () => {
    await expectImportFails(path.join(tmp, 'nope.h5'), 'missing-file', /file not found/);
  });

  it('truncated inside the superblock, and an empty file', async () => {
    const tiny = path.join(tmp, 'tiny.h5');
    fs.writeFileSync(tiny, fs.readFileSync(good).subarray(0, 12));
    await expectImportFails(tiny, 'truncated', /truncated|ends inside/);
    const empty = path.join(tmp, 'empty.h5');
    fs.writeFileSync(empty, '');
    await expectImportFails(empty, 'truncated', /empty/);
  });

  it('corrupt HDF5 internals (right size, damaged metadata)', async () => {
    const bad = path.join(tmp, 'corrupt.h5');
    const buf = Buffer.from(fs.readFileSync(good));
    buf.fill(0xa5, 96, 4096);
    fs.writeFileSync(bad, buf);
    await expectImportFails(bad, 'corrupt', /corrupt\.h5/);
  });

  it('not an HDF5 file (e.g. an HTML error page saved as .h5)', async () => {
    const html = path.join(tmp, 'page.h5');
    fs.writeFileSync(html, '<!DOCTYPE html><html><body>Not Found</body></html>\n'.repeat(40));
    await expectImportFails(html, 'not-hdf5', /not an HDF5 file/);
  });

  it('weights-only .h5 (save_weights)', async () => {
    const w = path.join(tmp, 'weights_only.h5');
    await writeKerasH5(w, { ...goodModel, weightsOnly: true });
    await expectImportFails(w, 'weights-only', /only weights/);
  });

  it('an HDF5 file that is not a Keras model', async () => {
    const p = path.join(tmp, 'plain.h5');
    await h5wasm.ready;
    const f = new h5wasm.File(p, 'w');
    f.create_dataset({ name: 'images', data: new Float32Array(16), shape: [4, 4], dtype: '<f' });
    f.close();
    await expectImportFails(p, 'not-keras', /not a Keras model/);
  });

  it('unsupported Keras versions and backends', async () => {
    for (const [ver, backend, re] of [
      ['1.2.2', 'tensorflow', /Keras 1\.2\.2/],
      ['3.3.3', 'tensorflow', /Keras 3\.3\.3/],
      ['2.2.4', 'theano', /'theano' backend/],
    ] as const) {
      const p = path.join(tmp, `v${ver}-${backend}.h5`);
      await writeKerasH5(p, { ...goodModel, kerasVersion: ver, backend });
      await expectImportFails(p, 'unsupported-version', re);
    }
  });

  it('unsupported layer: the error names the layer and its type', async () => {
    const m = structuredClone({ ...goodModel, weights: undefined }) as unknown as KerasFile;
    m.weights = goodModel.weights;
    const inner = (m.modelConfig.config.layers as { config: { layers: { class_name: string; config: { name: string } }[] } }[])[0].config.layers;
    const l = inner.find((x) => x.config.name === 'Block17_1_ScaleSum')!;
    l.class_name = 'LocallyConnected2D';
    const p = path.join(tmp, 'unsupported.h5');
    await writeKerasH5(p, m);
    await expectImportFails(p, 'unsupported-layer', /'Block17_1_ScaleSum' \(LocallyConnected2D\)/);
  });

  it('a Keras model that is not an age model (wrong input size) is refused', async () => {
    const p = path.join(tmp, 'small-input.h5');
    await writeKerasH5(p, buildFaceAgeModel({ seed: 6, width: 0.125, repeats: [1, 1, 1], size: 96 }));
    await expectImportFails(p, 'unsupported-shape', /160×160×3/);
  });
});

describe('faceage model fetch faceage', () => {
  it('offline: explains the manual route and registers nothing', async () => {
    const before = JSON.stringify(imported());
    const err = await fetchFaceAgeModel({ url: 'http://127.0.0.1:9/faceage_model.h5', timeoutMs: 5000 }).catch((e) => e);
    expect(err).toBeInstanceOf(KerasImportError);
    expect(err.message).toMatch(/cannot download/);
    expect(err.message).toMatch(/faceage model import faceage_model\.h5/);
    expect(err.message).toContain('https://github.com/AIM-Harvard/FaceAge/releases/download/v1/faceage_model.h5');
    expect(JSON.stringify(imported())).toBe(before);
  });

  describe('with a mirror', () => {
    let server: http.Server;
    let base: string;
    beforeAll(async () => {
      const body = fs.readFileSync(good);
      server = http.createServer((req, res) => {
        if (req.url === '/v1/faceage_model.h5') {
          res.writeHead(200, { 'content-length': body.length });
          res.end(body);
        } else if (req.url === '/cut/faceage_model.h5') {
          res.writeHead(200, { 'content-length': body.length });
          res.write(body.subarray(0, 1000));
          setTimeout(() => res.destroy(), 100);
        } else {
          res.writeHead(404).end('not found');
        }
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('downloads and imports', async () => {
      const r = await fetchFaceAgeModel({ url: `${base}/v1/faceage_model.h5`, makeDefault: true });
      expect(r.entry.kind).toBe('faceage');
      expect(r.entry.isDefault).toBe(true);
      expect(r.entry.origin).toContain(`${base}/v1/faceage_model.h5`);
    }, 120_000);

    it('an interrupted download fails clearly and keeps nothing', async () => {
      const before = JSON.stringify(imported());
      const err = await fetchFaceAgeModel({ url: `${base}/cut/faceage_model.h5` }).catch((e) => e);
      expect(err).toBeInstanceOf(KerasImportError);
      expect(err.message).toMatch(/interrupted|incomplete|download failed/);
      expect(err.message).toMatch(/next step:/);
      expect(JSON.stringify(imported())).toBe(before);
      expect(fs.readdirSync(path.join(modelDirPath, 'downloads')).filter((f) => f.endsWith('.part'))).toEqual([]);
    });

    it('HTTP 404 fails with the manual route', async () => {
      const err = await fetchFaceAgeModel({ url: `${base}/missing.h5` }).catch((e) => e);
      expect(err.message).toMatch(/HTTP 404/);
      expect(err.message).toMatch(/faceage model import/);
    });
  });
});
