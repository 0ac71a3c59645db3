/**
 * The face pipeline used by the worker and the CLI:
 *   decode (sharp, EXIF-oriented RGB) → MTCNN (mtcnn 0.1.1 behaviour) → first face → crop and
 *   preprocess per the age model's input spec → age model (onnxruntime, batched).
 *
 *   const p = await createPipeline({ ageModelId, threads });
 *   const r = await p.analyse(buffer);          // never throws for a bad photo: r.error is set
 *   const rs = await p.analyseBatch([buf, ...]); // one result per input, same order
 *   await p.close();
 *
 * Sessions are created once per pipeline and reused. Results carry the detector and age-model
 * ids (provenance); baseline models are labelled so (ageModelKind === 'baseline').
 */
import fs from 'node:fs';
import { ensureModels } from './build.ts';
import { DecodeError, decodeImage } from './decode.ts';
import { createDetector, type Detector } from './detector.ts';
import { createSession, ort, type Device } from './inference.ts';
import type { Face, Keypoints, MtcnnTimings, RgbImage } from './mtcnn.ts';
import { prepareFace, PreprocessError, type Recipe } from './preprocess.ts';
import {
  BASELINE_AGE_ID,
  defaultAgeModel,
  defaultDetector,
  getModel,
  modelDir,
  modelLabel,
  resolveModelPath,
  type ModelEntry,
} from './registry.ts';

export interface PipelineOptions {
  /** Age model id from the registry (default: the registry's default age model). */
  ageModelId?: string;
  /** onnxruntime intra-op threads per session (default 1). */
  threads?: number;
  /** 'cpu' (default), 'cuda' or 'auto' — CUDA only when available, else CPU with the reason logged. */
  device?: Device;
  /** Faces per age-model run in analyseBatch (default 32). */
  batchSize?: number;
  /** Diagnostic log (default: stderr). */
  log?: (msg: string) => void;
  /** Model directory (default: $FACEAGE_MODEL_DIR or models/artifacts). */
  modelDir?: string;
}

export interface AnalysisResult {
  /** Number of faces MTCNN found (0 when none or on error). */
  faceCount: number;
  /** First face's box [x, y, w, h] as mtcnn 0.1.1 reports it, or null. */
  box: [number, number, number, number] | null;
  confidence: number | null;
  keypoints: Keypoints | null;
  /** Age estimate of the first face (years), or null. From a baseline model unless ageModelKind is 'faceage'. */
  faceage: number | null;
  ageModel: string;
  ageModelKind: ModelEntry['kind'];
  /** Human-readable label, e.g. "<id> (baseline, not FaceAge)". */
  ageModelLabel: string;
  detector: string;
  /** Why there is no estimate ("no face found", "unreadable image: …"), else null. */
  error: string | null;
  /** All faces, best first (for QA screens). */
  faces: Face[];
}

export interface StageTimings extends MtcnnTimings {
  decode: number;
  age: number;
  photos: number;
}

export interface Pipeline {
  analyse(input: Buffer | Uint8Array | string): Promise<AnalysisResult>;
  analyseBatch(inputs: (Buffer | Uint8Array | string)[]): Promise<AnalysisResult[]>;
  close(): Promise<void>;
  readonly detector: ModelEntry;
  readonly ageModel: ModelEntry;
  readonly provider: 'cpu' | 'cuda';
  /** Accumulated per-stage wall time (ms), for benchmarks. */
  readonly timings: StageTimings;
  resetTimings(): void;
}

export function zeroTimings(): StageTimings {
  return { decode: 0, pyramid: 0, pnet: 0, rnet: 0, onet: 0, post: 0, age: 0, photos: 0, rnetCrops: 0, onetCrops: 0 };
}

function recipeFor(m: ModelEntry): Recipe {
  return m.builtin && m.id === BASELINE_AGE_ID ? 'faceapi' : 'faceage';
}

