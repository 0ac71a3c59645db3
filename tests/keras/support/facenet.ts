/**
 * Test support (not product code): the Inception-ResNet v1 architecture as published in the
 * keras-facenet layout (TF-slim names: stem, 5×Block35 scale 0.17, Mixed_6a, 10×Block17 scale
 * 0.1, Mixed_7a, 5×Block8 scale 0.2 + Block8_6 scale 1 without activation, AvgPool, Dropout,
 * Bottleneck Dense without bias + BatchNorm), wrapped like FaceAge in a Sequential with
 * Dense(relu) → BatchNormalization(scale=False) → Dense(1). Random weights, BN statistics
 * included. Written with our own code from the published layer layout.
 */
import { KerasGraph, Rng, writeKerasH5, type InboundForm, type KerasFile, type T } from './keras-graph.ts';

interface Opts {
  seed?: number;
  /** Bottleneck size: 128 (FaceAge) or 512. */
  embedding?: number;
  /** Input side (160 as published; smaller keeps variant tests fast). */
  size?: number;
  /** Keras flavour: standalone 2.2.4 ('Model') or tf.keras 2.4+ ('Functional'). */
  flavour?: 'keras-2.2.4' | 'tf.keras-2.4';
  inbound?: InboundForm;
  /** Sequential config as a list (Keras ≤ 2.1) or {name, layers}. */
  sequentialForm?: 'list' | 'dict';
  /** Channel multiplier (1 = published widths); <1 for fast structural checks. */
  width?: number;
  /** Blocks per stage (default 5, 10, 5 as published). */
  repeats?: [number, number, number];
}

