/**
 * Baseline apparent-age network: @vladmandic/face-api's AgeGenderNet (a TinyXception backbone
 * with two main blocks, 7×7 average pooling and two dense heads), rebuilt as a NetSpec from the
 * package's weights (model/age_gender_model.bin + weights manifest; uint8-quantised tensors are
 * dequantised as v·scale + min like tfjs does). This is NOT the FaceAge model.
 *
 * Architecture (from face-api's source, TensorFlow 'same' padding):
 *   conv_in 3×3/2 + relu
 *   reduction block ×2 (entry flow; the first without input activation):
 *     main = [relu?] sep0 → relu → sep1 → maxpool 3×3/2,  shortcut = 1×1/2 conv
 *   main block ×2: x + (relu → sep0 → relu → sep1 → relu → sep2)
 *   exit reduction block, separable conv + relu, avgpool 7×7/2 (valid) → 512
 *   age: dense 512→1 (years);  gender: dense 512→2 + softmax
 * Input: 112×112 RGB NHWC, (v − [122.782, 117.001, 104.298]) / 255 (applied by the caller).
 */
import type { Layer, NetSpec } from './netspec.ts';

interface ManifestWeight {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale: number; min: number };
}

export function readFaceApiWeights(manifestJson: string, bin: Uint8Array): Map<string, { shape: number[]; data: Float32Array }> {
  const manifest = JSON.parse(manifestJson) as { weights: ManifestWeight[] }[];
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  let off = 0;
  for (const group of manifest) {
    for (const w of group.weights) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      let data: Float32Array;
      if (w.quantization) {
        if (w.quantization.dtype !== 'uint8') throw new Error(`unsupported quantisation ${w.quantization.dtype} for ${w.name}`);
        data = new Float32Array(n);
        for (let i = 0; i < n; i++) data[i] = bin[off + i] * w.quantization.scale + w.quantization.min;
        off += n;
      } else {
        if (w.dtype !== 'float32') throw new Error(`unsupported dtype ${w.dtype} for ${w.name}`);
        data = new Float32Array(bin.slice(off, off + 4 * n).buffer);
        off += 4 * n;
      }
      out.set(w.name, { shape: w.shape, data });
    }
  }
  if (off !== bin.length) throw new Error(`face-api weights: manifest describes ${off} bytes, file has ${bin.length}`);
  return out;
}

export const AGEGENDER_MEAN_RGB = [122.782, 117.001, 104.298];

export function ageGenderNetSpec(weights: Map<string, { shape: number[]; data: Float32Array }>): NetSpec {
  const get = (name: string) => {
    const w = weights.get(name);
    if (!w) throw new Error(`face-api weight ${name} missing`);
    return w;
  };
  /** HWIO conv → OHWI layer. */
  const conv = (prefix: string, stride: number): Layer => {
    const f = get(`${prefix}/filters`);
    const [kh, kw, ci, co] = f.shape;
    const w = new Float32Array(f.data.length);
    for (let o = 0; o < co; o++)
      for (let i = 0; i < kh; i++)
        for (let j = 0; j < kw; j++) for (let c = 0; c < ci; c++) w[((o * kh + i) * kw + j) * ci + c] = f.data[((i * kw + j) * ci + c) * co + o];
    return { type: 'conv', name: prefix.replace(/\//g, '_'), w, wDims: [co, kh, kw, ci], b: get(`${prefix}/bias`).data, stride, same: true };
  };
  const sep = (prefix: string): Layer[] => {
    const d = get(`${prefix}/depthwise_filter`); // [k, k, c, 1]
    const p = get(`${prefix}/pointwise_filter`); // [1, 1, c, o]
    const [k, , c] = d.shape;
    const o = p.shape[3];
    const pw = new Float32Array(o * c);
    for (let oo = 0; oo < o; oo++) for (let cc = 0; cc < c; cc++) pw[oo * c + cc] = p.data[cc * o + oo];
    const name = prefix.replace(/\//g, '_');
    return [
      { type: 'dwconv', name: `${name}_dw`, w: d.data, k, c, b: null, stride: 1, same: true },
      { type: 'conv', name: `${name}_pw`, w: pw, wDims: [o, 1, 1, c], b: get(`${prefix}/bias`).data, stride: 1, same: true },
    ];
  };
  const relu: Layer = { type: 'relu' };
  const reduction = (prefix: string, activateInput: boolean): Layer => ({
    type: 'residual',
    main: [
      ...(activateInput ? [relu] : []),
      ...sep(`${prefix}/separable_conv0`),
      relu,
      ...sep(`${prefix}/separable_conv1`),
      { type: 'maxpool', k: 3, stride: 2, same: true },
    ],
    shortcut: [conv(`${prefix}/expansion_conv`, 2)],
  });
  const mainBlock = (prefix: string): Layer => ({
    type: 'residual',
    main: [relu, ...sep(`${prefix}/separable_conv0`), relu, ...sep(`${prefix}/separable_conv1`), relu, ...sep(`${prefix}/separable_conv2`)],
    shortcut: [],
  });
  const fc = (prefix: string): Layer => {
    const w = get(`${prefix}/weights`); // [in, out]
    const [i, o] = w.shape;
    const t = new Float32Array(i * o);
    for (let oo = 0; oo < o; oo++) for (let ii = 0; ii < i; ii++) t[oo * i + ii] = w.data[ii * o + oo];
    return { type: 'fc', name: prefix.replace(/\//g, '_'), w: t, wDims: [o, i], b: get(`${prefix}/bias`).data };
  };
  return {
    name: 'faceapi_agegender_baseline',
    inputSize: [112, 112],
    docString:
      'BASELINE apparent-age model (not FaceAge): @vladmandic/face-api@1.7.15 AgeGenderNet weights. Input NHWC 112x112 RGB, (v - mean_rgb)/255. Outputs age (years), gender softmax [male, female].',
    trunk: [
      conv('entry_flow/conv_in', 2),
      relu,
      reduction('entry_flow/reduction_block_0', false),
      reduction('entry_flow/reduction_block_1', true),
      mainBlock('middle_flow/main_block_0'),
      mainBlock('middle_flow/main_block_1'),
      reduction('exit_flow/reduction_block', true),
      ...sep('exit_flow/separable_conv'),
      relu,
      { type: 'avgpool', k: 7, stride: 2 },
      { type: 'flatten' },
    ],
    heads: [
      { name: 'age', layers: [fc('fc/age')] },
      { name: 'gender', layers: [fc('fc/gender'), { type: 'softmax' }] },
    ],
  };
}
