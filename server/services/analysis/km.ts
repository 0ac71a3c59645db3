/**
 * Kaplan–Meier view: groups (FaceAge cut points or quantiles, age gap, any categorical
 * variable), one `stats.kaplanMeier` fit per group, `stats.logRank` across groups, the number
 * at risk at the axis ticks, and curves thinned for drawing (every kept point is an exact value
 * of the fit).
 */
import { z } from 'zod';
import { kaplanMeier, kmAtTimes, logRank, type KaplanMeierResult } from '~/stats/index.ts';
import type { AnalysisRow } from '../dataset.ts';
import { UserError } from '../errors.ts';
import { categoricalValues, intervalIndex, intervalLabels, levelsOf, numericValues, quantile, variableLabel } from './variables.ts';

export const PAPER_CUTS = [65, 75, 85];

export const groupingSchema = z.discriminatedUnion('by', [
  z.object({ by: z.literal('none') }),
  z.object({ by: z.literal('faceAge'), cuts: z.array(z.number().finite()).max(12).default(PAPER_CUTS) }),
  z.object({ by: z.literal('faceAgeQuantiles'), k: z.number().int().min(2).max(10).default(4) }),
  z.object({ by: z.literal('ageGap'), cuts: z.array(z.number().finite()).min(1).max(12).default([0]) }),
  z.object({ by: z.literal('ageGapQuantiles'), k: z.number().int().min(2).max(10).default(3) }),
  z.object({ by: z.literal('variable'), name: z.string().min(1).max(200) }),
]);
export type Grouping = z.infer<typeof groupingSchema>;

export const kmOptionsSchema = z.object({
  grouping: groupingSchema.default({ by: 'faceAge', cuts: PAPER_CUTS }),
  /** x-axis end in years; null = the longest follow-up */
  horizon: z.number().positive().max(100).nullable().default(null),
  /** treat follow-up beyond the horizon as censored at the horizon (medians and log-rank too) */
  censorAtHorizon: z.boolean().default(false),
  confType: z.enum(['log', 'log-log', 'plain']).default('log'),
  confLevel: z.number().gt(0).lt(1).default(0.95),
  /** drawing resolution: at most about 2 points per bin per group */
  bins: z.number().int().min(50).max(5000).default(500),
});
export type KmOptions = z.input<typeof kmOptionsSchema>;

export interface GroupAssignment {
  /** group label per row (null = not in any group: missing value) */
  labels: (string | null)[];
  /** groups in display order */
  order: string[];
  /** cut points used (numeric groupings) */
  cuts: number[] | null;
  variable: string;
  description: string;
}

function sortedFinite(values: (number | null)[]): Float64Array {
  return Float64Array.from(values.filter((v): v is number => v !== null && Number.isFinite(v))).sort();
}

/** Assigns each row to a group as the grouping says. Pure; exported for tests. */
export function assignGroups(rows: AnalysisRow[], grouping: Grouping): GroupAssignment {
  switch (grouping.by) {
    case 'none':
      return { labels: rows.map(() => 'All patients'), order: ['All patients'], cuts: null, variable: 'none', description: 'All patients' };
    case 'faceAge':
    case 'ageGap':
    case 'faceAgeQuantiles':
    case 'ageGapQuantiles': {
      const variable = grouping.by.startsWith('faceAge') ? 'faceAge' : 'ageGap';
      const vals = numericValues(rows, variable);
      let cuts: number[];
      if (grouping.by === 'faceAgeQuantiles' || grouping.by === 'ageGapQuantiles') {
        const s = sortedFinite(vals);
        if (s.length === 0) throw new UserError(`no ${variableLabel(variable)} values to take quantiles of`);
        cuts = [];
        for (let i = 1; i < grouping.k; i++) cuts.push(Math.round(quantile(s, i / grouping.k) * 100) / 100);
      } else cuts = grouping.cuts;
      cuts = [...new Set(cuts)].sort((a, b) => a - b);
      const names = intervalLabels(cuts);
      const labels = vals.map((v) => (v === null ? null : names[intervalIndex(v, cuts)]));
      const kind = 'k' in grouping ? ` (${grouping.k} quantile groups)` : '';
      return { labels, order: names, cuts, variable, description: `${variableLabel(variable)}${kind}: ${names.join(', ')}` };
    }
    case 'variable': {
      let labels: (string | null)[];
      try {
        labels = categoricalValues(rows, grouping.name);
      } catch {
        throw new UserError(`unknown variable ${grouping.name}`);
      }
      const order = levelsOf(labels);
      if (order.length > 20) throw new UserError(`${variableLabel(grouping.name)} has ${order.length} levels; group by a variable with at most 20`);
      return { labels, order, cuts: null, variable: grouping.name, description: variableLabel(grouping.name) };
    }
  }
}

