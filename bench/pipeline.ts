/**
 * End-to-end pipeline benchmark on the labelled photos (../shared/faces or $FACEAGE_SHARED_DIR):
 * decode → MTCNN (pyramid, P/R/O-Net) → crop → age model, photos per second with 1 and 2
 * threads (median of repeated runs), per-stage breakdown, and the detector's median latency
 * per photo.
 *
 *   npm run bench:pipeline [-- --runs 3 --limit 200 --age-model ID --all-age-models --json]
 *
 * Configurations: "1 thread" (one pipeline, 1 onnxruntime thread), "2 threads intra-op" (one
 * pipeline, 2 onnxruntime threads), "2 threads workers" (2 pipelines in worker threads, what
 * `faceage predict --threads 2` does).
 *
 * Hook for other age models (e.g. the FaceAge Keras import): `--age-model <id>` benches any
 * registered age model, `--all-age-models` every one; `benchPipeline()` is exported for scripts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeImage } from '../models/decode.ts';
import { createDetector } from '../models/detector.ts';
import { getTflite } from '../models/build.ts';
import { computeScalePyramid } from '../models/mtcnn.ts';
import { mtcnnNetSpec } from '../models/mtcnn-nets.ts';
import { netMacs } from '../models/netspec.ts';
import { createPipeline, zeroTimings, type Pipeline, type StageTimings } from '../models/pipeline.ts';
import { createPipelinePool } from '../models/pool.ts';
import { listModels, REPO_ROOT } from '../models/registry.ts';

export interface BenchConfig {
  name: string;
  threads: number;
  workers: number;
}

export const CONFIGS: BenchConfig[] = [
  { name: '1 thread', threads: 1, workers: 1 },
  { name: '2 threads (intra-op)', threads: 2, workers: 1 },
  { name: '2 threads (2 workers)', threads: 1, workers: 2 },
];

export interface BenchRow {
  ageModel: string;
  config: string;
  photos: number;
  runs: number[];
  medianPhotosPerSec: number;
  /** CPU time of this process (all threads, incl. workers and onnxruntime) per photo, median run. */
  cpuMsPerPhoto: number;
  /**
   * 1000 / cpuMsPerPhoto × usable cores: the rate if this CPU cost per photo had the cores to itself.
   * On a loaded machine CPU time per photo is itself inflated (shared caches, SMT), so this is a
   * conservative figure, not a measurement.
   */
  cpuBoundPhotosPerSec: number;
  /** Per-stage time per photo (ms), summed over workers (thread time, not wall time). */
  stagesMsPerPhoto: Record<string, number>;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function facesDir(): string {
  const env = process.env.FACEAGE_SHARED_DIR;
  const cands = env ? [path.join(env, 'faces'), env] : [path.resolve(REPO_ROOT, '../shared/faces')];
  for (const c of cands) if (fs.existsSync(path.join(c, 'images'))) return c;
  throw new Error(`labelled photos not found (looked in ${cands.join(', ')}); set FACEAGE_SHARED_DIR`);
}

