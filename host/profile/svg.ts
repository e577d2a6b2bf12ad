// Small SVG helpers for the pictures: escaping text and a line chart of
// step series over logical time (the HTML report's resource and metric
// graphs), drawn as plain SVG so the page needs no library.
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export interface ChartSeries {
  readonly name: string;
  readonly colour: string;
  /** Points in time order; drawn as a step function (a value holds until the next point). */
  readonly points: readonly { readonly time: number; readonly value: number }[];
  readonly dashed?: boolean;
}

/** A step chart of `series` over logical time [t0, t1], width × height pixels, with axes, a dot per point and a legend. */
export function stepChart(id: string, title: string, series: readonly ChartSeries[], t0: number, t1: number, width = 560, height = 180): string {
  const left = 64,
    right = 10,
    top = 22,
    bottom = 30;
  const w = width - left - right,
    h = height - top - bottom;
  const all = series.flatMap((s) => s.points.map((p) => p.value));
  const max = Math.max(1, ...all);
  const span = Math.max(1, t1 - t0);
  const x = (t: number) => left + ((t - t0) / span) * w;
  const y = (v: number) => top + h - (v / max) * h;
  const paths = series.map((s) => {
    if (s.points.length === 0) return '';
    let d = `M${x(s.points[0]!.time).toFixed(1)},${y(s.points[0]!.value).toFixed(1)}`;
    for (let i = 1; i < s.points.length; i++) d += ` H${x(s.points[i]!.time).toFixed(1)} V${y(s.points[i]!.value).toFixed(1)}`;
    d += ` H${x(t1).toFixed(1)}`;
    const dots = s.dashed
      ? ''
      : s.points.map((p) => `<circle cx="${x(p.time).toFixed(1)}" cy="${y(p.value).toFixed(1)}" r="2.5" fill="${s.colour}"><title>${esc(`${p.time} ms: ${p.value}`)}</title></circle>`).join('');
    return `<path d="${d}" fill="none" stroke="${s.colour}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}><title>${esc(s.name)}</title></path>${dots}`;
  });
  const legend = series.map((s, i) => `<text x="${left + 8 + i * 150}" y="${top + 12}" fill="${s.colour}" font-size="11">${esc(s.name)}</text>`);
  return [
    `<svg id="${esc(id)}" class="chart" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<text x="${left}" y="14" font-size="12" font-weight="bold">${esc(title)}</text>`,
    `<line x1="${left}" y1="${top + h}" x2="${left + w}" y2="${top + h}" stroke="#888"/><line x1="${left}" y1="${top}" x2="${left}" y2="${top + h}" stroke="#888"/>`,
    `<text x="${left - 4}" y="${top + 8}" font-size="10" text-anchor="end">${max}</text><text x="${left - 4}" y="${top + h}" font-size="10" text-anchor="end">0</text>`,
    `<text x="${left}" y="${height - 8}" font-size="10">${t0} ms</text><text x="${left + w}" y="${height - 8}" font-size="10" text-anchor="end">${t1} ms (logical)</text>`,
    ...paths,
    ...legend,
    '</svg>',
  ].join('\n');
}
