/**
 * Keras (model_config + weights) → ONNX.
 *
 * Follows the layer graph of `model_config` (no hard-coded topology); nested models are inlined.
 * The ONNX graph takes the Keras input as is (NHWC) and transposes once to NCHW; every 4-D
 * tensor inside the graph is NCHW, shapes are tracked in Keras (NHWC) terms.
 *
 * Graph optimisations done here, exactly (float64 arithmetic, then float32):
 *  - BatchNormalization directly after a Conv2D/Dense with linear activation whose output has no
 *    other consumer is folded into the kernel and bias;
 *  - `*_ScaleSum` Lambda (a + b·scale) where b comes from such a Conv2D/Dense: the scale is folded
 *    into b's kernel and bias, leaving a plain Add (which onnxruntime fuses with the conv).
 * Everything else maps one layer to one (or a few) ONNX nodes.
 */
import { KerasImportError, unsupportedLayer, unsupportedShape } from './errors.ts';
import { MODEL_CLASSES, parseModel, type KLayer, type KModel, type TensorRef } from './config.ts';
import type { KerasH5, WeightArray } from './hdf5.ts';
import { OnnxBuilder } from './onnx-builder.ts';

type Dim = number | null;

interface Pending {
  kind: 'conv' | 'dense';
  layer: string;
  input: string;
  /** Keras kernel: conv [kh, kw, cin, cout], dense [in, out]. */
  kernel: WeightArray;
  out: number;
  mult: Float64Array;
  bias: Float64Array;
  hasBias: boolean;
  attrs: Record<string, number[]>;
}

interface Val {
  /** ONNX tensor name (valid once materialised). */
  name: string;
  /** Keras logical shape incl. batch (NHWC for rank 4). Physically rank-4 tensors are NCHW. */
  shape: Dim[];
  pending?: Pending;
}

export interface ConvertOptions {
  inputName?: string;
  outputName?: string;
  /** Fold BN / ScaleSum into the preceding linear layer (default true). */
  fold?: boolean;
}

export interface ConvertResult {
  onnx: Uint8Array;
  inputName: string;
  outputName: string;
  /** Keras input shape, e.g. [null, 160, 160, 3]. */
  inputShape: Dim[];
  outputShape: Dim[];
  layerCount: number;
  layerTypes: Record<string, number>;
  foldedBatchNorms: number;
  foldedScaleSums: number;
  nodeCount: number;
}

export const SUPPORTED_LAYERS = [
  'InputLayer',
  'Conv2D',
  'BatchNormalization',
  'Activation',
  'MaxPooling2D',
  'AveragePooling2D',
  'Concatenate',
  'Add',
  'Lambda (*_ScaleSum, arguments.scale)',
  'Dense',
  'GlobalAveragePooling2D',
  'Flatten',
  'Dropout',
  'Sequential / Model / Functional (nested)',
] as const;

const ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax', 'elu', 'selu', 'softplus', 'softsign', 'hard_sigmoid', 'exponential', 'swish'];

/** Convert a read Keras file to an ONNX model. */
export function convertKerasToOnnx(h5: KerasH5, options: ConvertOptions = {}): ConvertResult {
  const model = parseModel(h5.modelConfig);
  return new Converter(h5, options).run(model);
}

function shapeSize(s: number[]): number {
  return s.reduce((a, b) => a * b, 1);
}

class Converter {
  private b = new OnnxBuilder();
  private layerTypes: Record<string, number> = {};
  private layerCount = 0;
  private foldedBN = 0;
  private foldedSS = 0;
  private readonly fold: boolean;

  constructor(
    private h5: KerasH5,
    private opts: ConvertOptions,
  ) {
    this.fold = opts.fold !== false;
  }

