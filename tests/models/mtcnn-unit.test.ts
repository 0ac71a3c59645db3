/**
 * Unit tests of the mtcnn 0.1.1 building blocks against hand-computed values.
 */
import { describe, expect, it } from 'vitest';
import {
  bbreg,
  computeScalePyramid,
  generateBoundingBoxes,
  nms,
  pad,
  paddedCrop,
  rerec,
  type RgbImage,
} from '../../models/mtcnn.ts';
import { cropBox, padToSquareCentered, PreprocessError, standardise } from '../../models/preprocess.ts';
import { areaTab, resizeAreaF64, resizeAreaU8, resizeBicubicU8, roundHalfEven } from '../../models/resize.ts';

describe('scale pyramid', () => {
  it('200×200, min face 20, factor 0.709: m = 0.6, levels while 120·0.709^k ≥ 12', () => {
    const s = computeScalePyramid(200, 200, 20, 0.709);
    // min layer: 120, 85.08, 60.32, 42.77, 30.32, 21.50, 15.24, (10.81 stops) → 7 scales
    expect(s).toHaveLength(7);
    expect(s[0]).toBe(0.6);
    expect(s[1]).toBeCloseTo(0.4254, 12);
    expect(s[2]).toBeCloseTo(0.6 * 0.709 * 0.709, 12); // 0.30160…
    expect(s[6]).toBeCloseTo(0.6 * 0.709 ** 6, 12);
  });
  it('uses the smaller side; 20 px image gives one level (12 ≥ 12), 19 px none', () => {
    expect(computeScalePyramid(355, 307)).toHaveLength(computeScalePyramid(307, 307).length);
    expect(computeScalePyramid(20, 500)).toEqual([0.6]);
    expect(computeScalePyramid(19, 500)).toEqual([]);
  });
  it('min face 40 halves m', () => {
    expect(computeScalePyramid(100, 100, 40)[0]).toBe(0.3);
  });
});

describe('NMS (areas with +1)', () => {
  // Box a: 0..9 (area 100); b: 5..14 × 0..9 → inter 5·10 = 50, union 150 → IoU 1/3; Min → 0.5
  const a = [0, 0, 9, 9, 0.9];
  const b = [5, 0, 14, 9, 0.8];
  const c = [100, 100, 109, 109, 0.95];
  it("'Union' keeps both at 0.5 (IoU 1/3) and orders by score", () => {
    expect(nms([a, b, c], 0.5, 'Union')).toEqual([2, 0, 1]);
  });
  it("'Union' at 0.3 suppresses b", () => {
    expect(nms([a, b, c], 0.3, 'Union')).toEqual([2, 0]);
  });
  it("'Min' overlap is 0.5: kept at threshold 0.5 (o <= t keeps), suppressed at 0.49", () => {
    expect(nms([a, b], 0.5, 'Min')).toEqual([0, 1]);
    expect(nms([a, b], 0.49, 'Min')).toEqual([0]);
  });
  it('ties: the later box is picked first (numpy argsort + [-1] on small arrays)', () => {
    expect(nms([[0, 0, 9, 9, 1], [1, 1, 10, 10, 1]], 0.5, 'Union')).toEqual([1]);
  });
  it('empty', () => expect(nms([], 0.5, 'Union')).toEqual([]));
});

describe('box regression and squaring', () => {
  it('bbreg uses w = x2 − x1 + 1', () => {
    // w = h = 11; x1 + 0.1·11 = 11.1, y1 − 0.2·11 = 7.8, x2 + 0.3·11 = 23.3, y2 + 0·11 = 20
    const out = bbreg([10, 10, 20, 20, 0.9], [0.1, -0.2, 0.3, 0]);
    expect(out[0]).toBeCloseTo(11.1, 12);
    expect(out[1]).toBeCloseTo(7.8, 12);
    expect(out[2]).toBeCloseTo(23.3, 12);
    expect(out[3]).toBe(20);
    expect(out[4]).toBe(0.9);
  });
  it('rerec squares around the centre with side max(w, h), w = x2 − x1', () => {
    // w = 10, h = 20 → l = 20; x1 = 0 + 5 − 10 = −5, y1 = 0; x2 = 15, y2 = 20
    expect(rerec([0, 0, 10, 20, 0.5])).toEqual([-5, 0, 15, 20, 0.5]);
  });
});

