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
// does not change any per-lane operation. Entries whose source pixel is a padding zero are
// skipped in crop(): they add +0 to a non-negative sum, which leaves it unchanged.
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
  const buf = align16(scr);
  const sum = buf + (<usize>dw << 4);
  const xsi = sum + (<usize>dw << 4);
  const xal = xsi + (<usize>capx << 2);
  const xdi = xal + (<usize>capx << 2);
  const kx = xdi + (<usize>capx << 2);
  const ysi = kx + ((<usize>dw + 1) << 2);
  const yal = ysi + (<usize>capy << 2);
  const ydi = yal + (<usize>capy << 2);

  const nx = areaTab(sw, dw, scaleX, xsi, xal, xdi);
  const ny = areaTab(sh, dh, scaleY, ysi, yal, ydi);
  // Column start indices; xsi becomes the byte offset of the source pixel within a row.
  let k = 0;
  for (let d = 0; d < dw; d++) {
    store<i32>(kx + (<usize>d << 2), k);
    while (k < nx && load<i32>(xdi + (<usize>k << 2)) == d) k++;
  }
  store<i32>(kx + (<usize>dw << 2), nx);
  for (let q = 0; q < nx; q++) store<i32>(xsi + (<usize>q << 2), load<i32>(xsi + (<usize>q << 2)) * 3);

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
      let kk = 0;
      for (let d = 0; d < dw; d++) {
        const ke = load<i32>(kx + ((<usize>d + 1) << 2));
        let acc = f32x4.splat(0);
        for (; kk < ke; kk++) {
          const px = v128.load32_zero(row + <usize>load<i32>(xsi + (<usize>kk << 2)));
          const v = f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(px)));
          acc = f32x4.add(acc, f32x4.mul(v, v128.load32_splat(xal + (<usize>kk << 2))));
        }
        v128.store(buf + (<usize>d << 4), acc);
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
    v = f32x4.min(f32x4.max(v, lo), hi);
    v = f32x4.mul(f32x4.sub(v, half), k);
    store<f32>(o, f32x4.extract_lane(v, 0));
    store<f32>(o + p1, f32x4.extract_lane(v, 1));
    store<f32>(o + p2, f32x4.extract_lane(v, 2));
    o += step;
  }
}

/** Scratch bytes pyramid() uses (plus 16 for alignment). */
export function pyramidScratch(sw: i32, sh: i32, dw: i32, dh: i32): i32 {
  return 16 + dw * 32 + (2 * sw + 2 * dw + 4) * 12 + (dw + 1) * 4 + (2 * sh + 2 * dh + 4) * 12;
}

