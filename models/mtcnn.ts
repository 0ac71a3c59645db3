/**
 * MTCNN face detection with the behaviour of the `mtcnn` Python package 0.1.1 (ipazc/mtcnn at
 * commit 3208d44, the version the FaceAge paper pinned). Re-implemented from its documented
 * behaviour; the three networks run elsewhere (ONNX, see MtcnnRunner).
 *
 * Faithfulness notes (all as 0.1.1 does):
 *  - pyramid: m = 12 / minFace, scales m·f^k while min(h, w)·m·f^k ≥ 12; each level is
 *    cv2.resize(uint8 image, (ceil(w·s), ceil(h·s)), INTER_AREA), normalised (v − 127.5)·0.0078125
 *    (bit-exact with OpenCV; area-wasm.ts, reference code in resize.ts);
 *  - the networks see images transposed (x, y swapped: the column-major convention of the
 *    original Caffe/MATLAB training), so P-Net maps are indexed [x][y];
 *  - P-Net boxes: stride 2, cell 12, np.fix; when exactly one cell passes the threshold at a scale
 *    the regression maps are flipped along x (np.flipud quirk) before indexing;
 *  - NMS 0.5 'Union' per scale, 0.7 'Union' over all scales, 0.7 'Union' after R-Net,
 *    0.7 'Min' after O-Net (areas with +1);
 *  - regression after P-Net uses w = x2 − x1 (no +1); bbreg after R/O-Net uses w = x2 − x1 + 1;
 *  - rerec (square) after P-Net and R-Net; np.fix of the box after P-Net and before O-Net;
 *  - crops for R/O-Net: zero-padded box (pad()), cv2 INTER_AREA to 24/48 in float64;
 *  - thresholds: score ≥ t at P-Net, > t at R-Net and O-Net;
 *  - output: x = max(0, int(x1)), y = max(0, int(y1)), w = int(x2 − x), h = int(y2 − y),
 *    keypoints int()-truncated; faces in the order of the final NMS (best first).
 */
import { areaWasm, type AreaWasm, type CropParams } from './area-wasm.ts';

export interface RgbImage {
  /** Interleaved RGB, row-major, 3 bytes per pixel. */
  data: Uint8Array;
  width: number;
  height: number;
}

export interface Keypoints {
  left_eye: [number, number];
  right_eye: [number, number];
  nose: [number, number];
  mouth_left: [number, number];
  mouth_right: [number, number];
}

export interface Face {
  box: [number, number, number, number];
  confidence: number;
  keypoints: Keypoints;
}

export interface MtcnnOptions {
  minFaceSize: number;
  scaleFactor: number;
  thresholds: [number, number, number];
}

export const MTCNN_DEFAULTS: MtcnnOptions = { minFaceSize: 20, scaleFactor: 0.709, thresholds: [0.6, 0.7, 0.7] };

/**
 * The three networks. Inputs are planar NCHW float32 in the transposed convention: for P-Net a
 * [1, 3, W, H] tensor (value of pixel (x, y), channel c at c·W·H + x·H + y), for R/O-Net
 * [n, 3, S, S] crops laid out the same way (S = 24 | 48).
 */
export interface MtcnnRunner {
  /** Returns face probability map and regression maps, indexed [k][a][b] with a along input dim 1 (x), b along dim 2 (y). */
  pnet(input: Float32Array, dim1: number, dim2: number): Promise<{ prob: Float32Array; reg: Float32Array; a: number; b: number }>;
  /** prob: [n] face probabilities; reg: [n, 4]. */
  rnet(input: Float32Array, n: number): Promise<{ prob: Float32Array; reg: Float32Array }>;
  /** prob: [n]; reg: [n, 4]; landmarks: [n, 10]. */
  onet(input: Float32Array, n: number): Promise<{ prob: Float32Array; reg: Float32Array; landmarks: Float32Array }>;
}

/** Per-stage timings in milliseconds, and the networks' workload (for benchmarks). */
export interface MtcnnTimings {
  pyramid: number;
  pnet: number;
  rnet: number;
  onet: number;
  post: number;
  /** Candidates given to R-Net and O-Net (their batch sizes, summed). */
  rnetCrops: number;
  onetCrops: number;
}

/** A candidate box: x1, y1, x2, y2, score, then 4 regression values. */
export type Box = number[];

// ---------------------------------------------------------------------------------------------
// Pure helpers (exported for unit tests)

