// @ts-nocheck -- AssemblyScript source (compiled by `npm run models:wasm`), not part of the tsc project.
//
// cv2.resize(..., INTER_AREA) shrink paths used by MTCNN, bit-exact with models/resize.ts:
//
//  - pyramid(): uint8 RGB → uint8 with OpenCV's float32 arithmetic (resizeAreaU8's 'area' kind),
//    then (v − 127.5)·0.0078125, written planar transposed: out[c][x][y] (float32).
//  - crop(): mtcnn 0.1.1's zero-padded float64 crop → S×S with float32 weights and float64 sums
//    (resizeAreaF64's 'area' kind), then (r − 127.5)·0.0078125 in float64 → float32, planar
//    transposed: out[c][x][y]. cropFast(): the same for integer factors ('fast' kind).
//
// Pyramid levels are computed with exactly OpenCV's sequence of IEEE operations: the horizontal
// pass of a source row accumulates, per destination column, `buf += src·alpha` over the
// area-table entries in order (starting from 0); the vertical pass sets `sum = beta·buf` for a
// destination row's first table entry and `sum += beta·buf` after. The three channels run in
// the lanes of one f32x4, which does not change any per-lane operation. Padding entries (fixed
// trip counts) get weight 0: they add +0 to a non-negative sum, which leaves it exactly unchanged.
// Crops keep that vertical sequence (lanes: two destination columns of one channel); their
// horizontal sums are exact, so they are taken from int32 row prefix sums in any order (see
// "MTCNN crop" below), except for absurdly wide crops, which use OpenCV's sequence.
//
// Memory is managed by the caller (models/area-wasm.ts): the image, a scratch block and the output
// live at caller-given addresses; nothing is allocated here.

/** First free byte after the module's static data. */
export function heapBase(): usize {
  return __heap_base;
}

/**
 * OpenCV computeResizeAreaTab, identical float math to resize.ts areaTab(). Writes the source
 * index (si), the float32 weight (al) and the destination index (di) of each entry; returns the
 * entry count.
 */
function areaTab(ssize: i32, dsize: i32, scale: f64, si: usize, al: usize, di: usize): i32 {
  let k = 0;
  for (let dx = 0; dx < dsize; dx++) {
    const fsx1: f64 = <f64>dx * scale;
    const fsx2: f64 = fsx1 + scale;
    const cellWidth: f64 = min<f64>(scale, <f64>ssize - fsx1);
    let sx1 = <i32>ceil<f64>(fsx1);
    let sx2 = <i32>floor<f64>(fsx2);
    sx2 = min<i32>(sx2, ssize - 1);
    sx1 = min<i32>(sx1, sx2);
    if (<f64>sx1 - fsx1 > 1e-3) {
      store<i32>(di + (<usize>k << 2), dx);
      store<i32>(si + (<usize>k << 2), sx1 - 1);
      store<f32>(al + (<usize>k << 2), <f32>((<f64>sx1 - fsx1) / cellWidth));
      k++;
    }
    for (let sx = sx1; sx < sx2; sx++) {
      store<i32>(di + (<usize>k << 2), dx);
      store<i32>(si + (<usize>k << 2), sx);
      store<f32>(al + (<usize>k << 2), <f32>(1.0 / cellWidth));
      k++;
    }
    if (fsx2 - <f64>sx2 > 1e-3) {
      store<i32>(di + (<usize>k << 2), dx);
      store<i32>(si + (<usize>k << 2), sx2);
      store<f32>(al + (<usize>k << 2), <f32>(min<f64>(min<f64>(fsx2 - <f64>sx2, 1.0), cellWidth) / cellWidth));
      k++;
    }
  }
  return k;
}

/**
 * Lays the horizontal area table out for the inner loop: destination columns in groups of 4
 * (ceil(dsize / 4) groups; columns past dsize are dummies), every column padded to M entries
 * (M = the largest entry count; returns M), stored entry-major within a group
 * ([group][m][4 columns]) so that four independent sums advance together with fixed trip counts.
 * An entry is the source pixel's byte offset within a row ((si + shift)·mult) and its weight,
 * float32 (8-byte entries) or float64 (16-byte entries). Padding entries, dummy columns and
 * entries whose source index lies outside [lo, hi) get weight 0 and offset 0: they add +0 to a
 * non-negative sum, which leaves it exactly unchanged, so every column's result is identical to
 * OpenCV's unpadded sequence. `ks` receives dsize + 1 column start indices (scratch).
 */
