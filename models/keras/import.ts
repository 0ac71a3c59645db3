/**
 * `faceage model import` / `fetch`: Keras .h5 → ONNX file in the model directory → registry.
 *
 * Order matters for "nothing registered on failure": read and validate the file, convert, load
 * the ONNX in onnxruntime and run it once, write the ONNX atomically, and only then register.
 * Any failure before registering removes what was written.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { getModel, modelDir, registerModel, type InputSpec, type ModelEntry } from '../registry.ts';
import { convertKerasToOnnx, type ConvertResult } from './convert.ts';
import { HINT_REDOWNLOAD, KerasImportError } from './errors.ts';
import { checkHdf5Container, readKerasH5 } from './hdf5.ts';

import { FACEAGE_RELEASE_URL } from './constants.ts';

export { FACEAGE_RELEASE_URL, h5ShaOf } from './constants.ts';

/** The published FaceAge input: 160×160 RGB, NHWC, per-image standardisation (DESIGN.md §1). */
export const FACEAGE_INPUT_SPEC: InputSpec = {
  width: 160,
  height: 160,
  channels: 3,
  colour: 'RGB',
  layout: 'NHWC',
  normalisation: { type: 'per-image-standardisation' },
  crop: 'first (most confident) MTCNN face box, no margin',
  inputName: 'input',
  outputName: 'age',
};

export interface ImportOptions {
  /** Display name (default derived from the file name). */
  name?: string;
  /** Registry id (default `faceage-keras-<first 12 hex of the .h5 sha256>`). */
  id?: string;
  /** Make it the default age model. */
  makeDefault?: boolean;
  /** Where the file came from, for provenance (default: the local path). */
  source?: string;
  licence?: string;
}

export interface ImportResult {
  entry: ModelEntry;
  h5Sha256: string;
  onnxSha256: string;
  onnxPath: string;
  kerasVersion: string | null;
  backend: string | null;
  conversion: Omit<ConvertResult, 'onnx'>;
  /** Output of the one smoke-test run (zero image), years. */
  smokeOutput: number;
}