/** Throughput of one configuration: median photos/s over `runs` passes over `buffers`. */
export async function benchPipeline(
  buffers: Buffer[],
  cfg: BenchConfig,
  opts: { runs: number; ageModelId?: string },
): Promise<BenchRow> {
  const p: Pipeline =
    cfg.workers > 1
      ? await createPipelinePool({ workers: cfg.workers, threads: cfg.threads, ageModelId: opts.ageModelId })
      : await createPipeline({ threads: cfg.threads, ageModelId: opts.ageModelId });
  try {
    await p.analyseBatch(buffers.slice(0, Math.min(8, buffers.length))); // warm-up
    const rates: number[] = [];
    const cpus: number[] = [];
    const stages: StageTimings[] = [];
    for (let r = 0; r < opts.runs; r++) {
      p.resetTimings();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < buffers.length; i += 32) await p.analyseBatch(buffers.slice(i, i + 32));
      rates.push((buffers.length / (performance.now() - t0)) * 1000);
      const c = process.cpuUsage(c0);
      cpus.push((c.user + c.system) / 1000 / buffers.length);
      stages.push({ ...p.timings });
    }
    const mi = rates.indexOf(median(rates)) >= 0 ? rates.indexOf(median(rates)) : 0;
    const mid = stages[mi] ?? stages[0];
    const cpuMs = cpus[mi] ?? cpus[0];
    const usable = Math.min(os.availableParallelism(), cfg.workers * cfg.threads);
    const per = (v: number) => Number((v / buffers.length).toFixed(2));
    return {
      ageModel: p.ageModel.id,
      config: cfg.name,
      photos: buffers.length,
      runs: rates.map((x) => Number(x.toFixed(2))),
      medianPhotosPerSec: Number(median(rates).toFixed(2)),
      cpuMsPerPhoto: Number(cpuMs.toFixed(2)),
      cpuBoundPhotosPerSec: Number(((1000 / cpuMs) * usable).toFixed(1)),
      stagesMsPerPhoto: {
        decode: per(mid.decode),
        pyramid: per(mid.pyramid),
        pnet: per(mid.pnet),
        rnet: per(mid.rnet),
        onet: per(mid.onet),
        'mtcnn other (crops, NMS)': per(mid.post),
        age: per(mid.age),
      },
    };
  } finally {
    await p.close();
  }
}

/** MACs of P-Net on a whole pyramid (by image size) and of one R-Net / O-Net crop. */
async function mtcnnCosts() {
  const tfl = await getTflite();
  const [p, r, o] = (['pnet', 'rnet', 'onet'] as const).map((n) => mtcnnNetSpec(n, tfl[n]));
  return {
    pnet: (h: number, w: number) =>
      computeScalePyramid(h, w).reduce((t, s) => t + netMacs(p, Math.ceil(w * s), Math.ceil(h * s)), 0),
    rnet: netMacs(r, 24, 24),
    onet: netMacs(o, 48, 48),
  };
}

/** Median detection latency (ms) per photo, decode excluded; photos with min side 200–400 px. */
export async function benchDetection(buffers: Buffer[], threads: number, runs: number) {
  const det = await createDetector({ threads });
  try {
    const imgs = [];
    for (const b of buffers) {
      const img = await decodeImage(b);
      const m = Math.min(img.width, img.height);
      if (m >= 200 && m <= 400) imgs.push(img);
    }
    for (const img of imgs.slice(0, 5)) await det.detect(img);
    const perPhoto: number[][] = imgs.map(() => []);
    const perPhotoCpu: number[][] = imgs.map(() => []);
    // The networks' own share: onnxruntime time of P/R/O-Net per photo, and their arithmetic.
    const perPhotoNets: number[][] = imgs.map(() => []);
    const macs: number[] = imgs.map(() => 0);
    const costs = await mtcnnCosts();
    for (let r = 0; r < runs; r++) {
      for (let i = 0; i < imgs.length; i++) {
        const t = zeroTimings();
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        await det.detect(imgs[i], t);
        perPhoto[i].push(performance.now() - t0);
        const c = process.cpuUsage(c0);
        perPhotoCpu[i].push((c.user + c.system) / 1000);
        perPhotoNets[i].push(t.pnet + t.rnet + t.onet);
        if (r === 0) macs[i] = costs.pnet(imgs[i].height, imgs[i].width) + t.rnetCrops * costs.rnet + t.onetCrops * costs.onet;
      }
    }
    const med = perPhoto.map((xs) => median(xs));
    const medCpu = perPhotoCpu.map((xs) => median(xs));
    const medNets = perPhotoNets.map((xs) => median(xs));
    const sumNets = medNets.reduce((a, b) => a + b, 0);
    const sumMacs = macs.reduce((a, b) => a + b, 0);
    return {
      threads,
      photos: imgs.length,
      /** onnxruntime time of the three networks alone, median per photo (a floor for detection here). */
      medianNetworksMs: Number(median(medNets).toFixed(2)),
      /** Arithmetic of the three networks per photo, median (2 FLOP per multiply-accumulate). */
      medianMflop: Number(((median(macs) * 2) / 1e6).toFixed(1)),
      /** What onnxruntime sustained on them: total FLOP / total network time. */
      networksGflops: Number(((sumMacs * 2) / 1e9 / (sumNets / 1000)).toFixed(1)),
      medianMs: Number(median(med).toFixed(2)),
      p90Ms: Number([...med].sort((a, b) => a - b)[Math.floor(med.length * 0.9)].toFixed(2)),
      medianCpuMs: Number(median(medCpu).toFixed(2)),
    };
  } finally {
    await det.close();
  }
}

