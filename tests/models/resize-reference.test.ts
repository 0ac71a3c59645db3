/**
 * Bit-exactness of the resamplers against the real libraries: cv2.resize(INTER_AREA) for uint8
 * pyramid levels and float64 MTCNN crops, Pillow's BICUBIC for the FaceAge 160×160 crop.
 * fixtures/resize-reference.json holds SHA-256 hashes of the libraries' outputs on synthetic
 * images (formula in the fixture), generated with OpenCV 4.6 / Pillow 9.4.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cropResizeArea, resizeAreaF64, resizeAreaU8, resizeBicubicU8 } from '../../models/resize.ts';

interface Case {
  op: 'area_u8' | 'area_f64' | 'pil_bicubic';
  w: number;
  h: number;
  seed: number;
  dw: number;
  dh: number;
  sha256: string;
  first: number[];
}
const fixture = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, 'fixtures', 'resize-reference.json'), 'utf8')) as {
  generator: string;
  cases: Case[];
};

function make(w: number, h: number, seed: number): Uint8Array {
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 3; c++)
        out[(y * w + x) * 3 + c] = (x * 7 + y * 13 + c * 29 + ((x * y * (seed + 3)) % 17) * 5 + (((x + seed) * (y + 2 * seed)) % 11)) % 256;
  return out;
}

const sha = (b: ArrayBufferView) => createHash('sha256').update(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)).digest('hex');

describe(`resamplers are bit-exact with ${fixture.generator}`, () => {
  for (const c of fixture.cases) {
    it(`${c.op} ${c.w}×${c.h} → ${c.dw}×${c.dh}`, () => {
      const img = make(c.w, c.h, c.seed);
      let out: Uint8Array | Float64Array;
      if (c.op === 'area_u8') out = resizeAreaU8(img, c.w, c.h, 3, c.dw, c.dh);
      else if (c.op === 'pil_bicubic') out = resizeBicubicU8(img, c.w, c.h, 3, c.dw, c.dh);
      else {
        out = resizeAreaF64(Float64Array.from(img), c.w, c.h, 3, c.dw, c.dh);
        // the detector's direct crop path must give the same bytes
        const direct = cropResizeArea({ data: img, width: c.w, height: c.h }, 0, 0, c.w, c.h, c.dw);
        expect(sha(direct)).toBe(c.sha256);
      }
      expect(Array.from(out.subarray(0, 6))).toEqual(c.first);
      expect(sha(out)).toBe(c.sha256);
    });
  }
});

describe('fast pyramid resize (prefix sums + exact fallback) equals the OpenCV-order resize', () => {
  it('bit-exact on every pyramid level of random and smooth images', async () => {
    const { resizeAreaU8Fast, rowPrefix } = await import('../../models/resize.ts');
    const { computeScalePyramid } = await import('../../models/mtcnn.ts');
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    let compared = 0;
    for (let t = 0; t < 16; t++) {
      const w = 20 + Math.floor(rnd() * 380);
      const h = 20 + Math.floor(rnd() * 380);
      const src = new Uint8Array(w * h * 3);
      for (let i = 0; i < src.length; i++) src[i] = t % 2 ? Math.floor(rnd() * 256) : (((i % (w * 3)) >> 2) + (Math.floor(i / (w * 3)) >> 1)) & 255;
      const P = rowPrefix(src, w, h);
      for (const s of computeScalePyramid(h, w)) {
        const dw = Math.ceil(w * s);
        const dh = Math.ceil(h * s);
        const a = resizeAreaU8(src, w, h, 3, dw, dh);
        const b = resizeAreaU8Fast(src, w, h, dw, dh, P);
        expect(sha(b)).toBe(sha(a));
        compared += a.length;
      }
    }
    expect(compared).toBeGreaterThan(100_000);
  });
});

describe('MTCNN crop resize from row prefix sums equals the padded-crop resize', () => {
  it('random boxes, partly outside the image, to 24 and 48', async () => {
    const { cropResizeAreaPrefix, rowPrefix } = await import('../../models/resize.ts');
    let seed = 11;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    let worst = 0;
    for (let t = 0; t < 40; t++) {
      const W = 50 + Math.floor(rnd() * 250);
      const H = 50 + Math.floor(rnd() * 250);
      const data = new Uint8Array(W * H * 3).map(() => Math.floor(rnd() * 256));
      const P = rowPrefix(data, W, H);
      const tw = 20 + Math.floor(rnd() * 200);
      const th = tw + Math.floor(rnd() * 3) - 1;
      const ox = Math.floor(rnd() * (W + 40)) - 20 - (tw >> 1);
      const oy = Math.floor(rnd() * (H + 40)) - 20 - (th >> 1);
      const crop = new Float64Array(tw * th * 3);
      for (let r = 0; r < th; r++)
        for (let c = 0; c < tw; c++) {
          const iy = oy + r;
          const ix = ox + c;
          if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
          for (let ch = 0; ch < 3; ch++) crop[(r * tw + c) * 3 + ch] = data[(iy * W + ix) * 3 + ch];
        }
      for (const S of [24, 48]) {
        const ref = resizeAreaF64(crop, tw, th, 3, S, S);
        const got = cropResizeAreaPrefix({ data, width: W, height: H }, P, ox, oy, tw, th, S);
        for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(got[i] - ref[i]));
      }
    }
    expect(worst).toBeLessThan(1e-9);
  });
});
