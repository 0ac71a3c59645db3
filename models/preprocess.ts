/**
 * Face-crop preprocessing for the age models. Each age model declares its input spec in the
 * registry; two crop/resample recipes exist:
 *
 *  - FaceAge (published pipeline, src/test/predict_folder_demo.py of AIM-Harvard/FaceAge):
 *    first face box (x, y, w, h) → rows |y| … |y|+h and columns |x| … |x|+w, clamped to the image
 *    (numpy slicing) → Pillow BICUBIC resize to 160×160 (uint8) → per-image standardisation over
 *    all 76,800 values: (v − mean) / std with the population std. A constant crop is an error.
 *  - face-api baseline: the box (clamped), zero-padded to a square (face-api's padToSquare with
 *    centring: round(diff/2) after, the rest before), TF bilinear resize to 112×112, then
 *    (v − mean_rgb) / 255.
 */
import type { InputSpec } from './registry.ts';
import { resizeBicubicU8, resizeBilinearTf } from './resize.ts';
import type { RgbImage } from './mtcnn.ts';

export class PreprocessError extends Error {}

/** numpy-style crop img[|y| : |y|+h, |x| : |x|+w] (clamped); returns HWC uint8. */
export function cropBox(img: RgbImage, box: readonly number[]): { data: Uint8Array; width: number; height: number } {
  const x1 = Math.abs(Math.trunc(box[0]));
  const y1 = Math.abs(Math.trunc(box[1]));
  const x2 = Math.min(x1 + Math.trunc(box[2]), img.width);
  const y2 = Math.min(y1 + Math.trunc(box[3]), img.height);
  const w = Math.max(0, x2 - Math.min(x1, img.width));
  const h = Math.max(0, y2 - Math.min(y1, img.height));
  if (w <= 0 || h <= 0) throw new PreprocessError(`face box [${box.join(', ')}] is empty inside the ${img.width}×${img.height} image`);
  const out = new Uint8Array(w * h * 3);
  for (let r = 0; r < h; r++) {
    const s = ((y1 + r) * img.width + x1) * 3;
    out.set(img.data.subarray(s, s + w * 3), r * w * 3);
  }
  return { data: out, width: w, height: h };
}

/** Per-image standardisation (v − mean) / std over all values, population std (numpy .std()). */
export function standardise(values: ArrayLike<number>, out?: Float32Array, offset = 0): Float32Array {
  const n = values.length;
  if (n === 0) throw new PreprocessError('cannot standardise an empty image');
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i] - mean;
    ss += d * d;
  }
  const std = Math.sqrt(ss / n);
  if (!(std > 0) || !Number.isFinite(std)) throw new PreprocessError('face crop is a constant image (standard deviation 0): cannot standardise');
  const dst = out ?? new Float32Array(n);
  for (let i = 0; i < n; i++) dst[offset + i] = (values[i] - mean) / std;
  return dst;
}

/** face-api's padToSquare(isCenterImage = true) for an HWC uint8 image. */
export function padToSquareCentered(src: { data: Uint8Array; width: number; height: number }) {
  const { width: w, height: h } = src;
  if (w === h) return src;
  const size = Math.max(w, h);
  const diff = Math.abs(h - w);
  const after = Math.round(diff * 0.5);
  const before = diff - after;
  const out = new Uint8Array(size * size * 3);
  const ox = w < h ? before : 0;
  const oy = h < w ? before : 0;
  for (let r = 0; r < h; r++) out.set(src.data.subarray(r * w * 3, (r + 1) * w * 3), ((r + oy) * size + ox) * 3);
  return { data: out, width: size, height: size };
}

/** Lay out an HWC float image per the spec (NHWC/NCHW, RGB/BGR) into out at offset. */
function layout(hwc: ArrayLike<number>, spec: InputSpec, out: Float32Array, offset: number) {
  const { width: W, height: H } = spec;
  const bgr = spec.colour === 'BGR';
  if (spec.layout === 'NHWC') {
    for (let p = 0; p < W * H; p++)
      for (let c = 0; c < 3; c++) out[offset + p * 3 + c] = hwc[p * 3 + (bgr ? 2 - c : c)];
  } else {
    for (let c = 0; c < 3; c++)
      for (let p = 0; p < W * H; p++) out[offset + c * W * H + p] = hwc[p * 3 + (bgr ? 2 - c : c)];
  }
}

export type Recipe = 'faceage' | 'faceapi';

/**
 * Produce one model input (Float32Array of H·W·3 values in the spec's layout) for a face box.
 * `recipe` selects the crop/resample convention (see the file comment).
 */
export function prepareFace(img: RgbImage, box: readonly number[], spec: InputSpec, recipe: Recipe, out?: Float32Array, offset = 0): Float32Array {
  if (spec.channels !== 3) throw new PreprocessError(`unsupported channel count ${spec.channels}`);
  const n = spec.width * spec.height * 3;
  const dst = out ?? new Float32Array(n);
  let crop = cropBox(img, box);
  let pixels: ArrayLike<number>;
  if (recipe === 'faceapi') {
    crop = padToSquareCentered(crop);
    pixels = resizeBilinearTf(crop.data, crop.width, crop.height, 3, spec.width, spec.height);
  } else if (spec.resize === 'bilinear') {
    pixels = resizeBilinearTf(crop.data, crop.width, crop.height, 3, spec.width, spec.height);
  } else {
    pixels = resizeBicubicU8(crop.data, crop.width, crop.height, 3, spec.width, spec.height);
  }
  const norm = spec.normalisation;
  let values: ArrayLike<number>;
  if (norm.type === 'per-image-standardisation') {
    values = standardise(pixels);
  } else if (norm.type === 'affine') {
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = (pixels[i] - norm.mean[i % 3]) * norm.scale[i % 3];
    values = v;
  } else {
    values = pixels;
  }
  layout(values, spec, dst, offset);
  return dst;
}
