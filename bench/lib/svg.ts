/** One curve of a chart: points in data units, drawn in `color`. */
export interface Series {
  name: string;
  color: string;
  points: { x: number; y: number }[];
}

const W = 720;
const H = 420;
const M = { left: 70, right: 40, top: 30, bottom: 60 };

/**
 * A log-log line chart as standalone SVG text: deliveries/s across, p99 latency up, one line per
 * series, a dashed line at `limitY`. Hand-written: a few dozen lines do not justify a charting
 * dependency in the bench.
 */
export function logLogChart(o: { title: string; xLabel: string; yLabel: string; series: Series[]; limitY?: number }): string {
  const xs = o.series.flatMap((s) => s.points.map((p) => p.x)).filter((v) => v > 0);
  const ys = o.series.flatMap((s) => s.points.map((p) => p.y)).filter((v) => v > 0);
  const decade = (v: number, up: boolean) => 10 ** (up ? Math.ceil(Math.log10(v)) : Math.floor(Math.log10(v)));
  const [x0, x1] = [decade(Math.min(...xs, 1_000), false), decade(Math.max(...xs, 10_000), true)];
  const [y0, y1] = [decade(Math.min(...ys, 1), false), decade(Math.max(...ys, o.limitY ?? 1, 100), true)];
  const px = (x: number) => M.left + ((Math.log10(x) - Math.log10(x0)) / (Math.log10(x1) - Math.log10(x0))) * (W - M.left - M.right);
  const py = (y: number) => H - M.bottom - ((Math.log10(y) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0))) * (H - M.top - M.bottom);
  const f = (v: number) => v.toFixed(1);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="14">${escape(o.title)}</text>`,
  ];
  for (let x = x0; x <= x1; x *= 10) {
    out.push(`<line x1="${f(px(x))}" y1="${M.top}" x2="${f(px(x))}" y2="${H - M.bottom}" stroke="#ddd"/>`);
    out.push(`<text x="${f(px(x))}" y="${H - M.bottom + 16}" text-anchor="middle">${x.toLocaleString('en-US')}</text>`);
  }
  for (let y = y0; y <= y1; y *= 10) {
    out.push(`<line x1="${M.left}" y1="${f(py(y))}" x2="${W - M.right}" y2="${f(py(y))}" stroke="#ddd"/>`);
    out.push(`<text x="${M.left - 6}" y="${f(py(y) + 4)}" text-anchor="end">${y.toLocaleString('en-US')}</text>`);
  }
  if (o.limitY) {
    out.push(
      `<line x1="${M.left}" y1="${f(py(o.limitY))}" x2="${W - M.right}" y2="${f(py(o.limitY))}" stroke="#999" stroke-dasharray="6 4"/>`,
    );
  }
  out.push(`<text x="${W / 2}" y="${H - 20}" text-anchor="middle">${escape(o.xLabel)}</text>`);
  out.push(`<text x="16" y="${H / 2}" text-anchor="middle" transform="rotate(-90 16 ${H / 2})">${escape(o.yLabel)}</text>`);
  o.series.forEach((s, i) => {
    const pts = s.points.filter((p) => p.x > 0 && p.y > 0);
    out.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts.map((p) => `${f(px(p.x))},${f(py(p.y))}`).join(' ')}"/>`,
    );
    for (const p of pts) out.push(`<circle cx="${f(px(p.x))}" cy="${f(py(p.y))}" r="3" fill="${s.color}"/>`);
    // Bottom left: low rates at low latency, where no curve of a fan-out chart runs.
    const ly = H - M.bottom - 8 - (o.series.length - 1 - i) * 16;
    out.push(`<rect x="${M.left + 10}" y="${ly - 9}" width="12" height="3" fill="${s.color}"/>`);
    out.push(`<text x="${M.left + 28}" y="${ly - 4}">${escape(s.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
