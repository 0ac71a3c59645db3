/**
 * A small layer-list description of a feed-forward CNN, shared by the ONNX graph builder and by a
 * direct (slow, obviously-correct) JavaScript evaluator used in tests.
 *
 * Conventions follow TensorFlow/Keras, which is where the weights come from:
 *  - activations are NHWC; the ONNX graph transposes to NCHW internally;
 *  - conv weights are [out, kh, kw, in] (TFLite's OHWI layout);
 *  - 'same' padding puts the extra row/column at the end (ONNX SAME_UPPER);
 *  - Flatten flattens NHWC in (h, w, c) order; dense weights are [out, in].
 */
import { GraphBuilder, permute4 } from './onnx-builder.ts';

export type Layer =
  | { type: 'conv'; name: string; w: Float32Array; wDims: [number, number, number, number]; b: Float32Array; stride: number; same: boolean }
  /** Depthwise conv: weights [kh, kw, c] (multiplier 1). */
  | { type: 'dwconv'; name: string; w: Float32Array; k: number; c: number; b: Float32Array | null; stride: number; same: boolean }
  | { type: 'prelu'; name: string; alpha: Float32Array }
  | { type: 'relu' }
  | { type: 'maxpool'; k: number; stride: number; same: boolean }
  | { type: 'avgpool'; k: number; stride: number }
  | { type: 'flatten' }
  | { type: 'fc'; name: string; w: Float32Array; wDims: [number, number]; b: Float32Array }
  | { type: 'softmax' }
  | { type: 'sigmoid' }
  | { type: 'affine'; mean: number[]; scale: number[] }
  /** Residual: out = main(x) + shortcut(x). */
  | { type: 'residual'; main: Layer[]; shortcut: Layer[] };

export interface NetSpec {
  name: string;
  /** Spatial input size, or null for fully convolutional (dynamic H×W). */
  inputSize: [number, number] | null;
  trunk: Layer[];
  heads: { name: string; layers: Layer[] }[];
  docString?: string;
}

// ---------------------------------------------------------------------------------------------
// ONNX

/** How the ONNX graph is laid out (the computed function is the same). */
export interface OnnxOptions {
  /** 'NHWC' (default, the Keras convention) or 'NCHW' (the caller writes planar input; no Transpose node). */
  inputLayout?: 'NHWC' | 'NCHW';
}

/** Emit layers into the builder; `x` is an NCHW tensor (or 2-D after flatten). Returns output name. */
function emit(g: GraphBuilder, x: string, layers: Layer[], state: { flat: boolean }): string {
  for (const L of layers) {
    switch (L.type) {
      case 'conv': {
        const { data, dims } = permute4(L.w, L.wDims, [0, 3, 1, 2]);
        const w = g.constant(g.fresh(`${L.name}_W`), dims, data);
        const b = g.constant(g.fresh(`${L.name}_B`), [L.b.length], L.b);
        const attrs: Record<string, number[] | string> = { kernel_shape: [dims[2], dims[3]], strides: [L.stride, L.stride] };
        if (L.same) attrs.auto_pad = 'SAME_UPPER';
        else attrs.pads = [0, 0, 0, 0];
        x = g.node('Conv', [x, w, b], attrs);
        break;
      }
      case 'dwconv': {
        // [kh, kw, c] -> [c, 1, kh, kw]
        const data = new Float32Array(L.c * L.k * L.k);
        for (let c = 0; c < L.c; c++)
          for (let i = 0; i < L.k; i++) for (let j = 0; j < L.k; j++) data[(c * L.k + i) * L.k + j] = L.w[(i * L.k + j) * L.c + c];
        const w = g.constant(g.fresh(`${L.name}_W`), [L.c, 1, L.k, L.k], data);
        const inputs = [x, w];
        if (L.b) inputs.push(g.constant(g.fresh(`${L.name}_B`), [L.c], L.b));
        const attrs: Record<string, number | number[] | string> = { kernel_shape: [L.k, L.k], strides: [L.stride, L.stride], group: L.c };
        if (L.same) attrs.auto_pad = 'SAME_UPPER';
        else attrs.pads = [0, 0, 0, 0];
        x = g.node('Conv', inputs, attrs);
        break;
      }
      case 'prelu': {
        const slope = g.constant(g.fresh(`${L.name}_alpha`), state.flat ? [L.alpha.length] : [L.alpha.length, 1, 1], L.alpha);
        x = g.node('PRelu', [x, slope]);
        break;
      }
      case 'relu':
        x = g.node('Relu', [x]);
        break;
      case 'maxpool':
        x = g.node('MaxPool', [x], {
          kernel_shape: [L.k, L.k],
          strides: [L.stride, L.stride],
          ...(L.same ? { auto_pad: 'SAME_UPPER' } : { pads: [0, 0, 0, 0] }),
        });
        break;
      case 'avgpool':
        x = g.node('AveragePool', [x], { kernel_shape: [L.k, L.k], strides: [L.stride, L.stride], pads: [0, 0, 0, 0] });
        break;
      case 'flatten':
        // Keras flattens NHWC: go back to NHWC first so dense weights apply unchanged.
        x = g.node('Transpose', [x], { perm: [0, 2, 3, 1] });
        x = g.node('Flatten', [x], { axis: 1 });
        state.flat = true;
        break;
      case 'fc': {
        const w = g.constant(g.fresh(`${L.name}_W`), L.wDims, L.w);
        const b = g.constant(g.fresh(`${L.name}_B`), [L.b.length], L.b);
        x = g.node('Gemm', [x, w, b], { transB: 1 });
        break;
      }
      case 'softmax':
        x = g.node('Softmax', [x], { axis: 1 });
        break;
      case 'sigmoid':
        x = g.node('Sigmoid', [x]);
        break;
      case 'affine': {
        const c = L.mean.length;
        const m = g.constant(g.fresh('mean'), [1, c, 1, 1], L.mean);
        const s = g.constant(g.fresh('scale'), [1, c, 1, 1], L.scale);
        x = g.node('Mul', [g.node('Sub', [x, m]), s]);
        break;
      }
      case 'residual': {
        const a = emit(g, x, L.main, { ...state });
        const b = L.shortcut.length ? emit(g, x, L.shortcut, { ...state }) : x;
        x = g.node('Add', [a, b]);
        break;
      }
    }
  }
  return x;
}

