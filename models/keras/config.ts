/**
 * Keras `model_config` → a normalised layer graph.
 *
 * Accepted forms (Keras 2.1–2.3, tf.keras 2.4–2.6, and the Keras 3 call form of inbound nodes):
 *  - `Sequential` with `config` a list of layers (Keras ≤ 2.1) or `{ name, layers }` (≥ 2.2),
 *    with or without an explicit InputLayer;
 *  - `Model` (standalone Keras) and `Functional` (tf.keras ≥ 2.4) with `layers`, `input_layers`,
 *    `output_layers`;
 *  - `inbound_nodes` as lists of `[layer, node_index, tensor_index(, kwargs)]` or as
 *    `{ args, kwargs }` objects holding `keras_history` triples;
 *  - nested models (a Model or Sequential used as a layer), parsed recursively.
 *
 * In a saved config the node indices are renumbered to the nodes inside the model, so the
 * output of a layer's i-th inbound node is `(layer, i)`.
 */
import { KerasImportError } from './errors.ts';

export interface TensorRef {
  layer: string;
  node: number;
  tensor: number;
}

export interface KLayer {
  className: string;
  name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  config: Record<string, any>;
  /** One entry per call of the layer; each lists the input tensors of that call. */
  inbound: TensorRef[][];
  /** For a nested model used as a layer. */
  model?: KModel;
}

export interface KModel {
  name: string;
  className: string;
  layers: KLayer[];
  inputs: TensorRef[];
  outputs: TensorRef[];
}

export const MODEL_CLASSES = new Set(['Sequential', 'Model', 'Functional']);