function padColumns(n: i32, dsize: i32, si: usize, al: usize, di: usize, ks: usize, tab: usize, lo: i32, hi: i32, shift: i32, mult: i32, f64w: bool): i32 {
  let M = 0;
  let k = 0;
  for (let d = 0; d < dsize; d++) {
    const k0 = k;
    store<i32>(ks + (<usize>d << 2), k0);
    while (k < n && load<i32>(di + (<usize>k << 2)) == d) k++;
    M = max<i32>(M, k - k0);
  }
  store<i32>(ks + (<usize>dsize << 2), k);
  const eb: usize = f64w ? 16 : 8;
  const groups = (dsize + 3) >> 2;
  for (let g = 0; g < groups; g++) {
    for (let c = 0; c < 4; c++) {
      const d = (g << 2) + c;
      let k0 = 0;
      let k1 = 0;
      if (d < dsize) {
        k0 = load<i32>(ks + (<usize>d << 2));
        k1 = load<i32>(ks + ((<usize>d + 1) << 2));
      }
      for (let m = 0; m < M; m++) {
        const e = tab + ((((<usize>g * <usize>M) + <usize>m) << 2) + <usize>c) * eb;
        let off = 0;
        let a: f32 = 0;
        const q = k0 + m;
        if (q < k1) {
          const s = load<i32>(si + (<usize>q << 2));
          if (s >= lo && s < hi) {
            off = (s + shift) * mult;
            a = load<f32>(al + (<usize>q << 2));
          }
        }
        store<i32>(e, off);
        if (f64w) store<f64>(e, <f64>a, 8);
        else store<f32>(e, a, 4);
      }
    }
  }
  return M;
}

/** Pixel at p (and the next byte in lane 3) as f32x4; u8 values convert exactly. */
@inline function px4(p: usize): v128 {
  return f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_u(v128.load8x8_u(p)));
}

/** R, G of the pixel at p as f64x2. */
@inline function px2(p: usize): v128 {
  return f64x2.convert_low_i32x4_s(i32x4.extend_low_i16x8_u(v128.load8x8_u(p)));
}

@inline function align16(p: usize): usize {
  return (p + 15) & ~(<usize>15);
}

// ---------------------------------------------------------------------------------------------
// Pyramid level (uint8 → float32 arithmetic)

/**
 * Resize the uint8 RGB image at `img` (sw × sh) to dw × dh (an INTER_AREA shrink with a
 * non-integer factor) and write the normalised float32 values planar transposed at `out`
 * (out[(c·dw + x)·dh + y]). `scr` must hold pyramidScratch(sw, sh, dw, dh) bytes (16-aligned);
 * the image must be followed by at least 1 readable byte.
 */
export function pyramid(img: usize, sw: i32, sh: i32, dw: i32, dh: i32, scr: usize, out: usize): void {
  const scaleX: f64 = 1.0 / (<f64>dw / <f64>sw);
  const scaleY: f64 = 1.0 / (<f64>dh / <f64>sh);
  const capx = 2 * sw + 2 * dw + 4;
  const capy = 2 * sh + 2 * dh + 4;
  const dw4 = <usize>((dw + 3) & ~3);
  const buf = align16(scr);
  const sum = buf + (dw4 << 4);
  const xsi = sum + (dw4 << 4);
  const xal = xsi + (<usize>capx << 2);
  const xdi = xal + (<usize>capx << 2);
  const ysi = xdi + (<usize>capx << 2);
  const yal = ysi + (<usize>capy << 2);
  const ydi = yal + (<usize>capy << 2);
  const ks = ydi + (<usize>capy << 2);
  const tab = ks + ((<usize>dw + 1) << 2);

  const nx = areaTab(sw, dw, scaleX, xsi, xal, xdi);
  const ny = areaTab(sh, dh, scaleY, ysi, yal, ydi);
  const M = padColumns(nx, dw, xsi, xal, xdi, ks, tab, 0, 0x7fffffff, 0, 3, false);
  const groupBytes = <usize>M << 5;
  const plane = <usize>dw * <usize>dh;
  const rowBytes = <usize>sw * 3;
  let bufRow = -1;
  let prevDy = load<i32>(ydi);
  let first = true;
  for (let j = 0; j < ny; j++) {
    const beta = f32x4.splat(load<f32>(yal + (<usize>j << 2)));
    const dy = load<i32>(ydi + (<usize>j << 2));
    const sy = load<i32>(ysi + (<usize>j << 2));
    if (sy != bufRow) {
      // Horizontal pass of source row sy: buf[d] = Σ_k src·alpha (float32, entries in order).
      const row = img + <usize>sy * rowBytes;
      let e = tab;
      for (let d = 0; d < dw; d += 4) {
        let acc0 = f32x4.splat(0);
        let acc1 = acc0;
        let acc2 = acc0;
        let acc3 = acc0;
        const end = e + groupBytes;
        for (; e < end; e += 32) {
          acc0 = f32x4.add(acc0, f32x4.mul(px4(row + <usize>load<i32>(e)), v128.load32_splat(e, 4)));
          acc1 = f32x4.add(acc1, f32x4.mul(px4(row + <usize>load<i32>(e, 8)), v128.load32_splat(e, 12)));
          acc2 = f32x4.add(acc2, f32x4.mul(px4(row + <usize>load<i32>(e, 16)), v128.load32_splat(e, 20)));
          acc3 = f32x4.add(acc3, f32x4.mul(px4(row + <usize>load<i32>(e, 24)), v128.load32_splat(e, 28)));
        }
        const o = buf + (<usize>d << 4);
        v128.store(o, acc0);
        v128.store(o, acc1, 16);
        v128.store(o, acc2, 32);
        v128.store(o, acc3, 48);
      }
      bufRow = sy;
    }
    if (dy != prevDy) {
      emitU8(sum, dw, dh, prevDy, plane, out);
      prevDy = dy;
      first = true;
    }
    if (first) {
      for (let d = 0; d < dw; d++) {
        const o = <usize>d << 4;
        v128.store(sum + o, f32x4.mul(beta, v128.load(buf + o)));
      }
      first = false;
    } else {
      for (let d = 0; d < dw; d++) {
        const o = <usize>d << 4;
        v128.store(sum + o, f32x4.add(v128.load(sum + o), f32x4.mul(beta, v128.load(buf + o))));
      }
    }
  }
  emitU8(sum, dw, dh, prevDy, plane, out);
}