/**
 * Build the ONNX model: input "input" float32 [N, H, W, 3] (NHWC, default) or [N, 3, H, W]
 * (options.inputLayout 'NCHW'); outputs named after the heads.
 * Spatial outputs (fully convolutional heads) are NCHW; dense heads are [N, K].
 */
export function buildOnnx(spec: NetSpec, options: OnnxOptions = {}): Uint8Array {
  const g = new GraphBuilder(spec.name);
  const nchwIn = options.inputLayout === 'NCHW';
  const nchw = nchwIn ? 'input' : g.node('Transpose', ['input'], { perm: [0, 3, 1, 2] });
  const state = { flat: false };
  const trunk = emit(g, nchw, spec.trunk, state);
  const outputs: { name: string; dims: (number | string)[] }[] = [];
  for (const h of spec.heads) {
    const hs = { ...state };
    const last = emit(g, trunk, h.layers, hs);
    g.node('Identity', [last], {}, h.name);
    outputs.push({ name: h.name, dims: hs.flat ? ['N', headWidth(h.layers)] : ['N', headWidth(h.layers), 'H', 'W'] });
  }
  const [h, w]: (number | string)[] = spec.inputSize ?? ['H_in', 'W_in'];
  const inDims: (number | string)[] = nchwIn ? ['N', 3, h, w] : ['N', h, w, 3];
  return g.build([{ name: 'input', dims: inDims }], outputs, { docString: spec.docString });
}

function headWidth(layers: Layer[]): number {
  for (let i = layers.length - 1; i >= 0; i--) {
    const L = layers[i];
    if (L.type === 'fc') return L.wDims[0];
    if (L.type === 'conv') return L.wDims[0];
  }
  throw new Error('head without conv/fc layer');
}

// ---------------------------------------------------------------------------------------------
// Direct evaluation (reference for tests). Tensors are NHWC for one image: {h, w, c, data}.

export interface Act {
  h: number;
  w: number;
  c: number;
  data: Float64Array;
}

function samePads(inSize: number, k: number, s: number): [number, number, number] {
  const out = Math.ceil(inSize / s);
  const total = Math.max((out - 1) * s + k - inSize, 0);
  return [out, Math.floor(total / 2), total - Math.floor(total / 2)];
}

function outGeom(n: number, k: number, s: number, same: boolean): [number, number] {
  if (same) {
    const [o, before] = samePads(n, k, s);
    return [o, before];
  }
  return [Math.floor((n - k) / s) + 1, 0];
}

