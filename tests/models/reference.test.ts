/**
 * The whole pipeline on the 504 labelled development photos (../shared/faces):
 *  - MTCNN boxes vs the reference detections of the real mtcnn 0.1.1 (mtcnn-0.1.1.jsonl);
 *  - detection rate and the baseline model's MAE, overall and for ages 60+.
 *
 * Thresholds (measured on this set, 2026-12-04, see docs/models.md):
 *  - agreement with mtcnn 0.1.1: measured 510/510 faces with IoU ≥ 0.95 (all boxes identical)
 *    and 504/504 photos with the same face count. The bar of the issue is 99% / 98%; we test that
 *    bar, so platform float differences (another CPU, another onnxruntime) do not break CI while
 *    any behavioural change of the detector (resize, NMS, rounding) does — each of those moved
 *    dozens of boxes when tried.
 *  - detection rate: measured 499/504 = 99.0% (the 5 misses are UTK chips where mtcnn 0.1.1 also
 *    finds nothing). Threshold 98%: one more miss than the reference's own count leaves room
 *    for numeric noise; a broken preprocessing loses far more.
 *  - baseline MAE: measured 6.71 years overall and 7.14 for ages 60+ (mean signed error −2.6:
 *    the apparent-age baseline under-estimates the elderly). Thresholds 7.5 and 8.0: ~0.8 year
 *    headroom (the MAE's standard error on ~500 photos is ~0.25 year), while errors such as
 *    BGR input, no padding to square or the wrong normalisation cost several years.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPipeline, type AnalysisResult, type Pipeline } from '../../models/pipeline.ts';
import { facesDir, iou, readLabels, readReference, skipMessage, type RefLine } from './support.ts';

const dir = facesDir();
if (!dir) console.warn(skipMessage('tests/models/reference.test.ts'));

describe.skipIf(!dir)('pipeline on the labelled photos', () => {
  let pipeline: Pipeline;
  let ref: RefLine[];
  const results = new Map<string, AnalysisResult>();

  beforeAll(async () => {
    pipeline = await createPipeline({ threads: 2 });
    ref = readReference(dir!);
    const files = ref.map((r) => r.file);
    for (let i = 0; i < files.length; i += 32) {
      const chunk = files.slice(i, i + 32);
      const rs = await pipeline.analyseBatch(chunk.map((f) => path.join(dir!, 'images', f)));
      chunk.forEach((f, k) => results.set(f, rs[k]));
    }
  }, 900_000);

  afterAll(async () => {
    await pipeline?.close();
  });

  it('processes every photo (no decode or pipeline errors)', () => {
    expect(results.size).toBe(ref.length);
    for (const r of results.values()) expect(r.error === null || r.error === 'no face found').toBe(true);
  });

  it('boxes agree with mtcnn 0.1.1 (IoU ≥ 0.95 on ≥ 99% of its faces)', () => {
    let faces = 0;
    let good = 0;
    let identical = 0;
    for (const line of ref) {
      const mine = results.get(line.file)!.faces;
      for (const f of line.faces) {
        faces++;
        if (Math.max(0, ...mine.map((m) => iou(m.box, f.box))) >= 0.95) good++;
        if (mine.some((m) => m.box.join() === f.box.join())) identical++;
      }
    }
    console.log(`mtcnn agreement: ${good}/${faces} faces IoU ≥ 0.95, ${identical} identical boxes`);
    expect(good / faces).toBeGreaterThanOrEqual(0.99);
  });

  it('same number of faces as mtcnn 0.1.1 on ≥ 98% of photos; first face and confidences match', () => {
    let same = 0;
    let firstOk = 0;
    let withFaces = 0;
    let maxConfDiff = 0;
    for (const line of ref) {
      const mine = results.get(line.file)!.faces;
      if (mine.length === line.faces.length) same++;
      if (line.faces.length) {
        withFaces++;
        if (mine[0] && iou(mine[0].box, line.faces[0].box) >= 0.95) {
          firstOk++;
          maxConfDiff = Math.max(maxConfDiff, Math.abs(mine[0].confidence - line.faces[0].confidence));
        }
      }
    }
    console.log(`face count agreement ${same}/${ref.length}; first face ${firstOk}/${withFaces}; max |Δconfidence| ${maxConfDiff.toExponential(2)}`);
    expect(same / ref.length).toBeGreaterThanOrEqual(0.98);
    expect(firstOk / withFaces).toBeGreaterThanOrEqual(0.99);
    expect(maxConfDiff).toBeLessThan(1e-3);
  });

  it('detection rate and baseline MAE (overall, 60+) within the measured thresholds', () => {
    const labels = readLabels(dir!);
    let detected = 0;
    let n = 0;
    let ae = 0;
    let n60 = 0;
    let ae60 = 0;
    for (const l of labels) {
      const r = results.get(path.basename(l.file));
      expect(r, l.file).toBeDefined();
      if (r!.faceage === null) continue;
      detected++;
      const e = Math.abs(r!.faceage - l.age);
      n++;
      ae += e;
      if (l.age >= 60) {
        n60++;
        ae60 += e;
      }
      expect(r!.ageModelKind).toBe('baseline');
    }
    const rate = detected / labels.length;
    const mae = ae / n;
    const mae60 = ae60 / n60;
    console.log(`detection rate ${(100 * rate).toFixed(1)}% (${detected}/${labels.length}); baseline MAE ${mae.toFixed(2)} overall, ${mae60.toFixed(2)} for 60+ (n=${n60})`);
    expect(rate).toBeGreaterThanOrEqual(0.98);
    expect(mae).toBeLessThan(7.5);
    expect(mae60).toBeLessThan(8.0);
  });

  it('labels.csv and the jsonl describe the same photos', () => {
    const files = new Set(readLabels(dir!).map((l) => path.basename(l.file)));
    for (const r of ref) expect(files.has(r.file)).toBe(true);
    expect(fs.existsSync(path.join(dir!, 'images', ref[0].file))).toBe(true);
  });
});