describe('pad (1-based crop coordinates)', () => {
  it('box inside the image', () => {
    expect(pad([10, 20, 29, 49], 100, 100)).toEqual({ dy: 1, edy: 30, dx: 1, edx: 20, y: 20, ey: 49, x: 10, ex: 29, tmpw: 20, tmph: 30 });
  });
  it('box over the top-left corner', () => {
    // x1 = −5 → dx = 2 − (−5) = 7, x = 1; y1 = 0 → dy = 2, y = 1; tmpw = 10 − (−5) + 1 = 16
    expect(pad([-5, 0, 10, 10], 100, 100)).toEqual({ dy: 2, edy: 11, dx: 7, edx: 16, y: 1, ey: 10, x: 1, ex: 10, tmpw: 16, tmph: 11 });
  });
  it('box over the bottom-right corner', () => {
    // ex = 105 > 100 → edx = −105 + 100 + 16 = 11, ex = 100; ey = 110 > 100 → edy = −110 + 100 + 16 = 6
    expect(pad([90, 95, 105, 110], 100, 100)).toEqual({ dy: 1, edy: 6, dx: 1, edx: 11, y: 95, ey: 100, x: 90, ex: 100, tmpw: 16, tmph: 16 });
  });
  it('paddedCrop places image pixel (y1 − 1 + r, x1 − 1 + c) at (r, c), zeros outside', () => {
    const img: RgbImage = { width: 4, height: 3, data: new Uint8Array(36).map((_, i) => i) };
    const p = pad([0, 0, 2, 1], 4, 3); // x1 = 0 → dx = 2: crop column 0 is padding
    const crop = paddedCrop(img, p)!;
    expect(p.tmpw).toBe(3);
    expect(p.tmph).toBe(2);
    // row 0 is padding (y1 = 0 → dy = 2); row 1, col 1 ↔ image (0, 0); col 2 ↔ image (0, 1)
    expect(Array.from(crop.subarray(0, 9))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(crop.subarray(9, 18))).toEqual([0, 0, 0, 0, 1, 2, 3, 4, 5]);
  });
});

describe('P-Net candidate boxes', () => {
  it('stride 2, cell 12, np.fix, maps indexed [x][y]', () => {
    // 2×3 map (a = x index, b = y index); one hit at a = 1, b = 2 with scale 0.5
    const prob = new Float32Array([0.1, 0.1, 0.1, 0.1, 0.1, 0.9]);
    const reg = new Float32Array(24);
    for (let k = 0; k < 4; k++) for (let i = 0; i < 6; i++) reg[k * 6 + i] = k * 10 + i;
    const [b] = generateBoundingBoxes(prob, reg, 2, 3, 0.5, 0.6);
    // x1 = fix((2·1 + 1)/0.5) = 6, y1 = fix(5/0.5) = 10, x2 = fix(14/0.5) = 28, y2 = fix(16/0.5) = 32
    expect(b.slice(0, 4)).toEqual([6, 10, 28, 32]);
    expect(b[4]).toBeCloseTo(0.9, 6);
    // single hit → regression maps flipped along x: taken from a = 0, b = 2 (index 2)
    expect(b.slice(5)).toEqual([2, 12, 22, 32]);
  });
  it('two hits: no flip, numpy np.where order (x-major)', () => {
    const prob = new Float32Array([0.7, 0.1, 0.1, 0.1, 0.1, 0.9]);
    const reg = new Float32Array(24).map((_, i) => i);
    const boxes = generateBoundingBoxes(prob, reg, 2, 3, 1, 0.6);
    expect(boxes.map((b) => b[5])).toEqual([0, 5]);
    expect(boxes[0].slice(0, 4)).toEqual([1, 1, 12, 12]);
  });
});