export function evalLayers(x: Act, layers: Layer[]): Act {
  for (const L of layers) x = evalLayer(x, L);
  return x;
}

function evalLayer(x: Act, L: Layer): Act {
  switch (L.type) {
    case 'conv': {
      const [O, KH, KW, I] = L.wDims;
      const [oh, ph] = outGeom(x.h, KH, L.stride, L.same);
      const [ow, pw] = outGeom(x.w, KW, L.stride, L.same);
      const out = new Float64Array(oh * ow * O);
      for (let y = 0; y < oh; y++)
        for (let xx = 0; xx < ow; xx++)
          for (let o = 0; o < O; o++) {
            let s = L.b[o];
            for (let i = 0; i < KH; i++) {
              const sy = y * L.stride + i - ph;
              if (sy < 0 || sy >= x.h) continue;
              for (let j = 0; j < KW; j++) {
                const sx = xx * L.stride + j - pw;
                if (sx < 0 || sx >= x.w) continue;
                for (let c = 0; c < I; c++) s += L.w[((o * KH + i) * KW + j) * I + c] * x.data[(sy * x.w + sx) * x.c + c];
              }
            }
            out[(y * ow + xx) * O + o] = s;
          }
      return { h: oh, w: ow, c: O, data: out };
    }
    case 'dwconv': {
      const K = L.k;
      const [oh, ph] = outGeom(x.h, K, L.stride, L.same);
      const [ow, pw] = outGeom(x.w, K, L.stride, L.same);
      const out = new Float64Array(oh * ow * x.c);
      for (let y = 0; y < oh; y++)
        for (let xx = 0; xx < ow; xx++)
          for (let c = 0; c < x.c; c++) {
            let s = L.b ? L.b[c] : 0;
            for (let i = 0; i < K; i++) {
              const sy = y * L.stride + i - ph;
              if (sy < 0 || sy >= x.h) continue;
              for (let j = 0; j < K; j++) {
                const sx = xx * L.stride + j - pw;
                if (sx < 0 || sx >= x.w) continue;
                s += L.w[(i * K + j) * L.c + c] * x.data[(sy * x.w + sx) * x.c + c];
              }
            }
            out[(y * ow + xx) * x.c + c] = s;
          }
      return { h: oh, w: ow, c: x.c, data: out };
    }
    case 'prelu': {
      const out = new Float64Array(x.data.length);
      for (let i = 0; i < out.length; i++) {
        const v = x.data[i];
        out[i] = v >= 0 ? v : v * L.alpha[i % x.c];
      }
      return { ...x, data: out };
    }
    case 'relu':
      return { ...x, data: x.data.map((v) => (v > 0 ? v : 0)) };
    case 'maxpool': {
      const [oh, ph] = outGeom(x.h, L.k, L.stride, L.same);
      const [ow, pw] = outGeom(x.w, L.k, L.stride, L.same);
      const out = new Float64Array(oh * ow * x.c);
      for (let y = 0; y < oh; y++)
        for (let xx = 0; xx < ow; xx++)
          for (let c = 0; c < x.c; c++) {
            let m = -Infinity;
            for (let i = 0; i < L.k; i++)
              for (let j = 0; j < L.k; j++) {
                const sy = y * L.stride + i - ph;
                const sx = xx * L.stride + j - pw;
                if (sy < 0 || sy >= x.h || sx < 0 || sx >= x.w) continue;
                m = Math.max(m, x.data[(sy * x.w + sx) * x.c + c]);
              }
            out[(y * ow + xx) * x.c + c] = m;
          }
      return { h: oh, w: ow, c: x.c, data: out };
    }
    case 'avgpool': {
      const oh = Math.floor((x.h - L.k) / L.stride) + 1;
      const ow = Math.floor((x.w - L.k) / L.stride) + 1;
      const out = new Float64Array(oh * ow * x.c);
      for (let y = 0; y < oh; y++)
        for (let xx = 0; xx < ow; xx++)
          for (let c = 0; c < x.c; c++) {
            let s = 0;
            for (let i = 0; i < L.k; i++)
              for (let j = 0; j < L.k; j++) s += x.data[((y * L.stride + i) * x.w + xx * L.stride + j) * x.c + c];
            out[(y * ow + xx) * x.c + c] = s / (L.k * L.k);
          }
      return { h: oh, w: ow, c: x.c, data: out };
    }
    case 'flatten':
      return { h: 1, w: 1, c: x.data.length, data: x.data };
    case 'fc': {
      const [O, I] = L.wDims;
      if (x.data.length !== I) throw new Error(`fc ${L.name}: input ${x.data.length} != ${I}`);
      const out = new Float64Array(O);
      for (let o = 0; o < O; o++) {
        let s = L.b[o];
        for (let i = 0; i < I; i++) s += L.w[o * I + i] * x.data[i];
        out[o] = s;
      }
      return { h: 1, w: 1, c: O, data: out };
    }
    case 'softmax': {
      const out = new Float64Array(x.data.length);
      for (let p = 0; p < x.h * x.w; p++) {
        let m = -Infinity;
        for (let c = 0; c < x.c; c++) m = Math.max(m, x.data[p * x.c + c]);
        let s = 0;
        for (let c = 0; c < x.c; c++) s += out[p * x.c + c] = Math.exp(x.data[p * x.c + c] - m);
        for (let c = 0; c < x.c; c++) out[p * x.c + c] /= s;
      }
      return { ...x, data: out };
    }
    case 'sigmoid':
      return { ...x, data: x.data.map((v) => 1 / (1 + Math.exp(-v))) };
    case 'affine': {
      const out = new Float64Array(x.data.length);
      for (let i = 0; i < out.length; i++) out[i] = (x.data[i] - L.mean[i % x.c]) * L.scale[i % x.c];
      return { ...x, data: out };
    }
    case 'residual': {
      const a = evalLayers(x, L.main);
      const b = L.shortcut.length ? evalLayers(x, L.shortcut) : x;
      if (a.data.length !== b.data.length) throw new Error('residual shape mismatch');
      return { ...a, data: a.data.map((v, i) => v + b.data[i]) };
    }
  }
}

