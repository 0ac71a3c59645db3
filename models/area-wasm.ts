/**
 * WebAssembly INTER_AREA resamplers for MTCNN (source: models/wasm/area.ts, built by
 * `npm run models:wasm` into models/wasm/area.wasm, which is committed).
 *
 * Bit-exact with the JS reference in models/resize.ts:
 *  - pyramidLevel(ws, hs): resizeAreaU8(image → ws × hs), then (v − 127.5)·0.0078125 as float32;
 *  - crop(p, S): resizeAreaF64(mtcnn 0.1.1's zero-padded float64 crop → S × S), then
 *    (r − 127.5)·0.0078125 in float64, stored as float32.
 * Both write planar, transposed: value of channel c at column x, row y → out[offset + (c·W + x)·H + y]
 * (W × H = ws × hs for the pyramid, S × S for crops).
 *
 * The wasm code covers INTER_AREA's area-table shrink (plan kind 'area') and, for crops, integer
 * factors ('fast'); exact size ('copy'), enlargement ('linear') and integer-factor pyramid levels
 * run the JS reference functions and are normalised/transposed here.
 *
 * One instance per thread (module-level cache); calls are synchronous and not re-entrant.
 */
import fs from 'node:fs';
import { plan, resizeAreaF64, resizeAreaU8 } from './resize.ts';

export interface AreaImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * The padded crop (tmpw × tmph) is zero except the block [ty0, ty1) × [tx0, tx1), whose pixel
 * (r, c) is the image's pixel (iy0 + r − ty0, ix0 + c − tx0).
 */
export interface CropParams {
  tmpw: number;
  tmph: number;
  tx0: number;
  tx1: number;
  ty0: number;
  ty1: number;
  ix0: number;
  iy0: number;
}

export interface AreaWasm {
  /** Copy the RGB (HWC uint8) image into wasm memory; required before pyramidLevel / crop. */
  setImage(img: AreaImage): void;
  /** Pyramid level ws × hs of the current image → normalised float32, planar [3][ws][hs], at out[offset…]. */
  pyramidLevel(ws: number, hs: number, out: Float32Array, offset?: number): void;
  /** mtcnn crop (zero-padded, see CropParams) → S × S normalised float32, planar [3][S][S], at out[offset…]. */
  crop(p: CropParams, S: number, out: Float32Array, offset?: number): void;
  /**
   * How crop() resamples a crop tmpw wide to S (an INTER_AREA 'area' shrink): 'prefix' (every
   * column's sum is exact, taken from row prefix sums) or 'sequential' (OpenCV's order; crops
   * about 2^21 px wide and more). Both are bit-exact; for tests and diagnostics.
   */
  cropPath(tmpw: number, S: number): 'prefix' | 'sequential';
}

interface Exports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  pyramid(img: number, sw: number, sh: number, dw: number, dh: number, scr: number, out: number): void;
  pyramidScratch(sw: number, sh: number, dw: number, dh: number): number;
  crop(
    img: number,
    W: number,
    tmpw: number,
    tmph: number,
    tx0: number,
    tx1: number,
    ty0: number,
    ty1: number,
    ix0: number,
    iy0: number,
    S: number,
    scr: number,
    out: number,
    H: number,
    cache: number,
    flags: number,
    sequential: number,
  ): void;
  cropFast: Exports['crop'];
  cropScratch(tmpw: number, tmph: number, S: number): number;
  cropUsesPrefix(tmpw: number, S: number, scr: number): number;
}

export const AREA_WASM_URL = new URL('./wasm/area.wasm', import.meta.url);

let cachedModule: WebAssembly.Module | null = null;
let cached: AreaWasm | null = null;

/** The thread's instance (compiled and instantiated synchronously on first use). */
export function areaWasm(): AreaWasm {
  if (!cached) cached = createAreaWasm();
  return cached;
}

const align16 = (n: number) => (n + 15) & ~15;

export interface AreaWasmOptions {
  /**
   * Largest image (width·height) for which crops use a cache of the image's int32 row prefix
   * sums (12 bytes per pixel, filled lazily per row, shared by all crops of the photo); larger
   * images get prefix sums of each crop's rows. Results are identical either way. Default 2^20
   * (a 1 MP photo: 12 MiB of wasm memory for the cache).
   */
  cacheMaxPixels?: number;
  /** Testing: area-table crops always take the sequential path (see cropPath). */
  sequentialCrops?: boolean;
}

