export function num(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return v.toFixed(digits);
}

export function pval(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '–';
  if (p < 1e-4) return p.toExponential(1);
  if (p < 0.001) return p.toFixed(4);
  return p.toFixed(3);
}

export function ci(lo: number | null | undefined, hi: number | null | undefined, digits = 2): string {
  return `${num(lo, digits)}–${num(hi, digits)}`;
}

/** Okabe–Ito palette (colour-blind safe), then greys. */
export const COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#999999', '#6a3d9a', '#b15928'];
export const color = (i: number) => COLORS[i % COLORS.length];
