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
