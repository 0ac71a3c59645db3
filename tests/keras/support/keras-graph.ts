/**
 * Test support (not product code): build Keras model configs with random weights and write them
 * as Keras-format .h5 files (the layout Keras 2.x `model.save()` writes), using h5wasm.
 *
 * The JSON written mirrors what Keras emits: layer dicts with class_name/config/inbound_nodes,
 * Lambda layers with a marshalled-bytecode placeholder in `function`.
 */
import h5wasm from 'h5wasm/node';

export interface T {
  layer: string;
  node: number;
  tensor: number;
  shape: (number | null)[];
}

export interface W {
  name: string;
  shape: number[];
  data: Float32Array;
  trainable: boolean;
}

export type InboundForm = 'keras2' | 'keras3';

/** Seeded PRNG (mulberry32) with normal samples. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  uniform(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  normal(): number {
    const u = Math.max(this.uniform(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.uniform());
  }
  fill(n: number, f: () => number): Float32Array {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = f();
    return a;
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const LAMBDA_BYTECODE =
  '4wIAAAAAAAAAAgAAAAQAAABTAAAAcxQAAAB8AGQBGQB8AGQCGQB8ARQAFwBTACkDTukAAAAA6QEAAACpACkC2gZpbnB1dHPaBXNjYWxlcgMAAAByAwAAAPoJPHN0cmluZz5aCDxsYW1iZGE+AQAAAPMAAAAA';

export class KerasGraph {
  readonly layers: Json[] = [];
  readonly weights = new Map<string, W[]>();
  private names = new Set<string>();
  constructor(
    private rng: Rng,
    private form: InboundForm = 'keras2',
  ) {}

  private inbound(xs: T[]): Json {
    if (this.form === 'keras2') return [xs.map((x) => [x.layer, x.node, x.tensor, {}])];
    const kt = (x: T) => ({ class_name: '__keras_tensor__', config: { shape: x.shape, dtype: 'float32', keras_history: [x.layer, x.node, x.tensor] } });
    return [{ args: xs.length === 1 ? [kt(xs[0])] : [xs.map(kt)], kwargs: {} }];
  }

  private add(className: string, config: Json, xs: T[], shape: (number | null)[], weights: W[] = []): T {
    if (this.names.has(config.name)) throw new Error(`duplicate layer ${config.name}`);
    this.names.add(config.name);
    this.layers.push({ name: config.name, class_name: className, config: { trainable: true, ...config }, inbound_nodes: xs.length ? this.inbound(xs) : [] });
    if (weights.length) this.weights.set(config.name, weights);
    return { layer: config.name, node: 0, tensor: 0, shape };
  }

  input(name: string, shape: (number | null)[]): T {
    return this.add('InputLayer', { name, batch_input_shape: [null, ...shape], dtype: 'float32', sparse: false }, [], [null, ...shape]);
  }

  conv(x: T, o: { name: string; filters: number; kernel: number | [number, number]; strides?: number; padding?: 'same' | 'valid'; useBias?: boolean; activation?: string; dilation?: number; gain?: number }): T {
    const [kh, kw] = typeof o.kernel === 'number' ? [o.kernel, o.kernel] : o.kernel;
    const s = o.strides ?? 1;
    const d = o.dilation ?? 1;
    const pad = o.padding ?? 'same';
    const cin = x.shape[3] as number;
    const out = (n: number, k: number) => (pad === 'same' ? Math.ceil(n / s) : Math.floor((n - ((k - 1) * d + 1)) / s) + 1);
    const shape = [null, out(x.shape[1] as number, kh), out(x.shape[2] as number, kw), o.filters];
    const std = (o.gain ?? 1) * Math.sqrt(2 / (kh * kw * cin));
    const w: W[] = [{ name: `${o.name}/kernel:0`, shape: [kh, kw, cin, o.filters], data: this.rng.fill(kh * kw * cin * o.filters, () => this.rng.normal() * std), trainable: true }];
    const useBias = o.useBias ?? false;
    if (useBias) w.push({ name: `${o.name}/bias:0`, shape: [o.filters], data: this.rng.fill(o.filters, () => this.rng.normal() * 0.1), trainable: true });
    return this.add(
      'Conv2D',
      {
        name: o.name,
        filters: o.filters,
        kernel_size: [kh, kw],
        strides: [s, s],
        padding: pad,
        data_format: 'channels_last',
        dilation_rate: [d, d],
        activation: o.activation ?? 'linear',
        use_bias: useBias,
      },
      [x],
      shape,
      w,
    );
  }

  bn(x: T, o: { name: string; scale?: boolean; center?: boolean; epsilon?: number; axis?: number }): T {
    const C = x.shape[x.shape.length - 1] as number;
    const scale = o.scale ?? false;
    const center = o.center ?? true;
    const w: W[] = [];
    if (scale) w.push({ name: `${o.name}/gamma:0`, shape: [C], data: this.rng.fill(C, () => 0.8 + 0.4 * this.rng.uniform()), trainable: true });
    if (center) w.push({ name: `${o.name}/beta:0`, shape: [C], data: this.rng.fill(C, () => this.rng.normal() * 0.1), trainable: true });
    w.push({ name: `${o.name}/moving_mean:0`, shape: [C], data: this.rng.fill(C, () => this.rng.normal() * 0.2), trainable: false });
    w.push({ name: `${o.name}/moving_variance:0`, shape: [C], data: this.rng.fill(C, () => 0.5 + this.rng.uniform()), trainable: false });
    return this.add(
      'BatchNormalization',
      { name: o.name, axis: o.axis ?? x.shape.length - 1, momentum: 0.995, epsilon: o.epsilon ?? 0.001, center, scale },
      [x],
      x.shape,
      w,
    );
  }

  act(x: T, name: string, activation: string): T {
    return this.add('Activation', { name, activation }, [x], x.shape);
  }

  pool(kind: 'MaxPooling2D' | 'AveragePooling2D', x: T, o: { name: string; pool: number; strides?: number; padding?: 'same' | 'valid' }): T {
    const s = o.strides ?? o.pool;
    const pad = o.padding ?? 'valid';
    const out = (n: number) => (pad === 'same' ? Math.ceil(n / s) : Math.floor((n - o.pool) / s) + 1);
    return this.add(
      kind,
      { name: o.name, pool_size: [o.pool, o.pool], strides: [s, s], padding: pad, data_format: 'channels_last' },
      [x],
      [null, out(x.shape[1] as number), out(x.shape[2] as number), x.shape[3]],
    );
  }

  concat(xs: T[], name: string, axis = -1): T {
    const r = xs[0].shape.length;
    const a = axis < 0 ? axis + r : axis;
    const shape = [...xs[0].shape];
    shape[a] = xs.reduce((s, x) => s + (x.shape[a] as number), 0);
    return this.add('Concatenate', { name, axis }, xs, shape);
  }

  addLayer(xs: T[], name: string): T {
    return this.add('Add', { name }, xs, xs[0].shape);
  }

  scaleSum(x: T, up: T, name: string, scale: number): T {
    return this.add(
      'Lambda',
      {
        name,
        function: [LAMBDA_BYTECODE, null, null],
        function_type: 'lambda',
        module: '__main__',
        output_shape: x.shape.slice(1),
        output_shape_type: 'raw',
        output_shape_module: null,
        arguments: { scale },
      },
      [x, up],
      x.shape,
    );
  }

  /** A Lambda with some other function (must be refused). */
  otherLambda(x: T, name: string): T {
    return this.add('Lambda', { name, function: [LAMBDA_BYTECODE, null, null], function_type: 'lambda', arguments: {} }, [x], x.shape);
  }

  dense(x: T, o: { name: string; units: number; useBias?: boolean; activation?: string; biasMean?: number; gain?: number }): T {
    const nin = x.shape[1] as number;
    const std = (o.gain ?? 1) * Math.sqrt(2 / nin);
    const w: W[] = [{ name: `${o.name}/kernel:0`, shape: [nin, o.units], data: this.rng.fill(nin * o.units, () => this.rng.normal() * std), trainable: true }];
    const useBias = o.useBias ?? true;
    if (useBias) w.push({ name: `${o.name}/bias:0`, shape: [o.units], data: this.rng.fill(o.units, () => (o.biasMean ?? 0) + this.rng.normal() * 0.1), trainable: true });
    return this.add('Dense', { name: o.name, units: o.units, activation: o.activation ?? 'linear', use_bias: useBias }, [x], [null, o.units], w);
  }

  gap(x: T, name: string): T {
    return this.add('GlobalAveragePooling2D', { name, data_format: 'channels_last' }, [x], [null, x.shape[3]]);
  }

  flatten(x: T, name: string): T {
    return this.add('Flatten', { name, data_format: 'channels_last' }, [x], [null, x.shape.slice(1).reduce((a, b) => (a as number) * (b as number), 1)]);
  }

  dropout(x: T, name: string, rate: number): T {
    return this.add('Dropout', { name, rate, noise_shape: null, seed: null }, [x], x.shape);
  }

  /** Use a nested model (its config) as a layer. */
  nested(x: T, name: string, model: { class_name: string; config: Json }, weights: Map<string, W[]>, outShape: (number | null)[]): T {
    if (this.names.has(name)) throw new Error(`duplicate layer ${name}`);
    this.names.add(name);
    this.layers.push({ name, class_name: model.class_name, config: model.config, inbound_nodes: this.inbound([x]) });
    // Keras stores a nested model's weights in one group: trainable weights first, then the rest.
    const all = [...weights.values()].flat();
    this.weights.set(name, [...all.filter((w) => w.trainable), ...all.filter((w) => !w.trainable)]);
    return { layer: name, node: 0, tensor: 0, shape: outShape };
  }

  functional(name: string, inputs: T[], outputs: T[], className: 'Model' | 'Functional' = 'Model'): { class_name: string; config: Json } {
    return {
      class_name: className,
      config: {
        name,
        layers: this.layers,
        input_layers: inputs.map((t) => [t.layer, t.node, t.tensor]),
        output_layers: outputs.map((t) => [t.layer, t.node, t.tensor]),
      },
    };
  }

  /** Sequential config (layers chained in order; inbound_nodes dropped as Keras does). */
  sequential(name: string, form: 'list' | 'dict'): { class_name: string; config: Json } {
    const layers = this.layers.map(({ class_name, config }) => ({ class_name, config }));
    return { class_name: 'Sequential', config: form === 'list' ? layers : { name, layers } };
  }
}

