// @ts-nocheck -- AssemblyScript source (compiled by `npm run models:wasm`), not part of the tsc project.
//
// cv2.resize(..., INTER_AREA) shrink paths used by MTCNN, bit-exact with models/resize.ts:
//
//  - pyramid(): uint8 RGB → uint8 with OpenCV's float32 arithmetic (resizeAreaU8's 'area' kind),
//    then (v − 127.5)·0.0078125, written planar transposed: out[c][x][y] (float32).
//  - crop(): mtcnn 0.1.1's zero-padded float64 crop → S×S with float32 weights and float64 sums
//    (resizeAreaF64's 'area' kind), then (r − 127.5)·0.0078125 in float64 → float32, planar
//    transposed: out[c][x][y].
//
// Every output value is computed with exactly OpenCV's sequence of IEEE operations: the
// horizontal pass of a source row accumulates, per destination column, `buf += src·alpha` over the
// area-table entries in order (starting from 0); the vertical pass sets `sum = beta·buf` for a
// destination row's first table entry and `sum += beta·buf` after. The three channels run in
// the lanes of one SIMD vector (f32x4; f64x2 for R,G plus a scalar-filled f64x2 for B), which
// does not change any per-lane operation; crops put two source rows in the lanes of f64x2.
// Padding entries (fixed trip counts) and entries whose source pixel is a crop's zero padding
// get weight 0: they add +0 to a non-negative sum, which leaves it exactly unchanged.
// Crops read either the uint8 image or a lazily filled float64 row-pair copy of it (fillPairs);
// u8 → f64 conversion is exact, so both give the same values.
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

/**
 * Row-pair cache of the image as float64 (24 bytes per pixel): pair p holds image rows 2p and
 * 2p + 1 as [R2p R2p+1 | G2p G2p+1 | B2p B2p+1] per pixel (48 bytes), so that a crop's horizontal
 * pass loads converted values (u8 → f64 is exact) shared by all crops of a photo. flags[p] != 0
 * once pair p is filled; the caller clears the flags when the image changes. A missing row
 * 2p + 1 (odd height) is filled with zeros and never read.
 */
function fillPairs(img: usize, W: i32, H: i32, cache: usize, flags: usize, p0: i32, p1: i32): void {
  const rowBytes = <usize>W * 3;
  const pairBytes = <usize>W * 48;
  for (let p = p0; p <= p1; p++) {
    if (load<u8>(flags + <usize>p)) continue;
    store<u8>(flags + <usize>p, 1);
    const rA = img + <usize>(p << 1) * rowBytes;
    const hasB = (p << 1) + 1 < H;
    const rB = rA + rowBytes;
    let q = cache + <usize>p * pairBytes;
    for (let x = 0; x < W; x++, q += 48) {
      const o = <usize>x * 3;
      const pa = i32x4.extend_low_i16x8_u(v128.load8x8_u(rA + o)); // RA GA BA RA'
      const pb = hasB ? i32x4.extend_low_i16x8_u(v128.load8x8_u(rB + o)) : i32x4.splat(0);
      const rg = v128.shuffle<i32>(pa, pb, 0, 4, 1, 5); // RA RB GA GB
      const bb = v128.shuffle<i32>(pa, pb, 2, 6, 2, 6); // BA BB
      v128.store(q, f64x2.convert_low_i32x4_s(rg));
      v128.store(q, f64x2.convert_low_i32x4_s(v128.shuffle<i32>(rg, rg, 2, 3, 2, 3)), 16);
      v128.store(q, f64x2.convert_low_i32x4_s(bb), 32);
    }
  }
}

