import { describe, expect, it } from 'vitest';
import { coxPH } from '../../stats/cox.ts';
import { coxZph } from '../../stats/zph.ts';

// internal reuse of a larger fit's sorted rows (nested LRT) must give exactly the same fit
function data(n: number, seed = 7) {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const time = new Float64Array(n);
  const event = new Float64Array(n);
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  const g = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = rnd() * 10;
    b[i] = i % 17 === 0 ? NaN : rnd() * 3;
    g[i] = rnd() < 0.4 ? 1 : 0;
    time[i] = Math.round(-Math.log(rnd()) * 50 * Math.exp(-0.1 * a[i])) / 10; // many ties
    event[i] = rnd() < 0.7 ? 1 : 0;
  }
  return { time, event, a, b, g };
}

describe('coxPH reuseRowsOf (internal)', () => {
  for (const ties of ['efron', 'breslow'] as const) {
    it(`nested fit on the same rows is identical (${ties})`, () => {
      const d = data(3000);
      const bA = Float64Array.from(d.a, (v, i) => (Number.isNaN(d.b[i]) ? NaN : v));
      const bG = Float64Array.from(d.g, (v, i) => (Number.isNaN(d.b[i]) ? NaN : v));
      const full = coxPH({ time: d.time, event: d.event, covariates: { a: bA, b: d.b, g: bG }, ties });
      const plain = coxPH({ time: d.time, event: d.event, covariates: { a: bA, g: bG }, ties });
      const reused = coxPH({ time: d.time, event: d.event, covariates: { a: bA, g: bG }, ties, reuseRowsOf: full });
      expect(reused.model.time).toBe(full.model.time); // the reuse path was taken
      expect(JSON.stringify(reused)).toBe(JSON.stringify(plain));
      expect(JSON.stringify(coxZph(reused))).toBe(JSON.stringify(coxZph(plain)));
    });
  }
  it('falls back when the complete cases or times differ', () => {
    const d = data(2000, 11);
    const full = coxPH({ time: d.time, event: d.event, covariates: { a: d.a, b: d.b } });
    // different complete cases (a has no missing values)
    const plain = coxPH({ time: d.time, event: d.event, covariates: { a: d.a } });
    expect(JSON.stringify(coxPH({ time: d.time, event: d.event, covariates: { a: d.a }, reuseRowsOf: full }))).toBe(JSON.stringify(plain));
    // different times
    const t2 = Float64Array.from(d.time, (t, i) => (i === 5 ? t + 1 : t));
    const aB = Float64Array.from(d.a, (v, i) => (Number.isNaN(d.b[i]) ? NaN : v));
    const plain2 = coxPH({ time: t2, event: d.event, covariates: { a: aB } });
    expect(JSON.stringify(coxPH({ time: t2, event: d.event, covariates: { a: aB }, reuseRowsOf: full }))).toBe(JSON.stringify(plain2));
  });
});