/** saturate_cast<uint8>(round-half-even) of a finished row, normalised, planar transposed. */
@inline function emitU8(sum: usize, dw: i32, dh: i32, dy: i32, plane: usize, out: usize): void {
  const lo = f32x4.splat(0);
  const hi = f32x4.splat(255);
  const half = f32x4.splat(127.5);
  const k = f32x4.splat(0.0078125);
  const p1 = plane << 2;
  const p2 = plane << 3;
  let o = out + (<usize>dy << 2);
  const step = <usize>dh << 2;
  for (let d = 0; d < dw; d++) {
    let v = f32x4.nearest(v128.load(sum + (<usize>d << 4)));
    v = f32x4.pmin(f32x4.pmax(v, lo), hi);
    v = f32x4.mul(f32x4.sub(v, half), k);
    store<f32>(o, f32x4.extract_lane(v, 0));
    store<f32>(o + p1, f32x4.extract_lane(v, 1));
    store<f32>(o + p2, f32x4.extract_lane(v, 2));
    o += step;
  }
}

/** Scratch bytes pyramid() uses (plus 16 for alignment). */
export function pyramidScratch(sw: i32, sh: i32, dw: i32, dh: i32): i32 {
  // buf, sum (4-column groups); x and y tables; column starts; grouped padded table
  // (≤ floor(scale) + 2 entries per column, ceil(dw / 4)·4 columns)
  const dw4 = (dw + 3) & ~3;
  return 16 + dw4 * 32 + (2 * sw + 2 * dw + 4) * 12 + (2 * sh + 2 * dh + 4) * 12 + (dw + 1) * 4 + dw4 * (sw / dw + 3) * 8;
}

// ---------------------------------------------------------------------------------------------
// MTCNN crop (float64 arithmetic)
//
// Why the horizontal pass may add in any order. OpenCV's float64 horizontal pass computes, per
// destination column, buf = Σ_k src_k·alpha_k over the column's table entries in order, from +0.
// Each term is exact in float64 (src: an integer 0…255, 8 bits; alpha: a float32, 24-bit
// mantissa) and a non-negative integer multiple of u = 2^(e_min − 23), e_min being the smallest
// exponent among the column's weights. Every partial sum is then a multiple of u and at most the
// total ≤ 255·Σalpha, so it is exactly representable, and every addition exact, as long as
// 255·Σalpha < 2^53·u = 2^(30 + e_min). buf is then the exact real sum, in ANY order. A column's
// table is [partial pixel] [run of pixels weighted 1/cellWidth] [partial pixel], so crops compute
// buf = aPre·src[pre] + aRun·(P[re] − P[rs]) + aPost·src[post] from int32 prefix sums P of the
// image row (exact; aRun·(P[re] − P[rs]) has ≤ 24 + 29 significant bits, exact), every operation
// again exact: bit-identical to OpenCV. colPlan checks the bound per column (Σalpha ≤
// 2^(22 + e_min), which leaves 256/255 for the rounding of Σalpha). Cell edges fall on multiples
// of 1/S px, so a partial weight is 0 (dropped: areaTab drops weights below 1e-3 of a pixel) or
// ≥ (1/S)/scale ≈ 1/tmpw, the smallest weight; the bound then holds for crops up to ~2^21 px wide
// (the first failures, for S = 24 and 48, are at tmpw = 2 097 571; even the weakest guarantee,
// alpha > 1e-3/scale, gives tmpw ≤ ~4194·S). Wider crops take the sequential path (OpenCV's
// order, entry by entry). The vertical pass rounds, so it keeps OpenCV's order exactly.

