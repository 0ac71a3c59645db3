/**
 * Figure and table export in the browser: a chart's SVG serialised with a white background and
 * explicit fonts (publication-ready, opens in Inkscape/Illustrator), PNG rendered from that SVG
 * through a canvas at 3× for print resolution, tables as RFC 4180 CSV.
 */

const FONT = 'Arial, Helvetica, "Liberation Sans", sans-serif';

/** The chart's standalone SVG text (the first <svg> inside `container`). */
export function chartSvg(container: HTMLElement): { text: string; width: number; height: number } {
  const svg = container.querySelector('svg.recharts-surface') ?? container.querySelector('svg');
  if (!svg) throw new Error('no chart to export');
  const box = svg.getBoundingClientRect();
  const width = Math.round(Number(svg.getAttribute('width')) || box.width);
  const height = Math.round(Number(svg.getAttribute('height')) || box.height);
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('xmlns:xlink', 'http://www.w3.org/1999/xlink');
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  clone.setAttribute('viewBox', `0 0 ${width} ${height}`);
  clone.setAttribute('font-family', FONT);
  clone.removeAttribute('style');
  clone.removeAttribute('class');
  // explicit font sizes: recharts leaves most text at the CSS default
  clone.querySelectorAll('text').forEach((t) => {
    if (!t.getAttribute('font-size')) t.setAttribute('font-size', '12');
    if (!t.getAttribute('fill')) t.setAttribute('fill', '#1b1f24');
  });
  const doc = clone.ownerDocument;
  const style = doc.createElementNS('http://www.w3.org/2000/svg', 'style');
  style.textContent = `text { font-family: ${FONT}; }`;
  const bg = doc.createElementNS('http://www.w3.org/2000/svg', 'rect');
  bg.setAttribute('x', '0');
  bg.setAttribute('y', '0');
  bg.setAttribute('width', String(width));
  bg.setAttribute('height', String(height));
  bg.setAttribute('fill', '#ffffff');
  clone.insertBefore(bg, clone.firstChild);
  clone.insertBefore(style, clone.firstChild);
  const text = '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(clone);
  return { text, width, height };
}

export function downloadBlob(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 5000);
}

export function downloadSvg(container: HTMLElement, filename: string) {
  const { text } = chartSvg(container);
  downloadBlob(new Blob([text], { type: 'image/svg+xml;charset=utf-8' }), `${filename}.svg`);
}

export async function downloadPng(container: HTMLElement, filename: string, scale = 3) {
  const { text, width, height } = chartSvg(container);
  const img = new Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = width * scale;
  canvas.height = height * scale;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('canvas not available');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (!blob) throw new Error('PNG export failed');
  downloadBlob(blob, `${filename}.png`);
}

export type Cell = string | number | null | undefined;

function csvCell(v: Cell): string {
  if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return '';
  const s = typeof v === 'number' ? String(v) : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: string[], rows: Cell[][]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

export function downloadCsv(filename: string, header: string[], rows: Cell[][]) {
  downloadBlob(new Blob([toCsv(header, rows)], { type: 'text/csv;charset=utf-8' }), `${filename}.csv`);
}

/** File-name stem: cohort name (+ "synthetic") + view, safe characters only. */
export function fileStem(meta: { cohortName: string; isSynthetic: boolean } | undefined, view: string): string {
  const base = (meta?.cohortName ?? 'cohort').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  const syn = meta?.isSynthetic && !base.includes('synthetic') ? 'synthetic-' : '';
  return `${syn}${base}_${view}`;
}