export function computeScalePyramid(height: number, width: number, minFaceSize = 20, factor = 0.709): number[] {
  const m = 12 / minFaceSize;
  let minLayer = Math.min(height, width) * m;
  const scales: number[] = [];
  let k = 0;
  while (minLayer >= 12) {
    scales.push(m * Math.pow(factor, k));
    minLayer = minLayer * factor;
    k++;
  }
  return scales;
}

/**
 * Non-maximum suppression as mtcnn 0.1.1: repeatedly pick the highest score (ties: the one later
 * in the input, as numpy's argsort then [-1] does for small arrays), drop boxes with overlap
 * > threshold. Returns picked indices in pick order.
 */
export function nms(boxes: Box[], threshold: number, method: 'Union' | 'Min'): number[] {
  const n = boxes.length;
  if (n === 0) return [];
  const area = boxes.map((b) => (b[2] - b[0] + 1) * (b[3] - b[1] + 1));
  // ascending by score, stable (ties keep input order)
  let order = argsortStable(boxes.map((b) => b[4]));
  const pick: number[] = [];
  while (order.length > 0) {
    const i = order[order.length - 1];
    pick.push(i);
    const rest = order.slice(0, -1);
    const keep: number[] = [];
    const bi = boxes[i];
    for (const j of rest) {
      const bj = boxes[j];
      const xx1 = Math.max(bi[0], bj[0]);
      const yy1 = Math.max(bi[1], bj[1]);
      const xx2 = Math.min(bi[2], bj[2]);
      const yy2 = Math.min(bi[3], bj[3]);
      const w = Math.max(0, xx2 - xx1 + 1);
      const h = Math.max(0, yy2 - yy1 + 1);
      const inter = w * h;
      const o = method === 'Min' ? inter / Math.min(area[i], area[j]) : inter / (area[i] + area[j] - inter);
      if (o <= threshold) keep.push(j);
    }
    order = keep;
  }
  return pick;
}

function argsortStable(v: number[]): number[] {
  const idx = v.map((_, i) => i);
  idx.sort((a, b) => v[a] - v[b] || a - b);
  return idx;
}

/** rerec: make boxes square around their centre (side = max(w, h), w = x2 − x1 without +1). */
export function rerec(b: Box): Box {
  const h = b[3] - b[1];
  const w = b[2] - b[0];
  const l = Math.max(w, h);
  const out = b.slice();
  out[0] = b[0] + w * 0.5 - l * 0.5;
  out[1] = b[1] + h * 0.5 - l * 0.5;
  out[2] = out[0] + l;
  out[3] = out[1] + l;
  return out;
}

/** bbreg: calibrate with regression offsets, w = x2 − x1 + 1. */
export function bbreg(b: Box, reg: ArrayLike<number>): Box {
  const w = b[2] - b[0] + 1;
  const h = b[3] - b[1] + 1;
  const out = b.slice();
  out[0] = b[0] + reg[0] * w;
  out[1] = b[1] + reg[1] * h;
  out[2] = b[2] + reg[2] * w;
  out[3] = b[3] + reg[3] * h;
  return out;
}

export interface PadResult {
  dy: number;
  edy: number;
  dx: number;
  edx: number;
  y: number;
  ey: number;
  x: number;
  ex: number;
  tmpw: number;
  tmph: number;
}

/** pad(): 1-based crop coordinates of the box inside the image and inside the zero-padded crop. */
export function pad(b: Box, w: number, h: number): PadResult {
  const i32 = (v: number) => Math.trunc(v) | 0;
  const tmpw = i32(b[2] - b[0] + 1);
  const tmph = i32(b[3] - b[1] + 1);
  let dx = 1;
  let dy = 1;
  let edx = tmpw;
  let edy = tmph;
  let x = i32(b[0]);
  let y = i32(b[1]);
  let ex = i32(b[2]);
  let ey = i32(b[3]);
  if (ex > w) {
    edx = -ex + w + tmpw;
    ex = w;
  }
  if (ey > h) {
    edy = -ey + h + tmph;
    ey = h;
  }
  if (x < 1) {
    dx = 2 - x;
    x = 1;
  }
  if (y < 1) {
    dy = 2 - y;
    y = 1;
  }
  return { dy, edy, dx, edx, y, ey, x, ex, tmpw, tmph };
}

/** Python slice bounds [a:b] normalised for a sequence of length n (negative indices count from the end). */
function pySlice(a: number, b: number, n: number): [number, number] {
  const norm = (v: number) => (v < 0 ? Math.max(0, v + n) : Math.min(v, n));
  const s = norm(a);
  const e = norm(b);
  return [s, Math.max(s, e)];
}