/** Bytes of a prefix-sum row of n pixels: n + 1 entries of 12 bytes (int32 R, G, B) + 4 (see fillPrefix). */
@inline function prefixRowBytes(n: i32): usize {
  return <usize>(n + 1) * 12 + 4;
}

/**
 * Prefix sums of n pixels of a uint8 RGB row at `src`: P[x] = Σ_{x' < x} src[x'] per channel
 * (int32, exact: 255·n < 2^31), at P + 12·x. A 16-byte load at P + 12·x gives (R, G, B, junk).
 * Writes 4 bytes past P[n] (zero).
 */
function fillPrefix(src: usize, n: i32, P: usize): void {
  const mask = i32x4(-1, -1, -1, 0);
  let acc = i32x4.splat(0);
  v128.store(P, acc);
  let q = P + 12;
  const end = src + <usize>n * 3;
  for (let s = src; s < end; s += 3, q += 12) {
    acc = i32x4.add(acc, v128.and(i32x4.extend_low_i16x8_u(v128.load8x8_u(s)), mask));
    v128.store(q, acc);
  }
}

/** Power of two ≤ a (a > 0 finite float32; 0 for subnormals), as f64. */
@inline function floorPow2(a: f32): f64 {
  return <f64>reinterpret<f32>(reinterpret<u32>(a) & 0x7f800000);
}

/**
 * The horizontal area table of a crop (ssize → dsize, same float math as areaTab) as one
 * record per destination column. A column's entries are [pixel sx1 − 1, weight aPre] [pixels
 * sx1 … sx2 − 1, weight aRun] [pixel sx2, weight aPost], so with the positions A = sx1 − 1,
 * B = sx1, C = sx2, D = sx2 + 1 its sum is aPre·(P[B] − P[A]) + aRun·(P[C] − P[B]) +
 * aPost·(P[D] − P[C]). Positions are in block columns (crop column − tx0) clamped to [0, cols]:
 * pixels outside the block (zero padding) then span an empty range and add 0·a = +0, which leaves
 * the exact sum unchanged; a missing partial pixel has weight 0. Records come in column pairs
 * (d, d + 1; a dummy column with weight 0 after an odd dsize), 80 bytes: byte offsets 12·A … 12·D
 * (i32 × 4) of d, of d + 1, then (aPre, aPre'), (aRun, aRun'), (aPost, aPost') as f64x2. Returns false if some column fails the
 * exactness bound above (the caller then takes the sequential path).
 */
function colPlan(ssize: i32, dsize: i32, scale: f64, tx0: i32, cols: i32, plan: usize): bool {
  let ok = true;
  for (let dx = 0; dx < dsize; dx++) {
    const fsx1: f64 = <f64>dx * scale;
    const fsx2: f64 = fsx1 + scale;
    const cellWidth: f64 = min<f64>(scale, <f64>ssize - fsx1);
    let sx1 = <i32>ceil<f64>(fsx1);
    let sx2 = <i32>floor<f64>(fsx2);
    sx2 = min<i32>(sx2, ssize - 1);
    sx1 = min<i32>(sx1, sx2);
    let amin: f32 = Infinity;
    let asum: f64 = 0;
    let aPre: f32 = 0;
    let aPost: f32 = 0;
    if (<f64>sx1 - fsx1 > 1e-3) {
      aPre = <f32>((<f64>sx1 - fsx1) / cellWidth);
      amin = min<f32>(amin, aPre);
      asum += <f64>aPre;
    }
    const aRun = <f32>(1.0 / cellWidth);
    if (sx2 > sx1) {
      amin = min<f32>(amin, aRun);
      asum += <f64>aRun * <f64>(sx2 - sx1);
    }
    if (fsx2 - <f64>sx2 > 1e-3) {
      aPost = <f32>(min<f64>(min<f64>(fsx2 - <f64>sx2, 1.0), cellWidth) / cellWidth);
      amin = min<f32>(amin, aPost);
      asum += <f64>aPost;
    }
    if (!(asum <= 4194304.0 * floorPow2(amin))) ok = false;
    const e = plan + <usize>(dx >> 1) * 80 + (<usize>(dx & 1) << 4);
    const w = plan + <usize>(dx >> 1) * 80 + 32 + (<usize>(dx & 1) << 3);
    store<i32>(e, min<i32>(max<i32>(sx1 - 1 - tx0, 0), cols) * 12);
    store<i32>(e, min<i32>(max<i32>(sx1 - tx0, 0), cols) * 12, 4);
    store<i32>(e, min<i32>(max<i32>(sx2 - tx0, 0), cols) * 12, 8);
    store<i32>(e, min<i32>(max<i32>(sx2 + 1 - tx0, 0), cols) * 12, 12);
    store<f64>(w, <f64>aPre);
    store<f64>(w, <f64>aRun, 16);
    store<f64>(w, <f64>aPost, 32);
  }
  if (dsize & 1) {
    // dummy column: empty ranges, weights 0
    const e = plan + <usize>(dsize >> 1) * 80;
    v128.store(e, i32x4.splat(0), 16);
    store<f64>(e, 0, 40);
    store<f64>(e, 0, 56);
    store<f64>(e, 0, 72);
  }
  return ok;
}