export function sha256File(p: string): string {
  const h = createHash('sha256');
  const fd = fs.openSync(p, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n <= 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

/** Convert a Keras FaceAge .h5 and register it. Throws KerasImportError with a next step. */
export async function importKerasModel(h5Path: string, opts: ImportOptions = {}): Promise<ImportResult> {
  const abs = path.resolve(h5Path);
  checkHdf5Container(abs);
  const h5Sha256 = sha256File(abs);
  const h5 = await readKerasH5(abs);
  const conv = convertKerasToOnnx(h5, { inputName: FACEAGE_INPUT_SPEC.inputName, outputName: FACEAGE_INPUT_SPEC.outputName });
  const [, ih, iw, ic] = conv.inputShape;
  if (conv.inputShape.length !== 4 || ih !== 160 || iw !== 160 || ic !== 3) {
    throw new KerasImportError(
      'unsupported-shape',
      `${abs}: input shape is [${conv.inputShape.map((d) => d ?? 'None')}], but a FaceAge model takes 160×160×3 images`,
      'import the published FaceAge model (faceage_model.h5); other Keras models are not age models this platform can run',
    );
  }
  if (conv.outputShape.length !== 2 || conv.outputShape[1] !== 1) {
    throw new KerasImportError(
      'unsupported-shape',
      `${abs}: output shape is [${conv.outputShape.map((d) => d ?? 'None')}], but an age model outputs one value per face`,
      'import the full FaceAge model (with its Dense(1) age head), not the embedding network alone',
    );
  }

  // Load and run once before anything is written.
  let smokeOutput: number;
  try {
    const sess = await ort.InferenceSession.create(conv.onnx, { graphOptimizationLevel: 'all', intraOpNumThreads: 1 });
    const out = await sess.run({ [conv.inputName]: new ort.Tensor('float32', new Float32Array(160 * 160 * 3), [1, 160, 160, 3]) });
    smokeOutput = Number((out[conv.outputName].data as Float32Array)[0]);
    await sess.release();
  } catch (err) {
    throw new KerasImportError('corrupt', `${abs}: the converted model does not run in onnxruntime (${(err as Error).message})`, 'please report this with the output of `faceage model import` and the file’s sha256');
  }
  if (!Number.isFinite(smokeOutput)) {
    throw new KerasImportError('corrupt', `${abs}: the converted model produces ${smokeOutput} (weights contain NaN/Inf?)`, HINT_REDOWNLOAD);
  }

  const onnxSha256 = createHash('sha256').update(conv.onnx).digest('hex');
  const id = opts.id ?? `faceage-keras-${h5Sha256.slice(0, 12)}`;
  const dir = modelDir();
  fs.mkdirSync(dir, { recursive: true });
  const fileName = `${id}.onnx`;
  const onnxPath = path.join(dir, fileName);
  const existed = fs.existsSync(onnxPath);
  const tmp = `${onnxPath}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, conv.onnx);
  fs.renameSync(tmp, onnxPath);

  const { onnx: _bytes, ...summary } = conv;
  let entry: ModelEntry;
  try {
    entry = registerModel({
      id,
      role: 'age',
      name: opts.name ?? `FaceAge (Keras import of ${path.basename(abs)})`,
      kind: 'faceage',
      sha256: onnxSha256,
      origin: `Keras HDF5 ${opts.source ?? abs} sha256:${h5Sha256} (keras ${h5.kerasVersion ?? '?'}, backend ${h5.backend ?? '?'}); converted to ONNX by models/keras`,
      licence: opts.licence ?? 'as distributed by AIM-Harvard/FaceAge (see that repository); research use',
      inputSpec: FACEAGE_INPUT_SPEC,
      onnxPath: fileName,
      isDefault: opts.makeDefault ?? false,
      notes: `h5Sha256=${h5Sha256}; ${summary.layerCount} Keras layers → ${summary.nodeCount} ONNX nodes; ${summary.foldedBatchNorms} BatchNorm and ${summary.foldedScaleSums} ScaleSum folded`,
    });
  } catch (err) {
    if (!existed || !getModel(id)) fs.rmSync(onnxPath, { force: true });
    throw err;
  }
  return { entry, h5Sha256, onnxSha256, onnxPath, kerasVersion: h5.kerasVersion, backend: h5.backend, conversion: summary, smokeOutput };
}

export interface FetchOptions extends ImportOptions {
  url?: string;
  /** Where to keep the download (default <modelDir>/downloads). */
  downloadDir?: string;
  timeoutMs?: number;
  log?: (msg: string) => void;
}

/** Download the published FaceAge .h5 and import it. Offline → KerasImportError explaining the manual route. */
export async function fetchFaceAgeModel(opts: FetchOptions = {}): Promise<ImportResult> {
  const url = opts.url ?? FACEAGE_RELEASE_URL;
  const dir = opts.downloadDir ?? path.join(modelDir(), 'downloads');
  fs.mkdirSync(dir, { recursive: true });
  const dest = path.join(dir, path.basename(new URL(url).pathname) || 'faceage_model.h5');
  const part = `${dest}.part`;
  const manual =
    `download ${FACEAGE_RELEASE_URL} on a machine with internet access, copy it here, ` +
    'then run `faceage model import faceage_model.h5` (add --default to use it for predictions)';
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const code = cause?.code ?? (err as Error).name;
    const offline = ['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNRESET', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'TimeoutError'].includes(code);
    throw new KerasImportError(
      offline ? 'missing-file' : 'truncated',
      `cannot download ${url}: ${offline ? 'no network access' : 'the download failed'} (${code}${cause?.message ? `: ${cause.message}` : ''})`,
      offline ? manual : `run \`faceage model fetch faceage\` again, or ${manual}`,
    );
  }
  if (!res.ok || !res.body) {
    throw new KerasImportError('missing-file', `cannot download ${url}: HTTP ${res.status} ${res.statusText}`, manual);
  }
  const expected = Number(res.headers.get('content-length') ?? NaN);
  opts.log?.(`downloading ${url}${Number.isFinite(expected) ? ` (${(expected / 1e6).toFixed(1)} MB)` : ''} …`);
  const out = fs.createWriteStream(part);
  let got = 0;
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      got += chunk.length;
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  } catch (err) {
    out.destroy();
    fs.rmSync(part, { force: true });
    throw new KerasImportError('truncated', `download of ${url} was interrupted after ${got} bytes (${(err as Error).message})`, `run \`faceage model fetch faceage\` again, or ${manual}`);
  }
  if (Number.isFinite(expected) && got !== expected) {
    fs.rmSync(part, { force: true });
    throw new KerasImportError('truncated', `download of ${url} is incomplete: ${got} of ${expected} bytes`, `run \`faceage model fetch faceage\` again, or ${manual}`);
  }
  fs.renameSync(part, dest);
  opts.log?.(`saved ${dest}; converting …`);
  return importKerasModel(dest, { ...opts, source: opts.source ?? url });
}