async function main() {
  const args = process.argv.slice(2);
  const val = (k: string) => {
    const i = args.indexOf(k);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const runs = Number(val('--runs') ?? 3);
  const limit = Number(val('--limit') ?? 0);
  const asJson = args.includes('--json');
  const dir = facesDir();
  let files = fs.readdirSync(path.join(dir, 'images')).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort();
  if (limit > 0) files = files.slice(0, limit);
  const buffers = files.map((f) => fs.readFileSync(path.join(dir, 'images', f)));
  const ageIds = args.includes('--all-age-models')
    ? listModels().filter((m) => m.role === 'age').map((m) => m.id)
    : [val('--age-model')].filter((x): x is string => Boolean(x));
  if (ageIds.length === 0) ageIds.push(listModels().find((m) => m.role === 'age' && m.isDefault)!.id);

  const env = {
    date: new Date().toISOString(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    loadavgBefore: os.loadavg().map((x) => Number(x.toFixed(2))),
    node: process.version,
    photos: buffers.length,
    runs,
  };
  if (!asJson) console.log(`bench:pipeline — ${buffers.length} photos from ${dir}, ${runs} runs, ${env.cores} cores (${env.cpu}), load ${env.loadavgBefore.join(' ')}`);

  const detection = [];
  for (const t of [1, 2]) {
    const d = await benchDetection(buffers, t, runs);
    detection.push(d);
    if (!asJson)
      console.log(
        `detection (MTCNN, decode excluded), ${t} thread(s): median ${d.medianMs} ms/photo wall (CPU ${d.medianCpuMs} ms), p90 ${d.p90Ms} ms, ${d.photos} photos 200–400 px`,
      );
    if (!asJson)
      console.log(
        `   of which the three networks in onnxruntime: median ${d.medianNetworksMs} ms/photo for ${d.medianMflop} MFLOP (${d.networksGflops} GFLOP/s sustained)`,
      );
  }
  const rows: BenchRow[] = [];
  for (const id of ageIds) {
    for (const cfg of CONFIGS) {
      const row = await benchPipeline(buffers, cfg, { runs, ageModelId: id });
      rows.push(row);
      if (!asJson) {
        console.log(
          `${row.ageModel} | ${row.config}: ${row.medianPhotosPerSec} photos/s (runs ${row.runs.join(', ')}); CPU ${row.cpuMsPerPhoto} ms/photo (CPU-bound rate for its threads: ${row.cpuBoundPhotosPerSec} photos/s)`,
        );
        console.log('   per photo (ms): ' + Object.entries(row.stagesMsPerPhoto).map(([k, v]) => `${k} ${v}`).join(', '));
      }
    }
  }
  const result = { env: { ...env, loadavgAfter: os.loadavg().map((x) => Number(x.toFixed(2))) }, detection, pipeline: rows };
  const outDir = path.join(REPO_ROOT, 'bench', 'results');
  fs.mkdirSync(outDir, { recursive: true });
  const outFile = path.join(outDir, `pipeline-${env.date.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(outFile, JSON.stringify(result, null, 2) + '\n');
  if (asJson) console.log(JSON.stringify(result, null, 2));
  else console.log(`results: ${path.relative(process.cwd(), outFile)}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(`bench:pipeline failed: ${(e as Error).message}`);
    process.exit(1);
  });
}
