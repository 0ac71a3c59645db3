/**
 * Image resampling with the exact semantics the reference pipelines used:
 *
 *  - `resizeAreaU8` / `resizeAreaF64`: OpenCV's cv2.resize(..., interpolation=INTER_AREA) as used
 *    by mtcnn 0.1.1 (uint8 pyramid images; float64 24×24 / 48×48 crops). Shrinking uses the
 *    area-averaging tables (computeResizeAreaTab) or the integer-factor fast path; enlarging
 *    (along either axis) falls back to OpenCV's bilinear code with INTER_AREA's coefficients.
 *    Weights are float32 as in OpenCV; uint8 results are accumulated in float32 and rounded to
 *    nearest-even (saturate_cast).
 *  - `resizeBicubicU8`: Pillow's Image.resize(..., BICUBIC) for 8-bit RGB (separable, support
 *    scaled when shrinking, 22-bit fixed-point coefficients, uint8 intermediate), which is what
 *    the FaceAge demo used to bring the face crop to 160×160.
 *  - `resizeBilinearTf`: tf.image.resizeBilinear(alignCorners=false, halfPixelCenters=false),
 *    used by face-api before its AgeGenderNet.
 *
 * All images are interleaved HWC with `c` channels.
 */

const f32 = Math.fround;

/** Round half to even, like cvRound / lrint. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  if (r - v === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}

function satU8(v: number): number {
  const r = roundHalfEven(v);
  return r < 0 ? 0 : r > 255 ? 255 : r;
}

interface AreaTab {
  di: Int32Array;
  si: Int32Array;
  alpha: Float32Array;
  n: number;
}

/** OpenCV computeResizeAreaTab (di/si in pixels, not multiplied by cn). */
export function areaTab(ssize: number, dsize: number, scale: number): AreaTab {
  const cap = ssize * 2 + dsize * 2 + 4;
  const di = new Int32Array(cap);
  const si = new Int32Array(cap);
  const alpha = new Float32Array(cap);
  let k = 0;
  for (let dx = 0; dx < dsize; dx++) {
    const fsx1 = dx * scale;
    const fsx2 = fsx1 + scale;
    const cellWidth = Math.min(scale, ssize - fsx1);
    let sx1 = Math.ceil(fsx1);
    let sx2 = Math.floor(fsx2);
    sx2 = Math.min(sx2, ssize - 1);
    sx1 = Math.min(sx1, sx2);
    if (sx1 - fsx1 > 1e-3) {
      di[k] = dx;
      si[k] = sx1 - 1;
      alpha[k++] = (sx1 - fsx1) / cellWidth;
    }
    for (let sx = sx1; sx < sx2; sx++) {
      di[k] = dx;
      si[k] = sx;
      alpha[k++] = 1.0 / cellWidth;
    }
    if (fsx2 - sx2 > 1e-3) {
      di[k] = dx;
      si[k] = sx2;
      alpha[k++] = Math.min(Math.min(fsx2 - sx2, 1), cellWidth) / cellWidth;
    }
  }
  return { di, si, alpha, n: k };
}

export interface Plan {
  kind: 'copy' | 'fast' | 'area' | 'linear';
  sx: number; // scale_x
  sy: number;
  invx: number;
  invy: number;
  ix: number;
  iy: number;
}

export function plan(sw: number, sh: number, dw: number, dh: number): Plan {
  const invx = dw / sw;
  const invy = dh / sh;
  const sx = 1 / invx;
  const sy = 1 / invy;
  const ix = Math.round(sx);
  const iy = Math.round(sy);
  if (sw === dw && sh === dh) return { kind: 'copy', sx, sy, invx, invy, ix, iy };
  const fast = Math.abs(sx - ix) < Number.EPSILON && Math.abs(sy - iy) < Number.EPSILON;
  if (sx >= 1 && sy >= 1) return { kind: fast ? 'fast' : 'area', sx, sy, invx, invy, ix, iy };
  return { kind: 'linear', sx, sy, invx, invy, ix, iy };
}

/** INTER_AREA's coefficients for the bilinear fallback (enlargement). */
function linearAreaCoeffs(ssize: number, dsize: number, scale: number, inv: number, clampEdges: boolean) {
  const ofs = new Int32Array(dsize);
  const a0 = new Float32Array(dsize);
  const a1 = new Float32Array(dsize);
  let xmax = dsize;
  for (let dx = 0; dx < dsize; dx++) {
    let s = Math.floor(dx * scale);
    let fx = f32(dx + 1 - (s + 1) * inv);
    fx = fx <= 0 ? 0 : f32(fx - Math.floor(fx));
    if (clampEdges) {
      if (s < 0) {
        fx = 0;
        s = 0;
      }
      if (s + 1 >= ssize) {
        xmax = Math.min(xmax, dx);
        if (s >= ssize - 1) {
          fx = 0;
          s = ssize - 1;
        }
      }
    }
    ofs[dx] = s;
    a0[dx] = f32(1 - fx);
    a1[dx] = fx;
  }
  return { ofs, a0, a1, xmax };
}

