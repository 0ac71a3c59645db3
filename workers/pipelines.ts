/**
 * One models/ pipeline per worker process and age model: the ONNX sessions are created on first
 * use and reused by every later job (loading them per job would dominate the run time).
 */
import type { Analyser } from './handlers/faceage.ts';

const cache = new Map<string, Promise<Analyser & { close(): Promise<void> }>>();

export function pipelineFor(ageModelId: string, opts: { threads?: number } = {}): Promise<Analyser> {
  let p = cache.get(ageModelId);
  if (!p) {
    p = (async () => {
      const { createPipeline } = await import('~/models/pipeline.ts');
      const pipeline = await createPipeline({ ageModelId, threads: opts.threads, device: (process.env.EXECUTION_PROVIDER as 'cpu' | 'cuda' | undefined) ?? 'cpu' });
      process.stdout.write(`[worker] pipeline ready: detector ${pipeline.detector.id}, age model ${pipeline.ageModel.id}, ${pipeline.provider} provider\n`);
      return pipeline;
    })();
    p.catch(() => cache.delete(ageModelId));
    cache.set(ageModelId, p);
  }
  return p;
}

export async function closePipelines(): Promise<void> {
  const all = [...cache.values()];
  cache.clear();
  await Promise.all(all.map(async (p) => (await p.catch(() => null))?.close()));
}