function badConfig(msg: string): KerasImportError {
  return new KerasImportError('bad-config', `model_config: ${msg}`, 'the file’s architecture JSON is damaged or from an unsupported Keras version; re-save the model with Keras 2.x `model.save()`');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function layerName(l: Json): string {
  const n = l?.config?.name ?? l?.name;
  if (typeof n !== 'string' || !n) throw badConfig(`a ${l?.class_name ?? 'layer'} has no name`);
  return n;
}

function parseRefTriple(e: Json, where: string): TensorRef {
  if (Array.isArray(e) && typeof e[0] === 'string') {
    return { layer: e[0], node: Number(e[1] ?? 0), tensor: Number(e[2] ?? 0) };
  }
  if (e && typeof e === 'object' && e.config?.keras_history) return parseRefTriple(e.config.keras_history, where);
  if (e && typeof e === 'object' && Array.isArray(e.keras_history)) return parseRefTriple(e.keras_history, where);
  throw badConfig(`${where}: cannot read tensor reference ${JSON.stringify(e)?.slice(0, 120)}`);
}

/** Collect keras tensors from a Keras-3 style `args` structure (tensors may be nested in lists). */
function collectTensors(x: Json, out: TensorRef[], where: string): void {
  if (Array.isArray(x)) {
    for (const e of x) collectTensors(e, out, where);
  } else if (x && typeof x === 'object' && (x.class_name === '__keras_tensor__' || x.config?.keras_history)) {
    out.push(parseRefTriple(x, where));
  }
}

function parseInboundNodes(nodes: Json, name: string): TensorRef[][] {
  if (nodes == null) return [];
  if (!Array.isArray(nodes)) throw badConfig(`layer '${name}': inbound_nodes is not a list`);
  return nodes.map((node: Json) => {
    if (Array.isArray(node)) {
      // [[name, node, tensor, kwargs], ...] — or a single flat triple [name, node, tensor]
      if (typeof node[0] === 'string') return [parseRefTriple(node, name)];
      return node.map((e: Json) => parseRefTriple(e, name));
    }
    if (node && typeof node === 'object' && ('args' in node || 'kwargs' in node)) {
      const refs: TensorRef[] = [];
      collectTensors(node.args ?? [], refs, name);
      if (!refs.length && node.kwargs) collectTensors(Object.values(node.kwargs), refs, name);
      return refs;
    }
    throw badConfig(`layer '${name}': unreadable inbound node ${JSON.stringify(node)?.slice(0, 120)}`);
  });
}

function parseIoList(v: Json, what: string): TensorRef[] {
  if (!Array.isArray(v) || !v.length) throw badConfig(`${what} missing`);
  if (typeof v[0] === 'string') return [parseRefTriple(v, what)];
  return v.map((e: Json) => parseRefTriple(e, what));
}

function makeLayer(l: Json, inbound: TensorRef[][]): KLayer {
  const className = l?.class_name;
  if (typeof className !== 'string') throw badConfig('a layer has no class_name');
  const name = layerName(l);
  const layer: KLayer = { className, name, config: l.config ?? {}, inbound };
  if (MODEL_CLASSES.has(className)) layer.model = parseModel({ class_name: className, config: l.config, name });
  return layer;
}

/** Parse a `{ class_name, config }` model description. */
export function parseModel(mc: Json): KModel {
  const cls = mc?.class_name;
  if (cls === 'Sequential') return parseSequential(mc.config, mc.name);
  if (cls === 'Model' || cls === 'Functional') return parseFunctional(mc.config, cls);
  throw new KerasImportError(
    'not-keras',
    `model_config: top-level class '${String(cls)}' is not a Keras Sequential, Model or Functional`,
    'import a Keras model saved with `model.save()`; subclassed models cannot be saved to HDF5 with their architecture',
  );
}

function parseSequential(config: Json, fallbackName?: string): KModel {
  const layersJson: Json[] = Array.isArray(config) ? config : config?.layers;
  const name: string = (!Array.isArray(config) && config?.name) || fallbackName || 'sequential';
  if (!Array.isArray(layersJson) || !layersJson.length) throw badConfig(`Sequential '${name}' has no layers`);
  const layers: KLayer[] = [];
  let start = 0;
  let inputName: string;
  if (layersJson[0]?.class_name === 'InputLayer') {
    const il = makeLayer(layersJson[0], []);
    layers.push(il);
    inputName = il.name;
    start = 1;
  } else {
    const first = layersJson[0]?.config ?? {};
    // The first layer (or, for a nested model first layer, its own InputLayer) carries the shape.
    let shape: Json = first.batch_input_shape ?? (first.input_shape ? [null, ...first.input_shape] : null);
    if (!shape && MODEL_CLASSES.has(layersJson[0]?.class_name)) {
      const inner = parseModel({ class_name: layersJson[0].class_name, config: first, name: first.name });
      const innerInput = inner.layers.find((l) => l.name === inner.inputs[0]?.layer);
      shape = innerInput?.config.batch_input_shape ?? innerInput?.config.batch_shape ?? null;
    }
    inputName = `${name}_input`;
    layers.push({ className: 'InputLayer', name: inputName, config: { name: inputName, batch_input_shape: shape }, inbound: [] });
  }
  let prev = inputName;
  for (let i = start; i < layersJson.length; i++) {
    const l = makeLayer(layersJson[i], [[{ layer: prev, node: 0, tensor: 0 }]]);
    layers.push(l);
    prev = l.name;
  }
  return {
    name,
    className: 'Sequential',
    layers,
    inputs: [{ layer: inputName, node: 0, tensor: 0 }],
    outputs: [{ layer: prev, node: 0, tensor: 0 }],
  };
}

function parseFunctional(config: Json, cls: string): KModel {
  if (!config || !Array.isArray(config.layers)) throw badConfig(`${cls} has no layers list`);
  const name: string = config.name ?? 'model';
  const layers = config.layers.map((l: Json) => makeLayer(l, parseInboundNodes(l.inbound_nodes, layerName(l))));
  const names = new Set<string>();
  for (const l of layers) {
    if (names.has(l.name)) throw badConfig(`duplicate layer name '${l.name}' in '${name}'`);
    names.add(l.name);
  }
  const inputs = parseIoList(config.input_layers, `${name}.input_layers`);
  const outputs = parseIoList(config.output_layers, `${name}.output_layers`);
  for (const r of [...inputs, ...outputs]) if (!names.has(r.layer)) throw badConfig(`'${name}' refers to unknown layer '${r.layer}'`);
  return { name, className: cls, layers, inputs, outputs };
}
