/**
 * The MTCNN detector on onnxruntime: three sessions created once and reused.
 */
import path from 'node:path';
import { ARTEFACTS, ensureModels } from './build.ts';
import { createSession, ort, type Device } from './inference.ts';
import { detectFaces, MTCNN_DEFAULTS, type Face, type MtcnnOptions, type MtcnnRunner, type MtcnnTimings, type RgbImage } from './mtcnn.ts';
import { modelDir } from './registry.ts';

export interface Detector {
  detect(img: RgbImage, timings?: MtcnnTimings): Promise<Face[]>;
  provider: 'cpu' | 'cuda';
  close(): Promise<void>;
}

/** Column 1 (face) of an [n, 2] softmax output. */
function faceColumn(softmax: Float32Array, n: number): Float32Array {
  const prob = new Float32Array(n);
  for (let i = 0; i < n; i++) prob[i] = softmax[i * 2 + 1];
  return prob;
}

export async function createDetector(
  opts: { threads?: number; device?: Device; dir?: string; mtcnn?: MtcnnOptions; log?: (m: string) => void } = {},
): Promise<Detector> {
  const dir = opts.dir ?? modelDir();
  await ensureModels({ dir, log: opts.log });
  const so = { threads: opts.threads, device: opts.device, log: opts.log };
  const [p, r, o] = await Promise.all([
    createSession(path.join(dir, ARTEFACTS.pnet), so),
    createSession(path.join(dir, ARTEFACTS.rnet), so),
    createSession(path.join(dir, ARTEFACTS.onet), so),
  ]);
  const runner: MtcnnRunner = {
    async pnet(input, d1, d2) {
      const out = await p.session.run({ input: new ort.Tensor('float32', input, [1, 3, d1, d2]) });
      // prob is one channel, [1, 1, a, b] (see faceLogitDiff in mtcnn-nets.ts)
      const [, , a, b] = out.prob.dims as number[];
      return { prob: out.prob.data as Float32Array, reg: out.reg.data as Float32Array, a, b };
    },
    async rnet(input, n) {
      const out = await r.session.run({ input: new ort.Tensor('float32', input, [n, 3, 24, 24]) });
      return { prob: faceColumn(out.prob.data as Float32Array, n), reg: out.reg.data as Float32Array };
    },
    async onet(input, n) {
      const out = await o.session.run({ input: new ort.Tensor('float32', input, [n, 3, 48, 48]) });
      return { prob: faceColumn(out.prob.data as Float32Array, n), reg: out.reg.data as Float32Array, landmarks: out.landmarks.data as Float32Array };
    },
  };
  const mtcnnOpts = opts.mtcnn ?? MTCNN_DEFAULTS;
  return {
    provider: p.provider,
    detect: (img, timings) => detectFaces(img, runner, mtcnnOpts, timings),
    async close() {
      await Promise.all([p.session.release(), r.session.release(), o.session.release()]);
    },
  };
}