export async function createPipeline(opts: PipelineOptions = {}): Promise<Pipeline> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`faceage: ${m}\n`));
  const dir = opts.modelDir ?? modelDir();
  await ensureModels({ dir, log });
  const detEntry = defaultDetector();
  let ageEntry: ModelEntry;
  if (opts.ageModelId) {
    const m = getModel(opts.ageModelId);
    if (!m) throw new Error(`unknown age model "${opts.ageModelId}" (see \`faceage models list\`)`);
    if (m.role !== 'age') throw new Error(`model "${opts.ageModelId}" is a ${m.role}, not an age model`);
    ageEntry = m;
  } else {
    ageEntry = defaultAgeModel();
  }
  const agePath = resolveModelPath(ageEntry.onnxPath);
  if (!fs.existsSync(agePath)) throw new Error(`age model file missing: ${agePath}`);

  const detector: Detector = await createDetector({ threads: opts.threads, device: opts.device, dir, log });
  const { session: ageSession } = await createSession(agePath, { threads: opts.threads, device: opts.device, log });
  const spec = ageEntry.inputSpec;
  const inputName = spec.inputName && ageSession.inputNames.includes(spec.inputName) ? spec.inputName : ageSession.inputNames[0];
  const outputName = spec.outputName && ageSession.outputNames.includes(spec.outputName) ? spec.outputName : ageSession.outputNames[0];
  const recipe = recipeFor(ageEntry);
  const batchSize = Math.max(1, opts.batchSize ?? 32);
  const per = spec.width * spec.height * 3;
  let timings = zeroTimings();

  const base = {
    ageModel: ageEntry.id,
    ageModelKind: ageEntry.kind,
    ageModelLabel: modelLabel(ageEntry),
    detector: detEntry.id,
  };

  function failed(error: string, faces: Face[] = []): AnalysisResult {
    const f = faces[0];
    return {
      ...base,
      faceCount: faces.length,
      box: f ? f.box : null,
      confidence: f ? f.confidence : null,
      keypoints: f ? f.keypoints : null,
      faceage: null,
      error,
      faces,
    };
  }

  type Decoded = { img: RgbImage } | { error: string };

  async function decodeOne(input: Buffer | Uint8Array | string): Promise<Decoded> {
    try {
      return { img: await decodeImage(typeof input === 'string' ? await fs.promises.readFile(input) : input) };
    } catch (err) {
      const msg = err instanceof DecodeError ? err.message : `unreadable image: ${(err as Error).message}`;
      return { error: msg };
    }
  }

  async function detectOne(decoded: Promise<Decoded>): Promise<{ img: RgbImage; faces: Face[] } | { error: string }> {
    const t0 = performance.now();
    const d = await decoded;
    timings.decode += performance.now() - t0;
    if ('error' in d) return d;
    try {
      const faces = await detector.detect(d.img, timings);
      return { img: d.img, faces };
    } catch (err) {
      return { error: `detection failed: ${(err as Error).message}` };
    }
  }

  async function runAge(inputs: Float32Array, n: number): Promise<Float32Array> {
    const dims = spec.layout === 'NHWC' ? [n, spec.height, spec.width, 3] : [n, 3, spec.height, spec.width];
    const out = await ageSession.run({ [inputName]: new ort.Tensor('float32', inputs, dims) });
    const t = out[outputName];
    const data = t.data as Float32Array;
    const perRow = data.length / n;
    if (!Number.isInteger(perRow) || perRow < 1) throw new Error(`age model output ${outputName} has unexpected shape [${t.dims}]`);
    const ages = new Float32Array(n);
    for (let i = 0; i < n; i++) ages[i] = data[i * perRow];
    return ages;
  }

  async function analyseBatch(inputs: (Buffer | Uint8Array | string)[]): Promise<AnalysisResult[]> {
    const results: AnalysisResult[] = new Array(inputs.length);
    // Stage 1: decode + detect. The next photo is decoded (sharp, libuv thread pool) while the
    // current one is being detected.
    const pending: { idx: number; faces: Face[]; input: Float32Array }[] = [];
    let next: Promise<Decoded> | null = inputs.length ? decodeOne(inputs[0]) : null;
    for (let i = 0; i < inputs.length; i++) {
      const current = next!;
      next = i + 1 < inputs.length ? decodeOne(inputs[i + 1]) : null;
      const d = await detectOne(current);
      timings.photos++;
      if ('error' in d) {
        results[i] = failed(d.error);
        continue;
      }
      if (d.faces.length === 0) {
        results[i] = failed('no face found');
        continue;
      }
      try {
        const buf = new Float32Array(per);
        prepareFace(d.img, d.faces[0].box, spec, recipe, buf, 0);
        pending.push({ idx: i, faces: d.faces, input: buf });
      } catch (err) {
        results[i] = failed(err instanceof PreprocessError ? err.message : `preprocessing failed: ${(err as Error).message}`, d.faces);
      }
    }
    // Stage 2: the age model, batched.
    for (let s = 0; s < pending.length; s += batchSize) {
      const chunk = pending.slice(s, s + batchSize);
      const batch = new Float32Array(chunk.length * per);
      chunk.forEach((c, k) => batch.set(c.input, k * per));
      const t0 = performance.now();
      let ages: Float32Array | null = null;
      let err: string | null = null;
      try {
        ages = await runAge(batch, chunk.length);
      } catch (e) {
        err = `age model failed: ${(e as Error).message}`;
      }
      timings.age += performance.now() - t0;
      chunk.forEach((c, k) => {
        const f = c.faces[0];
        const age = ages ? ages[k] : NaN;
        if (err || !Number.isFinite(age)) {
          results[c.idx] = failed(err ?? 'age model returned a non-finite value', c.faces);
          return;
        }
        results[c.idx] = {
          ...base,
          faceCount: c.faces.length,
          box: f.box,
          confidence: f.confidence,
          keypoints: f.keypoints,
          faceage: age,
          error: null,
          faces: c.faces,
        };
      });
    }
    return results;
  }

  return {
    detector: detEntry,
    ageModel: ageEntry,
    provider: detector.provider,
    get timings() {
      return timings;
    },
    resetTimings() {
      timings = zeroTimings();
    },
    async analyse(input) {
      return (await analyseBatch([input]))[0];
    },
    analyseBatch,
    async close() {
      await detector.close();
      await ageSession.release();
    },
  };
}
