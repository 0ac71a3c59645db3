/**
 * Test support: a small Keras model that uses every layer type the converter supports, with
 * shapes chosen to hit TensorFlow's asymmetric 'same' padding (even sizes, stride 2), NHWC
 * flatten order, average pooling at borders, BN with/without center/scale, a nested Sequential.
 */
import { KerasGraph, Rng, type InboundForm, type KerasFile } from './keras-graph.ts';

export function buildSmallModel(o: { seed?: number; className?: 'Model' | 'Functional'; inbound?: InboundForm; kerasVersion?: string; nestedForm?: 'list' | 'dict' } = {}): KerasFile {
  const rng = new Rng(o.seed ?? 3);
  const g = new KerasGraph(rng, o.inbound ?? 'keras2');
  const inp = g.input('img', [17, 16, 3]);
  const c1 = g.conv(inp, { name: 'c1', filters: 8, kernel: 3, strides: 2, padding: 'same', useBias: true, activation: 'relu' }); // 9×8
  let c2 = g.conv(c1, { name: 'c2', filters: 8, kernel: [1, 3], padding: 'same' });
  c2 = g.bn(c2, { name: 'c2_bn', scale: true, center: true });
  c2 = g.act(c2, 'c2_relu', 'relu');
  let c3 = g.conv(c1, { name: 'c3', filters: 8, kernel: 3, padding: 'same', dilation: 2 });
  c3 = g.bn(c3, { name: 'c3_bn', scale: false, center: true, epsilon: 1e-5 });
  c3 = g.act(c3, 'c3_softmax', 'softmax');
  const c4 = g.conv(c1, { name: 'c4', filters: 8, kernel: 2, strides: 2, padding: 'same', useBias: true, activation: 'tanh' }); // even kernel, 5×4
  const cat = g.concat([c2, c3], 'cat', -1);
  let up = g.conv(cat, { name: 'blk_up', filters: 8, kernel: 1, useBias: true, gain: 0.5 });
  up = g.bn(up, { name: 'blk_up_bn', scale: true, center: false });
  const ss = g.scaleSum(c1, up, 'blk_ScaleSum', 0.3);
  const added = g.addLayer([ss, c1], 'add');
  const mp = g.pool('MaxPooling2D', added, { name: 'mp', pool: 3, strides: 2, padding: 'same' }); // 5×4
  const ap = g.pool('AveragePooling2D', added, { name: 'ap', pool: 3, strides: 2, padding: 'same' }); // 5×4
  const ap2 = g.pool('AveragePooling2D', added, { name: 'ap2', pool: 2, padding: 'valid' }); // 4×4
  const cat2 = g.concat([mp, ap, c4], 'cat2', 3);
  const flat = g.flatten(cat2, 'flat'); // 5·4·24 = 480, NHWC order
  const gap = g.gap(ap2, 'gap');
  const d0 = g.dropout(flat, 'drop', 0.5);
  const d1 = g.dense(d0, { name: 'd1', units: 16, activation: 'sigmoid' });
  const cat3 = g.concat([d1, gap], 'cat3', -1);
  let h = g.bn(cat3, { name: 'bn2', scale: true, center: true });
  h = g.act(h, 'act_softplus', 'softplus');

  // A nested Sequential (list or dict config) used as a layer.
  const inner = new KerasGraph(rng);
  const ii = inner.input('inner_placeholder', [24]);
  inner.layers.length = 0;
  const n1 = inner.dense(ii, { name: 'ns_dense', units: 8, activation: 'relu' });
  inner.bn(n1, { name: 'ns_bn', scale: true });
  const seq = inner.sequential('ns', o.nestedForm ?? 'dict');
  const first = (Array.isArray(seq.config) ? seq.config : seq.config.layers)[0];
  first.config.batch_input_shape = [null, 24];
  h = g.nested(h, 'ns', seq, inner.weights, [null, 8]);
  const out = g.dense(h, { name: 'out', units: 1, biasMean: 40, gain: 3 });
  const modelConfig = g.functional('small_all_layers', [inp], [out], o.className ?? 'Model');
  return {
    modelConfig,
    layerNames: g.layers.map((l) => l.name ?? l.config.name),
    weights: g.weights,
    kerasVersion: o.kerasVersion ?? '2.2.4',
    backend: 'tensorflow',
    strings: o.className === 'Functional' ? 'vlen' : 'fixed',
  };
}

/** A plain Sequential (Keras 2.1 list config or 2.2 dict config) with an explicit or implicit input. */
export function buildSmallSequential(o: { seed?: number; form?: 'list' | 'dict'; explicitInput?: boolean } = {}): KerasFile {
  const g = new KerasGraph(new Rng(o.seed ?? 5));
  let x = g.input('seq_in', [12, 10, 3]);
  if (!o.explicitInput) g.layers.length = 0;
  x = g.conv(x, { name: 'conv', filters: 6, kernel: 3, strides: 2, padding: 'same' });
  if (!o.explicitInput) g.layers[0].config.batch_input_shape = [null, 12, 10, 3];
  x = g.bn(x, { name: 'bn', scale: true });
  x = g.act(x, 'relu', 'relu');
  x = g.pool('MaxPooling2D', x, { name: 'pool', pool: 2 });
  x = g.flatten(x, 'flatten');
  x = g.dense(x, { name: 'dense', units: 1, biasMean: 30, gain: 3 });
  return {
    modelConfig: g.sequential('seq', o.form ?? 'list'),
    layerNames: g.layers.map((l) => l.config.name),
    weights: g.weights,
    kerasVersion: o.form === 'list' ? '2.1.6' : '2.3.1',
    backend: 'tensorflow',
  };
}