/** cv2.resize(uint8 HWC image, (dw, dh), INTER_AREA). */
export function resizeAreaU8(src: Uint8Array, sw: number, sh: number, c: number, dw: number, dh: number): Uint8Array {
  const p = plan(sw, sh, dw, dh);
  const dst = new Uint8Array(dw * dh * c);
  if (p.kind === 'copy') {
    dst.set(src.subarray(0, dst.length));
    return dst;
  }
  if (p.kind === 'fast') {
    const area = p.ix * p.iy;
    const scale = f32(1 / area);
    for (let dy = 0; dy < dh; dy++)
      for (let dx = 0; dx < dw; dx++)
        for (let ch = 0; ch < c; ch++) {
          let s = 0;
          for (let i = 0; i < p.iy; i++)
            for (let j = 0; j < p.ix; j++) s += src[((dy * p.iy + i) * sw + dx * p.ix + j) * c + ch];
          dst[(dy * dw + dx) * c + ch] = area === 4 ? (s + 2) >> 2 : satU8(f32(s * scale));
        }
    return dst;
  }
  if (p.kind === 'area') {
    const xt = areaTab(sw, dw, p.sx);
    const yt = areaTab(sh, dh, p.sy);
    const W = dw * c;
    // Horizontal pass of one source row, as OpenCV accumulates it (float32, entries in order).
    // The result depends only on the source row, so it is computed once per row and reused.
    const buf = new Float32Array(W);
    const sum = new Float32Array(W);
    let bufRow = -1;
    let prevDy = yt.di[0];
    const n = xt.n;
    const xdi = xt.di;
    const xsi = xt.si;
    const xal = xt.alpha;
    for (let j = 0; j < yt.n; j++) {
      const beta = yt.alpha[j];
      const dy = yt.di[j];
      const sy = yt.si[j];
      if (sy !== bufRow) {
        const rowOfs = sy * sw * c;
        if (c === 3) {
          let k = 0;
          while (k < n) {
            const d = xdi[k];
            let a0 = 0;
            let a1 = 0;
            let a2 = 0;
            while (k < n && xdi[k] === d) {
              const so = rowOfs + xsi[k] * 3;
              const a = xal[k];
              a0 = f32(a0 + f32(src[so] * a));
              a1 = f32(a1 + f32(src[so + 1] * a));
              a2 = f32(a2 + f32(src[so + 2] * a));
              k++;
            }
            buf[d * 3] = a0;
            buf[d * 3 + 1] = a1;
            buf[d * 3 + 2] = a2;
          }
        } else {
          buf.fill(0);
          for (let k = 0; k < n; k++) {
            const so = rowOfs + xsi[k] * c;
            const d = xdi[k] * c;
            const a = xal[k];
            for (let ch = 0; ch < c; ch++) buf[d + ch] = buf[d + ch] + f32(src[so + ch] * a);
          }
        }
        bufRow = sy;
      }
      if (dy !== prevDy) {
        const o = prevDy * W;
        for (let x = 0; x < W; x++) {
          dst[o + x] = satU8(sum[x]);
          sum[x] = beta * buf[x];
        }
        prevDy = dy;
      } else {
        for (let x = 0; x < W; x++) sum[x] = sum[x] + f32(beta * buf[x]);
      }
    }
    const o = prevDy * W;
    for (let x = 0; x < W; x++) dst[o + x] = satU8(sum[x]);
    return dst;
  }
  // Enlargement: OpenCV's fixed-point bilinear for 8-bit (INTER_RESIZE_COEF_BITS = 11).
  const X = linearAreaCoeffs(sw, dw, p.sx, p.invx, true);
  const Y = linearAreaCoeffs(sh, dh, p.sy, p.invy, false);
  const S = 2048;
  const rows = new Int32Array(sh * dw * c);
  for (let y = 0; y < sh; y++)
    for (let dx = 0; dx < dw; dx++) {
      const sx = X.ofs[dx];
      const ia0 = roundHalfEven(X.a0[dx] * S);
      const ia1 = roundHalfEven(X.a1[dx] * S);
      for (let ch = 0; ch < c; ch++) {
        const s0 = src[(y * sw + sx) * c + ch];
        rows[(y * dw + dx) * c + ch] = dx < X.xmax ? s0 * ia0 + src[(y * sw + sx + 1) * c + ch] * ia1 : s0 * S;
      }
    }
  for (let dy = 0; dy < dh; dy++) {
    const sy0 = Y.ofs[dy];
    const r0 = Math.min(Math.max(sy0, 0), sh - 1);
    const r1 = Math.min(Math.max(sy0 + 1, 0), sh - 1);
    const b0 = roundHalfEven(Y.a0[dy] * S);
    const b1 = roundHalfEven(Y.a1[dy] * S);
    for (let x = 0; x < dw * c; x++) {
      const v = rows[r0 * dw * c + x] * b0 + rows[r1 * dw * c + x] * b1;
      // (v + (1 << 21)) >> 22 with saturation
      const r = Math.floor((v + 2097152) / 4194304);
      dst[dy * dw * c + x] = r < 0 ? 0 : r > 255 ? 255 : r;
    }
  }
  return dst;
}