/** Nice axis step for 0…horizon (years): 0.25, 0.5, 1, 2, 5, 10… with 4–10 ticks. */
export function tickStep(horizon: number): number {
  const steps = [0.1, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20];
  for (const s of steps) if (horizon / s <= 8) return s;
  return 50;
}

export interface KmCurvePoint {
  t: number;
  s: number;
  lo: number | null;
  hi: number | null;
}

export interface KmGroupResult {
  label: string;
  n: number;
  events: number;
  median: number | null;
  medianLower: number | null;
  medianUpper: number | null;
  /** survival at each tick (null beyond the group's follow-up) */
  atTicks: { t: number; nRisk: number; s: number | null; lo: number | null; hi: number | null }[];
  curve: KmCurvePoint[];
  censored: { t: number; s: number }[];
}

export interface KmResult {
  grouping: { variable: string; description: string; cuts: number[] | null; order: string[] };
  n: number;
  events: number;
  nMissingGroup: number;
  horizon: number;
  maxFollowUp: number;
  ticks: number[];
  confType: 'log' | 'log-log' | 'plain';
  confLevel: number;
  censorAtHorizon: boolean;
  groups: KmGroupResult[];
  logRank: { chisq: number; df: number; pValue: number; observed: number[]; expected: number[]; groups: string[] } | null;
  warnings: string[];
}

/** Survival rows (time and event known). */
export function survivalRows(rows: AnalysisRow[]): AnalysisRow[] {
  return rows.filter((r) => r.survivalYears !== null && Number.isFinite(r.survivalYears) && r.survivalYears >= 0 && (r.event === 0 || r.event === 1));
}

/** The time/event arrays the KM view analyses (after optional censoring at the horizon). */
export function timeEvent(rows: AnalysisRow[], horizon: number | null, censorAtHorizon: boolean): { time: number[]; event: number[] } {
  const time: number[] = new Array(rows.length);
  const event: number[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const t = rows[i].survivalYears as number;
    const e = rows[i].event as number;
    if (censorAtHorizon && horizon !== null && t > horizon) {
      time[i] = horizon;
      event[i] = 0;
    } else {
      time[i] = t;
      event[i] = e;
    }
  }
  return { time, event };
}

function thinCurve(fit: KaplanMeierResult, horizon: number, bins: number): { curve: KmCurvePoint[]; censored: { t: number; s: number }[] } {
  const curve: KmCurvePoint[] = [{ t: 0, s: 1, lo: 1, hi: 1 }];
  const censored: { t: number; s: number }[] = [];
  const width = horizon / bins;
  let lastBin = -1;
  let lastCensorBin = -1;
  let pending: KmCurvePoint | null = null;
  for (let i = 0; i < fit.time.length; i++) {
    const t = fit.time[i];
    if (t > horizon) break;
    const bin = Math.floor(t / width);
    if (fit.nEvent[i] > 0) {
      const p = { t, s: fit.survival[i], lo: fit.lower[i], hi: fit.upper[i] };
      if (bin !== lastBin) {
        if (pending) curve.push(pending);
        pending = null;
        curve.push(p);
        lastBin = bin;
      } else pending = p; // the last step of a bin is kept too
    }
    if (fit.nCensor[i] > 0 && bin !== lastCensorBin) {
      censored.push({ t, s: fit.survival[i] });
      lastCensorBin = bin;
    }
  }
  if (pending) curve.push(pending);
  // carry the curve flat to the end of follow-up (or the horizon)
  const last = fit.time[fit.time.length - 1];
  const end = Math.min(last, horizon);
  const tail = curve[curve.length - 1];
  if (end > tail.t) curve.push({ t: end, s: tail.s, lo: tail.lo, hi: tail.hi });
  return { curve, censored };
}

