/**
 * A grid of test images with the kept attention positions outlined: what people want to see of a hard
 * attention network. SVG (pixels as rects, one outlined cell per kept position), PNG through resvg.
 */
import type { MaskFigureData } from './mask-evaluation';

export function maskGridSvg(d: MaskFigureData, o: { columns?: number; pixel?: number; title?: string } = {}): string {
  const [count, H, W, C] = d.shape;
  const px = o.pixel ?? (H <= 28 ? 4 : 3);
  const columns = Math.min(o.columns ?? 8, Math.max(1, count));
  const rows = Math.ceil(count / columns);
  const pad = 8;
  const label = 14;
  const cellW = W * px;
  const cellH = H * px;
  const top = o.title ? 22 : 0;
  const width = columns * (cellW + pad) + pad;
  const height = top + rows * (cellH + label + pad) + pad;
  const [fh, fw] = d.featureShape;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  if (o.title) parts.push(`<text x="${pad}" y="15" font-size="13">${escapeXml(o.title)}</text>`);
  for (let n = 0; n < count; n++) {
    const x0 = pad + (n % columns) * (cellW + pad);
    const y0 = top + pad + Math.floor(n / columns) * (cellH + label + pad);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const rgb = [0, 1, 2].map((c) => {
          const ch = C === 1 ? 0 : c;
          const v = d.images[((n * H + y) * W + x) * C + ch] * d.std[ch] + d.mean[ch];
          return Math.max(0, Math.min(255, Math.round(v)));
        });
        parts.push(`<rect x="${x0 + x * px}" y="${y0 + y * px}" width="${px}" height="${px}" fill="rgb(${rgb.join(',')})"/>`);
      }
    }
    // Each feature-map position covers an (H / fh) x (W / fw) patch of the input.
    const ch = cellH / fh;
    const cw = cellW / fw;
    for (let i = 0; i < fh * fw; i++) {
      if (!d.masks[n * fh * fw + i]) continue;
      const r = Math.floor(i / fw);
      const c = i % fw;
      parts.push(`<rect x="${(x0 + c * cw + 1).toFixed(1)}" y="${(y0 + r * ch + 1).toFixed(1)}" width="${(cw - 2).toFixed(1)}" height="${(ch - 2).toFixed(1)}" fill="none" stroke="#ff3b30" stroke-width="2"/>`);
    }
    const ok = d.predictions[n] === d.labels[n];
    parts.push(`<text x="${x0}" y="${y0 + cellH + 11}" fill="${ok ? '#1b5e20' : '#b71c1c'}">label ${d.labels[n]} · pred ${d.predictions[n]}</text>`);
  }
  parts.push('</svg>');
  return parts.join('\n');
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}
