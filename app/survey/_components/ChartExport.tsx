'use client';

import { useRef, type ReactNode } from 'react';
import { downloadText } from './util.ts';

/** Wraps a recharts chart with "SVG" and "PNG" figure export (2× resolution, white background). */
export function ChartFrame({ title, name, children }: { title: string; name: string; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const svgText = () => {
    const svg = ref.current?.querySelector('svg.recharts-surface');
    if (!svg) return null;
    const clone = svg.cloneNode(true) as SVGSVGElement;
    clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
    const w = svg.clientWidth || Number(svg.getAttribute('width'));
    const h = svg.clientHeight || Number(svg.getAttribute('height'));
    clone.setAttribute('width', String(w));
    clone.setAttribute('height', String(h));
    clone.setAttribute('font-family', 'system-ui, sans-serif');
    const bg = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
    bg.setAttribute('width', '100%');
    bg.setAttribute('height', '100%');
    bg.setAttribute('fill', '#fff');
    clone.insertBefore(bg, clone.firstChild);
    return { text: new XMLSerializer().serializeToString(clone), w, h };
  };
  const exportSvg = () => {
    const s = svgText();
    if (s) downloadText(`${name}.svg`, s.text, 'image/svg+xml');
  };
  const exportPng = () => {
    const s = svgText();
    if (!s) return;
    const img = new Image();
    img.onload = () => {
      const canvas = document.createElement('canvas');
      canvas.width = s.w * 2;
      canvas.height = s.h * 2;
      const ctx = canvas.getContext('2d')!;
      ctx.scale(2, 2);
      ctx.drawImage(img, 0, 0);
      canvas.toBlob((blob) => {
        if (!blob) return;
        const a = document.createElement('a');
        a.href = URL.createObjectURL(blob);
        a.download = `${name}.png`;
        a.click();
      });
    };
    img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(s.text)}`;
  };
  return (
    <figure className="card" style={{ margin: 0 }}>
      <figcaption className="row" style={{ justifyContent: 'space-between' }}>
        <strong>{title}</strong>
        <span className="row">
          <button className="secondary" type="button" onClick={exportSvg}>SVG</button>
          <button className="secondary" type="button" onClick={exportPng}>PNG</button>
        </span>
      </figcaption>
      <div ref={ref}>{children}</div>
    </figure>
  );
}