/** cv2.resize(float64 HWC image, (dw, dh), INTER_AREA). */
export function resizeAreaF64(src: Float64Array, sw: number, sh: number, c: number, dw: number, dh: number): Float64Array {
  const p = plan(sw, sh, dw, dh);
  const dst = new Float64Array(dw * dh * c);
  if (p.kind === 'copy') {
    dst.set(src.subarray(0, dst.length));
    return dst;
  }
  if (p.kind === 'fast') {
    const area = p.ix * p.iy;
    const scale = f32(1 / area);
    for (let dy = 0; dy < dh; dy++)
      for (let dx = 0; dx < dw; dx++)
        for (let ch = 0; ch < c; ch++) {
          let s = 0;
          for (let i = 0; i < p.iy; i++)
            for (let j = 0; j < p.ix; j++) s += src[((dy * p.iy + i) * sw + dx * p.ix + j) * c + ch];
          dst[(dy * dw + dx) * c + ch] = s * scale;
        }
    return dst;
  }
  if (p.kind === 'area') {
    const xt = areaTab(sw, dw, p.sx);
    const yt = areaTab(sh, dh, p.sy);
    const W = dw * c;
    const buf = new Float64Array(W);
    const sum = new Float64Array(W);
    let bufRow = -1;
    let prevDy = yt.di[0];
    for (let j = 0; j < yt.n; j++) {
      const beta = yt.alpha[j];
      const dy = yt.di[j];
      const sy = yt.si[j];
      if (sy !== bufRow) {
        const rowOfs = sy * sw * c;
        buf.fill(0);
        for (let k = 0; k < xt.n; k++) {
          const so = rowOfs + xt.si[k] * c;
          const d = xt.di[k] * c;
          const a = xt.alpha[k];
          for (let ch = 0; ch < c; ch++) buf[d + ch] += src[so + ch] * a;
        }
        bufRow = sy;
      }
      if (dy !== prevDy) {
        const o = prevDy * W;
        for (let x = 0; x < W; x++) {
          dst[o + x] = sum[x];
          sum[x] = beta * buf[x];
        }
        prevDy = dy;
      } else {
        for (let x = 0; x < W; x++) sum[x] += beta * buf[x];
      }
    }
    const o = prevDy * W;
    for (let x = 0; x < W; x++) dst[o + x] = sum[x];
    return dst;
  }
  const X = linearAreaCoeffs(sw, dw, p.sx, p.invx, true);
  const Y = linearAreaCoeffs(sh, dh, p.sy, p.invy, false);
  const rows = new Float64Array(sh * dw * c);
  for (let y = 0; y < sh; y++)
    for (let dx = 0; dx < dw; dx++) {
      const sx = X.ofs[dx];
      for (let ch = 0; ch < c; ch++) {
        const s0 = src[(y * sw + sx) * c + ch];
        rows[(y * dw + dx) * c + ch] = dx < X.xmax ? s0 * X.a0[dx] + src[(y * sw + sx + 1) * c + ch] * X.a1[dx] : s0 * X.a0[dx];
      }
    }
  for (let dy = 0; dy < dh; dy++) {
    const sy0 = Y.ofs[dy];
    const r0 = Math.min(Math.max(sy0, 0), sh - 1);
    const r1 = Math.min(Math.max(sy0 + 1, 0), sh - 1);
    const b0 = Y.a0[dy];
    const b1 = Y.a1[dy];
    for (let x = 0; x < dw * c; x++) dst[dy * dw * c + x] = rows[r0 * dw * c + x] * b0 + rows[r1 * dw * c + x] * b1;
  }
  return dst;
}

// ---------------------------------------------------------------------------------------------
// Pillow BICUBIC (Resample.c semantics, 8 bits per channel)