// ---------------------------------------------------------------------------------------------
// MTCNN crop (float64 arithmetic)

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
): void {
  const scaleX: f64 = 1.0 / (<f64>S / <f64>tmpw);
  const scaleY: f64 = 1.0 / (<f64>S / <f64>tmph);
  const capx = 2 * tmpw + 2 * S + 4;
  const capy = 2 * tmph + 2 * S + 4;
  const buf = align16(scr);
  const sum = buf + (<usize>S << 5);
  const xal64 = sum + (<usize>S << 5);
  const xsi = xal64 + (<usize>capx << 3);
  const xal = xsi + (<usize>capx << 2);
  const xdi = xal + (<usize>capx << 2);
  const kb = xdi + (<usize>capx << 2);
  const ke = kb + (<usize>S << 2);
  const ysi = ke + (<usize>S << 2);
  const yal = ysi + (<usize>capy << 2);
  const ydi = yal + (<usize>capy << 2);

  const nx = areaTab(tmpw, S, scaleX, xsi, xal, xdi);
  const ny = areaTab(tmph, S, scaleY, ysi, yal, ydi);
  // Per column: the entries whose source column lies in [tx0, tx1) (the others read padding
  // zeros); their source byte offsets within an image row, and float64 weights.
  let k = 0;
  for (let d = 0; d < S; d++) {
    while (k < nx && load<i32>(xdi + (<usize>k << 2)) == d && load<i32>(xsi + (<usize>k << 2)) < tx0) k++;
    store<i32>(kb + (<usize>d << 2), k);
    while (k < nx && load<i32>(xdi + (<usize>k << 2)) == d && load<i32>(xsi + (<usize>k << 2)) < tx1) k++;
    store<i32>(ke + (<usize>d << 2), k);
    while (k < nx && load<i32>(xdi + (<usize>k << 2)) == d) k++;
  }
  const cx = ix0 - tx0;
  for (let q = 0; q < nx; q++) {
    store<i32>(xsi + (<usize>q << 2), (load<i32>(xsi + (<usize>q << 2)) + cx) * 3);
    store<f64>(xal64 + (<usize>q << 3), <f64>load<f32>(xal + (<usize>q << 2)));
  }

  const plane = <usize>S * <usize>S;
  const rowBytes = <usize>W * 3;
  const zero = f64x2.splat(0);
  let bufRow = -1;
  let prevDy = load<i32>(ydi);
  let first = true;
  for (let j = 0; j < ny; j++) {
    const beta = f64x2.splat(<f64>load<f32>(yal + (<usize>j << 2)));
    const dy = load<i32>(ydi + (<usize>j << 2));
    const sy = load<i32>(ysi + (<usize>j << 2));
    if (sy != bufRow) {
      if (sy < ty0 || sy >= ty1) {
        for (let d = 0; d < S; d++) {
          v128.store(buf + (<usize>d << 5), zero);
          v128.store(buf + (<usize>d << 5) + 16, zero);
        }
      } else {
        const row = img + <usize>(iy0 + sy - ty0) * rowBytes;
        for (let d = 0; d < S; d++) {
          const k1 = load<i32>(ke + (<usize>d << 2));
          let rg = f64x2.splat(0);
          let b: f64 = 0;
          for (let kk = load<i32>(kb + (<usize>d << 2)); kk < k1; kk++) {
            const p = row + <usize>load<i32>(xsi + (<usize>kk << 2));
            const a = load<f64>(xal64 + (<usize>kk << 3));
            const v = f64x2.convert_low_i32x4_u(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(p))));
            rg = f64x2.add(rg, f64x2.mul(v, f64x2.splat(a)));
            b = b + <f64>load<u8>(p, 2) * a;
          }
          v128.store(buf + (<usize>d << 5), rg);
          v128.store(buf + (<usize>d << 5) + 16, f64x2.replace_lane(zero, 0, b));
        }
      }
      bufRow = sy;
    }
    if (dy != prevDy) {
      emitF64(sum, S, prevDy, plane, out);
      prevDy = dy;
      first = true;
    }
    if (first) {
      for (let d = 0; d < S; d++) {
        const o = <usize>d << 5;
        v128.store(sum + o, f64x2.mul(beta, v128.load(buf + o)));
        v128.store(sum + o + 16, f64x2.mul(beta, v128.load(buf + o + 16)));
      }
      first = false;
    } else {
      for (let d = 0; d < S; d++) {
        const o = <usize>d << 5;
        v128.store(sum + o, f64x2.add(v128.load(sum + o), f64x2.mul(beta, v128.load(buf + o))));
        v128.store(sum + o + 16, f64x2.add(v128.load(sum + o + 16), f64x2.mul(beta, v128.load(buf + o + 16))));
      }
    }
  }
  emitF64(sum, S, prevDy, plane, out);
}

/** (r − 127.5)·0.0078125 in float64, rounded to float32, planar transposed. */
@inline function emitF64(sum: usize, S: i32, dy: i32, plane: usize, out: usize): void {
  const half = f64x2.splat(127.5);
  const k = f64x2.splat(0.0078125);
  const p1 = plane << 2;
  const p2 = plane << 3;
  let o = out + (<usize>dy << 2);
  const step = <usize>S << 2;
  for (let d = 0; d < S; d++) {
    const rg = f64x2.mul(f64x2.sub(v128.load(sum + (<usize>d << 5)), half), k);
    const b = (load<f64>(sum + (<usize>d << 5), 16) - 127.5) * 0.0078125;
    store<f32>(o, <f32>f64x2.extract_lane(rg, 0));
    store<f32>(o + p1, <f32>f64x2.extract_lane(rg, 1));
    store<f32>(o + p2, <f32>b);
    o += step;
  }
}

/** Scratch bytes crop() uses (plus 16 for alignment). */
export function cropScratch(tmpw: i32, tmph: i32, S: i32): i32 {
  return 16 + S * 64 + (2 * tmpw + 2 * S + 4) * 20 + S * 8 + (2 * tmph + 2 * S + 4) * 12;
}