/**
 * The crop is tmpw × tmph, zero except the block [ty0, ty1) × [tx0, tx1), whose pixel (r, c) is
 * the image's (iy0 + r − ty0, ix0 + c − tx0). Resize it to S×S (an INTER_AREA shrink with a
 * non-integer factor, i.e. plan kind 'area') and write (r − 127.5)·0.0078125 as float32 at `out`,
 * planar transposed (out[(c·S + x)·S + y]). `scr` must hold cropScratch(tmpw, tmph, S) bytes.
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
): void {
  const scaleX: f64 = 1.0 / (<f64>S / <f64>tmpw);
  const scaleY: f64 = 1.0 / (<f64>S / <f64>tmph);
  const capx = 2 * tmpw + 2 * S + 4;
  const capy = 2 * tmph + 2 * S + 4;
  const S4 = <usize>((S + 3) & ~3);
  const rowStride = S4 << 5; // per source row: [R G | B 0] float64 per destination column
  const zrow = align16(scr);
  const sum = zrow + rowStride; // per table entry j: source row buffer, beta (16 bytes)
  const xsi = sum + (<usize>capy << 4);
  const xal = xsi + (<usize>capx << 2);
  const xdi = xal + (<usize>capx << 2);
  const ysi = xdi + (<usize>capx << 2);
  const yal = ysi + (<usize>capy << 2);
  const ydi = yal + (<usize>capy << 2);
  const ks = ydi + (<usize>capy << 2);
  const tab = align16(ks + ((<usize>S + 1) << 2));

  const nx = areaTab(tmpw, S, scaleX, xsi, xal, xdi);
  const ny = areaTab(tmph, S, scaleY, ysi, yal, ydi);
  // Source columns outside [tx0, tx1) read padding zeros: weight 0 (see padColumns).
  const M = padColumns(nx, S, xsi, xal, xdi, ks, tab, tx0, tx1, ix0 - tx0, cache ? 48 : 3, true);
  const groupBytes = <usize>M << 6;
  const hb = align16(tab + ((S4 >> 2) * groupBytes)); // horizontal pass of crop rows ty0 … ty1 − 1
  const plane = <usize>S * <usize>S;
  const rowBytes = <usize>W * 3;
  const zero = f64x2.splat(0);
  for (let d: usize = 0; d < S4; d++) {
    v128.store(zrow + (d << 5), zero);
    v128.store(zrow + (d << 5), zero, 16);
  }

  const nrows = ty1 - ty0;
  if (cache) {
    // Horizontal pass from the float64 row-pair cache (see fillPairs): image rows 2p and 2p + 1
    // in the two lanes; per lane exactly OpenCV's sequence buf = Σ_k src·alpha.
    if (nrows > 0) {
      const yLast = iy0 + nrows - 1;
      const pairBytes = <usize>W * 48;
      fillPairs(img, W, H, cache, flags, iy0 >> 1, yLast >> 1);
      for (let p = iy0 >> 1; p <= yLast >> 1; p++) {
        const prow = cache + <usize>p * pairBytes;
        const yA = p << 1;
        const okA = yA >= iy0;
        const okB = yA + 1 <= yLast;
        const oA = hb + <usize>(yA - iy0) * rowStride; // only used when okA
        const oB = hb + <usize>(yA + 1 - iy0) * rowStride;
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
              const q0 = prow + <usize>load<i32>(e);
              const a0 = v128.load64_splat(e, 8);
              const q1 = prow + <usize>load<i32>(e, 16);
              const a1 = v128.load64_splat(e, 24);
              R0 = f64x2.add(R0, f64x2.mul(v128.load(q0), a0));
              G0 = f64x2.add(G0, f64x2.mul(v128.load(q0, 16), a0));
              B0 = f64x2.add(B0, f64x2.mul(v128.load(q0, 32), a0));
              R1 = f64x2.add(R1, f64x2.mul(v128.load(q1), a1));
              G1 = f64x2.add(G1, f64x2.mul(v128.load(q1, 16), a1));
              B1 = f64x2.add(B1, f64x2.mul(v128.load(q1, 32), a1));
            }
            const c = (d + (h << 1)) << 5;
            if (okA) {
              v128.store(oA + c, v128.shuffle<f64>(R0, G0, 0, 2));
              v128.store(oA + c, v128.shuffle<f64>(B0, zero, 0, 2), 16);
              v128.store(oA + c, v128.shuffle<f64>(R1, G1, 0, 2), 32);
              v128.store(oA + c, v128.shuffle<f64>(B1, zero, 0, 2), 48);
            }
            if (okB) {
              v128.store(oB + c, v128.shuffle<f64>(R0, G0, 1, 3));
              v128.store(oB + c, v128.shuffle<f64>(B0, zero, 1, 2), 16);
              v128.store(oB + c, v128.shuffle<f64>(R1, G1, 1, 3), 32);
              v128.store(oB + c, v128.shuffle<f64>(B1, zero, 1, 2), 48);
            }
          }
          e0 = end;
        }
      }
    }
  } else {
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
          const c = (d + (h << 1)) << 5;
          v128.store(oA + c, v128.shuffle<f64>(R0, G0, 0, 2));
          v128.store(oA + c, v128.shuffle<f64>(B0, zero, 0, 2), 16);
          v128.store(oA + c, v128.shuffle<f64>(R1, G1, 0, 2), 32);
          v128.store(oA + c, v128.shuffle<f64>(B1, zero, 0, 2), 48);
          if (pair) {
            v128.store(oB + c, v128.shuffle<f64>(R0, G0, 1, 3));
            v128.store(oB + c, v128.shuffle<f64>(B0, zero, 1, 2), 16);
            v128.store(oB + c, v128.shuffle<f64>(R1, G1, 1, 3), 32);
            v128.store(oB + c, v128.shuffle<f64>(B1, zero, 1, 2), 48);
          }
        }
        e0 = end;
      }
    }
  }

  // Vertical pass: per destination row and column, sum = beta·buf for the row's first table
  // entry, then sum += beta·buf in table order (kept in registers), then normalised and stored.
  // Per entry j: the source row's buffer (zero row outside [ty0, ty1)) and beta as float64.
  const vt = sum; // reuses the scratch after zrow: ny entries of 16 bytes
  for (let j = 0; j < ny; j++) {
    const sy = load<i32>(ysi + (<usize>j << 2));
    const e = vt + (<usize>j << 4);
    store<i32>(e, <i32>(sy >= ty0 && sy < ty1 ? hb + <usize>(sy - ty0) * rowStride : zrow));
    store<f64>(e, <f64>load<f32>(yal + (<usize>j << 2)), 8);
  }
  const half = f64x2.splat(127.5);
  const kn = f64x2.splat(0.0078125);
  const p1 = plane << 2;
  const p2 = plane << 3;
  const step = <usize>S << 2;
  let j = 0;
  for (let dy = 0; dy < S; dy++) {
    const j0 = j;
    while (j < ny && load<i32>(ydi + (<usize>j << 2)) == dy) j++;
    const e0 = vt + (<usize>j0 << 4);
    const e1 = vt + (<usize>j << 4);
    let o = out + (<usize>dy << 2);
    for (let c: usize = 0; c < <usize>S << 5; c += 32) {
      let rg = zero;
      let bz = zero;
      if (e1 > e0) {
        const r0 = <usize>load<i32>(e0) + c;
        const b0 = v128.load64_splat(e0, 8);
        rg = f64x2.mul(b0, v128.load(r0));
        bz = f64x2.mul(b0, v128.load(r0, 16));
        for (let e = e0 + 16; e < e1; e += 16) {
          const r = <usize>load<i32>(e) + c;
          const beta = v128.load64_splat(e, 8);
          rg = f64x2.add(rg, f64x2.mul(beta, v128.load(r)));
          bz = f64x2.add(bz, f64x2.mul(beta, v128.load(r, 16)));
        }
      }
      rg = f64x2.mul(f64x2.sub(rg, half), kn);
      bz = f64x2.mul(f64x2.sub(bz, half), kn);
      store<f32>(o, <f32>f64x2.extract_lane(rg, 0));
      store<f32>(o + p1, <f32>f64x2.extract_lane(rg, 1));
      store<f32>(o + p2, <f32>f64x2.extract_lane(bz, 0));
      o += step;
    }
  }
}


/** Scratch bytes crop() uses (plus 16 for alignment). */
export function cropScratch(tmpw: i32, tmph: i32, S: i32): i32 {
  const S4 = (S + 3) & ~3;
  const capy = 2 * tmph + 2 * S + 4;
  return 48 + S4 * 32 + capy * 16 + (2 * tmpw + 2 * S + 4) * 12 + capy * 12 + (S + 1) * 4 + S4 * (tmpw / S + 3) * 16 + tmph * S4 * 32;
}