describe('cv2 INTER_AREA semantics', () => {
  it('area table for 5 → 2 (scale 2.5): weights 0.4, 0.4, 0.2 | 0.2, 0.4, 0.4', () => {
    const t = areaTab(5, 2, 2.5);
    const rows = Array.from({ length: t.n }, (_, k) => [t.di[k], t.si[k], Number(t.alpha[k].toFixed(6))]);
    expect(rows).toEqual([
      [0, 0, 0.4],
      [0, 1, 0.4],
      [0, 2, 0.2],
      [1, 2, 0.2],
      [1, 3, 0.4],
      [1, 4, 0.4],
    ]);
  });
  it('integer factor 2 (uint8): (sum + 2) >> 2', () => {
    const src = new Uint8Array([1, 2, 3, 5]); // one channel 2×2 → 1×1: (11 + 2) >> 2 = 3
    expect(Array.from(resizeAreaU8(src, 2, 2, 1, 1, 1))).toEqual([3]);
  });
  it('5×1 → 2×1 uint8: 0.4·10 + 0.4·20 + 0.2·30 = 18, 0.2·30 + 0.4·40 + 0.4·50 = 42', () => {
    const src = new Uint8Array([10, 20, 30, 40, 50]);
    expect(Array.from(resizeAreaU8(src, 5, 1, 1, 2, 1))).toEqual([18, 42]);
  });
  it('same size is a copy; float64 shrink averages exactly', () => {
    const src = new Float64Array([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(resizeAreaF64(src, 3, 3, 1, 3, 3))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const r = resizeAreaF64(new Float64Array([0, 3, 6]), 3, 1, 1, 2, 1); // 1.5 px cells
    expect(r[0]).toBeCloseTo((0 * 1 + 3 * 0.5) / 1.5, 6); // 1
    expect(r[1]).toBeCloseTo((3 * 0.5 + 6 * 1) / 1.5, 6); // 5
  });
  it('enlargement uses INTER_AREA linear coefficients: sx = floor(dx·scale), fx = frac((dx+1) − (sx+1)·inv)', () => {
    // 2 → 4 (inv 2): fx ≤ 0 everywhere → pixel replication
    expect(Array.from(resizeAreaF64(new Float64Array([10, 20]), 2, 1, 1, 4, 1))).toEqual([10, 10, 20, 20]);
    // 2 → 3 (inv 1.5): dx 0: fx = 1 − 1.5 < 0 → a; dx 1: sx 0, fx = 2 − 1.5 = 0.5 → 15; dx 2: last pixel → b
    expect(Array.from(resizeAreaF64(new Float64Array([10, 20]), 2, 1, 1, 3, 1))).toEqual([10, 15, 20]);
  });
  it('round half to even like cvRound', () => {
    expect([0.5, 1.5, 2.5, -0.5, 2.4999, 2.5001].map(roundHalfEven)).toEqual([0, 2, 2, -0, 2, 3]);
  });
});

describe('FaceAge preprocessing', () => {
  it('standardise: population std over all values', () => {
    // values 1..4: mean 2.5, population var = (2.25+0.25+0.25+2.25)/4 = 1.25
    const out = standardise([1, 2, 3, 4]);
    const s = Math.sqrt(1.25);
    expect(Array.from(out).map((v) => Number(v.toFixed(6)))).toEqual([-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s].map((v) => Number(v.toFixed(6))));
  });
  it('a constant image is an error, not NaN', () => {
    expect(() => standardise(new Uint8Array(76800).fill(128))).toThrow(PreprocessError);
  });
  it('crop takes |x|, |y| and clamps to the image', () => {
    const img: RgbImage = { width: 4, height: 4, data: new Uint8Array(48).map((_, i) => i) };
    const c = cropBox(img, [-1, -2, 10, 1]); // |x| = 1, |y| = 2, w clamped to 3, h = 1
    expect(c.width).toBe(3);
    expect(c.height).toBe(1);
    expect(Array.from(c.data)).toEqual(Array.from(img.data.subarray((2 * 4 + 1) * 3, (2 * 4 + 4) * 3)));
    expect(() => cropBox(img, [5, 0, 3, 3])).toThrow(PreprocessError);
  });
  it('Pillow bicubic: identity size is a copy; constant stays constant; 2× shrink of a ramp is symmetric', () => {
    const src = new Uint8Array(4 * 4 * 3).fill(77);
    expect(Array.from(resizeBicubicU8(src, 4, 4, 3, 2, 2))).toEqual(new Array(12).fill(77));
    const ramp = new Uint8Array([0, 0, 0, 255, 255, 255]); // 2×1 RGB → 1×1: mean 127.5 → 128 (round half up in fixed point)
    expect(Array.from(resizeBicubicU8(ramp, 2, 1, 3, 1, 1))).toEqual([128, 128, 128]);
  });
  it("face-api padToSquare: round(diff/2) after, the rest before", () => {
    const src = { width: 1, height: 4, data: new Uint8Array(12).fill(9) };
    const sq = padToSquareCentered(src); // diff 3 → 2 after, 1 before (columns)
    expect(sq.width).toBe(4);
    const row0 = Array.from(sq.data.subarray(0, 12));
    expect(row0).toEqual([0, 0, 0, 9, 9, 9, 0, 0, 0, 0, 0, 0]);
  });
});