/**
 * Horizontal pass of one image row from its prefix row P: S columns (rounded up to even) as three
 * float64 planes R, G, B at o, o + pl, o + 2·pl.
 */
@inline function prefixRow(P: usize, plan: usize, S: i32, o: usize, pl: usize): void {
  const end = plan + <usize>((S + 1) >> 1) * 80;
  for (let e = plan; e < end; e += 80, o += 16) {
    const pre0 = i32x4.sub(v128.load(P + <usize>load<i32>(e, 4)), v128.load(P + <usize>load<i32>(e)));
    const run0 = i32x4.sub(v128.load(P + <usize>load<i32>(e, 8)), v128.load(P + <usize>load<i32>(e, 4)));
    const post0 = i32x4.sub(v128.load(P + <usize>load<i32>(e, 12)), v128.load(P + <usize>load<i32>(e, 8)));
    const pre1 = i32x4.sub(v128.load(P + <usize>load<i32>(e, 20)), v128.load(P + <usize>load<i32>(e, 16)));
    const run1 = i32x4.sub(v128.load(P + <usize>load<i32>(e, 24)), v128.load(P + <usize>load<i32>(e, 20)));
    const post1 = i32x4.sub(v128.load(P + <usize>load<i32>(e, 28)), v128.load(P + <usize>load<i32>(e, 24)));
    let rg0 = f64x2.mul(f64x2.convert_low_i32x4_s(pre0), v128.load64_splat(e, 32));
    rg0 = f64x2.add(rg0, f64x2.mul(f64x2.convert_low_i32x4_s(run0), v128.load64_splat(e, 48)));
    rg0 = f64x2.add(rg0, f64x2.mul(f64x2.convert_low_i32x4_s(post0), v128.load64_splat(e, 64)));
    let rg1 = f64x2.mul(f64x2.convert_low_i32x4_s(pre1), v128.load64_splat(e, 40));
    rg1 = f64x2.add(rg1, f64x2.mul(f64x2.convert_low_i32x4_s(run1), v128.load64_splat(e, 56)));
    rg1 = f64x2.add(rg1, f64x2.mul(f64x2.convert_low_i32x4_s(post1), v128.load64_splat(e, 72)));
    let b = f64x2.mul(f64x2.convert_low_i32x4_s(v128.shuffle<i32>(pre0, pre1, 2, 6, 2, 6)), v128.load(e, 32));
    b = f64x2.add(b, f64x2.mul(f64x2.convert_low_i32x4_s(v128.shuffle<i32>(run0, run1, 2, 6, 2, 6)), v128.load(e, 48)));
    b = f64x2.add(b, f64x2.mul(f64x2.convert_low_i32x4_s(v128.shuffle<i32>(post0, post1, 2, 6, 2, 6)), v128.load(e, 64)));
    v128.store(o, v128.shuffle<f64>(rg0, rg1, 0, 2));
    v128.store(o + pl, v128.shuffle<f64>(rg0, rg1, 1, 3));
    v128.store(o + (pl << 1), b);
  }
}

/**
 * Whether crop() takes the prefix-sum path for a crop tmpw wide (its block [tx0, tx1) of width
 * cols ≥ 1) resized to S (an 'area' shrink); false: the sequential path. `scr` needs 40·(S + 1) bytes.
 */
export function cropUsesPrefix(tmpw: i32, S: i32, scr: usize): bool {
  return colPlan(tmpw, S, 1.0 / (<f64>S / <f64>tmpw), 0, tmpw, scr);
}

/**
 * The crop is tmpw × tmph, zero except the block [ty0, ty1) × [tx0, tx1), whose pixel (r, c) is
 * the image's (iy0 + r − ty0, ix0 + c − tx0). Resize it to S×S (an INTER_AREA shrink with a
 * non-integer factor, i.e. plan kind 'area') and write (r − 127.5)·0.0078125 as float32 at `out`,
 * planar transposed (out[(c·S + x)·S + y]). `scr` must hold cropScratch(tmpw, tmph, S) bytes.
 * `cache` (0: none) holds the image's prefix rows (prefixRowBytes(W) each), row y filled once
 * flags[y] != 0; the caller clears the flags when the image changes. `sequential` forces the
 * sequential horizontal pass (for tests).
 */
