/**
 * The WebAssembly INTER_AREA resamplers (models/area-wasm.ts, models/wasm/area.wasm) are
 * bit-exact with the JS reference (models/resize.ts, itself checked against OpenCV hashes in
 * resize-reference.test.ts):
 *  - pyramid levels: resizeAreaU8 → (v − 127.5)·0.0078125 as float32, planar [3][ws][hs];
 *  - R-/O-Net crops: resizeAreaF64 on mtcnn 0.1.1's zero-padded float64 crop → float64
 *    normalise → float32, planar [3][S][S];
 *  - the committed area.wasm is what `npm run models:wasm` builds from the source now.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { areaWasm, createAreaWasm, type CropParams } from '../../models/area-wasm.ts';
import { computeScalePyramid, cropParams, pad, paddedCrop } from '../../models/mtcnn.ts';
import { plan, resizeAreaF64, resizeAreaU8 } from '../../models/resize.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
}

type Img = { data: Uint8Array; width: number; height: number };

function randomImage(w: number, h: number, seed: number): Img {
  const rnd = lcg(seed);
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(rnd() * 256);
  return { data, width: w, height: h };
}

/** Smooth gradients with saturated patches: many values land near rounding boundaries. */
function smoothImage(w: number, h: number, seed: number): Img {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 3; c++) {
        const v = 128 + 120 * Math.sin((x * (c + 1)) / (17 + seed) + y / (23 + c)) + ((x >> 3) + (y >> 3)) % 5;
        data[(y * w + x) * 3 + c] = (x + y) % 97 < 7 ? 255 : Math.max(0, Math.min(255, Math.round(v)));
      }
  return { data, width: w, height: h };
}

/** Reference pyramid level: HWC uint8 → normalised float32 planar transposed. */
function refLevel(r: Uint8Array, ws: number, hs: number): Float32Array {
  const out = new Float32Array(ws * hs * 3);
  for (let y = 0; y < hs; y++)
    for (let x = 0; x < ws; x++)
      for (let c = 0; c < 3; c++) out[c * ws * hs + x * hs + y] = (r[(y * ws + x) * 3 + c] - 127.5) * 0.0078125;
  return out;
}

/** Reference crop: resizeAreaF64 of the padded crop, float64 normalise, float32, planar transposed. */
function refCrop(crop: Float64Array, tmpw: number, tmph: number, S: number): Float32Array {
  const r = resizeAreaF64(crop, tmpw, tmph, 3, S, S);
  const out = new Float32Array(S * S * 3);
  for (let y = 0; y < S; y++)
    for (let x = 0; x < S; x++)
      for (let c = 0; c < 3; c++) out[c * S * S + x * S + y] = (r[(y * S + x) * 3 + c] - 127.5) * 0.0078125;
  return out;
}

/** The padded crop of general CropParams, materialised. */
function materialise(img: Img, p: CropParams): Float64Array {
  const m = new Float64Array(p.tmpw * p.tmph * 3);
  for (let r = p.ty0; r < p.ty1; r++)
    for (let c = p.tx0; c < p.tx1; c++)
      for (let k = 0; k < 3; k++) m[(r * p.tmpw + c) * 3 + k] = img.data[((p.iy0 + r - p.ty0) * img.width + p.ix0 + c - p.tx0) * 3 + k];
  return m;
}

/** Index of the first value that differs (Object.is), or −1. */
function firstDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

