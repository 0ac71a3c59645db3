/**
 * Test support: an independent forward pass of a Keras config + weights with @tensorflow/tfjs
 * (tfjs-layers rebuilds the model from the same JSON). The `*_ScaleSum` Lambda, which tfjs cannot
 * load, is replaced by a small custom layer computing inputs[0] + inputs[1]·scale.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { KerasFile, W } from './keras-graph.ts';

let registered = false;
let wasmPathsSet = false;

/** tfjs's WebAssembly backend (XNNPACK kernels) is ~5× faster than its pure-JS CPU backend. */
function useWasmFiles(): void {
  if (wasmPathsSet) return;
  wasmPathsSet = true;
  const req = createRequire(import.meta.url);
  setWasmPaths(path.dirname(req.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + '/');
}

function registerScaleSum(): void {
  if (registered) return;
  registered = true;
  class ScaleSum extends tf.layers.Layer {
    static className = 'ScaleSum';
    private scale: number;
    constructor(cfg: { name: string; scale: number }) {
      super(cfg);
      this.scale = cfg.scale;
    }
    computeOutputShape(s: tf.Shape[]): tf.Shape {
      return s[0];
    }
    call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
      return tf.tidy(() => {
        const [a, b] = inputs as tf.Tensor[];
        return tf.add(a, tf.mul(b, this.scale));
      });
    }
    getConfig() {
      return { ...super.getConfig(), scale: this.scale };
    }
  }
  tf.serialization.registerClass(ScaleSum);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** Rewrite the Keras JSON into what tfjs-layers loads (ScaleSum Lambda, Keras-2 inbound form). */
function forTfjs(node: Json): Json {
  if (Array.isArray(node)) return node.map(forTfjs);
  if (!node || typeof node !== 'object') return node;
  if (node.class_name === 'Lambda') {
    const name = node.config?.name ?? node.name;
    if (!/_ScaleSum$/.test(name)) throw new Error(`reference: cannot run Lambda ${name}`);
    return { class_name: 'ScaleSum', name, config: { name, scale: node.config.arguments.scale }, inbound_nodes: forTfjs(node.inbound_nodes) };
  }
  if (node.args && 'kwargs' in node) {
    // Keras 3 call form → Keras 2 list form.
    const refs: Json[] = [];
    const walk = (x: Json) => {
      if (Array.isArray(x)) x.forEach(walk);
      else if (x?.config?.keras_history) refs.push([...x.config.keras_history, {}]);
    };
    walk(node.args);
    return refs;
  }
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) out[k] = forTfjs(v);
  if (out.class_name === 'Functional') out.class_name = 'Model';
  return out;
}

/**
 * tfjs cannot rebuild a Sequential nested inside a functional model from JSON; inline its layers
 * into the parent as a chain (same computation, Keras-2 inbound form assumed).
 */
function inlineNestedSequentials(mc: Json): Json {
  if (mc.class_name !== 'Model' || !Array.isArray(mc.config?.layers)) return mc;
  const renamed = new Map<string, string>();
  const layers: Json[] = [];
  for (const l of mc.config.layers) {
    if (l.class_name !== 'Sequential') {
      layers.push(l);
      continue;
    }
    const inner: Json[] = (Array.isArray(l.config) ? l.config : l.config.layers).filter((x: Json) => x.class_name !== 'InputLayer');
    let inbound = l.inbound_nodes;
    for (const s of inner) {
      const cfg = { ...s.config };
      delete cfg.batch_input_shape;
      layers.push({ class_name: s.class_name, name: cfg.name, config: cfg, inbound_nodes: inbound });
      inbound = [[[cfg.name, 0, 0, {}]]];
    }
    renamed.set(l.name ?? l.config.name, inner.at(-1).config.name);
  }
  const fix = (ref: Json) => (Array.isArray(ref) && renamed.has(ref[0]) ? [renamed.get(ref[0]), ...ref.slice(1)] : ref);
  for (const l of layers) l.inbound_nodes = (l.inbound_nodes ?? []).map((node: Json) => node.map(fix));
  return { ...mc, config: { ...mc.config, layers, output_layers: mc.config.output_layers.map(fix) } };
}

export async function loadReference(m: KerasFile, backend: 'cpu' | 'wasm' = 'wasm'): Promise<tf.LayersModel> {
  if (backend === 'wasm') useWasmFiles();
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} unavailable`);
  registerScaleSum();
  const model = await tf.models.modelFromJSON({ modelTopology: inlineNestedSequentials(forTfjs(m.modelConfig)) } as tf.io.ModelArtifacts as never);
  // Weights by layer name (nested groups hold '<sublayer>/<kind>:0').
  const byLayer = new Map<string, Map<string, W>>();
  for (const list of m.weights.values()) {
    for (const w of list) {
      const parts = w.name.split('/');
      const layer = parts.at(-2)!;
      const kind = parts.at(-1)!.replace(/:\d+$/, '');
      if (!byLayer.has(layer)) byLayer.set(layer, new Map());
      byLayer.get(layer)!.set(kind, w);
    }
  }
  const visit = (layers: tf.layers.Layer[]) => {
    for (const l of layers) {
      if ((l as unknown as { layers?: tf.layers.Layer[] }).layers) {
        visit((l as unknown as { layers: tf.layers.Layer[] }).layers);
        continue;
      }
      if (!l.weights.length) continue;
      const ws = byLayer.get(l.name);
      if (!ws) throw new Error(`reference: no weights for ${l.name}`);
      l.setWeights(
        l.weights.map((v) => {
          const kind = v.originalName.split('/').at(-1)!;
          const w = ws.get(kind);
          if (!w) throw new Error(`reference: no ${kind} for ${l.name}`);
          return tf.tensor(w.data, w.shape);
        }),
      );
    }
  };
  visit(model.layers);
  return model;
}

/** Run the reference model on NHWC float32 images (one at a time to bound memory). */
export function predictReference(model: tf.LayersModel, images: Float32Array[], shape: number[]): Float32Array[] {
  return images.map((img) =>
    tf.tidy(() => {
      const y = model.predict(tf.tensor(img, [1, ...shape])) as tf.Tensor;
      return y.dataSync() as Float32Array;
    }),
  );
}

/** Per-image standardisation as FaceAge does: (x − mean) / std over all values, population std. */
export function standardise(img: Float32Array): Float32Array {
  let s = 0;
  for (const v of img) s += v;
  const mean = s / img.length;
  let q = 0;
  for (const v of img) q += (v - mean) ** 2;
  const std = Math.sqrt(q / img.length);
  return img.map((v) => (v - mean) / std);
}

/** A synthetic face-like RGB image in 0…255 (smooth gradients + blobs + noise), seeded. */
export function syntheticImage(size: number, seed: number): Float32Array {
  const img = new Float32Array(size * size * 3);
  let s = seed * 9301 + 49297;
  const rnd = () => ((s = (s * 233280 + 12345) % 2147483647) / 2147483647);
  const cx = size * (0.4 + 0.2 * rnd());
  const cy = size * (0.4 + 0.2 * rnd());
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const r2 = ((x - cx) ** 2 + (y - cy) ** 2) / (size * size * 0.1);
      for (let c = 0; c < 3; c++) {
        const v = 200 * Math.exp(-r2) * (0.6 + 0.2 * c) + 40 * Math.sin((x + 3 * c) / (5 + seed)) + 30 * rnd();
        img[(y * size + x) * 3 + c] = Math.min(255, Math.max(0, v));
      }
    }
  return img;
}