  run(model: KModel): ConvertResult {
    if (model.inputs.length !== 1) throw new KerasImportError('unsupported-shape', `model '${model.name}' has ${model.inputs.length} inputs; only single-input models are supported`, 'export a single-input model');
    if (model.outputs.length !== 1) throw new KerasImportError('unsupported-shape', `model '${model.name}' has ${model.outputs.length} outputs; only single-output models are supported`, 'export a single-output model');
    const inLayer = model.layers.find((l) => l.name === model.inputs[0].layer)!;
    const inShape = inputShapeOf(inLayer, model);
    const inputName = this.opts.inputName ?? 'input';
    const outputName = this.opts.outputName ?? 'output';
    this.b.input(inputName, inShape.map((d, i) => (i === 0 ? 'N' : d)));
    let x: Val = { name: inputName, shape: inShape };
    if (inShape.length === 4) {
      x = { name: this.b.node('Transpose', [inputName], 'input_nchw', { perm: [0, 3, 1, 2] }), shape: inShape };
    }
    const [y] = this.emitModel(model, [x], null);
    let out = this.materialise(y);
    if (y.shape.length === 4) out = this.b.node('Transpose', [out], 'output_nhwc', { perm: [0, 2, 3, 1] });
    if (out === inputName) out = this.b.node('Identity', [out], 'output');
    if (!this.b.renameOutput(out, outputName)) throw new Error('internal: output has no producer');
    this.b.output(outputName, y.shape.map((d, i) => (i === 0 ? 'N' : d)));
    const onnx = this.b.encode(model.name, `Converted from Keras ${this.h5.kerasVersion ?? '?'} (${this.h5.backend ?? '?'}) by faceage models/keras`, {
      keras_version: this.h5.kerasVersion ?? '',
      keras_backend: this.h5.backend ?? '',
      source_model: model.name,
    });
    return {
      onnx,
      inputName,
      outputName,
      inputShape: inShape,
      outputShape: y.shape,
      layerCount: this.layerCount,
      layerTypes: this.layerTypes,
      foldedBatchNorms: this.foldedBN,
      foldedScaleSums: this.foldedSS,
      nodeCount: this.b.nodeCount,
    };
  }

  /** Emit one (possibly nested) model; `group` is the top-level weight group (null at top level). */
  private emitModel(model: KModel, inputs: Val[], group: string | null): Val[] {
    const key = (r: TensorRef) => `${r.layer}\u0000${r.node}\u0000${r.tensor}`;
    const values = new Map<string, Val>();
    const uses = new Map<string, number>();
    for (const l of model.layers) for (const node of l.inbound) for (const r of node) uses.set(key(r), (uses.get(key(r)) ?? 0) + 1);
    for (const r of model.outputs) uses.set(key(r), (uses.get(key(r)) ?? 0) + 100);
    model.inputs.forEach((r, i) => {
      if (!inputs[i]) throw unsupportedShape(model.name, model.className, 'missing model input');
      values.set(key(r), inputs[i]);
    });

    const done = new Set<string>();
    // Layers are listed in a topological order in practice; loop until every node is emitted.
    let progress = true;
    while (progress) {
      progress = false;
      for (const layer of model.layers) {
        if (layer.className === 'InputLayer') continue;
        layer.inbound.forEach((node, nodeIdx) => {
          const id = `${layer.name}\u0000${nodeIdx}`;
          if (done.has(id)) return;
          if (!node.every((r) => values.has(key(r)))) return;
          const ins = node.map((r) => values.get(key(r))!);
          const singleUse = node.map((r) => (uses.get(key(r)) ?? 0) === 1);
          const outs = this.emitLayer(layer, ins, singleUse, group);
          outs.forEach((v, t) => values.set(key({ layer: layer.name, node: nodeIdx, tensor: t }), v));
          done.add(id);
          progress = true;
        });
      }
    }
    return model.outputs.map((r) => {
      const v = values.get(key(r));
      if (!v) throw new KerasImportError('bad-config', `model '${model.name}': output '${r.layer}' cannot be computed from its inputs`, 'the model graph is disconnected or cyclic; re-save the model');
      return v;
    });
  }