describe('area wasm: pyramid levels equal resizeAreaU8 + normalise (planar, transposed)', () => {
  const sizes: [number, number][] = [
    [200, 200],
    [302, 340],
    [201, 157],
    [333, 251],
    [97, 331],
    [420, 61],
    [1000, 800],
  ];
  for (const [w, h] of sizes)
    for (const kind of ['random', 'smooth'] as const) {
      it(`${kind} ${w}×${h}, every level of the scale pyramid`, () => {
        const img = kind === 'random' ? randomImage(w, h, w * 7 + h) : smoothImage(w, h, w % 13);
        const A = areaWasm();
        A.setImage(img);
        const scales = computeScalePyramid(h, w);
        expect(scales.length).toBeGreaterThan(1);
        for (const s of scales) {
          const ws = Math.ceil(w * s);
          const hs = Math.ceil(h * s);
          const ref = refLevel(resizeAreaU8(img.data, w, h, 3, ws, hs), ws, hs);
          // written at an offset into a larger buffer, surroundings untouched
          const out = new Float32Array(ref.length + 10).fill(7);
          A.pyramidLevel(ws, hs, out, 5);
          expect(firstDiff(out.subarray(5, 5 + ref.length), ref), `level ${ws}×${hs}`).toBe(-1);
          expect([out[4], out[5 + ref.length]]).toEqual([7, 7]);
        }
      });
    }

  it('copy, integer-factor and enlarging sizes (JS fallbacks) and a uint8 rounding tie', () => {
    const img = smoothImage(120, 90, 3);
    const A = areaWasm();
    A.setImage(img);
    const cases: [number, number, string][] = [
      [120, 90, 'copy'],
      [60, 45, 'fast'],
      [30, 30, 'fast'],
      [130, 95, 'linear'],
      [77, 53, 'area'],
    ];
    for (const [ws, hs, kind] of cases) {
      expect(plan(120, 90, ws, hs).kind).toBe(kind);
      const ref = refLevel(resizeAreaU8(img.data, 120, 90, 3, ws, hs), ws, hs);
      const out = new Float32Array(ref.length);
      A.pyramidLevel(ws, hs, out);
      expect(firstDiff(out, ref), `${ws}×${hs}`).toBe(-1);
    }
    // 2 → 1 column over (1, 2): 1.5 exactly, rounds to even (2)
    const tie = createAreaWasm();
    tie.setImage({ data: new Uint8Array([1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2]), width: 3, height: 2 });
    const o = new Float32Array(3);
    tie.pyramidLevel(1, 1, o);
    const r = resizeAreaU8(new Uint8Array([1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2]), 3, 2, 3, 1, 1);
    expect(Array.from(o)).toEqual(Array.from(refLevel(r, 1, 1)));
  });

  it('grows its memory for a 4000×3000 photo (first levels and crops exact)', () => {
    const w = 4000;
    const h = 3000;
    const img = randomImage(w, h, 99);
    const A = createAreaWasm();
    A.setImage(img);
    // The first level needs the most memory; the smallest keeps the slow JS reference affordable.
    const levels = computeScalePyramid(h, w);
    for (const s of [levels[0], levels[levels.length - 1]]) {
      const ws = Math.ceil(w * s);
      const hs = Math.ceil(h * s);
      const ref = refLevel(resizeAreaU8(img.data, w, h, 3, ws, hs), ws, hs);
      const out = new Float32Array(ref.length);
      A.pyramidLevel(ws, hs, out);
      expect(firstDiff(out, ref)).toBe(-1);
    }
    for (const b of [
      [3500, 2600, 4300, 3400],
      [-200, -100, 1900, 2100],
      [1234, 567, 1434, 767],
    ]) {
      const p = cropParams({ width: w, height: h }, pad(b, w, h))!;
      const ref = refCrop(materialise(img, p), p.tmpw, p.tmph, 48);
      const out = new Float32Array(ref.length);
      A.crop(p, 48, out);
      expect(firstDiff(out, ref)).toBe(-1);
    }
  });
});

