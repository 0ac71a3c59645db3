/**
 * A pool of pipelines in worker threads, for throughput on several cores: onnxruntime-node's
 * run() occupies the calling thread, and the JavaScript stages (pyramid, crops) are single
 * threaded, so N workers × 1 intra-op thread uses N cores better than 1 pipeline × N threads.
 *
 * Same interface as Pipeline; photos are spread over the workers and results come back in input
 * order. Use createPipeline() directly when one thread is enough (e.g. inside a job worker that
 * is itself one of many processes).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ensureModels } from './build.ts';
import { zeroTimings, type AnalysisResult, type Pipeline, type PipelineOptions, type StageTimings } from './pipeline.ts';
import { getModel, defaultAgeModel, defaultDetector, modelDir, type ModelEntry } from './registry.ts';

export interface PoolOptions extends PipelineOptions {
  /** Worker threads (default 2). Each runs its own pipeline with `threads` intra-op threads (default 1). */
  workers?: number;
}

type Msg =
  | { type: 'ready'; provider: 'cpu' | 'cuda' }
  | { type: 'result'; id: number; results: AnalysisResult[]; timings: StageTimings }
  | { type: 'error'; id: number; message: string };

interface Slot {
  worker: Worker;
  busy: Promise<unknown>;
}

const ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pool-worker.mjs');

export async function createPipelinePool(opts: PoolOptions = {}): Promise<Pipeline> {
  const n = Math.max(1, opts.workers ?? 2);
  const dir = opts.modelDir ?? modelDir();
  await ensureModels({ dir, log: opts.log }); // build once here, not in every worker
  const ageEntry: ModelEntry | undefined = opts.ageModelId ? getModel(opts.ageModelId) : defaultAgeModel();
  if (!ageEntry) throw new Error(`unknown age model "${opts.ageModelId}" (see \`faceage model list\`)`);
  if (ageEntry.role !== 'age') throw new Error(`model "${opts.ageModelId}" is a ${ageEntry.role}, not an age model`);
  const workerOpts = { ageModelId: ageEntry.id, threads: opts.threads ?? 1, device: opts.device, batchSize: opts.batchSize, modelDir: dir };

  let nextId = 1;
  const waiting = new Map<number, { resolve: (r: AnalysisResult[]) => void; reject: (e: Error) => void }>();
  let timings: StageTimings = zeroTimings();
  let provider: 'cpu' | 'cuda' = 'cpu';

  const slots: Slot[] = await Promise.all(
    Array.from({ length: n }, async () => {
      const worker = new Worker(ENTRY, { workerData: workerOpts, env: process.env, stderr: false });
      await new Promise<void>((resolve, reject) => {
        const onMsg = (m: Msg) => {
          if (m.type === 'ready') {
            provider = m.provider;
            worker.off('error', reject);
            resolve();
          } else if (m.type === 'error' && m.id === 0) reject(new Error(m.message));
        };
        worker.on('message', onMsg);
        worker.once('error', reject);
      });
      worker.on('message', (m: Msg) => {
        if (m.type === 'ready') return;
        const w = waiting.get(m.id);
        if (!w) return;
        waiting.delete(m.id);
        if (m.type === 'result') {
          for (const k of Object.keys(timings) as (keyof StageTimings)[]) timings[k] += m.timings[k];
          w.resolve(m.results);
        } else w.reject(new Error(m.message));
      });
      worker.on('error', (e) => {
        for (const w of waiting.values()) w.reject(e);
        waiting.clear();
      });
      return { worker, busy: Promise.resolve() };
    }),
  );

  function send(slot: Slot, inputs: (Buffer | Uint8Array | string)[]): Promise<AnalysisResult[]> {
    const id = nextId++;
    const transfer: ArrayBuffer[] = [];
    const payload = inputs.map((x) => {
      if (typeof x === 'string') return x;
      const copy = new Uint8Array(x.byteLength);
      copy.set(x);
      transfer.push(copy.buffer);
      return copy;
    });
    const p = new Promise<AnalysisResult[]>((resolve, reject) => waiting.set(id, { resolve, reject }));
    slot.worker.postMessage({ type: 'batch', id, inputs: payload }, transfer);
    return p;
  }

  const failedAll = (inputs: unknown[], message: string): AnalysisResult[] =>
    inputs.map(() => ({
      faceCount: 0,
      box: null,
      confidence: null,
      keypoints: null,
      faceage: null,
      ageModel: ageEntry.id,
      ageModelKind: ageEntry.kind,
      ageModelLabel: ageEntry.id,
      detector: defaultDetector().id,
      error: `pipeline failed: ${message}`,
      faces: [],
    }));

  async function analyseBatch(inputs: (Buffer | Uint8Array | string)[]): Promise<AnalysisResult[]> {
    const results: AnalysisResult[] = new Array(inputs.length);
    // Small chunks handed to whichever worker is free: balances slow and fast photos.
    const chunk = Math.max(1, Math.min(4, Math.ceil(inputs.length / n)));
    let next = 0;
    await Promise.all(
      slots.map(async (slot) => {
        while (next < inputs.length) {
          const start = next;
          next += chunk;
          const part = inputs.slice(start, start + chunk);
          let rs: AnalysisResult[];
          try {
            rs = await send(slot, part);
          } catch (e) {
            rs = failedAll(part, (e as Error).message);
          }
          rs.forEach((r, k) => (results[start + k] = r));
        }
      }),
    );
    return results;
  }

  return {
    detector: defaultDetector(),
    ageModel: ageEntry,
    get provider() {
      return provider;
    },
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
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