  private weightsOf(layer: KLayer, group: string | null): Map<string, WeightArray> {
    const g = group ?? layer.name;
    const list = this.h5.weights.get(g) ?? [];
    const comps = (w: WeightArray) => w.name.split('/');
    let mine: WeightArray[];
    if (group === null) {
      mine = list;
    } else {
      mine = list.filter((w) => comps(w).slice(0, -1).includes(layer.name));
      if (!mine.length) {
        const re = new RegExp(`^${layer.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}_\\d+$`);
        mine = list.filter((w) => comps(w).slice(0, -1).some((c) => re.test(c)));
      }
    }
    const out = new Map<string, WeightArray>();
    for (const w of mine) {
      const kind = comps(w).at(-1)!.replace(/:\d+$/, '');
      if (out.has(kind)) throw new KerasImportError('corrupt', `layer '${layer.name}': weight '${kind}' appears twice in group '${g}'`, 'the weights cannot be matched to layers unambiguously; re-save the model');
      out.set(kind, w);
    }
    return out;
  }

  private need(layer: KLayer, w: Map<string, WeightArray>, kind: string, shape: number[]): WeightArray {
    const a = w.get(kind);
    if (!a) {
      throw new KerasImportError('missing-weights', `layer '${layer.name}' (${layer.className}): weight '${kind}' not found in the file`, 'the file’s weights do not match its architecture; re-download or re-save the model');
    }
    if (a.shape.length !== shape.length || a.shape.some((d, i) => d !== shape[i])) {
      throw new KerasImportError('missing-weights', `layer '${layer.name}' (${layer.className}): weight '${kind}' has shape [${a.shape}] but the layer needs [${shape}]`, 'the file’s weights do not match its architecture; re-download or re-save the model');
    }
    return a;
  }

  private count(cls: string): void {
    this.layerTypes[cls] = (this.layerTypes[cls] ?? 0) + 1;
    this.layerCount++;
  }