/**
 * The zero-padded crop of 0.1.1's stage 2/3 (float64 HWC, tmph × tmpw), or null where numpy would
 * raise (the slices disagree in shape: a box wholly outside the image).
 */
export function paddedCrop(img: RgbImage, p: PadResult): Float64Array | null {
  const c = cropParams(img, p);
  if (!c) return null;
  const { tmpw, tmph, tx0, tx1, ty0, ty1, ix0, iy0 } = c;
  const out = new Float64Array(tmph * tmpw * 3);
  const cols = tx1 - tx0;
  for (let r = 0; r < ty1 - ty0; r++) {
    const so = ((iy0 + r) * img.width + ix0) * 3;
    const d = ((ty0 + r) * tmpw + tx0) * 3;
    for (let k = 0; k < cols * 3; k++) out[d + k] = img.data[so + k];
  }
  return out;
}

/** P-Net candidates at one scale (generate_bounding_box), in numpy's np.where order. */
export function generateBoundingBoxes(
  prob: Float32Array,
  reg: Float32Array,
  A: number,
  B: number,
  scale: number,
  t: number,
): Box[] {
  const stride = 2;
  const cell = 12;
  const hits: number[] = [];
  for (let a = 0; a < A; a++) for (let b = 0; b < B; b++) if (prob[a * B + b] >= t) hits.push(a * B + b);
  const flip = hits.length === 1;
  const plane = A * B;
  const out: Box[] = [];
  for (const idx of hits) {
    const a = Math.floor(idx / B);
    const b = idx - a * B;
    const ra = flip ? A - 1 - a : a;
    const r = ra * B + b;
    out.push([
      Math.trunc((stride * a + 1) / scale),
      Math.trunc((stride * b + 1) / scale),
      Math.trunc((stride * a + cell) / scale),
      Math.trunc((stride * b + cell) / scale),
      prob[idx],
      reg[r],
      reg[plane + r],
      reg[2 * plane + r],
      reg[3 * plane + r],
    ]);
  }
  return out;
}

/**
 * Where 0.1.1's stage-2/3 crop takes its pixels (see paddedCrop): the zero-padded tmph × tmpw crop
 * holds the image block starting at (ix0, iy0) in [ty0, ty1) × [tx0, tx1). Null where numpy would
 * raise (the two slices disagree in shape: a box wholly outside the image), as paddedCrop.
 */
export function cropParams(img: { width: number; height: number }, p: PadResult): CropParams | null {
  const { tmpw, tmph } = p;
  if (tmpw <= 0 || tmph <= 0) return null;
  const [ty0, ty1] = pySlice(p.dy - 1, p.edy, tmph);
  const [tx0, tx1] = pySlice(p.dx - 1, p.edx, tmpw);
  const [iy0, iy1] = pySlice(p.y - 1, p.ey, img.height);
  const [ix0, ix1] = pySlice(p.x - 1, p.ex, img.width);
  if (ty1 - ty0 !== iy1 - iy0 || tx1 - tx0 !== ix1 - ix0) return null;
  return { tmpw, tmph, tx0, tx1, ty0, ty1, ix0, iy0 };
}

// ---------------------------------------------------------------------------------------------
// The detector

/**
 * The R-/O-Net input batch: each box's zero-padded crop resized to S×S, planar [n, 3, S, S].
 * Null when any box is one numpy's slicing would reject (0.1.1 then finds no face at all).
 */
function cropBatch(area: AreaWasm, img: RgbImage, boxes: Box[], S: number): Float32Array | null {
  const per = S * S * 3;
  const out = new Float32Array(boxes.length * per);
  for (let k = 0; k < boxes.length; k++) {
    const c = cropParams(img, pad(boxes[k], img.width, img.height));
    if (!c) return null;
    area.crop(c, S, out, k * per);
  }
  return out;
}

