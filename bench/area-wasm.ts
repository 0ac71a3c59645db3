/**
 * Micro-benchmark: MTCNN resampling in JS (models/resize.ts fast paths, as models/mtcnn.ts uses
 * them) vs the WebAssembly resamplers (models/area-wasm.ts). Median of repeated runs.
 *
 *   npx tsx bench/area-wasm.ts [--runs 300]
 *
 *  - pyramid: every level of mtcnn's scale pyramid of a W×H photo. JS = rowPrefix (once per photo)
 *    + resizeAreaU8Fast + normalise/transpose per level (what mtcnn.ts pyramidLevel did, written
 *    planar here); wasm = setImage + pyramidLevel per level.
 *  - crops: 50 crops to 24×24 and 6 to 48×48 from ~150 px boxes of a 302×340 photo. JS =
 *    cropResizeAreaPrefix + float64 normalise/transpose (what mtcnn.ts cropInto did with a
 *    prefix); wasm = setImage (copy; the crops fill the float64 row-pair cache lazily) + crop()
 *    per box, and the same without the cache (what photos over cacheMaxPixels get).
 *
 * The JS side uses models/resize.ts only, so the bench does not depend on mtcnn.ts internals.
 */
import { areaWasm, createAreaWasm, cropParamsFromPad } from '../models/area-wasm.ts';
import { computeScalePyramid, pad } from '../models/mtcnn.ts';
import { cropResizeAreaPrefix, resizeAreaU8Fast, rowPrefix, type RowPrefix } from '../models/resize.ts';

const NORM = Float32Array.from({ length: 256 }, (_, v) => (v - 127.5) * 0.0078125);

function jsPyramidLevel(img: { data: Uint8Array; width: number; height: number }, ws: number, hs: number, P: RowPrefix, out: Float32Array): void {
  const r = resizeAreaU8Fast(img.data, img.width, img.height, ws, hs, P);
  const plane = ws * hs;
  for (let y = 0, s = 0; y < hs; y++)
    for (let x = 0, d = y; x < ws; x++, s += 3, d += hs) {
      out[d] = NORM[r[s]];
      out[d + plane] = NORM[r[s + 1]];
      out[d + 2 * plane] = NORM[r[s + 2]];
    }
}

function jsCrop(img: { data: Uint8Array; width: number; height: number }, P: RowPrefix, ox: number, oy: number, tmpw: number, tmph: number, S: number, out: Float32Array, offset: number): void {
  const r = cropResizeAreaPrefix(img, P, ox, oy, tmpw, tmph, S);
  const plane = S * S;
  for (let y = 0; y < S; y++)
    for (let x = 0; x < S; x++) {
      const s = (y * S + x) * 3;
      const d = offset + x * S + y;
      out[d] = (r[s] - 127.5) * 0.0078125;
      out[d + plane] = (r[s + 1] - 127.5) * 0.0078125;
      out[d + 2 * plane] = (r[s + 2] - 127.5) * 0.0078125;
    }
}

const argRuns = process.argv.indexOf('--runs');
const RUNS = argRuns > 0 ? Number(process.argv[argRuns + 1]) : 300;

function photo(w: number, h: number, seed: number): { data: Uint8Array; width: number; height: number } {
  const data = new Uint8Array(w * h * 3);
  let s = seed;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 3; c++) {
        s = (s * 1103515245 + 12345) & 0x7fffffff;
        data[(y * w + x) * 3 + c] = (x + 2 * y + 40 * c + ((s >> 16) & 31)) & 255;
      }
  return { data, width: w, height: h };
}

function median(fn: () => void, runs: number): number {
  for (let i = 0; i < Math.max(20, runs >> 2); i++) fn(); // warm-up (JIT / wasm tier-up)
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return t[t.length >> 1];
}

const A = areaWasm();
const rows: { case: string; js: number; wasm: number }[] = [];

for (const [w, h] of [
  [302, 340],
  [200, 200],
]) {
  const img = photo(w, h, 7);
  const scales = computeScalePyramid(h, w);
  const levels = scales.map((s) => [Math.ceil(w * s), Math.ceil(h * s)]);
  const outs = levels.map(([ws, hs]) => new Float32Array(ws * hs * 3));
  const js = median(() => {
    const P = rowPrefix(img.data, w, h);
    levels.forEach(([ws, hs], i) => jsPyramidLevel(img, ws, hs, P, outs[i]));
  }, RUNS);
  const wasm = median(() => {
    A.setImage(img);
    levels.forEach(([ws, hs], i) => A.pyramidLevel(ws, hs, outs[i]));
  }, RUNS);
  rows.push({ case: `pyramid ${w}×${h} (${scales.length} levels)`, js, wasm });
}

{
  const img = photo(302, 340, 11);
  let s = 5;
  const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const boxes = Array.from({ length: 56 }, () => {
    const side = 130 + rnd() * 40;
    const x1 = -10 + rnd() * (302 - side + 20);
    const y1 = -10 + rnd() * (340 - side + 20);
    return [x1, y1, x1 + side, y1 + side].map(Math.trunc); // mtcnn np.fix()es boxes before pad()
  });
  const pads = boxes.map((b) => pad(b, 302, 340));
  const sizes = boxes.map((_, i) => (i < 50 ? 24 : 48));
  const out = new Float32Array(50 * 24 * 24 * 3 + 6 * 48 * 48 * 3);
  const offs = sizes.map((_, i) => (i < 50 ? i * 1728 : 50 * 1728 + (i - 50) * 6912));
  const P = rowPrefix(img.data, 302, 340);
  const params = pads.map((p) => cropParamsFromPad(p, 302, 340));
  if (params.some((p) => !p)) throw new Error('bench box outside the image');
  const js = median(() => {
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      if (p) jsCrop(img, P, p.ix0 - p.tx0, p.iy0 - p.ty0, p.tmpw, p.tmph, sizes[i], out, offs[i]);
    }
  }, RUNS);
  const wasm = median(() => {
    A.setImage(img); // per photo: copy + (lazily) the float64 row-pair cache the crops fill
    for (let i = 0; i < params.length; i++) A.crop(params[i]!, sizes[i], out, offs[i]);
  }, RUNS);
  const u8 = createAreaWasm({ cacheMaxPixels: 0 });
  const wasmU8 = median(() => {
    u8.setImage(img);
    for (let i = 0; i < params.length; i++) u8.crop(params[i]!, sizes[i], out, offs[i]);
  }, RUNS);
  rows.push({ case: '50 crops 24×24 + 6 crops 48×48 (~150 px boxes)', js, wasm });
  rows.push({ case: '  same, without the row-pair cache (large photos)', js, wasm: wasmU8 });
}

for (const r of rows) console.log(`${r.case.padEnd(50)} JS ${r.js.toFixed(3)} ms   wasm ${r.wasm.toFixed(3)} ms   ×${(r.js / r.wasm).toFixed(1)}`);