export function crop(
  img: usize,
  W: i32,
  tmpw: i32,
  tmph: i32,
  tx0: i32,
  tx1: i32,
  ty0: i32,
  ty1: i32,
  ix0: i32,
  iy0: i32,
  S: i32,
  scr: usize,
  out: usize,
  H: i32,
  cache: usize,
  flags: usize,
  sequential: bool,
): void {
  const scaleX: f64 = 1.0 / (<f64>S / <f64>tmpw);
  const scaleY: f64 = 1.0 / (<f64>S / <f64>tmph);
  const capx = 2 * tmpw + 2 * S + 4;
  const capy = 2 * tmph + 2 * S + 4;
  const S4 = <usize>((S + 3) & ~3);
  const pl = S4 << 3; // per source row: planes R, G, B of S4 float64 (destination columns)
  const rowStride = pl * 3;
  const zrow = align16(scr);
  const vt = zrow + rowStride; // vertical pass: per table entry, source row buffer and beta (16 bytes)
  const ysi = vt + (<usize>capy << 4);
  const yal = ysi + (<usize>capy << 2);
  const ydi = yal + (<usize>capy << 2);
  const plan = align16(ydi + (<usize>capy << 2)); // colPlan records (40·S4 bytes)
  const pre = plan + S4 * 40; // sequential path: x tables, column starts, padded table; else a prefix row
  const hb = align16(pre + max<usize>(<usize>capx * 12 + ((<usize>S + 1) << 2) + 16 + (S4 >> 2) * (<usize>(tmpw / S + 3) << 6), prefixRowBytes(tmpw)));

  const cols = tx1 - tx0;
  // An empty block is all padding: every crop row is the zero row.
  const nrows = cols > 0 ? ty1 - ty0 : 0;
  const ny = areaTab(tmph, S, scaleY, ysi, yal, ydi);
  const plane = <usize>S * <usize>S;
  const rowBytes = <usize>W * 3;
  const zero = f64x2.splat(0);
  for (let d: usize = 0; d < rowStride; d += 16) v128.store(zrow + d, zero);

  if (colPlan(tmpw, S, scaleX, tx0, cols, plan) && !sequential) {
    // Horizontal pass from prefix sums (see above): the image's cached prefix rows, or a prefix of
    // the block's columns of each row (photos over the cache limit).
    if (cache) {
      const stride = prefixRowBytes(W);
      const shift = <usize>ix0 * 12;
      for (let r = 0; r < nrows; r++) {
        const y = iy0 + r;
        const P = cache + <usize>y * stride;
        if (!load<u8>(flags + <usize>y)) {
          fillPrefix(img + <usize>y * rowBytes, W, P);
          store<u8>(flags + <usize>y, 1);
        }
        prefixRow(P + shift, plan, S, hb + <usize>r * rowStride, pl);
      }
    } else {
      for (let r = 0; r < nrows; r++) {
        fillPrefix(img + <usize>(iy0 + r) * rowBytes + <usize>ix0 * 3, cols, pre);
        prefixRow(pre, plan, S, hb + <usize>r * rowStride, pl);
      }
    }
  } else {
    const xsi = pre;
    const xal = xsi + (<usize>capx << 2);
    const xdi = xal + (<usize>capx << 2);
    const ks = xdi + (<usize>capx << 2);
    const tab = align16(ks + ((<usize>S + 1) << 2));
    const nx = areaTab(tmpw, S, scaleX, xsi, xal, xdi);
    // Source columns outside [tx0, tx1) read padding zeros: weight 0 (see padColumns).
    const M = padColumns(nx, S, xsi, xal, xdi, ks, tab, tx0, tx1, ix0 - tx0, 3, true);
    const groupBytes = <usize>M << 6;
    // Horizontal pass, two source rows at a time (row A in lane 0, row B in lane 1 of every
    // f64x2; per lane exactly OpenCV's sequence buf = Σ_k src·alpha), two columns per inner loop.
    for (let r = 0; r < nrows; r += 2) {
      const rA = img + <usize>(iy0 + r) * rowBytes;
      const pair = r + 1 < nrows;
      const rB = pair ? rA + rowBytes : rA;
      const oA = hb + <usize>r * rowStride;
      const oB = pair ? oA + rowStride : oA;
      let e0 = tab;
      for (let d: usize = 0; d < <usize>S; d += 4) {
        const end = e0 + groupBytes;
        for (let h: usize = 0; h < 2; h++) {
          let R0 = zero;
          let G0 = zero;
          let B0 = zero;
          let R1 = zero;
          let G1 = zero;
          let B1 = zero;
          for (let e = e0 + (h << 5); e < end; e += 64) {
            const o0 = <usize>load<i32>(e);
            const a0 = v128.load64_splat(e, 8);
            const o1 = <usize>load<i32>(e, 16);
            const a1 = v128.load64_splat(e, 24);
            // (RA RB GA GB BA BB ..) as i16, then as f64x2 pairs
            const p0 = v128.shuffle<i16>(v128.load8x8_u(rA + o0), v128.load8x8_u(rB + o0), 0, 8, 1, 9, 2, 10, 3, 11);
            const p1 = v128.shuffle<i16>(v128.load8x8_u(rA + o1), v128.load8x8_u(rB + o1), 0, 8, 1, 9, 2, 10, 3, 11);
            const l0 = i32x4.extend_low_i16x8_u(p0);
            const l1 = i32x4.extend_low_i16x8_u(p1);
            R0 = f64x2.add(R0, f64x2.mul(f64x2.convert_low_i32x4_s(l0), a0));
            R1 = f64x2.add(R1, f64x2.mul(f64x2.convert_low_i32x4_s(l1), a1));
            G0 = f64x2.add(G0, f64x2.mul(f64x2.convert_low_i32x4_s(v128.shuffle<i32>(l0, l0, 2, 3, 2, 3)), a0));
            G1 = f64x2.add(G1, f64x2.mul(f64x2.convert_low_i32x4_s(v128.shuffle<i32>(l1, l1, 2, 3, 2, 3)), a1));
            B0 = f64x2.add(B0, f64x2.mul(f64x2.convert_low_i32x4_s(i32x4.extend_high_i16x8_u(p0)), a0));
            B1 = f64x2.add(B1, f64x2.mul(f64x2.convert_low_i32x4_s(i32x4.extend_high_i16x8_u(p1)), a1));
          }
          const c = (d + (h << 1)) << 3; // columns c, c + 1 of the planes
          v128.store(oA + c, v128.shuffle<f64>(R0, R1, 0, 2));
          v128.store(oA + pl + c, v128.shuffle<f64>(G0, G1, 0, 2));
          v128.store(oA + (pl << 1) + c, v128.shuffle<f64>(B0, B1, 0, 2));
          if (pair) {
            v128.store(oB + c, v128.shuffle<f64>(R0, R1, 1, 3));
            v128.store(oB + pl + c, v128.shuffle<f64>(G0, G1, 1, 3));
            v128.store(oB + (pl << 1) + c, v128.shuffle<f64>(B0, B1, 1, 3));
          }
        }
        e0 = end;
      }
    }
  }

  // Vertical pass: per destination row and column, sum = beta·buf for the row's first table
  // entry, then sum += beta·buf in table order (kept in registers), then normalised and stored.
  // Per entry j: the source row's buffer (zero row outside the block's rows) and beta as float64.
  for (let j = 0; j < ny; j++) {
    const sy = load<i32>(ysi + (<usize>j << 2));
    const e = vt + (<usize>j << 4);
    store<i32>(e, <i32>(sy >= ty0 && sy < ty0 + nrows ? hb + <usize>(sy - ty0) * rowStride : zrow));
    store<f64>(e, <f64>load<f32>(yal + (<usize>j << 2)), 8);
  }
  const half = f64x2.splat(127.5);
  const kn = f64x2.splat(0.0078125);
  const p1 = plane << 2;
  const p2 = plane << 3;
  const step = <usize>S << 2;
  const cEnd = <usize>S << 3;
  let j = 0;
  for (let dy = 0; dy < S; dy++) {
    const j0 = j;
    while (j < ny && load<i32>(ydi + (<usize>j << 2)) == dy) j++;
    const e0 = vt + (<usize>j0 << 4);
    const e1 = vt + (<usize>j << 4);
    let o = out + (<usize>dy << 2);
    for (let c: usize = 0; c < cEnd; c += 16) {
      // destination columns c / 8 and c / 8 + 1 in the lanes
      let R = zero;
      let G = zero;
      let B = zero;
      if (e1 > e0) {
        const r0 = <usize>load<i32>(e0) + c;
        const b0 = v128.load64_splat(e0, 8);
        R = f64x2.mul(b0, v128.load(r0));
        G = f64x2.mul(b0, v128.load(r0 + pl));
        B = f64x2.mul(b0, v128.load(r0 + (pl << 1)));
        for (let e = e0 + 16; e < e1; e += 16) {
          const r = <usize>load<i32>(e) + c;
          const beta = v128.load64_splat(e, 8);
          R = f64x2.add(R, f64x2.mul(beta, v128.load(r)));
          G = f64x2.add(G, f64x2.mul(beta, v128.load(r + pl)));
          B = f64x2.add(B, f64x2.mul(beta, v128.load(r + (pl << 1))));
        }
      }
      R = f64x2.mul(f64x2.sub(R, half), kn);
      G = f64x2.mul(f64x2.sub(G, half), kn);
      B = f64x2.mul(f64x2.sub(B, half), kn);
      store<f32>(o, <f32>f64x2.extract_lane(R, 0));
      store<f32>(o + p1, <f32>f64x2.extract_lane(G, 0));
      store<f32>(o + p2, <f32>f64x2.extract_lane(B, 0));
      o += step;
      if (c + 8 >= cEnd) break; // odd S: no column S
      store<f32>(o, <f32>f64x2.extract_lane(R, 1));
      store<f32>(o + p1, <f32>f64x2.extract_lane(G, 1));
      store<f32>(o + p2, <f32>f64x2.extract_lane(B, 1));
      o += step;
    }
  }
}