/** A fresh instance with its own memory (areaWasm() shares one per thread). */
export function createAreaWasm(opts: AreaWasmOptions = {}): AreaWasm {
  const cacheMaxPixels = opts.cacheMaxPixels ?? 2 ** 20;
  const sequential = opts.sequentialCrops ? 1 : 0;
  if (!cachedModule) cachedModule = new WebAssembly.Module(fs.readFileSync(AREA_WASM_URL));
  const ex = new WebAssembly.Instance(cachedModule, {}).exports as unknown as Exports;
  const mem = ex.memory;
  const imgPtr = align16(ex.heapBase() + 16);
  let W = 0;
  let H = 0;
  let hasImage = false;
  let scrBase = imgPtr;
  let cachePtr = 0; // 0: no cache for this image
  let flagsPtr = 0;
  let flagsDirty = false;

  function ensure(bytes: number): void {
    const have = mem.buffer.byteLength;
    if (bytes > have) mem.grow(Math.ceil((bytes - have) / 65536));
  }

  function imageView(): Uint8Array {
    return new Uint8Array(mem.buffer, imgPtr, W * H * 3);
  }

  function checkOut(out: Float32Array, offset: number, n: number): void {
    if (!Number.isInteger(offset) || offset < 0 || offset + n > out.length) throw new RangeError(`output too small: need ${n} floats at ${offset}, have ${out.length}`);
  }

  return {
    setImage(img) {
      const { width, height, data } = img;
      if (!(width > 0 && height > 0) || !Number.isInteger(width) || !Number.isInteger(height)) throw new Error('invalid image size');
      const n = width * height * 3;
      if (data.length < n) throw new Error('image data too short');
      W = width;
      H = height;
      // 16 bytes after the image: the SIMD loads read up to 7 bytes past the last pixel read.
      const imgEnd = align16(imgPtr + n + 16);
      if (width * height <= cacheMaxPixels) {
        // rows of (width + 1) int32 RGB prefix sums + 4 bytes (see prefixRowBytes in area.ts)
        cachePtr = imgEnd;
        flagsPtr = cachePtr + height * ((width + 1) * 12 + 4);
        scrBase = align16(flagsPtr + height);
        flagsDirty = true;
      } else {
        cachePtr = 0;
        flagsPtr = 0;
        scrBase = imgEnd;
      }
      ensure(imgEnd);
      new Uint8Array(mem.buffer, imgPtr, n + 16).set(data.subarray(0, n));
      new Uint8Array(mem.buffer, imgPtr + n, 16).fill(0);
      hasImage = true;
    },

    pyramidLevel(ws, hs, out, offset = 0) {
      if (!hasImage) throw new Error('areaWasm: setImage() first');
      if (!(Number.isInteger(ws) && Number.isInteger(hs) && ws > 0 && hs > 0)) throw new Error('invalid level size');
      const n = ws * hs * 3;
      checkOut(out, offset, n);
      const p = plan(W, H, ws, hs);
      if (p.kind !== 'area') {
        const r = resizeAreaU8(imageView(), W, H, 3, ws, hs);
        writePlanar(r, ws, hs, out, offset);
        return;
      }
      const scr = scrBase;
      const outPtr = align16(scr + ex.pyramidScratch(W, H, ws, hs));
      ensure(outPtr + n * 4);
      ex.pyramid(imgPtr, W, H, ws, hs, scr, outPtr);
      out.set(new Float32Array(mem.buffer, outPtr, n), offset);
    },

    crop(c, S, out, offset = 0) {
      if (!hasImage) throw new Error('areaWasm: setImage() first');
      const { tmpw, tmph, tx0, tx1, ty0, ty1, ix0, iy0 } = c;
      if (!(Number.isInteger(S) && S > 0)) throw new Error('invalid crop size');
      if (!(Number.isInteger(tmpw) && Number.isInteger(tmph) && tmpw > 0 && tmph > 0)) throw new Error('invalid crop');
      if (!(0 <= tx0 && tx0 <= tx1 && tx1 <= tmpw && 0 <= ty0 && ty0 <= ty1 && ty1 <= tmph)) throw new Error('invalid crop block');
      if (!(ix0 >= 0 && iy0 >= 0 && ix0 + (tx1 - tx0) <= W && iy0 + (ty1 - ty0) <= H)) throw new Error('crop block outside the image');
      const n = S * S * 3;
      checkOut(out, offset, n);
      const p = plan(tmpw, tmph, S, S);
      if (p.kind !== 'area' && p.kind !== 'fast') {
        const img = imageView();
        const m = new Float64Array(tmpw * tmph * 3);
        const cols = (tx1 - tx0) * 3;
        for (let r = ty0; r < ty1; r++) {
          const so = ((iy0 + r - ty0) * W + ix0) * 3;
          const d = (r * tmpw + tx0) * 3;
          for (let k = 0; k < cols; k++) m[d + k] = img[so + k];
        }
        const r = resizeAreaF64(m, tmpw, tmph, 3, S, S);
        for (let i = 0; i < r.length; i++) r[i] = (r[i] - 127.5) * 0.0078125;
        writePlanar(r, S, S, out, offset);
        return;
      }
      const scr = scrBase;
      const outPtr = align16(scr + ex.cropScratch(tmpw, tmph, S));
      ensure(outPtr + n * 4);
      if (flagsDirty) {
        new Uint8Array(mem.buffer, flagsPtr, H).fill(0);
        flagsDirty = false;
      }
      (p.kind === 'fast' ? ex.cropFast : ex.crop)(imgPtr, W, tmpw, tmph, tx0, tx1, ty0, ty1, ix0, iy0, S, scr, outPtr, H, cachePtr, flagsPtr, sequential);
      out.set(new Float32Array(mem.buffer, outPtr, n), offset);
    },

    cropPath(tmpw, S) {
      if (!(Number.isInteger(tmpw) && Number.isInteger(S) && tmpw > 0 && S > 0)) throw new Error('invalid crop size');
      const scr = align16(scrBase);
      ensure(scr + (S + 1) * 40);
      return ex.cropUsesPrefix(tmpw, S, scr) ? 'prefix' : 'sequential';
    },
  };
}

const NORM_LUT = (() => {
  const t = new Float32Array(256);
  for (let v = 0; v < 256; v++) t[v] = (v - 127.5) * 0.0078125;
  return t;
})();

/** HWC (uint8 → normalised via LUT, or already-normalised float64) → planar transposed float32. */
function writePlanar(src: Uint8Array | Float64Array, w: number, h: number, out: Float32Array, offset: number): void {
  const plane = w * h;
  const u8 = src instanceof Uint8Array;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const s = (y * w + x) * 3;
      const d = offset + x * h + y;
      for (let c = 0; c < 3; c++) out[d + c * plane] = u8 ? NORM_LUT[src[s + c]] : src[s + c];
    }
}
