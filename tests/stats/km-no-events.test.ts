import { describe, expect, it } from 'vitest';
import { kaplanMeier } from '~/stats/index.ts';

describe('kaplanMeier without deaths', () => {
  it('refuses by default (a miscoded event column), and on request gives R survfit’s flat curve', () => {
    expect(() => kaplanMeier({ time: [1, 2], event: [0, 0] })).toThrow(/at least one event/);
    // R: survfit(Surv(c(1,2,2,3), c(0,0,0,0)) ~ 1) → surv 1, std.err 0, CI [1, 1], median NA
    const r = kaplanMeier({ time: [1, 2, 2, 3], event: [0, 0, 0, 0], allowNoEvents: true });
    expect(r.time).toEqual([1, 2, 3]);
    expect(r.nRisk).toEqual([4, 3, 1]);
    expect(r.nCensor).toEqual([1, 2, 1]);
    expect(r.survival).toEqual([1, 1, 1]);
    expect(r.stdErr).toEqual([0, 0, 0]);
    expect(r.lower).toEqual([1, 1, 1]);
    expect(r.upper).toEqual([1, 1, 1]);
    expect(r.median).toBeNull();
  });
});
