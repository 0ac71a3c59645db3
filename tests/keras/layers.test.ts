/**
 * Every supported layer type, in every accepted config form, against the tfjs-layers reference;
 * and refusals that name the layer and its type.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { convertKerasToOnnx, SUPPORTED_LAYERS } from '../../models/keras/convert.ts';
import { parseModel } from '../../models/keras/config.ts';
import { KerasImportError } from '../../models/keras/errors.ts';
import { readKerasH5 } from '../../models/keras/hdf5.ts';
import { KerasGraph, Rng, writeKerasH5, type KerasFile } from './support/keras-graph.ts';
import { loadReference, predictReference } from './support/reference.ts';
import { buildSmallModel, buildSmallSequential } from './support/small-model.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'keras-layers-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;

async function convertFile(m: KerasFile) {
  const file = path.join(tmp, `m${n++}.h5`);
  await writeKerasH5(file, m);
  return convertKerasToOnnx(await readKerasH5(file));
}

async function maxDelta(m: KerasFile, shape: number[]) {
  const conv = await convertFile(m);
  const sess = await ort.InferenceSession.create(conv.onnx);
  const rng = new Rng(21);
  const size = shape.reduce((a, b) => a * b, 1);
  const images = [0, 1, 2].map(() => rng.fill(size, () => rng.normal()));
  const ref = await loadReference(m);
  const refOut = predictReference(ref, images, shape);
  ref.dispose();
  let d = 0;
  let spread = 0;
  for (let i = 0; i < images.length; i++) {
    const r = await sess.run({ input: new ort.Tensor('float32', images[i], [1, ...shape]) });
    const y = r.output.data as Float32Array;
    for (let j = 0; j < y.length; j++) d = Math.max(d, Math.abs(y[j] - refOut[i][j]));
    spread = Math.max(spread, Math.abs(refOut[i][0] - refOut[0][0]));
  }
  await sess.release();
  return { conv, d, spread };
}

describe('every supported layer type matches tfjs', () => {
  const cases: [string, () => KerasFile, number[]][] = [
    ['Keras 2.2.4 Model, list inbound_nodes, nested Sequential {name, layers}', () => buildSmallModel(), [17, 16, 3]],
    ['tf.keras 2.6 Functional, {args, kwargs} inbound_nodes, nested Sequential as list', () => buildSmallModel({ className: 'Functional', inbound: 'keras3', kerasVersion: '2.6.0', nestedForm: 'list' }), [17, 16, 3]],
    ['Keras 2.1 Sequential as a list, input shape on the first layer', () => buildSmallSequential({ form: 'list' }), [12, 10, 3]],
    ['Keras 2.3 Sequential {name, layers} with an explicit InputLayer', () => buildSmallSequential({ form: 'dict', explicitInput: true }), [12, 10, 3]],
  ];
  for (const [label, build, shape] of cases) {
    it(label, async () => {
      const { conv, d, spread } = await maxDelta(build(), shape);
      console.log(`[keras-layers] ${label}: max |Δ| ${d.toExponential(2)}`);
      expect(d).toBeLessThanOrEqual(1e-4);
      expect(spread).toBeGreaterThan(0.01);
      expect(conv.outputShape).toEqual([null, 1]);
    }, 120_000);
  }

  it('folding inside a nested model never alters a tensor the outer graph also uses', async () => {
    const rng = new Rng(8);
    const g = new KerasGraph(rng);
    const x = g.input('in', [6, 6, 3]);
    const c = g.conv(x, { name: 'shared_conv', filters: 4, kernel: 3, useBias: true });
    const inner = new KerasGraph(rng);
    const ii = inner.input('ph', [6, 6, 4]);
    inner.layers.length = 0;
    inner.bn(ii, { name: 'inner_bn', scale: true });
    const seq = inner.sequential('inner_seq', 'dict');
    seq.config.layers[0].config.batch_input_shape = [null, 6, 6, 4];
    const nested = g.nested(c, 'inner_seq', seq, inner.weights, [null, 6, 6, 4]);
    const cat = g.concat([g.flatten(c, 'flat_a'), g.flatten(nested, 'flat_b')], 'cat', -1);
    const out = g.dense(cat, { name: 'out', units: 1, gain: 3 });
    const m: KerasFile = { modelConfig: g.functional('shared', [x], [out]), layerNames: g.layers.map((l) => l.name), weights: g.weights };
    const { d, spread, conv: cv } = await maxDelta(m, [6, 6, 3]);
    expect(cv.foldedBatchNorms).toBe(0);
    expect(spread).toBeGreaterThan(0.01);
    expect(d).toBeLessThanOrEqual(1e-4);
  }, 120_000);

  it('the small model covers every supported layer type', async () => {
    const conv = await convertFile(buildSmallModel());
    const used = new Set(Object.keys(conv.layerTypes));
    for (const t of ['Conv2D', 'BatchNormalization', 'Activation', 'MaxPooling2D', 'AveragePooling2D', 'Concatenate', 'Add', 'Lambda', 'Dense', 'GlobalAveragePooling2D', 'Flatten', 'Dropout']) {
      expect(used.has(t), t).toBe(true);
    }
    expect(SUPPORTED_LAYERS.length).toBeGreaterThanOrEqual(13);
    expect(conv.foldedBatchNorms).toBeGreaterThan(0);
    expect(conv.foldedScaleSums).toBe(1);
  });
});

function tinyModel(mutate: (g: KerasGraph, x: ReturnType<KerasGraph['input']>) => ReturnType<KerasGraph['input']>): KerasFile {
  const g = new KerasGraph(new Rng(1));
  const x = g.input('in', [8, 8, 3]);
  const y = mutate(g, x);
  const out = g.dense(g.flatten(y, 'flat'), { name: 'out', units: 1 });
  return { modelConfig: g.functional('tiny', [x], [out]), layerNames: g.layers.map((l) => l.name), weights: g.weights };
}

async function expectRefusal(m: KerasFile, code: string, ...parts: string[]) {
  let err: unknown;
  try {
    await convertFile(m);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(KerasImportError);
  expect((err as KerasImportError).code).toBe(code);
  for (const p of parts) expect((err as Error).message).toContain(p);
  expect((err as KerasImportError).hint.length).toBeGreaterThan(10);
}

describe('refusals name the layer and its type', () => {
  it('a Lambda that is not *_ScaleSum', async () => {
    await expectRefusal(tinyModel((g, x) => g.otherLambda(x, 'my_custom_fn')), 'unsupported-layer', "'my_custom_fn'", 'Lambda');
  });
  it('a ScaleSum Lambda without a numeric scale', async () => {
    const m = tinyModel((g, x) => {
      const c = g.conv(x, { name: 'c', filters: 3, kernel: 1 });
      const s = g.scaleSum(x, c, 'b_ScaleSum', 0.5);
      return s;
    });
    const l = (m.modelConfig.config.layers as { class_name: string; config: { arguments: object } }[]).find((x) => x.class_name === 'Lambda')!;
    l.config.arguments = {};
    await expectRefusal(m, 'unsupported-layer', "'b_ScaleSum'", 'scale');
  });
  it('an unsupported layer type', async () => {
    const m = tinyModel((g, x) => g.act(x, 'will_be_lstm', 'relu'));
    const l = (m.modelConfig.config.layers as { class_name: string; config: { name: string } }[]).find((x) => x.config.name === 'will_be_lstm')!;
    l.class_name = 'Conv2DTranspose';
    await expectRefusal(m, 'unsupported-layer', "'will_be_lstm'", 'Conv2DTranspose');
  });
  it('an unsupported activation', async () => {
    await expectRefusal(tinyModel((g, x) => g.act(x, 'weird_act', 'gelu')), 'unsupported-layer', "'weird_act'", 'gelu');
  });
  it('channels_first data format', async () => {
    const m = tinyModel((g, x) => g.conv(x, { name: 'cf_conv', filters: 3, kernel: 3 }));
    const l = (m.modelConfig.config.layers as { config: { name: string; data_format?: string } }[]).find((x) => x.config.name === 'cf_conv')!;
    l.config.data_format = 'channels_first';
    await expectRefusal(m, 'unsupported-layer', "'cf_conv'", 'Conv2D', 'channels_first');
  });
  it('Dense on a 4-D tensor (unsupported shape)', async () => {
    const g = new KerasGraph(new Rng(1));
    const x = g.input('in', [4, 4, 3]);
    const layers = g.layers;
    layers.push({ name: 'dense4d', class_name: 'Dense', config: { name: 'dense4d', units: 2, activation: 'linear', use_bias: false }, inbound_nodes: [[['in', 0, 0, {}]]] });
    await expectRefusal({ modelConfig: g.functional('t', [x], [{ ...x, layer: 'dense4d' }]), layerNames: ['in', 'dense4d'], weights: new Map() }, 'unsupported-shape', "'dense4d'", 'Dense');
  });
  it('weights that do not match the architecture', async () => {
    const m = tinyModel((g, x) => g.conv(x, { name: 'cw', filters: 3, kernel: 3 }));
    m.weights.get('cw')![0].shape = [3, 3, 3, 4];
    m.weights.get('cw')![0].data = new Float32Array(108);
    await expectRefusal(m, 'missing-weights', "'cw'", 'kernel');
  });
});

describe('model_config forms', () => {
  it('reads flat [name, node, tensor] inbound entries and un-nested output_layers', () => {
    const m = parseModel({
      class_name: 'Model',
      config: {
        name: 'm',
        layers: [
          { class_name: 'InputLayer', name: 'i', config: { name: 'i', batch_input_shape: [null, 2] }, inbound_nodes: [] },
          { class_name: 'Dense', name: 'd', config: { name: 'd', units: 1 }, inbound_nodes: [['i', 0, 0]] },
        ],
        input_layers: ['i', 0, 0],
        output_layers: ['d', 0, 0],
      },
    });
    expect(m.layers[1].inbound).toEqual([[{ layer: 'i', node: 0, tensor: 0 }]]);
    expect(m.outputs).toEqual([{ layer: 'd', node: 0, tensor: 0 }]);
  });
  it('refuses a subclassed / unknown top-level class', () => {
    expect(() => parseModel({ class_name: 'MyModel', config: {} })).toThrow(/not a Keras Sequential, Model or Functional/);
  });
});
