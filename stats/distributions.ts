/**
 * Distribution helpers (upper tails and quantiles) built on @stdlib.
 *
 * All p-values in stats/ are computed as upper tails (never 1 - cdf) so that
 * they stay accurate down to ~1e-300, like R's `lower.tail = FALSE`.
 */
import erfc from '@stdlib/math-base-special-erfc';
import gammainc from '@stdlib/math-base-special-gammainc';
import betainc from '@stdlib/math-base-special-betainc';
import qnormStd from '@stdlib/stats-base-dists-normal-quantile';
import qtStd from '@stdlib/stats-base-dists-t-quantile';
import qchisqStd from '@stdlib/stats-base-dists-chisquare-quantile';

/** Upper tail P(Z > z) of the standard normal; R `pnorm(z, lower.tail = FALSE)`. erfc(z/√2)/2. */
export function normalUpper(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/** Two-sided normal p-value 2·P(Z > |z|); R `2 * pnorm(-abs(z))`. */
export function normalTwoSided(z: number): number {
  return erfc(Math.abs(z) / Math.SQRT2);
}

/** Standard normal quantile; R `qnorm(p)`. */
export function normalQuantile(p: number): number {
  return qnormStd(p, 0, 1);
}

/** z = qnorm(0.975) for 95% intervals; also the general two-sided critical value. */
export function zCritical(confLevel = 0.95): number {
  return normalQuantile(1 - (1 - confLevel) / 2);
}

/**
 * Upper tail of the chi-square distribution, R `pchisq(x, df, lower.tail = FALSE)`:
 * the regularized upper incomplete gamma Q(df/2, x/2).
 */
export function chisqUpper(x: number, df: number): number {
  if (!(df > 0)) return NaN;
  if (x <= 0) return 1;
  if (x === Infinity) return 0;
  return gammainc(x / 2, df / 2, true, true);
}

/** Chi-square quantile; R `qchisq(p, df)`. */
export function chisqQuantile(p: number, df: number): number {
  return qchisqStd(p, df);
}

/**
 * Upper tail of Student's t, R `pt(t, df, lower.tail = FALSE)`:
 * for t ≥ 0, I_{df/(df+t²)}(df/2, 1/2)/2 (regularized incomplete beta).
 */
export function tUpper(t: number, df: number): number {
  if (Number.isNaN(t)) return NaN;
  const x = df / (df + t * t);
  const half = 0.5 * betainc(x, df / 2, 0.5, true, false);
  return t >= 0 ? half : 1 - half;
}

/** Two-sided t p-value, R `2 * pt(-abs(t), df)`. */
export function tTwoSided(t: number, df: number): number {
  if (Number.isNaN(t)) return NaN;
  if (!Number.isFinite(t)) return 0;
  return betainc(df / (df + t * t), df / 2, 0.5, true, false);
}

/** Student t quantile; R `qt(p, df)`. */
export function tQuantile(p: number, df: number): number {
  return qtStd(p, df);
}