/** The Kaplan–Meier analysis. Pure over rows; numbers come from stats/. */
export function kmAnalysis(allRows: AnalysisRow[], options: KmOptions = {}): KmResult {
  const opts = kmOptionsSchema.parse(options);
  const rows = survivalRows(allRows);
  if (rows.length === 0) throw new UserError('no patients with survival data in this dataset');
  const assignment = assignGroups(rows, opts.grouping);
  const inGroup: number[] = [];
  for (let i = 0; i < rows.length; i++) if (assignment.labels[i] !== null) inGroup.push(i);
  const used = inGroup.map((i) => rows[i]);
  const labels = inGroup.map((i) => assignment.labels[i] as string);
  let maxFollowUp = 0;
  for (const r of used) if ((r.survivalYears as number) > maxFollowUp) maxFollowUp = r.survivalYears as number;
  const horizon = opts.horizon ?? (Math.ceil(maxFollowUp * 2) / 2 || 1);
  const { time, event } = timeEvent(used, opts.horizon, opts.censorAtHorizon);
  const step = tickStep(horizon);
  const ticks: number[] = [];
  for (let k = 0; k * step <= horizon + 1e-9; k++) ticks.push(Math.round(k * step * 1000) / 1000);
  const warnings: string[] = [];

  const groups: KmGroupResult[] = [];
  const presentOrder = assignment.order.filter((g) => labels.includes(g));
  for (const label of presentOrder) {
    const gt: number[] = [];
    const ge: number[] = [];
    for (let i = 0; i < labels.length; i++)
      if (labels[i] === label) {
        gt.push(time[i]);
        ge.push(event[i]);
      }
    const fit = kaplanMeier({ time: gt, event: ge, confType: opts.confType, confLevel: opts.confLevel, allowNoEvents: true });
    const sortedT = Float64Array.from(gt).sort();
    const at = kmAtTimes(fit, ticks);
    const atTicks = ticks.map((t) => {
      // number at risk: follow-up time ≥ t (R summary.survfit n.risk)
      let lo = 0;
      let hi = sortedT.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sortedT[mid] < t) lo = mid + 1;
        else hi = mid;
      }
      const j = at.time.indexOf(t);
      return { t, nRisk: sortedT.length - lo, s: j >= 0 ? at.survival[j] : null, lo: j >= 0 ? at.lower[j] : null, hi: j >= 0 ? at.upper[j] : null };
    });
    const thin = thinCurve(fit, horizon, opts.bins);
    groups.push({
      label,
      n: fit.n,
      events: fit.nEvents,
      median: fit.median,
      medianLower: fit.medianLower,
      medianUpper: fit.medianUpper,
      atTicks,
      curve: thin.curve,
      censored: thin.censored,
    });
  }
  const empty = assignment.order.filter((g) => !presentOrder.includes(g));
  if (empty.length) warnings.push(`no patients in group${empty.length > 1 ? 's' : ''} ${empty.join(', ')}`);
  let lr: KmResult['logRank'] = null;
  if (presentOrder.length >= 2) {
    try {
      const res = logRank({ time, event, group: labels });
      const idx = presentOrder.map((g) => res.groups.map(String).indexOf(g));
      lr = { chisq: res.chisq, df: res.df, pValue: res.pValue, groups: presentOrder, observed: idx.map((i) => res.observed[i]), expected: idx.map((i) => res.expected[i]) };
      warnings.push(...res.warnings);
    } catch (err) {
      warnings.push(`log-rank test not available: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return {
    grouping: { variable: assignment.variable, description: assignment.description, cuts: assignment.cuts, order: presentOrder },
    n: used.length,
    events: event.reduce((s, e) => s + e, 0),
    nMissingGroup: rows.length - used.length,
    horizon,
    maxFollowUp,
    ticks,
    confType: opts.confType,
    confLevel: opts.confLevel,
    censorAtHorizon: opts.censorAtHorizon,
    groups,
    logRank: lr,
    warnings,
  };
}
