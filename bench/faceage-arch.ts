/**
 * Timing of the FaceAge architecture (Inception-ResNet v1 + FaceAge head, random weights) as
 * converted by models/keras: per-face latency with 1 and 2 intra-op threads (median of repeated
 * runs, batch 1), plus a batched throughput figure.
 *
 *   npm run bench:faceage [-- --runs 30 --json]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { convertKerasToOnnx } from '../models/keras/convert.ts';
import { readKerasH5 } from '../models/keras/hdf5.ts';
import { OnnxBuilder } from '../models/keras/onnx-builder.ts';
import { writeFaceAgeH5 } from '../tests/keras/support/facenet.ts';
import { standardise, syntheticImage } from '../tests/keras/support/reference.ts';

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1] || 0) || 30;
const asJson = args.includes('--json');
const SIZE = 160;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Multiply-accumulates of the FaceAge architecture's convolutions and dense layers at 160×160. */
const FACEAGE_GMAC = 1.417;

/** Best sustained fp32 GEMM rate of onnxruntime on this CPU (GFLOP/s), for the arithmetic floor. */
async function gemmPeak(threads: number): Promise<number> {
  const N = 768;
  const b = new OnnxBuilder();
  b.input('a', [N, N]);
  const w = b.constF('w', [N, N], new Float32Array(N * N).map((_, i) => ((i * 7919) % 1000) / 1000));
  b.renameOutput(b.node('MatMul', ['a', w], 'y'), 'y');
  b.output('y', [N, N]);
  const s = await ort.InferenceSession.create(b.encode('gemm', ''), { intraOpNumThreads: threads, interOpNumThreads: 1 });
  const feed = { a: new ort.Tensor('float32', new Float32Array(N * N).fill(0.5), [N, N]) };
  for (let i = 0; i < 3; i++) await s.run(feed);
  let best = Infinity;
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    await s.run(feed);
    best = Math.min(best, performance.now() - t);
  }
  await s.release();
  return (2 * N * N * N) / best / 1e6;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faceage-bench-'));
try {
  const h5Path = path.join(dir, 'faceage-arch.h5');
  await writeFaceAgeH5(h5Path, { seed: 7 });
  const t0 = performance.now();
  const conv = convertKerasToOnnx(await readKerasH5(h5Path), { outputName: 'age' });
  const convertMs = performance.now() - t0;
  const img = standardise(syntheticImage(SIZE, 1));
  const results: Record<string, unknown>[] = [];
  for (const threads of [1, 2]) {
    const sess = await ort.InferenceSession.create(conv.onnx, {
      graphOptimizationLevel: 'all',
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
    });
    const feed = { [conv.inputName]: new ort.Tensor('float32', img, [1, SIZE, SIZE, 3]) };
    for (let i = 0; i < 5; i++) await sess.run(feed);
    const times: number[] = [];
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await sess.run(feed);
      times.push(performance.now() - t);
    }
    const cpu = process.cpuUsage(cpu0);
    const cpuMsPerRun = (cpu.user + cpu.system) / 1000 / runs;
    const batch = 8;
    const big = new Float32Array(batch * img.length);
    for (let b = 0; b < batch; b++) big.set(img, b * img.length);
    const bfeed = { [conv.inputName]: new ort.Tensor('float32', big, [batch, SIZE, SIZE, 3]) };
    await sess.run(bfeed);
    const bt: number[] = [];
    for (let i = 0; i < Math.max(3, Math.round(runs / 6)); i++) {
      const t = performance.now();
      await sess.run(bfeed);
      bt.push((performance.now() - t) / batch);
    }
    await sess.release();
    const peak = await gemmPeak(threads);
    results.push({
      threads,
      runs,
      medianMsPerFace: +median(times).toFixed(2),
      minMs: +Math.min(...times).toFixed(2),
      p90Ms: +[...times].sort((a, b) => a - b)[Math.floor(times.length * 0.9)].toFixed(2),
      batch8MedianMsPerFace: +median(bt).toFixed(2),
      cpuMsPerFace: +cpuMsPerRun.toFixed(1),
      effectiveGflops: +((2 * FACEAGE_GMAC * 1000) / median(times)).toFixed(1),
      gemmPeakGflops: +peak.toFixed(1),
      arithmeticFloorMs: +((2 * FACEAGE_GMAC * 1000) / peak).toFixed(1),
    });
  }
  const summary = {
    model: 'Inception-ResNet v1 (128-d) + FaceAge head, random weights, 160×160×3 NHWC',
    onnxBytes: conv.onnx.length,
    onnxNodes: conv.nodeCount,
    foldedBatchNorms: conv.foldedBatchNorms,
    foldedScaleSums: conv.foldedScaleSums,
    convertMs: Math.round(convertMs),
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    loadAverage: os.loadavg().map((x) => +x.toFixed(2)),
    onnxruntime: 'onnxruntime-node CPU, graphOptimizationLevel=all',
    results,
  };
  if (asJson) console.log(JSON.stringify(summary, null, 2));
  else {
    console.log(`${summary.model}: ${summary.onnxNodes} ONNX nodes, ${summary.foldedBatchNorms} BN + ${summary.foldedScaleSums} ScaleSum folded, converted in ${summary.convertMs} ms`);
    for (const r of results) {
      console.log(
        `  ${r.threads} thread(s): median ${r.medianMsPerFace} ms/face (min ${r.minMs}, p90 ${r.p90Ms}, ${r.runs} runs; ` +
          `${r.cpuMsPerFace} CPU-ms/face); batch 8: ${r.batch8MedianMsPerFace} ms/face; ` +
          `${r.effectiveGflops} GFLOP/s vs fp32 GEMM peak ${r.gemmPeakGflops} GFLOP/s → floor ${r.arithmeticFloorMs} ms/face`,
      );
    }
    console.log(`  load average during the run: ${summary.loadAverage.join(' ')} (others' jobs inflate the numbers)`);
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