export interface KerasFile {
  modelConfig: { class_name: string; config: Json };
  /** Top-level layer names in order. */
  layerNames: string[];
  weights: Map<string, W[]>;
  kerasVersion?: string | null;
  backend?: string | null;
  /** Write only the weights (as `save_weights` does). */
  weightsOnly?: boolean;
  /** String attributes as fixed-length byte strings (what h5py writes for Keras 2.x) or variable-length. */
  strings?: 'fixed' | 'vlen';
}

/** Write a Keras-format .h5 (as Keras 2.x `model.save()` lays it out). */
export async function writeKerasH5(path: string, m: KerasFile): Promise<void> {
  await h5wasm.ready;
  const fixed = (m.strings ?? 'fixed') === 'fixed';
  const byteLen = (x: string) => Math.max(1, Buffer.byteLength(x, 'utf8'));
  type Attrs = { create_attribute(name: string, data: unknown, shape?: number[] | null, dtype?: string | null): void };
  const str = (o: Attrs, name: string, v: string) => (fixed ? o.create_attribute(name, v, null, `S${byteLen(v)}`) : o.create_attribute(name, v));
  const strs = (o: Attrs, name: string, v: string[]) =>
    fixed ? o.create_attribute(name, v, [v.length], `S${Math.max(...v.map(byteLen))}`) : o.create_attribute(name, v);
  const f = new h5wasm.File(path, 'w');
  try {
    const ver = m.kerasVersion === undefined ? '2.2.4' : m.kerasVersion;
    const backend = m.backend === undefined ? 'tensorflow' : m.backend;
    let wg;
    if (m.weightsOnly) {
      wg = f;
    } else {
      if (ver != null) str(f, 'keras_version', ver);
      if (backend != null) str(f, 'backend', backend);
      str(f, 'model_config', JSON.stringify(m.modelConfig));
      str(f, 'training_config', JSON.stringify({ loss: 'mean_absolute_error', metrics: ['mae'] }));
      wg = f.create_group('model_weights');
    }
    if (m.weightsOnly) {
      if (ver != null) str(f, 'keras_version', ver);
      if (backend != null) str(f, 'backend', backend);
    }
    strs(wg, 'layer_names', m.layerNames);
    for (const ln of m.layerNames) {
      const g = wg.create_group(ln);
      const ws = m.weights.get(ln) ?? [];
      if (ws.length) strs(g, 'weight_names', ws.map((w) => w.name));
      else g.create_attribute('weight_names', [], [0], 'S1' as never);
      for (const w of ws) {
        const parts = w.name.split('/');
        let cur = g;
        for (const p of parts.slice(0, -1)) cur = (cur.keys().includes(p) ? cur.get(p) : cur.create_group(p)) as typeof g;
        cur.create_dataset({ name: parts.at(-1)!, data: w.data, shape: w.shape, dtype: '<f' });
      }
    }
  } finally {
    f.close();
  }
}
