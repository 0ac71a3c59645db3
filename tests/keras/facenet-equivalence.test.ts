/**
 * Equivalence of the Keras → ONNX conversion on the FaceAge architecture: a Keras-format .h5 of
 * Inception-ResNet v1 (keras-facenet layout) wrapped with the FaceAge head, random weights, is
 * converted and its ONNX output compared with an independent tfjs-layers forward pass of the same
 * config and weights. Bar: max |Δ| ≤ 1e-3 (years).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { convertKerasToOnnx } from '../../models/keras/convert.ts';
import { readKerasH5 } from '../../models/keras/hdf5.ts';
import { writeFaceAgeH5 } from './support/facenet.ts';
import { loadReference, predictReference, standardise, syntheticImage } from './support/reference.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'keras-eq-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function compare(label: string, opts: Parameters<typeof writeFaceAgeH5>[1], size: number, nImages: number) {
  const file = path.join(tmp, `${label}.h5`);
  const m = await writeFaceAgeH5(file, opts);
  const conv = convertKerasToOnnx(await readKerasH5(file), { outputName: 'age' });
  const sess = await ort.InferenceSession.create(conv.onnx, { graphOptimizationLevel: 'all', intraOpNumThreads: 1 });
  const images = Array.from({ length: nImages }, (_, i) => standardise(syntheticImage(size, i + 1)));
  const onnxOut: number[] = [];
  for (const img of images) {
    const r = await sess.run({ input: new ort.Tensor('float32', img, [1, size, size, 3]) });
    onnxOut.push((r.age.data as Float32Array)[0]);
  }
  // The batched path must agree with the per-image one.
  const batch = new Float32Array(images.length * images[0].length);
  images.forEach((img, i) => batch.set(img, i * img.length));
  const rb = await sess.run({ input: new ort.Tensor('float32', batch, [images.length, size, size, 3]) });
  await sess.release();
  const ref = await loadReference(m);
  const refOut = predictReference(ref, images, [size, size, 3]).map((a) => a[0]);
  ref.dispose();
  const maxDelta = Math.max(...onnxOut.map((v, i) => Math.abs(v - refOut[i])));
  const batchDelta = Math.max(...onnxOut.map((v, i) => Math.abs(v - (rb.age.data as Float32Array)[i])));
  console.log(`[keras-eq] ${label}: onnx ${onnxOut.map((v) => v.toFixed(4)).join(', ')} | tfjs ${refOut.map((v) => v.toFixed(4)).join(', ')} | max |Δ| ${maxDelta.toExponential(2)}`);
  return { conv, onnxOut, refOut, maxDelta, batchDelta };
}

describe('FaceAge architecture: Keras .h5 → ONNX equals an independent tfjs forward pass', () => {
  it('Inception-ResNet v1 (128-d) + FaceAge head, 160×160, Keras 2.2.4 Sequential{Model}: max |Δ| ≤ 1e-3 on 3 images', async () => {
    const r = await compare('faceage-128', { seed: 11, embedding: 128 }, 160, 3);
    // Published layer inventory (keras-facenet layout) + head.
    expect(r.conv.layerTypes).toEqual({
      Conv2D: 132,
      BatchNormalization: 113,
      Activation: 131,
      MaxPooling2D: 3,
      Concatenate: 23,
      Lambda: 21,
      GlobalAveragePooling2D: 1,
      Dropout: 1,
      Dense: 3,
    });
    expect(r.conv.foldedScaleSums).toBe(21);
    expect(r.conv.foldedBatchNorms).toBe(112);
    expect(r.conv.inputShape).toEqual([null, 160, 160, 3]);
    expect(r.conv.outputShape).toEqual([null, 1]);
    // The inputs must actually give different ages, or the comparison proves little.
    expect(Math.max(...r.refOut) - Math.min(...r.refOut)).toBeGreaterThan(0.05);
    expect(r.maxDelta).toBeLessThanOrEqual(1e-3);
    expect(r.batchDelta).toBeLessThanOrEqual(1e-3);
  }, 600_000);

  it('512-d variant, tf.keras 2.4 Functional, Keras-3 inbound form, Sequential as list (full depth, half width, 128×128 to keep it quick)', async () => {
    const r = await compare('faceage-512', { seed: 12, embedding: 512, size: 128, width: 0.5, flavour: 'tf.keras-2.4', inbound: 'keras3', sequentialForm: 'list' }, 128, 2);
    expect(r.conv.layerTypes.Conv2D).toBe(132);
    expect(r.conv.outputShape).toEqual([null, 1]);
    expect(r.maxDelta).toBeLessThanOrEqual(1e-3);
  }, 600_000);
});