/** Evaluate a whole net on one NHWC input; returns each head's output (NHWC order for spatial heads). */
export function evalNet(spec: NetSpec, x: Act): Record<string, Act> {
  const t = evalLayers(x, spec.trunk);
  const out: Record<string, Act> = {};
  for (const h of spec.heads) out[h.name] = evalLayers(t, h.layers);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Cost model (for benchmarks): multiply-accumulates of conv / depthwise / dense layers.

function layerMacs(L: Layer, s: { h: number; w: number; c: number }): number {
  switch (L.type) {
    case 'conv': {
      const [O, KH, KW, I] = L.wDims;
      const [oh] = outGeom(s.h, KH, L.stride, L.same);
      const [ow] = outGeom(s.w, KW, L.stride, L.same);
      Object.assign(s, { h: oh, w: ow, c: O });
      return oh * ow * O * KH * KW * I;
    }
    case 'dwconv': {
      const [oh] = outGeom(s.h, L.k, L.stride, L.same);
      const [ow] = outGeom(s.w, L.k, L.stride, L.same);
      Object.assign(s, { h: oh, w: ow });
      return oh * ow * s.c * L.k * L.k;
    }
    case 'maxpool': {
      Object.assign(s, { h: outGeom(s.h, L.k, L.stride, L.same)[0], w: outGeom(s.w, L.k, L.stride, L.same)[0] });
      return 0;
    }
    case 'avgpool': {
      Object.assign(s, { h: Math.floor((s.h - L.k) / L.stride) + 1, w: Math.floor((s.w - L.k) / L.stride) + 1 });
      return 0;
    }
    case 'flatten':
      Object.assign(s, { h: 1, w: 1, c: s.h * s.w * s.c });
      return 0;
    case 'fc':
      Object.assign(s, { h: 1, w: 1, c: L.wDims[0] });
      return L.wDims[0] * L.wDims[1];
    case 'residual': {
      const a = { ...s };
      const m = L.main.reduce((t, x) => t + layerMacs(x, a), 0);
      const b = { ...s };
      const sc = L.shortcut.reduce((t, x) => t + layerMacs(x, b), 0);
      Object.assign(s, a);
      return m + sc;
    }
    default:
      return 0;
  }
}

/** Multiply-accumulates of one forward pass of `spec` on an h × w input (all heads). */
export function netMacs(spec: NetSpec, h: number, w: number): number {
  const s = { h, w, c: 3 };
  let total = spec.trunk.reduce((t, L) => t + layerMacs(L, s), 0);
  for (const head of spec.heads) {
    const hs = { ...s };
    total += head.layers.reduce((t, L) => t + layerMacs(L, hs), 0);
  }
  return total;
}
