/**
 * Keras HDF5 (.h5) reader: the model architecture (`model_config`), the Keras version and
 * backend, and every layer's weights, including the weights of nested models.
 *
 * File layout written by Keras 2.x `model.save()` (standalone Keras 2.1–2.3 and tf.keras 2.x):
 *   /                      attrs: keras_version, backend, model_config (JSON), training_config
 *   /model_weights         attrs: layer_names (top-level layers, in order)
 *   /model_weights/<L>     attrs: weight_names (e.g. "Conv2d_1a_3x3/kernel:0")
 *   /model_weights/<L>/<weight_name>   datasets (the '/' in a weight name makes subgroups)
 * A nested model (the FaceAge file's inner `inception_resnet_v1`) is one top-level layer whose
 * group holds the weights of all its sub-layers, named `<sublayer>/<weight>:0`.
 * A weights-only file (`save_weights`) has `layer_names` at the root and no `model_config`.
 *
 * Uses h5wasm (HDF5 compiled to WebAssembly). Before handing the file to HDF5 the superblock is
 * checked, so truncated downloads fail with a clear message rather than an HDF5 stack dump.
 */
import fs from 'node:fs';
import h5wasm from 'h5wasm/node';
import { HINT_REDOWNLOAD, KerasImportError } from './errors.ts';

