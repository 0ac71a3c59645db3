export const PART_TITLES: Record<number, string> = {
  1: 'Part 1 — photo only',
  2: 'Part 2 — photo and clinical information',
  3: 'Part 3 — photo, clinical information and the FaceAge model',
};

export function fmt(v: number | null | undefined, digits = 3): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits);
}

export function pct(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : `${(v * 100).toFixed(0)}%`;
}

export function pval(p: number | null | undefined): string {
  if (p === null || p === undefined) return '—';
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}

export function downloadText(name: string, text: string, type = 'text/csv') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