  private materialise(v: Val): string {
    const p = v.pending;
    if (!p) return v.name;
    v.pending = undefined;
    const k = p.kernel;
    if (p.kind === 'conv') {
      const [kh, kw, cin, cout] = k.shape;
      const W = new Float32Array(cout * cin * kh * kw);
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++)
          for (let i = 0; i < cin; i++) {
            const base = ((y * kw + x) * cin + i) * cout;
            for (let o = 0; o < cout; o++) W[((o * cin + i) * kh + y) * kw + x] = k.data[base + o] * p.mult[o];
          }
      const wName = this.b.constF(`${p.layer}/kernel`, [cout, cin, kh, kw], W);
      const inputs = [p.input, wName];
      if (p.hasBias) inputs.push(this.b.constF(`${p.layer}/bias`, [cout], Float32Array.from(p.bias)));
      v.name = this.b.node('Conv', inputs, p.layer, { kernel_shape: [kh, kw], ...p.attrs });
    } else {
      const [nin, nout] = k.shape;
      const W = new Float32Array(nin * nout);
      for (let i = 0; i < nin; i++) for (let o = 0; o < nout; o++) W[i * nout + o] = k.data[i * nout + o] * p.mult[o];
      const wName = this.b.constF(`${p.layer}/kernel`, [nin, nout], W);
      if (p.hasBias) {
        const bName = this.b.constF(`${p.layer}/bias`, [nout], Float32Array.from(p.bias));
        v.name = this.b.node('Gemm', [p.input, wName, bName], p.layer);
      } else {
        v.name = this.b.node('MatMul', [p.input, wName], p.layer);
      }
    }
    return v.name;
  }

  private activation(layer: KLayer, act: unknown, v: Val): Val {
    let a: unknown = act ?? 'linear';
    if (a && typeof a === 'object') a = (a as { class_name?: string; config?: { name?: string } }).config?.name ?? (a as { class_name?: string }).class_name;
    if (typeof a !== 'string' || !ACTIVATIONS.includes(a)) {
      throw unsupportedLayer(layer.name, layer.className, `activation '${String(a)}' is not supported (supported: ${ACTIVATIONS.join(', ')})`);
    }
    if (a === 'linear') return v;
    const x = this.materialise(v);
    const n = layer.name + '/' + a;
    const r = v.shape.length;
    let out: string;
    switch (a) {
      case 'relu':
        out = this.b.node('Relu', [x], n);
        break;
      case 'sigmoid':
        out = this.b.node('Sigmoid', [x], n);
        break;
      case 'tanh':
        out = this.b.node('Tanh', [x], n);
        break;
      case 'softmax':
        out = this.b.node('Softmax', [x], n, { axis: r === 4 ? 1 : -1 });
        break;
      case 'elu':
        out = this.b.node('Elu', [x], n, { alpha: { float: 1 } });
        break;
      case 'selu':
        out = this.b.node('Selu', [x], n, { alpha: { float: 1.6732632423543772 }, gamma: { float: 1.0507009873554805 } });
        break;
      case 'softplus':
        out = this.b.node('Softplus', [x], n);
        break;
      case 'softsign':
        out = this.b.node('Softsign', [x], n);
        break;
      case 'hard_sigmoid':
        out = this.b.node('HardSigmoid', [x], n, { alpha: { float: 0.2 }, beta: { float: 0.5 } });
        break;
      case 'exponential':
        out = this.b.node('Exp', [x], n);
        break;
      default: {
        const s = this.b.node('Sigmoid', [x], n + '_sig');
        out = this.b.node('Mul', [x, s], n);
      }
    }
    return { name: out, shape: v.shape };
  }

  private emitLayer(layer: KLayer, ins: Val[], singleUse: boolean[], group: string | null): Val[] {
    const c = layer.config;
    const cls = layer.className;
    if (MODEL_CLASSES.has(cls)) {
      const sub = layer.model!;
      if (ins.length !== sub.inputs.length) throw unsupportedShape(layer.name, cls, `nested model expects ${sub.inputs.length} inputs, got ${ins.length}`);
      // Materialise the inputs: folding inside the nested model must not alter a tensor the
      // outer graph may also use.
      const plain = ins.map((v) => ({ name: this.materialise(v), shape: v.shape }));
      return this.emitModel(sub, plain, group ?? layer.name);
    }
    this.count(cls);
    const one = () => {
      if (ins.length !== 1) throw unsupportedShape(layer.name, cls, `expects one input, got ${ins.length}`);
      return ins[0];
    };
    const channelsLast = () => {
      if (c.data_format && c.data_format !== 'channels_last') throw unsupportedLayer(layer.name, cls, `data_format '${c.data_format}' is not supported (only channels_last)`);
    };
    const rank4 = (v: Val) => {
      if (v.shape.length !== 4) throw unsupportedShape(layer.name, cls, `expects a 4-D (N,H,W,C) input, got rank ${v.shape.length}`);
    };
    switch (cls) {
      case 'Conv2D': {
        const x = one();
        rank4(x);
        channelsLast();
        const w = this.weightsOf(layer, group);
        const ks = pair(c.kernel_size, layer);
        const strides = pair(c.strides ?? 1, layer);
        const dil = pair(c.dilation_rate ?? 1, layer);
        if ((c.groups ?? 1) !== 1) throw unsupportedLayer(layer.name, cls, `groups=${c.groups} is not supported`);
        const cin = x.shape[3];
        if (cin == null) throw unsupportedShape(layer.name, cls, 'unknown number of input channels');
        const filters = Number(c.filters);
        const kernel = this.need(layer, w, 'kernel', [ks[0], ks[1], cin, filters]);
        const useBias = c.use_bias !== false;
        const bias = useBias ? this.need(layer, w, 'bias', [filters]) : null;
        const { pads, outHW, autoPad } = spatial(layer, x.shape, ks, strides, dil, c.padding ?? 'valid');
        if (autoPad) throw unsupportedShape(layer.name, cls, "'same' padding needs known spatial input dimensions");
        const attrs: Record<string, number[]> = { strides, dilations: dil, pads };
        const p: Pending = {
          kind: 'conv',
          layer: layer.name,
          input: this.materialise(x),
          kernel,
          out: filters,
          mult: new Float64Array(filters).fill(1),
          bias: bias ? Float64Array.from(bias.data) : new Float64Array(filters),
          hasBias: useBias,
          attrs,
        };
        const v: Val = { name: '', shape: [x.shape[0], outHW[0], outHW[1], filters], pending: p };
        if (!this.fold) this.materialise(v);
        return [this.activation(layer, c.activation, v)];
      }
      case 'Dense': {
        const x = one();
        if (x.shape.length !== 2) throw unsupportedShape(layer.name, cls, `Dense on a rank-${x.shape.length} input is not supported (flatten or pool first)`);
        const nin = x.shape[1];
        if (nin == null) throw unsupportedShape(layer.name, cls, 'unknown input width');
        const units = Number(c.units);
        const w = this.weightsOf(layer, group);
        const kernel = this.need(layer, w, 'kernel', [nin, units]);
        const useBias = c.use_bias !== false;
        const bias = useBias ? this.need(layer, w, 'bias', [units]) : null;
        const v: Val = {
          name: '',
          shape: [x.shape[0], units],
          pending: {
            kind: 'dense',
            layer: layer.name,
            input: this.materialise(x),
            kernel,
            out: units,
            mult: new Float64Array(units).fill(1),
            bias: bias ? Float64Array.from(bias.data) : new Float64Array(units),
            hasBias: useBias,
            attrs: {},
          },
        };
        if (!this.fold) this.materialise(v);
        return [this.activation(layer, c.activation, v)];
      }
      case 'BatchNormalization': {
        const x = one();
        const r = x.shape.length;
        const axes: number[] = Array.isArray(c.axis) ? c.axis : [c.axis ?? -1];
        if (axes.length !== 1) throw unsupportedLayer(layer.name, cls, `normalisation over several axes [${axes}] is not supported`);
        const axis = axes[0] < 0 ? axes[0] + r : axes[0];
        if (axis !== r - 1) throw unsupportedLayer(layer.name, cls, `axis ${c.axis} is not the channel (last) axis`);
        const C = x.shape[r - 1];
        if (C == null) throw unsupportedShape(layer.name, cls, 'unknown channel count');
        const w = this.weightsOf(layer, group);
        const gamma = c.scale !== false ? this.need(layer, w, 'gamma', [C]).data : null;
        const beta = c.center !== false ? this.need(layer, w, 'beta', [C]).data : null;
        const mean = this.need(layer, w, 'moving_mean', [C]).data;
        const variance = this.need(layer, w, 'moving_variance', [C]).data;
        const eps = Number(c.epsilon ?? 1e-3);
        const a = new Float64Array(C);
        const bb = new Float64Array(C);
        for (let i = 0; i < C; i++) {
          a[i] = (gamma ? gamma[i] : 1) / Math.sqrt(variance[i] + eps);
          bb[i] = (beta ? beta[i] : 0) - mean[i] * a[i];
        }
        if (this.fold && x.pending && singleUse[0]) {
          const p = x.pending;
          for (let i = 0; i < C; i++) {
            p.mult[i] *= a[i];
            p.bias[i] = p.bias[i] * a[i] + bb[i];
          }
          p.hasBias = true;
          this.foldedBN++;
          return [{ name: '', shape: x.shape, pending: p }];
        }
        const cs = r === 4 ? [C, 1, 1] : [C];
        const m = this.b.node('Mul', [this.materialise(x), this.b.constF(`${layer.name}/scale`, cs, Float32Array.from(a))], layer.name + '/mul');
        return [{ name: this.b.node('Add', [m, this.b.constF(`${layer.name}/shift`, cs, Float32Array.from(bb))], layer.name), shape: x.shape }];
      }
      case 'Activation':
        return [this.activation(layer, c.activation, one())];
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        const x = one();
        rank4(x);
        channelsLast();
        const ks = pair(c.pool_size ?? 2, layer);
        const strides = pair(c.strides ?? ks, layer);
        const { pads, outHW, autoPad } = spatial(layer, x.shape, ks, strides, [1, 1], c.padding ?? 'valid');
        if (autoPad) throw unsupportedShape(layer.name, cls, "'same' padding needs known spatial input dimensions");
        const attrs: Record<string, number[] | number> = { kernel_shape: ks, strides, pads };
        if (cls === 'AveragePooling2D') attrs.count_include_pad = 0;
        const name = this.b.node(cls === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool', [this.materialise(x)], layer.name, attrs as Record<string, number[]>);
        return [{ name, shape: [x.shape[0], outHW[0], outHW[1], x.shape[3]] }];
      }
      case 'GlobalAveragePooling2D': {
        const x = one();
        rank4(x);
        channelsLast();
        const g = this.b.node('GlobalAveragePool', [this.materialise(x)], layer.name + '/gap');
        if (c.keepdims) return [{ name: g, shape: [x.shape[0], 1, 1, x.shape[3]] }];
        return [{ name: this.b.node('Flatten', [g], layer.name, { axis: 1 }), shape: [x.shape[0], x.shape[3]] }];
      }
      case 'Flatten': {
        const x = one();
        if (c.data_format && c.data_format !== 'channels_last') throw unsupportedLayer(layer.name, cls, `data_format '${c.data_format}' is not supported`);
        if (x.shape.length === 2) return [x];
        let src = this.materialise(x);
        // Keras flattens in NHWC order.
        if (x.shape.length === 4) src = this.b.node('Transpose', [src], layer.name + '/nhwc', { perm: [0, 2, 3, 1] });
        const rest = x.shape.slice(1);
        const n = rest.every((d) => d != null) ? shapeSize(rest as number[]) : null;
        return [{ name: this.b.node('Flatten', [src], layer.name, { axis: 1 }), shape: [x.shape[0], n] }];
      }
      case 'Dropout':
        return [one()];
      case 'Concatenate': {
        if (ins.length < 2) throw unsupportedShape(layer.name, cls, 'needs at least two inputs');
        const r = ins[0].shape.length;
        let axis = Number(c.axis ?? -1);
        if (axis < 0) axis += r;
        if (axis <= 0 || axis >= r) throw unsupportedLayer(layer.name, cls, `axis ${c.axis} is not supported`);
        for (const v of ins) {
          if (v.shape.length !== r || v.shape.some((d, i) => i !== axis && i !== 0 && d != null && ins[0].shape[i] != null && d !== ins[0].shape[i])) {
            throw unsupportedShape(layer.name, cls, `input shapes [${ins.map((v) => v.shape.join(',')).join('] [')}] differ outside axis ${axis}`);
          }
        }
        const onnxAxis = r === 4 ? [0, 2, 3, 1][axis] : axis;
        const sum = ins.reduce<number | null>((s, v) => (s == null || v.shape[axis] == null ? null : s + (v.shape[axis] as number)), 0);
        const shape = [...ins[0].shape];
        shape[axis] = sum;
        return [{ name: this.b.node('Concat', ins.map((v) => this.materialise(v)), layer.name, { axis: onnxAxis }), shape }];
      }
      case 'Add': {
        if (ins.length < 2) throw unsupportedShape(layer.name, cls, 'needs at least two inputs');
        this.sameShapes(layer, ins);
        const names = ins.map((v) => this.materialise(v));
        const name = names.length === 2 ? this.b.node('Add', names, layer.name) : this.b.node('Sum', names, layer.name);
        return [{ name, shape: ins[0].shape }];
      }
      case 'Lambda':
        return [this.scaleSum(layer, ins, singleUse)];
      default:
        throw unsupportedLayer(layer.name, cls, `layer type '${cls}' is not supported (supported: ${SUPPORTED_LAYERS.join(', ')})`);
    }
  }

  private sameShapes(layer: KLayer, ins: Val[]): void {
    const s0 = ins[0].shape;
    for (const v of ins) {
      if (v.shape.length !== s0.length || v.shape.some((d, i) => i > 0 && d != null && s0[i] != null && d !== s0[i])) {
        throw unsupportedShape(layer.name, layer.className, `input shapes [${ins.map((v) => v.shape.join(',')).join('] [')}] differ (broadcasting is not supported)`);
      }
    }
  }

  /** Lambda `*_ScaleSum`: out = inputs[0] + inputs[1] · scale. The function itself is never executed. */
  private scaleSum(layer: KLayer, ins: Val[], singleUse: boolean[]): Val {
    const c = layer.config;
    const scale = c.arguments?.scale;
    if (!/(^|_)ScaleSum$/.test(layer.name)) {
      throw unsupportedLayer(layer.name, 'Lambda', 'Lambda layers run arbitrary Python code; only the Inception-ResNet residual `*_ScaleSum` Lambda (inputs[0] + inputs[1]·scale) is recognised, by name');
    }
    if (typeof scale !== 'number' || !Number.isFinite(scale)) {
      throw unsupportedLayer(layer.name, 'Lambda', `a ScaleSum Lambda needs a numeric arguments.scale, found ${JSON.stringify(c.arguments)}`);
    }
    if (ins.length !== 2) throw unsupportedShape(layer.name, 'Lambda', `ScaleSum needs two inputs, got ${ins.length}`);
    this.sameShapes(layer, ins);
    const [a, bv] = ins;
    let bName: string;
    if (this.fold && bv.pending && singleUse[1] && bv !== a) {
      const p = bv.pending;
      for (let i = 0; i < p.out; i++) {
        p.mult[i] *= scale;
        p.bias[i] *= scale;
      }
      this.foldedSS++;
      bName = this.materialise(bv);
    } else if (scale === 1) {
      bName = this.materialise(bv);
    } else {
      bName = this.b.node('Mul', [this.materialise(bv), this.b.constF(`${layer.name}/scale`, [], [scale])], layer.name + '/mul');
    }
    return { name: this.b.node('Add', [this.materialise(a), bName], layer.name), shape: a.shape };
  }
}