const PRECISION_BITS = 32 - 8 - 2;

function bicubicFilter(x: number): number {
  const a = -0.5;
  if (x < 0) x = -x;
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

interface PilCoeffs {
  bounds: Int32Array; // [xmin, xcount] pairs
  kk: Int32Array; // fixed-point coefficients, ksize per output
  ksize: number;
}

function pilCoeffs(inSize: number, outSize: number): PilCoeffs {
  const support0 = 2.0;
  const scale = inSize / outSize;
  let filterscale = scale;
  if (filterscale < 1) filterscale = 1;
  const support = support0 * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const kk = new Int32Array(outSize * ksize);
  const pre = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    let ww = 0;
    const ss = 1 / filterscale;
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    pre.fill(0);
    for (let x = 0; x < xmax; x++) {
      const w = bicubicFilter((x + xmin - center + 0.5) * ss);
      pre[x] = w;
      ww += w;
    }
    for (let x = 0; x < xmax; x++) if (ww !== 0) pre[x] /= ww;
    for (let x = 0; x < ksize; x++) {
      const v = pre[x];
      kk[xx * ksize + x] = Math.trunc(v < 0 ? v * (1 << PRECISION_BITS) - 0.5 : v * (1 << PRECISION_BITS) + 0.5);
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { bounds, kk, ksize };
}

function clip8(v: number): number {
  // v is an integer accumulator including the 1 << (PRECISION_BITS - 1) rounding term.
  if (v >= 255 * 2 ** PRECISION_BITS) return 255; // Pillow: in >= (1 << PRECISION_BITS) * 256 → 255
  if (v <= 0) return 0;
  return Math.floor(v / 2 ** PRECISION_BITS);
}

/** Pillow Image.resize((dw, dh), Image.BICUBIC) for an 8-bit RGB/HWC image. */
export function resizeBicubicU8(src: Uint8Array, sw: number, sh: number, c: number, dw: number, dh: number): Uint8Array {
  const half = 1 << (PRECISION_BITS - 1);
  let cur = src;
  let cw = sw;
  if (dw !== sw) {
    const k = pilCoeffs(sw, dw);
    const out = new Uint8Array(dw * sh * c);
    for (let y = 0; y < sh; y++)
      for (let xx = 0; xx < dw; xx++) {
        const xmin = k.bounds[xx * 2];
        const xn = k.bounds[xx * 2 + 1];
        for (let ch = 0; ch < c; ch++) {
          let ss = half;
          for (let x = 0; x < xn; x++) ss += cur[(y * cw + x + xmin) * c + ch] * k.kk[xx * k.ksize + x];
          out[(y * dw + xx) * c + ch] = clip8(ss);
        }
      }
    cur = out;
    cw = dw;
  }
  if (dh !== sh) {
    const k = pilCoeffs(sh, dh);
    const out = new Uint8Array(cw * dh * c);
    for (let yy = 0; yy < dh; yy++) {
      const ymin = k.bounds[yy * 2];
      const yn = k.bounds[yy * 2 + 1];
      for (let x = 0; x < cw; x++)
        for (let ch = 0; ch < c; ch++) {
          let ss = half;
          for (let y = 0; y < yn; y++) ss += cur[((y + ymin) * cw + x) * c + ch] * k.kk[yy * k.ksize + y];
          out[(yy * cw + x) * c + ch] = clip8(ss);
        }
    }
    cur = out;
  }
  return cur === src ? new Uint8Array(src) : cur;
}

// ---------------------------------------------------------------------------------------------
// TensorFlow resizeBilinear (alignCorners = false, halfPixelCenters = false), float output

export function resizeBilinearTf(src: Float32Array | Uint8Array, sw: number, sh: number, c: number, dw: number, dh: number): Float32Array {
  const out = new Float32Array(dw * dh * c);
  const hs = sh / dh;
  const ws = sw / dw;
  for (let y = 0; y < dh; y++) {
    const iy = y * hs;
    const y0 = Math.floor(iy);
    const y1 = Math.min(y0 + 1, sh - 1);
    const fy = iy - y0;
    for (let x = 0; x < dw; x++) {
      const ix = x * ws;
      const x0 = Math.floor(ix);
      const x1 = Math.min(x0 + 1, sw - 1);
      const fx = ix - x0;
      for (let ch = 0; ch < c; ch++) {
        const tl = src[(y0 * sw + x0) * c + ch];
        const tr = src[(y0 * sw + x1) * c + ch];
        const bl = src[(y1 * sw + x0) * c + ch];
        const br = src[(y1 * sw + x1) * c + ch];
        const top = tl + (tr - tl) * fx;
        const bot = bl + (br - bl) * fx;
        out[(y * dw + x) * c + ch] = top + (bot - top) * fy;
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// MTCNN crops: cv2.resize(zero-padded crop as float64, (S, S), INTER_AREA) computed straight from
// the uint8 image, without materialising the padded crop. The crop's pixel (r, c) is the image's
// pixel (oy + r, ox + c), or 0 outside the image. Same arithmetic as resizeAreaF64 (float32
// weights, float64 sums, identical order per output value).

const tabCache = new Map<string, AreaTab>();
function cachedAreaTab(ssize: number, dsize: number, scale: number): AreaTab {
  const key = `${ssize}/${dsize}/${scale}`;
  let t = tabCache.get(key);
  if (!t) {
    t = areaTab(ssize, dsize, scale);
    if (tabCache.size > 4096) tabCache.clear();
    tabCache.set(key, t);
  }
  return t;
}

let scratchBuf = new Float64Array(0);
let scratchSum = new Float64Array(0);

/**
 * Resize the virtual crop (tmpw × tmph at image offset ox, oy) to S×S with INTER_AREA semantics
 * and return it as float64 HWC (S·S·3 values).
 */
export function cropResizeArea(
  img: { data: Uint8Array; width: number; height: number },
  ox: number,
  oy: number,
  tmpw: number,
  tmph: number,
  S: number,
): Float64Array {
  const p = plan(tmpw, tmph, S, S);
  if (p.kind === 'linear' || p.kind === 'copy' || p.kind === 'fast') {
    // Small crops (enlargement / exact size) and integer factors: materialise and reuse the generic code.
    const crop = new Float64Array(tmpw * tmph * 3);
    const { width: W, height: H, data } = img;
    for (let r = 0; r < tmph; r++) {
      const iy = oy + r;
      if (iy < 0 || iy >= H) continue;
      for (let c = 0; c < tmpw; c++) {
        const ix = ox + c;
        if (ix < 0 || ix >= W) continue;
        const s = (iy * W + ix) * 3;
        const d = (r * tmpw + c) * 3;
        crop[d] = data[s];
        crop[d + 1] = data[s + 1];
        crop[d + 2] = data[s + 2];
      }
    }
    return resizeAreaF64(crop, tmpw, tmph, 3, S, S);
  }
  const xt = cachedAreaTab(tmpw, S, p.sx);
  const yt = cachedAreaTab(tmph, S, p.sy);
  const Wd = S * 3;
  if (scratchBuf.length < Wd) {
    scratchBuf = new Float64Array(Wd);
    scratchSum = new Float64Array(Wd);
  }
  const buf = scratchBuf;
  const sum = scratchSum;
  sum.fill(0, 0, Wd);
  const dst = new Float64Array(S * S * 3);
  const { width: W, height: H, data } = img;
  const n = xt.n;
  const xdi = xt.di;
  const xsi = xt.si;
  const xal = xt.alpha;
  let bufRow = -1;
  let prevDy = yt.di[0];
  for (let j = 0; j < yt.n; j++) {
    const beta = yt.alpha[j];
    const dy = yt.di[j];
    const sy = yt.si[j];
    if (sy !== bufRow) {
      const iy = oy + sy;
      if (iy < 0 || iy >= H) {
        buf.fill(0, 0, Wd);
      } else {
        const rowOfs = iy * W;
        let k = 0;
        while (k < n) {
          const d = xdi[k];
          let a0 = 0;
          let a1 = 0;
          let a2 = 0;
          while (k < n && xdi[k] === d) {
            const ix = ox + xsi[k];
            if (ix >= 0 && ix < W) {
              const so = (rowOfs + ix) * 3;
              const a = xal[k];
              a0 += data[so] * a;
              a1 += data[so + 1] * a;
              a2 += data[so + 2] * a;
            }
            k++;
          }
          buf[d * 3] = a0;
          buf[d * 3 + 1] = a1;
          buf[d * 3 + 2] = a2;
        }
      }
      bufRow = sy;
    }
    if (dy !== prevDy) {
      const o = prevDy * Wd;
      for (let x = 0; x < Wd; x++) {
        dst[o + x] = sum[x];
        sum[x] = beta * buf[x];
      }
      prevDy = dy;
    } else {
      for (let x = 0; x < Wd; x++) sum[x] += beta * buf[x];
    }
  }
  const o = prevDy * Wd;
  for (let x = 0; x < Wd; x++) dst[o + x] = sum[x];
  return dst;
}

// ---------------------------------------------------------------------------------------------
// Fast INTER_AREA shrink for the uint8 pyramid, bit-exact with resizeAreaU8.
//
// Each output value is computed in float64 from per-row prefix sums (an output column covers a
// run of equally weighted source pixels plus at most two partial ones). OpenCV accumulates in
// float32, so the two results can differ by a few float32 ulps; only when the float64 value lies
// within that error bound of a rounding boundary (x.5) is the value recomputed with OpenCV's exact
// float32 sequence. The result is therefore identical to resizeAreaU8, at a fraction of the cost.

let scratchH = new Float64Array(0);

export interface RowPrefix {
  /** (W + 1) · 3 prefix sums per row: P[y][x][c] = Σ_{x' < x} src[y][x'][c]. */
  data: Int32Array | Float64Array;
  width: number;
  height: number;
}

export function rowPrefix(src: Uint8Array, w: number, h: number): RowPrefix {
  const stride = (w + 1) * 3;
  const data = w * 255 < 2 ** 31 ? new Int32Array(stride * h) : new Float64Array(stride * h);
  for (let y = 0; y < h; y++) {
    let a = 0;
    let b = 0;
    let c = 0;
    const o = y * stride;
    const s = y * w * 3;
    for (let x = 0; x < w; x++) {
      data[o + x * 3 + 3] = a += src[s + x * 3];
      data[o + x * 3 + 4] = b += src[s + x * 3 + 1];
      data[o + x * 3 + 5] = c += src[s + x * 3 + 2];
    }
  }
  return { data, width: w, height: h };
}

interface ColPlan {
  /** per output column: entry range [k0, k1) in the area table */
  k0: Int32Array;
  k1: Int32Array;
  first: Int32Array; // first partial source index or -1
  aFirst: Float64Array;
  runStart: Int32Array;
  runEnd: Int32Array; // exclusive
  aRun: Float64Array;
  last: Int32Array; // last partial or -1
  aLast: Float64Array;
}

function colPlan(t: AreaTab, dsize: number): ColPlan {
  const p: ColPlan = {
    k0: new Int32Array(dsize),
    k1: new Int32Array(dsize),
    first: new Int32Array(dsize).fill(-1),
    aFirst: new Float64Array(dsize),
    runStart: new Int32Array(dsize),
    runEnd: new Int32Array(dsize),
    aRun: new Float64Array(dsize),
    last: new Int32Array(dsize).fill(-1),
    aLast: new Float64Array(dsize),
  };
  let k = 0;
  for (let d = 0; d < dsize; d++) {
    const k0 = k;
    while (k < t.n && t.di[k] === d) k++;
    const k1 = k;
    p.k0[d] = k0;
    p.k1[d] = k1;
    // Entries: [partial] run... [partial]; the run has identical weights.
    let a = k0;
    let b = k1;
    if (b - a >= 2 && t.alpha[a] !== t.alpha[a + 1]) {
      p.first[d] = t.si[a];
      p.aFirst[d] = t.alpha[a];
      a++;
    }
    if (b - a >= 2 && t.alpha[b - 1] !== t.alpha[b - 2]) {
      p.last[d] = t.si[b - 1];
      p.aLast[d] = t.alpha[b - 1];
      b--;
    }
    p.runStart[d] = b > a ? t.si[a] : 0;
    p.runEnd[d] = b > a ? t.si[b - 1] + 1 : 0;
    p.aRun[d] = b > a ? t.alpha[a] : 0;
    for (let q = a + 1; q < b; q++) {
      if (t.alpha[q] !== t.alpha[a] || t.si[q] !== t.si[q - 1] + 1) throw new Error('area table run is not uniform');
    }
  }
  return p;
}

/** cv2.resize(uint8 HWC RGB, (dw, dh), INTER_AREA), bit-exact, using precomputed row prefix sums. */
export function resizeAreaU8Fast(src: Uint8Array, sw: number, sh: number, dw: number, dh: number, prefix?: RowPrefix): Uint8Array {
  const p = plan(sw, sh, dw, dh);
  if (p.kind !== 'area') return resizeAreaU8(src, sw, sh, 3, dw, dh);
  const P = prefix ?? rowPrefix(src, sw, sh);
  const { tab: xt, plan: cp } = cachedColPlan(sw, dw, p.sx);
  const yt = cachedAreaTab(sh, dh, p.sy);
  const dst = new Uint8Array(dh * dw * 3);
  if (P.data instanceof Int32Array) areaU8Rows(src, sw, dw, dh, P.data, xt, yt, cp, dst);
  else areaU8Rows(src, sw, dw, dh, P.data, xt, yt, cp, dst);
  return dst;
}

let scratchAcc = new Float64Array(0);

// The body of resizeAreaU8Fast: horizontal pass of each source row (float64, from the prefix
// sums), weighted into the output row, then rounding; values near x.5 are recomputed exactly.
function areaU8Rows(
  src: Uint8Array,
  sw: number,
  dw: number,
  dh: number,
  pd: Int32Array | Float64Array,
  xt: AreaTab,
  yt: AreaTab,
  cp: ColPlan,
  dst: Uint8Array,
): void {
  const stride = (sw + 1) * 3;
  const W3 = dw * 3;
  if (scratchH.length < W3) {
    scratchH = new Float64Array(W3);
    scratchAcc = new Float64Array(W3);
  }
  const hrow = scratchH;
  const acc = scratchAcc;
  const runStart = cp.runStart;
  const runEnd = cp.runEnd;
  const aRun = cp.aRun;
  const first = cp.first;
  const aFirst = cp.aFirst;
  const last = cp.last;
  const aLast = cp.aLast;
  const k0s = cp.k0;
  const k1s = cp.k1;
  const ydi = yt.di;
  const ysi = yt.si;
  const yal = yt.alpha;
  const yn = yt.n;
  let cachedRow = -1;
  let j = 0;
  for (let dy = 0; dy < dh; dy++) {
    const j0 = j;
    let firstEntry = true;
    while (j < yn && ydi[j] === dy) {
      const beta = yal[j];
      const sy = ysi[j];
      if (sy !== cachedRow) {
        const po = sy * stride;
        const so = sy * sw * 3;
        for (let d = 0, d3 = 0; d < dw; d++, d3 += 3) {
          const rs = po + runStart[d] * 3;
          const re = po + runEnd[d] * 3;
          const ar = aRun[d];
          let v0 = ar * (pd[re] - pd[rs]);
          let v1 = ar * (pd[re + 1] - pd[rs + 1]);
          let v2 = ar * (pd[re + 2] - pd[rs + 2]);
          const f = first[d];
          if (f >= 0) {
            const a = aFirst[d];
            const q = so + f * 3;
            v0 += a * src[q];
            v1 += a * src[q + 1];
            v2 += a * src[q + 2];
          }
          const l = last[d];
          if (l >= 0) {
            const a = aLast[d];
            const q = so + l * 3;
            v0 += a * src[q];
            v1 += a * src[q + 1];
            v2 += a * src[q + 2];
          }
          hrow[d3] = v0;
          hrow[d3 + 1] = v1;
          hrow[d3 + 2] = v2;
        }
        cachedRow = sy;
      }
      if (firstEntry) {
        for (let x = 0; x < W3; x++) acc[x] = 0 + beta * hrow[x];
        firstEntry = false;
      } else {
        for (let x = 0; x < W3; x++) acc[x] += beta * hrow[x];
      }
      j++;
    }
    if (firstEntry) acc.fill(0, 0, W3);
    const j1 = j;
    const o = dy * W3;
    const tolBase = (j1 - j0 + 4) * 255 * 1.2e-7 * 2;
    const tolK = 255 * 1.2e-7 * 2;
    for (let d = 0, d3 = 0; d < dw; d++, d3 += 3) {
      const tol = tolBase + (k1s[d] - k0s[d]) * tolK;
      for (let ch = 0; ch < 3; ch++) {
        const v = acc[d3 + ch];
        const fr = v - Math.floor(v);
        if (Math.abs(fr - 0.5) <= tol) dst[o + d3 + ch] = exactAreaU8(src, sw, xt, yt, k0s[d], k1s[d], j0, j1, ch);
        else {
          const r = Math.round(v);
          dst[o + d3 + ch] = r < 0 ? 0 : r > 255 ? 255 : r;
        }
      }
    }
  }
}

/** One output value with OpenCV's float32 accumulation order (see resizeAreaU8). */
function exactAreaU8(src: Uint8Array, sw: number, xt: AreaTab, yt: AreaTab, k0: number, k1: number, j0: number, j1: number, ch: number): number {
  let sum = 0;
  for (let j = j0; j < j1; j++) {
    const ro = yt.si[j] * sw * 3;
    let buf = 0;
    for (let k = k0; k < k1; k++) buf = f32(buf + f32(src[ro + xt.si[k] * 3 + ch] * xt.alpha[k]));
    sum = j === j0 ? f32(yt.alpha[j] * buf) : f32(sum + f32(yt.alpha[j] * buf));
  }
  return satU8(sum);
}

const planCache = new Map<string, ColPlan>();
let cropCols = { rs: new Int32Array(0), re: new Int32Array(0), ar: new Float64Array(0), f: new Int32Array(0), l: new Int32Array(0) };
let scratchRowVals = new Float64Array(0);
function cachedColPlan(ssize: number, dsize: number, scale: number): { tab: AreaTab; plan: ColPlan } {
  const tab = cachedAreaTab(ssize, dsize, scale);
  const key = `${ssize}/${dsize}/${scale}`;
  let p = planCache.get(key);
  if (!p) {
    p = colPlan(tab, dsize);
    if (planCache.size > 4096) planCache.clear();
    planCache.set(key, p);
  }
  return { tab, plan: p };
}

/**
 * cropResizeArea for shrinking crops, using the image's row prefix sums: each output column is a
 * run of equally weighted pixels plus at most two partial ones, so a crop row costs O(S) instead
 * of O(tmpw). Same formula as OpenCV's float64 INTER_AREA (float32 weights, float64 sums); only
 * the float64 summation order differs (relative differences ~1e-15, far below the float32
 * precision of the network input).
 */
export function cropResizeAreaPrefix(
  img: { data: Uint8Array; width: number; height: number },
  prefix: RowPrefix,
  ox: number,
  oy: number,
  tmpw: number,
  tmph: number,
  S: number,
): Float64Array {
  const p = plan(tmpw, tmph, S, S);
  if (p.kind !== 'area') return cropResizeArea(img, ox, oy, tmpw, tmph, S);
  const { plan: cp } = cachedColPlan(tmpw, S, p.sx);
  const yt = cachedAreaTab(tmph, S, p.sy);
  const { width: W, height: H, data } = img;
  const pd = prefix.data;
  const stride = (W + 1) * 3;
  const W3 = S * 3;
  // Per-crop column plan: run bounds clamped to the image (×3), partial pixels' column offsets
  // (×3, or −1 where the pixel lies outside the image and so contributes a zero).
  if (cropCols.rs.length < S) {
    cropCols = { rs: new Int32Array(S), re: new Int32Array(S), ar: new Float64Array(S), f: new Int32Array(S), l: new Int32Array(S) };
  }
  const cRs = cropCols.rs;
  const cRe = cropCols.re;
  const cAr = cropCols.ar;
  const cF = cropCols.f;
  const cL = cropCols.l;
  const aFirst = cp.aFirst;
  const aLast = cp.aLast;
  for (let d = 0; d < S; d++) {
    const rs = Math.min(Math.max(ox + cp.runStart[d], 0), W);
    const re = Math.min(Math.max(ox + cp.runEnd[d], 0), W);
    cRs[d] = rs * 3;
    cRe[d] = re > rs ? re * 3 : rs * 3;
    cAr[d] = re > rs ? cp.aRun[d] : 0;
    const f = cp.first[d];
    cF[d] = f >= 0 && ox + f >= 0 && ox + f < W ? (ox + f) * 3 : -1;
    const l = cp.last[d];
    cL[d] = l >= 0 && ox + l >= 0 && ox + l < W ? (ox + l) * 3 : -1;
  }
  if (scratchRowVals.length < W3) scratchRowVals = new Float64Array(W3);
  const rowVals = scratchRowVals;
  const dst = new Float64Array(S * S * 3);
  const ysi = yt.si;
  const ydi = yt.di;
  const yal = yt.alpha;
  let cachedRow = -1;
  for (let j = 0; j < yt.n; j++) {
    const sy = ysi[j];
    const iy = oy + sy;
    if (iy < 0 || iy >= H) continue; // a zero row contributes nothing
    if (sy !== cachedRow) {
      const po = iy * stride;
      const so = iy * W * 3;
      for (let d = 0, d3 = 0; d < S; d++, d3 += 3) {
        const rs = po + cRs[d];
        const re = po + cRe[d];
        const ar = cAr[d];
        let v0 = ar * (pd[re] - pd[rs]);
        let v1 = ar * (pd[re + 1] - pd[rs + 1]);
        let v2 = ar * (pd[re + 2] - pd[rs + 2]);
        const f = cF[d];
        if (f >= 0) {
          const a = aFirst[d];
          v0 += a * data[so + f];
          v1 += a * data[so + f + 1];
          v2 += a * data[so + f + 2];
        }
        const l = cL[d];
        if (l >= 0) {
          const a = aLast[d];
          v0 += a * data[so + l];
          v1 += a * data[so + l + 1];
          v2 += a * data[so + l + 2];
        }
        rowVals[d3] = v0;
        rowVals[d3 + 1] = v1;
        rowVals[d3 + 2] = v2;
      }
      cachedRow = sy;
    }
    const beta = yal[j];
    const o = ydi[j] * W3;
    for (let x = 0; x < W3; x++) dst[o + x] += beta * rowVals[x];
  }
  return dst;
}