export interface WeightArray {
  /** Full weight name as stored, e.g. "Conv2d_1a_3x3/kernel:0". */
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface KerasH5 {
  path: string;
  kerasVersion: string | null;
  backend: string | null;
  /** Parsed `model_config` JSON: `{ class_name, config }`. */
  modelConfig: { class_name: string; config: unknown; [k: string]: unknown };
  /** Top-level layer name → its weights in stored order. */
  weights: Map<string, WeightArray[]>;
  fileSize: number;
}

const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

function readUInt(buf: Buffer, off: number, size: number): bigint {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(buf[off + i]);
  return v;
}

/**
 * Validate the HDF5 signature and the superblock's end-of-file address against the real size.
 * Returns the superblock offset. Throws KerasImportError (not-hdf5 / truncated).
 */
export function checkHdf5Container(path: string): { size: number } {
  if (!fs.existsSync(path)) {
    throw new KerasImportError('missing-file', `file not found: ${path}`, 'check the path; download the model with `faceage model fetch faceage` or see docs/keras.md');
  }
  const st = fs.statSync(path);
  if (!st.isFile()) {
    throw new KerasImportError('missing-file', `not a regular file: ${path}`, 'pass the path of the .h5 file itself');
  }
  const size = st.size;
  if (size === 0) {
    throw new KerasImportError('truncated', `${path} is empty (0 bytes)`, HINT_REDOWNLOAD);
  }
  const fd = fs.openSync(path, 'r');
  try {
    // The superblock sits at 0, 512, 1024, 2048, … (a user block may precede it).
    for (let base = 0; base < size; base = base === 0 ? 512 : base * 2) {
      const head = Buffer.alloc(64);
      const n = fs.readSync(fd, head, 0, 64, base);
      if (n < 8) break;
      if (!head.subarray(0, 8).equals(HDF5_SIGNATURE)) continue;
      if (n < 16) throw new KerasImportError('truncated', `${path} ends inside the HDF5 superblock (${size} bytes)`, HINT_REDOWNLOAD);
      const version = head[8];
      let eofOff: number;
      let offSize: number;
      let baseAddrOff: number;
      if (version === 0 || version === 1) {
        offSize = head[13];
        baseAddrOff = version === 0 ? 24 : 28;
        eofOff = baseAddrOff + 2 * offSize;
      } else if (version === 2 || version === 3) {
        offSize = head[9];
        baseAddrOff = 12;
        eofOff = 12 + 2 * offSize;
      } else {
        throw new KerasImportError('corrupt', `${path}: unknown HDF5 superblock version ${version}`, HINT_REDOWNLOAD);
      }
      if (![2, 4, 8].includes(offSize) || eofOff + offSize > n) {
        throw new KerasImportError('corrupt', `${path}: damaged HDF5 superblock`, HINT_REDOWNLOAD);
      }
      const baseAddr = readUInt(head, baseAddrOff, offSize);
      const eof = readUInt(head, eofOff, offSize);
      const expected = Number(baseAddr + eof);
      if (expected > size) {
        throw new KerasImportError(
          'truncated',
          `${path} is truncated: it has ${size} bytes but its HDF5 header says ${expected} bytes ` +
            `(${((100 * size) / expected).toFixed(1)}% present) — an interrupted or corrupt download`,
          HINT_REDOWNLOAD,
        );
      }
      return { size };
    }
  } finally {
    fs.closeSync(fd);
  }
  throw new KerasImportError(
    'not-hdf5',
    `${path} is not an HDF5 file (no HDF5 signature)`,
    'a Keras model must be the .h5 written by Keras `model.save()`; a saved HTML error page or a SavedModel/.keras archive cannot be imported (see docs/keras.md)',
  );
}

let ready: Promise<unknown> | null = null;
async function h5(): Promise<typeof h5wasm> {
  ready ??= h5wasm.ready.then((mod) => {
    // Turn HDF5's error stack (otherwise printed to stderr) into JavaScript exceptions.
    (mod as unknown as { activate_throwing_error_handler?: () => number }).activate_throwing_error_handler?.();
  });
  await ready;
  return h5wasm;
}

function attrString(v: unknown): string | null {
  if (v == null) return null;
  // Fixed-length strings written by h5py (numpy bytes) may carry NUL padding.
  if (typeof v === 'string') return v.replace(/\0+$/, '');
  if (v instanceof Uint8Array) return new TextDecoder().decode(v).replace(/\0+$/, '');
  if (Array.isArray(v) && v.length === 1) return attrString(v[0]);
  return String(v);
}

function attrStrings(v: unknown): string[] {
  if (v == null) return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.map((x) => attrString(x) ?? '');
  if (v instanceof Uint8Array) return [new TextDecoder().decode(v)];
  return [String(v)];
}

function toFloat32(v: unknown, where: string): Float32Array {
  if (v instanceof Float32Array) return v;
  if (v instanceof Float64Array || v instanceof Uint16Array || Array.isArray(v)) {
    if (v instanceof Uint16Array) throw new KerasImportError('corrupt', `${where}: float16 weights are not supported`, 'save the model with float32 weights');
    return Float32Array.from(v as ArrayLike<number>);
  }
  throw new KerasImportError('corrupt', `${where}: weights are not floating-point numbers`, HINT_REDOWNLOAD);
}

/** Read a Keras .h5 file: architecture, version, backend and all weights. */
export async function readKerasH5(path: string): Promise<KerasH5> {
  const { size } = checkHdf5Container(path);
  const lib = await h5();
  let file: InstanceType<typeof lib.File>;
  try {
    file = new lib.File(path, 'r');
  } catch (err) {
    throw new KerasImportError('corrupt', `${path}: HDF5 could not open the file — it is damaged (${hdf5Reason(err)})`, HINT_REDOWNLOAD);
  }
  try {
    return readOpened(file, path, size);
  } catch (err) {
    if (err instanceof KerasImportError) throw err;
    throw new KerasImportError('corrupt', `${path}: reading the HDF5 file failed — it is damaged (${hdf5Reason(err)})`, HINT_REDOWNLOAD);
  } finally {
    try {
      file.close();
    } catch {
      /* already failed */
    }
  }
}

/** The innermost lines of an HDF5 error stack ("major: …, minor: …") instead of the whole dump. */
function hdf5Reason(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const lines = msg.split('\n').map((l) => l.trim());
  const where = lines.filter((l) => /^#\d+:/.test(l)).at(-1)?.replace(/^#\d+: .*? in /, '') ?? '';
  const mm = lines.filter((l) => /^(major|minor):/.test(l)).slice(-2).join(', ');
  return mm ? `HDF5: ${where ? `${where} ` : ''}${mm}` : msg.split('\n')[0];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type H5Group = any;

function readOpened(file: H5Group, path: string, size: number): KerasH5 {
  const rootAttrs = file.attrs as Record<string, { value: unknown }>;
  const rawConfig = attrString(rootAttrs['model_config']?.value);
  const kerasVersion = attrString(rootAttrs['keras_version']?.value);
  const backend = attrString(rootAttrs['backend']?.value);
  if (rawConfig == null) {
    if (rootAttrs['layer_names']) {
      throw new KerasImportError(
        'weights-only',
        `${path} holds only weights (Keras save_weights): it has no model_config, so the architecture is unknown`,
        'import the full model file written by `model.save()` (the published faceage_model.h5 is a full model)',
      );
    }
    throw new KerasImportError(
      'not-keras',
      `${path} is an HDF5 file but not a Keras model (no model_config attribute)`,
      'import the Keras .h5 written by `model.save()`, e.g. the published faceage_model.h5',
    );
  }
  let modelConfig: KerasH5['modelConfig'];
  try {
    modelConfig = JSON.parse(rawConfig);
  } catch (err) {
    throw new KerasImportError('corrupt', `${path}: model_config is not valid JSON (${(err as Error).message})`, HINT_REDOWNLOAD);
  }
  if (!modelConfig || typeof modelConfig !== 'object' || typeof modelConfig.class_name !== 'string') {
    throw new KerasImportError('not-keras', `${path}: model_config has no class_name`, 'import a Keras .h5 written by `model.save()`');
  }
  checkVersion(kerasVersion, backend, path);

  const weights = new Map<string, WeightArray[]>();
  const keys = file.keys() as string[];
  if (!keys.includes('model_weights')) {
    throw new KerasImportError(
      'weights-only',
      `${path} has a model_config but no model_weights group (saved without weights?)`,
      'save the model with its weights (`model.save(path)`) and import that file',
    );
  }
  const mw = file.get('model_weights') as H5Group;
  const layerNames = attrStrings(mw.attrs['layer_names']?.value);
  const names = layerNames.length ? layerNames : (mw.keys() as string[]);
  for (const layer of names) {
    const g = mw.get(layer) as H5Group;
    if (!g) {
      throw new KerasImportError('corrupt', `${path}: layer '${layer}' is listed but its weights group is missing`, HINT_REDOWNLOAD);
    }
    let wnames = attrStrings(g.attrs?.['weight_names']?.value);
    if (!wnames.length && typeof g.paths === 'function') {
      // No weight_names attribute: take every dataset below the group.
      wnames = (g.paths() as string[])
        .map((p: string) => p.replace(/^\//, ''))
        .filter((p: string) => g.get(p)?.type === 'Dataset');
    }
    const list: WeightArray[] = [];
    for (const wn of wnames) {
      const ds = g.get(wn) as H5Group;
      if (!ds || ds.type !== 'Dataset') {
        throw new KerasImportError('corrupt', `${path}: weight '${layer}/${wn}' is listed but missing`, HINT_REDOWNLOAD);
      }
      const shape = (ds.shape as number[] | null) ?? [];
      const data = toFloat32(ds.value, `${layer}/${wn}`);
      const expected = shape.reduce((a, b) => a * b, 1);
      if (data.length !== expected) {
        throw new KerasImportError('corrupt', `${path}: weight '${layer}/${wn}' has ${data.length} values, expected ${expected}`, HINT_REDOWNLOAD);
      }
      list.push({ name: wn, shape, data });
    }
    weights.set(layer, list);
  }
  return { path, kerasVersion, backend, modelConfig, weights, fileSize: size };
}

/** Keras 2.x (standalone 2.1–2.3, tf.keras "2.x.y-tf") with the TensorFlow backend. */
function checkVersion(version: string | null, backend: string | null, path: string): void {
  if (version) {
    const m = /^(\d+)\.(\d+)/.exec(version);
    const major = m ? Number(m[1]) : NaN;
    if (major !== 2) {
      throw new KerasImportError(
        'unsupported-version',
        `${path} was written by Keras ${version}; this importer reads Keras 2.x files (standalone Keras 2.1–2.3, tf.keras 2.4–2.6)`,
        major === 1
          ? 'load the model in Keras 2.x and save it again with `model.save("model.h5")`'
          : 'save the model in the legacy HDF5 format of Keras 2 (`model.save("model.h5")` with tf.keras 2.x)',
      );
    }
  }
  if (backend && backend !== 'tensorflow') {
    throw new KerasImportError(
      'unsupported-version',
      `${path} was saved with the '${backend}' backend; only TensorFlow-backend files are supported (kernel layout differs)`,
      'load the model with the TensorFlow backend and save it again',
    );
  }
}