describe('area wasm: R-/O-Net crops equal resizeAreaF64 on the padded crop (planar, transposed)', () => {
  for (const [w, h, kind, cache, sequential] of [
    [302, 340, 'random', true, false],
    [200, 200, 'smooth', true, false],
    [131, 417, 'random', true, false],
    [302, 340, 'random', false, false],
    [200, 200, 'smooth', false, false],
    [302, 340, 'random', true, true],
  ] as const) {
    it(`${kind} ${w}×${h}${cache ? '' : ' (no prefix-sum cache)'}${sequential ? ' (sequential path)' : ''}: random boxes (inside, partly and wholly outside, tiny, exact-size, integer factors, huge), S = 24 and 48`, () => {
      const img = kind === 'random' ? randomImage(w, h, w + 3 * h) : smoothImage(w, h, 5);
      const A = sequential ? createAreaWasm({ sequentialCrops: true }) : cache ? areaWasm() : createAreaWasm({ cacheMaxPixels: 0 });
      A.setImage(img);
      const rnd = lcg(w * 31 + h);
      const boxes: number[][] = [];
      // mtcnn truncates box coordinates (np.fix) before pad(); fractional boxes mostly fail 0.1.1's slicing
      const push = (x1: number, y1: number, side: number, aspect = 1) =>
        boxes.push([x1, y1, x1 + side * aspect - 1, y1 + side - 1].map((v) => Math.trunc(v)));
      for (let i = 0; i < 60; i++) {
        const side = 40 + rnd() * 160; // mostly larger than S
        push(-30 + rnd() * (w + 10), -30 + rnd() * (h + 10), side, 0.7 + rnd() * 0.6);
      }
      for (let i = 0; i < 12; i++) push(rnd() * w, rnd() * h, 3 + rnd() * 40); // tiny (enlargement)
      for (const S of [24, 48]) {
        push(10, 20, S); // exact size
        push(w - S / 2, h - S / 2, S); // exact size, partly outside
        push(5, 7, 2 * S); // integer factor
        push(-S, 3, 3 * S); // integer factor, partly outside
      }
      push(-500, -400, 2.5 * Math.max(w, h)); // huge, contains the image
      push(w + 5, 10, 60); // wholly outside (right)
      push(10, -200, 60); // wholly outside (above)
      push(w - 1, h - 1, 30); // corner pixel only
      boxes.push([0.6, 0.4, 100.7, 120.3], [-3.5, 2.2, 150.1, 99.9]); // fractional
      const kinds: Record<string, number> = {};
      let compared = 0;
      let skipped = 0;
      for (const b of boxes) {
        const p = pad(b, w, h);
        const crop = paddedCrop(img, p);
        const cp = cropParams({ width: w, height: h }, p);
        expect(cp === null, `validity of ${b.map((v) => v.toFixed(1))}`).toBe(crop === null);
        if (!crop || !cp) {
          skipped++;
          continue;
        }
        for (const S of [24, 48]) {
          const ref = refCrop(crop, p.tmpw, p.tmph, S);
          const out = new Float32Array(ref.length + 8).fill(3);
          A.crop(cp, S, out, 4);
          expect(firstDiff(out.subarray(4, 4 + ref.length), ref), `box ${b.map((v) => v.toFixed(1))} S=${S}`).toBe(-1);
          expect([out[3], out[4 + ref.length]]).toEqual([3, 3]);
          const k = plan(p.tmpw, p.tmph, S, S).kind;
          kinds[k] = (kinds[k] ?? 0) + 1;
          compared++;
        }
      }
      expect(kinds.area).toBeGreaterThan(80);
      expect(kinds.linear).toBeGreaterThan(10);
      expect(kinds.copy).toBeGreaterThan(0);
      expect(kinds.fast).toBeGreaterThan(0);
      expect(skipped).toBeGreaterThan(0);
      expect(compared).toBeGreaterThan(120);
    });
  }

  it('general zero-padded form: image block anywhere inside the crop (with and without the cache, sequential path), odd S', () => {
    const img = randomImage(90, 70, 4);
    const A = areaWasm();
    A.setImage(img);
    const B = createAreaWasm({ cacheMaxPixels: 0 });
    B.setImage(img);
    const C = createAreaWasm({ sequentialCrops: true });
    C.setImage(img);
    const rnd = lcg(12);
    let n = 0;
    for (let i = 0; i < 80; i++) {
      const tmpw = 1 + Math.floor(rnd() * 160);
      const tmph = 1 + Math.floor(rnd() * 160);
      const tx0 = Math.floor(rnd() * tmpw);
      const ty0 = Math.floor(rnd() * tmph);
      const tx1 = tx0 + Math.floor(rnd() * Math.min(tmpw - tx0, 90) + 1);
      const ty1 = ty0 + Math.floor(rnd() * Math.min(tmph - ty0, 70) + 1);
      const ix0 = Math.floor(rnd() * (90 - (tx1 - tx0) + 1));
      const iy0 = Math.floor(rnd() * (70 - (ty1 - ty0) + 1));
      const p = { tmpw, tmph, tx0, tx1, ty0, ty1, ix0, iy0 };
      for (const S of [24, 48, i % 2 ? 23 : 47]) {
        const ref = refCrop(materialise(img, p), tmpw, tmph, S);
        for (const X of [A, B, C]) {
          const out = new Float32Array(ref.length);
          X.crop(p, S, out);
          expect(firstDiff(out, ref), JSON.stringify(p)).toBe(-1);
          n++;
        }
      }
    }
    expect(n).toBe(720);
  });

  it('extreme crops: boxes up to ~7× as wide as a 4000 px image (partial weights down to ~1/tmpw), S = 24 and 48', () => {
    const w = 4000;
    const h = 36;
    const img = randomImage(w, h, 17);
    const A = createAreaWasm();
    A.setImage(img);
    const B = createAreaWasm({ cacheMaxPixels: 0 });
    B.setImage(img);
    const rnd = lcg(77);
    const crops: CropParams[] = [];
    // whole image rows inside very wide crops, at the left, right and middle
    for (const tmpw of [4001, 4099, 6007, 9999, 12001, 17389, 27997]) {
      const tmph = 49 + Math.floor(rnd() * 60);
      const ty0 = Math.floor(rnd() * (tmph - h + 1));
      for (const tx0 of [0, tmpw - w, Math.floor(rnd() * (tmpw - w))])
        crops.push({ tmpw, tmph, tx0, tx1: tx0 + w, ty0, ty1: ty0 + h, ix0: 0, iy0: 0 });
    }
    // crops that cut the image on both sides, and a 1 px wide block
    crops.push({ tmpw: 3997, tmph: 50, tx0: 0, tx1: 3997, ty0: 2, ty1: 30, ix0: 3, iy0: 5 });
    crops.push({ tmpw: 12007, tmph: 49, tx0: 6000, tx1: 6001, ty0: 0, ty1: 36, ix0: 3999, iy0: 0 });
    let n = 0;
    for (const p of crops)
      for (const S of [24, 48]) {
        expect(plan(p.tmpw, p.tmph, S, S).kind).toBe('area');
        expect(A.cropPath(p.tmpw, S)).toBe('prefix');
        const ref = refCrop(materialise(img, p), p.tmpw, p.tmph, S);
        for (const X of [A, B]) {
          const out = new Float32Array(ref.length);
          X.crop(p, S, out);
          expect(firstDiff(out, ref), `${JSON.stringify(p)} S=${S}`).toBe(-1);
          n++;
        }
      }
    expect(n).toBe(92);
    // the exactness bound fails first at ~2^21 px (see area.ts): those crops run sequentially
    for (const S of [24, 48]) {
      expect(A.cropPath(2097570, S)).toBe('prefix');
      expect(A.cropPath(2097571, S)).toBe('sequential');
    }
  });

  it('a new photo after crops resets the prefix-sum cache', () => {
    const A = createAreaWasm();
    const p = { tmpw: 60, tmph: 50, tx0: 0, tx1: 60, ty0: 0, ty1: 50, ix0: 3, iy0: 5 };
    for (const seed of [1, 2, 3]) {
      const img = randomImage(80, 64, seed);
      A.setImage(img);
      const ref = refCrop(materialise(img, p), 60, 50, 24);
      const out = new Float32Array(ref.length);
      A.crop(p, 24, out);
      expect(firstDiff(out, ref)).toBe(-1);
    }
  });

  it('rejects bad input instead of reading outside the image', () => {
    const A = createAreaWasm();
    const out = new Float32Array(24 * 24 * 3);
    expect(() => A.crop({ tmpw: 30, tmph: 30, tx0: 0, tx1: 30, ty0: 0, ty1: 30, ix0: 0, iy0: 0 }, 24, out)).toThrow(/setImage/);
    A.setImage(randomImage(20, 20, 1));
    expect(() => A.crop({ tmpw: 30, tmph: 30, tx0: 0, tx1: 30, ty0: 0, ty1: 30, ix0: 0, iy0: 0 }, 24, out)).toThrow(/outside/);
    expect(() => A.crop({ tmpw: 30, tmph: 30, tx0: 0, tx1: 10, ty0: 0, ty1: 10, ix0: 0, iy0: 0 }, 24, new Float32Array(10))).toThrow(/too small/);
    expect(() => A.pyramidLevel(10, 10, new Float32Array(299))).toThrow(/too small/);
  });
});

describe('area wasm: committed binary', () => {
  it('models/wasm/area.wasm is what `npm run models:wasm` builds from models/wasm/area.ts', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const script = pkg.scripts['models:wasm'];
    const args = script.split(/\s+/);
    expect(args[0]).toBe('asc');
    const o = args.indexOf('-o');
    expect(args[o + 1]).toBe('models/wasm/area.wasm');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'area-wasm-'));
    try {
      const target = path.join(dir, 'area.wasm');
      args[o + 1] = target;
      const asc = path.join(ROOT, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
      execFileSync(process.execPath, [asc, ...args.slice(1)], { cwd: ROOT, stdio: 'pipe' });
      const built = fs.readFileSync(target);
      const committed = fs.readFileSync(path.join(ROOT, 'models', 'wasm', 'area.wasm'));
      expect(built.length).toBeGreaterThan(1000);
      expect(Buffer.compare(built, committed), 'rebuild with `npm run models:wasm` and commit area.wasm').toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
