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
import { resizeAreaF64, resizeAreaU8, resizeBicubicU8 } from '../../models/resize.ts';

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
      }
      expect(Array.from(out.subarray(0, 6))).toEqual(c.first);
      expect(sha(out)).toBe(c.sha256);
    });
  }
});
