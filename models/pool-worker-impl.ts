/** Runs one pipeline inside a worker thread (see pool.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { createPipeline, type PipelineOptions } from './pipeline.ts';

const port = parentPort!;
try {
  const pipeline = await createPipeline({ ...(workerData as PipelineOptions), log: (m) => process.stderr.write(`faceage: ${m}\n`) });
  port.on('message', async (m: { type: string; id: number; inputs: (string | Uint8Array)[] }) => {
    if (m.type !== 'batch') return;
    pipeline.resetTimings();
    try {
      const inputs = m.inputs.map((x) => (typeof x === 'string' ? x : Buffer.from(x.buffer, x.byteOffset, x.byteLength)));
      const results = await pipeline.analyseBatch(inputs);
      port.postMessage({ type: 'result', id: m.id, results, timings: { ...pipeline.timings } });
    } catch (e) {
      port.postMessage({ type: 'error', id: m.id, message: (e as Error).message });
    }
  });
  port.postMessage({ type: 'ready', provider: pipeline.provider });
} catch (e) {
  port.postMessage({ type: 'error', id: 0, message: (e as Error).message });
}
