/**
 * onnxruntime-node session helpers: one place that decides the execution provider and threads.
 *
 * CUDA is used only when requested (option or FACEAGE_DEVICE=cuda) AND onnxruntime-node reports
 * its CUDA provider as installed; otherwise the CPU provider is used and the reason is logged once.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as ort from 'onnxruntime-node';

export type Device = 'cpu' | 'cuda' | 'auto';

export interface SessionOptions {
  /** Intra-op threads (default 1: the pipeline parallelises across photos/processes instead). */
  threads?: number;
  device?: Device;
  log?: (msg: string) => void;
}

export interface ProviderChoice {
  provider: 'cpu' | 'cuda';
  reason: string;
}

let loggedReason: string | null = null;

/** Decide the execution provider (without creating a session). */
export function chooseProvider(device: Device = (process.env.FACEAGE_DEVICE as Device) || 'cpu'): ProviderChoice {
  if (device === 'cpu') return { provider: 'cpu', reason: 'CPU requested' };
  let cuda: { name: string; bundled: boolean } | undefined;
  try {
    cuda = ort.listSupportedBackends().find((b) => b.name === 'cuda');
  } catch {
    cuda = undefined;
  }
  if (!cuda) return { provider: 'cpu', reason: `CUDA ${device === 'auto' ? 'not available' : 'requested but not available'}: this onnxruntime-node build has no CUDA backend` };
  if (!cuda.bundled && !cudaInstalled()) {
    return {
      provider: 'cpu',
      reason:
        'CUDA requested but the onnxruntime-node CUDA provider is not installed (its install script is disabled here; see docs/models.md "GPU")',
    };
  }
  return { provider: 'cuda', reason: 'CUDA execution provider available' };
}

function cudaInstalled(): boolean {
  // onnxruntime-node's install script drops libonnxruntime_providers_cuda.so next to the binding.
  return cudaProviderPath() !== null;
}

function cudaProviderPath(): string | null {
  try {
    const req = createRequire(import.meta.url);
    const root = path.dirname(req.resolve('onnxruntime-node/package.json'));
    const dir = path.join(root, 'bin', 'napi-v6', process.platform, process.arch);
    const f = path.join(dir, 'libonnxruntime_providers_cuda.so');
    return fs.existsSync(f) ? f : null;
  } catch {
    return null;
  }
}

/** Create a session from ONNX bytes or a path. */
export async function createSession(
  model: string | Uint8Array,
  opts: SessionOptions = {},
): Promise<{ session: ort.InferenceSession; provider: 'cpu' | 'cuda' }> {
  const choice = chooseProvider(opts.device);
  const log = opts.log ?? ((m: string) => process.stderr.write(`faceage: ${m}\n`));
  if (choice.provider === 'cpu' && opts.device && opts.device !== 'cpu' && loggedReason !== choice.reason) {
    log(`using CPU execution provider — ${choice.reason}`);
    loggedReason = choice.reason;
  }
  const so: ort.InferenceSession.SessionOptions = {
    executionProviders: choice.provider === 'cuda' ? ['cuda', 'cpu'] : ['cpu'],
    intraOpNumThreads: Math.max(1, opts.threads ?? 1),
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    // Spin-waiting intra-op threads burn a shared core for nothing on busy machines; let them sleep
    // unless FACEAGE_ORT_SPIN=1.
    extra: { session: { intra_op: { allow_spinning: process.env.FACEAGE_ORT_SPIN === '1' ? '1' : '0' } } },
  };
  try {
    const session =
      typeof model === 'string' ? await ort.InferenceSession.create(model, so) : await ort.InferenceSession.create(model, so);
    return { session, provider: choice.provider };
  } catch (err) {
    if (choice.provider === 'cuda') {
      log(`CUDA session failed (${(err as Error).message}); falling back to CPU`);
      so.executionProviders = ['cpu'];
      const session =
        typeof model === 'string' ? await ort.InferenceSession.create(model, so) : await ort.InferenceSession.create(model, so);
      return { session, provider: 'cpu' };
    }
    throw err;
  }
}

export { ort };