function inputShapeOf(layer: KLayer, model: KModel): Dim[] {
  const c = layer.config;
  const s = c.batch_input_shape ?? c.batch_shape ?? (c.input_shape ? [null, ...c.input_shape] : null);
  if (!Array.isArray(s)) {
    throw new KerasImportError('bad-config', `model '${model.name}': input layer '${layer.name}' has no shape`, 'save the model with a fixed input shape (e.g. Input(shape=(160, 160, 3)))');
  }
  return s.map((d: unknown) => (typeof d === 'number' ? d : null));
}

function pair(v: unknown, layer: KLayer): [number, number] {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) return [v[0], v[1]];
  throw unsupportedLayer(layer.name, layer.className, `cannot read size/stride ${JSON.stringify(v)}`);
}

/**
 * Output size and ONNX pads [top, left, bottom, right] for TensorFlow 'valid'/'same' padding.
 * TF 'same' puts the extra row/column of an odd total padding at the bottom/right.
 */
function spatial(layer: KLayer, shape: Dim[], k: number[], s: number[], d: number[], padding: string) {
  const pads = [0, 0, 0, 0];
  const outHW: Dim[] = [null, null];
  if (padding !== 'valid' && padding !== 'same') throw unsupportedLayer(layer.name, layer.className, `padding '${padding}' is not supported`);
  let autoPad = false;
  for (let i = 0; i < 2; i++) {
    const n = shape[1 + i];
    const dk = (k[i] - 1) * d[i] + 1;
    if (n == null) {
      if (padding === 'same') autoPad = true;
      continue;
    }
    if (padding === 'valid') {
      const o = Math.floor((n - dk) / s[i]) + 1;
      if (o < 1) throw unsupportedShape(layer.name, layer.className, `input ${n} is smaller than the window ${dk}`);
      outHW[i] = o;
    } else {
      const o = Math.ceil(n / s[i]);
      const total = Math.max((o - 1) * s[i] + dk - n, 0);
      pads[i] = Math.floor(total / 2);
      pads[i + 2] = total - pads[i];
      outHW[i] = o;
    }
  }
  return { pads, outHW, autoPad };
}