export async function detectFaces(
  img: RgbImage,
  nets: MtcnnRunner,
  opts: MtcnnOptions = MTCNN_DEFAULTS,
  timings?: MtcnnTimings,
): Promise<Face[]> {
  const { width: W, height: H } = img;
  if (!W || !H || img.data.length < W * H * 3) throw new Error('invalid image');
  const now = () => performance.now();
  let t0 = now();

  // ---- stage 1
  const scales = computeScalePyramid(H, W, opts.minFaceSize, opts.scaleFactor);
  let total: Box[] = [];
  let tPyr = 0;
  let tP = 0;
  // Pyramid levels and crops: cv2 INTER_AREA, bit-exact, in WebAssembly (see area-wasm.ts).
  const area = areaWasm();
  const t00 = now();
  area.setImage(img);
  tPyr += now() - t00;
  for (const scale of scales) {
    const ta = now();
    const ws = Math.ceil(W * scale);
    const hs = Math.ceil(H * scale);
    const input = new Float32Array(ws * hs * 3);
    area.pyramidLevel(ws, hs, input);
    const tb = now();
    const out = await nets.pnet(input, ws, hs);
    tPyr += tb - ta;
    tP += now() - tb;
    const boxes = generateBoundingBoxes(out.prob, out.reg, out.a, out.b, scale, opts.thresholds[0]);
    const pick = nms(boxes, 0.5, 'Union');
    for (const i of pick) total.push(boxes[i]);
  }
  if (timings) {
    timings.pyramid += tPyr;
    timings.pnet += tP;
  }
  t0 = now();
  if (total.length === 0) return [];
  {
    const pick = nms(total, 0.7, 'Union');
    total = pick.map((i) => {
      const b = total[i];
      const regw = b[2] - b[0];
      const regh = b[3] - b[1];
      const q = [b[0] + b[5] * regw, b[1] + b[6] * regh, b[2] + b[7] * regw, b[3] + b[8] * regh, b[4]];
      const r = rerec(q);
      for (let k = 0; k < 4; k++) r[k] = Math.trunc(r[k]);
      return r;
    });
  }

  // ---- stage 2
  const n2 = total.length;
  const in2 = cropBatch(area, img, total, 24);
  if (!in2) return [];
  let t1 = now();
  if (timings) timings.post += t1 - t0;
  const r2 = await nets.rnet(in2, n2);
  t0 = now();
  if (timings) {
    timings.rnet += t0 - t1;
    timings.rnetCrops += n2;
  }
  let boxes2: Box[] = [];
  const regs2: number[][] = [];
  for (let k = 0; k < n2; k++) {
    const s = r2.prob[k];
    if (s > opts.thresholds[1]) {
      boxes2.push([total[k][0], total[k][1], total[k][2], total[k][3], s]);
      regs2.push(Array.from(r2.reg.subarray(k * 4, k * 4 + 4)));
    }
  }
  if (boxes2.length > 0) {
    const pick = nms(boxes2, 0.7, 'Union');
    boxes2 = pick.map((i) => rerec(bbreg(boxes2[i], regs2[i])));
  }
  if (boxes2.length === 0) return [];

  // ---- stage 3
  const fixed = boxes2.map((b) => b.map((v) => Math.trunc(v)));
  const n3 = fixed.length;
  const in3 = cropBatch(area, img, fixed, 48);
  if (!in3) return [];
  t1 = now();
  if (timings) timings.post += t1 - t0;
  const r3 = await nets.onet(in3, n3);
  t0 = now();
  if (timings) {
    timings.onet += t0 - t1;
    timings.onetCrops += n3;
  }
  let boxes3: Box[] = [];
  let points: number[][] = [];
  for (let k = 0; k < n3; k++) {
    const s = r3.prob[k];
    if (!(s > opts.thresholds[2])) continue;
    const b = [fixed[k][0], fixed[k][1], fixed[k][2], fixed[k][3], s];
    const w = b[2] - b[0] + 1;
    const h = b[3] - b[1] + 1;
    const lm = r3.landmarks.subarray(k * 10, k * 10 + 10);
    const pts: number[] = [];
    for (let i = 0; i < 5; i++) pts.push(w * lm[i] + b[0] - 1);
    for (let i = 5; i < 10; i++) pts.push(h * lm[i] + b[1] - 1);
    boxes3.push(bbreg(b, r3.reg.subarray(k * 4, k * 4 + 4)));
    points.push(pts);
  }
  if (boxes3.length > 0) {
    const pick = nms(boxes3, 0.7, 'Min');
    boxes3 = pick.map((i) => boxes3[i]);
    points = pick.map((i) => points[i]);
  }

  const faces = boxes3.map((b, i): Face => {
    const x = Math.max(0, Math.trunc(b[0]));
    const y = Math.max(0, Math.trunc(b[1]));
    const p = points[i].map((v) => Math.trunc(v));
    return {
      box: [x, y, Math.trunc(b[2] - x), Math.trunc(b[3] - y)],
      confidence: b[4],
      keypoints: {
        left_eye: [p[0], p[5]],
        right_eye: [p[1], p[6]],
        nose: [p[2], p[7]],
        mouth_left: [p[3], p[8]],
        mouth_right: [p[4], p[9]],
      },
    };
  });
  if (timings) timings.post += now() - t0;
  return faces;
}