/** Scratch bytes crop() uses (including 16 for alignment). */
export function cropScratch(tmpw: i32, tmph: i32, S: i32): i32 {
  const S4 = (S + 3) & ~3;
  const capx = 2 * tmpw + 2 * S + 4;
  const capy = 2 * tmph + 2 * S + 4;
  const seq = capx * 12 + (S + 1) * 4 + 16 + (S4 >> 2) * (tmpw / S + 3) * 64;
  const pre = (tmpw + 1) * 12 + 4;
  return 16 + S4 * 24 + capy * 28 + 16 + S4 * 40 + max<i32>(seq, pre) + 16 + tmph * S4 * 24;
}

/**
 * crop() for an integer factor (plan kind 'fast': tmpw = ix·S, tmph = iy·S): resizeAreaF64's
 * fast path, s·float32(1 / (ix·iy)) with s the float64 sum of the ix × iy block, which is an
 * exact integer in any order (≤ 255·ix·iy), here taken from row prefix sums (int32). Same
 * arguments as crop(); `scr` must hold cropScratch(tmpw, tmph, S) bytes.
 */
export function cropFast(
  img: usize,
  W: i32,
  tmpw: i32,
  tmph: i32,
  tx0: i32,
  tx1: i32,
  ty0: i32,
  ty1: i32,
  ix0: i32,
  iy0: i32,
  S: i32,
  scr: usize,
  out: usize,
  H: i32,
  cache: usize,
  flags: usize,
): void {
  const ix = tmpw / S;
  const iy = tmph / S;
  const scale: f64 = <f64><f32>(1.0 / <f64>(ix * iy));
  const cols = tx1 - tx0;
  const nrows = cols > 0 ? ty1 - ty0 : 0;
  const acc = align16(scr); // S × i32x4
  const offs = acc + (<usize>S << 4); // S × (c0, c1) byte offsets into a block prefix row
  const pre = align16(offs + (<usize>S << 3));
  for (let d = 0; d < S; d++) {
    store<i32>(offs + (<usize>d << 3), min<i32>(max<i32>(d * ix - tx0, 0), cols) * 12);
    store<i32>(offs + (<usize>d << 3), min<i32>(max<i32>(d * ix + ix - tx0, 0), cols) * 12, 4);
  }
  const rowBytes = <usize>W * 3;
  const stride = prefixRowBytes(W);
  const plane = <usize>S * <usize>S;
  const p1 = plane << 2;
  const p2 = plane << 3;
  const step = <usize>S << 2;
  const half = f64x2.splat(127.5);
  const kn = f64x2.splat(0.0078125);
  const sc = f64x2.splat(scale);
  for (let dy = 0; dy < S; dy++) {
    for (let d: usize = 0; d < <usize>S; d++) v128.store(acc + (d << 4), i32x4.splat(0));
    const r0 = max<i32>(dy * iy, ty0);
    const r1 = min<i32>(dy * iy + iy, ty0 + nrows);
    for (let r = r0; r < r1; r++) {
      const y = iy0 + r - ty0;
      let P: usize;
      if (cache) {
        P = cache + <usize>y * stride;
        if (!load<u8>(flags + <usize>y)) {
          fillPrefix(img + <usize>y * rowBytes, W, P);
          store<u8>(flags + <usize>y, 1);
        }
        P += <usize>ix0 * 12;
      } else {
        P = pre;
        fillPrefix(img + <usize>y * rowBytes + <usize>ix0 * 3, cols, P);
      }
      for (let d: usize = 0; d < <usize>S; d++) {
        const o = offs + (d << 3);
        const s = i32x4.sub(v128.load(P + <usize>load<i32>(o, 4)), v128.load(P + <usize>load<i32>(o)));
        v128.store(acc + (d << 4), i32x4.add(v128.load(acc + (d << 4)), s));
      }
    }
    let o = out + (<usize>dy << 2);
    for (let d: usize = 0; d < <usize>S; d++) {
      const s = v128.load(acc + (d << 4));
      const rg = f64x2.mul(f64x2.sub(f64x2.mul(f64x2.convert_low_i32x4_s(s), sc), half), kn);
      const b = f64x2.mul(f64x2.sub(f64x2.mul(f64x2.convert_low_i32x4_s(v128.shuffle<i32>(s, s, 2, 3, 2, 3)), sc), half), kn);
      store<f32>(o, <f32>f64x2.extract_lane(rg, 0));
      store<f32>(o + p1, <f32>f64x2.extract_lane(rg, 1));
      store<f32>(o + p2, <f32>f64x2.extract_lane(b, 0));
      o += step;
    }
  }
}