export function buildFaceAgeModel(o: Opts = {}): KerasFile {
  const rng = new Rng(o.seed ?? 1);
  const size = o.size ?? 160;
  const wm = o.width ?? 1;
  const ch = (n: number) => Math.max(4, Math.round(n * wm));
  const [r35, r17, r8] = o.repeats ?? [5, 10, 5];
  const g = new KerasGraph(rng, o.inbound ?? 'keras2');

  const convBn = (x: T, filters: number, kernel: number | [number, number], name: string, opts: { strides?: number; padding?: 'same' | 'valid'; activation?: string | null; useBias?: boolean; gain?: number } = {}) => {
    const useBias = opts.useBias ?? false;
    let y = g.conv(x, { name, filters, kernel, strides: opts.strides ?? 1, padding: opts.padding ?? 'same', useBias, gain: opts.gain });
    if (!useBias) y = g.bn(y, { name: `${name}_BatchNorm`, scale: false });
    const act = opts.activation === undefined ? 'relu' : opts.activation;
    if (act) y = g.act(y, `${name}_Activation`, act);
    return y;
  };

  const block = (x: T, type: 'Block35' | 'Block17' | 'Block8', idx: number, scale: number, activation: boolean) => {
    const p = `${type}_${idx}`;
    const br = (b: number, n: string) => `${p}_Branch_${b}_${n}`;
    let branches: T[];
    if (type === 'Block35') {
      const b0 = convBn(x, ch(32), 1, br(0, 'Conv2d_1x1'));
      let b1 = convBn(x, ch(32), 1, br(1, 'Conv2d_0a_1x1'));
      b1 = convBn(b1, ch(32), 3, br(1, 'Conv2d_0b_3x3'));
      let b2 = convBn(x, ch(32), 1, br(2, 'Conv2d_0a_1x1'));
      b2 = convBn(b2, ch(32), 3, br(2, 'Conv2d_0b_3x3'));
      b2 = convBn(b2, ch(32), 3, br(2, 'Conv2d_0c_3x3'));
      branches = [b0, b1, b2];
    } else if (type === 'Block17') {
      const b0 = convBn(x, ch(128), 1, br(0, 'Conv2d_1x1'));
      let b1 = convBn(x, ch(128), 1, br(1, 'Conv2d_0a_1x1'));
      b1 = convBn(b1, ch(128), [1, 7], br(1, 'Conv2d_0b_1x7'));
      b1 = convBn(b1, ch(128), [7, 1], br(1, 'Conv2d_0c_7x1'));
      branches = [b0, b1];
    } else {
      const b0 = convBn(x, ch(192), 1, br(0, 'Conv2d_1x1'));
      let b1 = convBn(x, ch(192), 1, br(1, 'Conv2d_0a_1x1'));
      b1 = convBn(b1, ch(192), [1, 3], br(1, 'Conv2d_0b_1x3'));
      b1 = convBn(b1, ch(192), [3, 1], br(1, 'Conv2d_0c_3x1'));
      branches = [b0, b1];
    }
    const mixed = g.concat(branches, `${p}_Concatenate`, 3);
    const up = convBn(mixed, x.shape[3] as number, 1, `${p}_Conv2d_1x1`, { activation: null, useBias: true, gain: 0.5 });
    let y = g.scaleSum(x, up, `${p}_ScaleSum`, scale);
    if (activation) y = g.act(y, `${p}_Activation`, 'relu');
    return y;
  };

  const inp = g.input('input_1', [size, size, 3]);
  let x = convBn(inp, ch(32), 3, 'Conv2d_1a_3x3', { strides: 2, padding: 'valid' });
  x = convBn(x, ch(32), 3, 'Conv2d_2a_3x3', { padding: 'valid' });
  x = convBn(x, ch(64), 3, 'Conv2d_2b_3x3');
  x = g.pool('MaxPooling2D', x, { name: 'MaxPool_3a_3x3', pool: 3, strides: 2 });
  x = convBn(x, ch(80), 1, 'Conv2d_3b_1x1', { padding: 'valid' });
  x = convBn(x, ch(192), 3, 'Conv2d_4a_3x3', { padding: 'valid' });
  x = convBn(x, ch(256), 3, 'Conv2d_4b_3x3', { strides: 2, padding: 'valid' });
  for (let i = 1; i <= r35; i++) x = block(x, 'Block35', i, 0.17, true);

  {
    const b0 = convBn(x, ch(384), 3, 'Mixed_6a_Branch_0_Conv2d_1a_3x3', { strides: 2, padding: 'valid' });
    let b1 = convBn(x, ch(192), 1, 'Mixed_6a_Branch_1_Conv2d_0a_1x1');
    b1 = convBn(b1, ch(192), 3, 'Mixed_6a_Branch_1_Conv2d_0b_3x3');
    b1 = convBn(b1, ch(256), 3, 'Mixed_6a_Branch_1_Conv2d_1a_3x3', { strides: 2, padding: 'valid' });
    const bp = g.pool('MaxPooling2D', x, { name: 'Mixed_6a_Branch_2_MaxPool_1a_3x3', pool: 3, strides: 2, padding: 'valid' });
    x = g.concat([b0, b1, bp], 'Mixed_6a', 3);
  }
  for (let i = 1; i <= r17; i++) x = block(x, 'Block17', i, 0.1, true);
  {
    let b0 = convBn(x, ch(256), 1, 'Mixed_7a_Branch_0_Conv2d_0a_1x1');
    b0 = convBn(b0, ch(384), 3, 'Mixed_7a_Branch_0_Conv2d_1a_3x3', { strides: 2, padding: 'valid' });
    let b1 = convBn(x, ch(256), 1, 'Mixed_7a_Branch_1_Conv2d_0a_1x1');
    b1 = convBn(b1, ch(256), 3, 'Mixed_7a_Branch_1_Conv2d_1a_3x3', { strides: 2, padding: 'valid' });
    let b2 = convBn(x, ch(256), 1, 'Mixed_7a_Branch_2_Conv2d_0a_1x1');
    b2 = convBn(b2, ch(256), 3, 'Mixed_7a_Branch_2_Conv2d_0b_3x3');
    b2 = convBn(b2, ch(256), 3, 'Mixed_7a_Branch_2_Conv2d_1a_3x3', { strides: 2, padding: 'valid' });
    const bp = g.pool('MaxPooling2D', x, { name: 'Mixed_7a_Branch_3_MaxPool_1a_3x3', pool: 3, strides: 2, padding: 'valid' });
    x = g.concat([b0, b1, b2, bp], 'Mixed_7a', 3);
  }
  for (let i = 1; i <= r8; i++) x = block(x, 'Block8', i, 0.2, true);
  x = block(x, 'Block8', r8 + 1, 1, false);
  x = g.gap(x, 'AvgPool');
  x = g.dropout(x, 'Dropout', 0.2);
  const emb = o.embedding ?? 128;
  x = g.dense(x, { name: 'Bottleneck', units: emb, useBias: false, gain: 0.5 });
  x = g.bn(x, { name: 'Bottleneck_BatchNorm', scale: false });

  const className = o.flavour === 'tf.keras-2.4' ? 'Functional' : 'Model';
  const inner = g.functional('inception_resnet_v1', [inp], [x], className);

  // The FaceAge head, as a Sequential around the Inception-ResNet model.
  const outer = new KerasGraph(rng);
  const sin = outer.input('seq_input_placeholder', [size, size, 3]);
  outer.layers.length = 0; // the Sequential gets its input from the nested model's InputLayer
  let h = outer.nested(sin, 'inception_resnet_v1', inner, g.weights, [null, emb]);
  h = outer.dense(h, { name: 'dense_1', units: emb, activation: 'relu' });
  h = outer.bn(h, { name: 'dense_1_BatchNorm', scale: false });
  outer.dense(h, { name: 'dense_2', units: 1, activation: 'linear', biasMean: 60, gain: 3 });
  const modelConfig = outer.sequential('sequential_1', o.sequentialForm ?? 'dict');
  return {
    modelConfig,
    layerNames: ['inception_resnet_v1', 'dense_1', 'dense_1_BatchNorm', 'dense_2'],
    weights: outer.weights,
    kerasVersion: o.flavour === 'tf.keras-2.4' ? '2.4.0' : '2.2.4',
    backend: 'tensorflow',
    strings: o.flavour === 'tf.keras-2.4' ? 'vlen' : 'fixed',
  };
}

export async function writeFaceAgeH5(path: string, o: Opts = {}): Promise<KerasFile> {
  const m = buildFaceAgeModel(o);
  await writeKerasH5(path, m);
  return m;
}
