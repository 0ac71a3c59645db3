/**
 * Input validation shared by the survival functions.
 * Mirrors the checks R's `Surv()` / `coxph()` perform (finite, non-negative times,
 * 0/1 status, equal lengths) and adds an explicit "at least one event" check.
 */

export class StatsInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StatsInputError';
  }
}

/** Throw a StatsInputError (R: `stop(msg)`). */
export function fail(msg: string): never {
  throw new StatsInputError(msg);
}

/** Require an array or typed array (R: `is.numeric`). */
export function checkArray(name: string, x: unknown): asserts x is ArrayLike<number> {
  if (!Array.isArray(x) && !ArrayBuffer.isView(x)) fail(`${name} must be an array of numbers`);
}

/** Validate time/event vectors: equal length, finite time ≥ 0, event ∈ {0,1}, ≥ 1 event. */
export function checkSurv(time: ArrayLike<number>, event: ArrayLike<number>, opts: { needEvent?: boolean } = {}): void {
  checkArray('time', time);
  checkArray('event', event);
  if (time.length !== event.length) fail(`time (${time.length}) and event (${event.length}) must have equal lengths`);
  if (time.length === 0) fail('no observations');
  let nev = 0;
  for (let i = 0; i < time.length; i++) {
    const t = time[i];
    if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) fail(`time[${i}] = ${t} is not a finite number ≥ 0`);
    const e = event[i];
    if (e !== 0 && e !== 1) fail(`event[${i}] = ${e} must be 0 (censored) or 1 (event)`);
    nev += e;
  }
  if ((opts.needEvent ?? true) && nev === 0) fail('at least one event is required');
}

/** Require length n (R model.frame: variables must have equal lengths). */
export function checkSameLength(n: number, name: string, x: ArrayLike<unknown>): void {
  if (x.length !== n) fail(`${name} has length ${x.length}, expected ${n}`);
}

/** Missing value as R's NA: null/undefined, NaN, or the strings "NA" / "NaN" / "" (fixture/CSV encodings). */
export function isMissing(v: unknown): boolean {
  if (typeof v === 'number') return v !== v;
  return v === null || v === undefined || v === 'NA' || v === 'NaN' || v === '';
}

/** Require every value finite (R: `stopifnot(all(is.finite(x)))`). */
export function checkFiniteArray(name: string, x: ArrayLike<number>): void {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) fail(`${name}[${i}] = ${x[i]} is not finite`);
}
