// The profile as an SVG flame graph: the call tree, root at the bottom, one
// box per call path, as wide as its inclusive cost; a tooltip (title) per
// box with its exclusive and inclusive cost and calls. Colours: TEL code
// warm, runtime blue, garbage collector green, pseudo-frames grey. Boxes
// narrower than a third of a pixel are left out. Self-contained, no script.
import type { Profile, ProfileFrame } from './model.js';
import { placeTree } from './layout.js';
import { esc } from './svg.js';

const ROW = 18;
const COLOURS: Record<ProfileFrame['kind'], readonly [number, number]> = { tel: [20, 40], runtime: [205, 30], gc: [120, 30], pseudo: [0, 0] };

/** A stable colour per name within its kind's hue band. */
function colour(f: ProfileFrame): string {
  let h = 0;
  for (const ch of f.name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  const [hue, spread] = COLOURS[f.kind];
  return f.kind === 'pseudo' ? `hsl(0, 0%, ${70 + (h % 15)}%)` : `hsl(${hue + (h % (spread + 1))}, 75%, ${55 + (h % 15)}%)`;
}

export function flameGraphSvg(p: Profile, width = 1200): string {
  const total = Math.max(1, p.total);
  const scale = width / total;
  const placed = placeTree(p.tree, 1 / (3 * scale));
  const depth = placed.reduce((d, n) => Math.max(d, n.depth), 0) + 1;
  const height = depth * ROW + 40;
  const boxes = placed.map((n) => {
    const f = p.frames[n.node.frame]!;
    const x = n.start * scale;
    const w = n.total * scale;
    const y = height - 20 - (n.depth + 1) * ROW;
    const share = ((100 * n.total) / total).toFixed(2);
    const tip = `${f.name}${f.where ? ` (${f.where})` : ''}: ${n.total} ${p.unit} (${share}%), ${n.node.self} itself, ${n.node.calls} calls`;
    const label = w > 40 ? `<text x="${(x + 3).toFixed(1)}" y="${y + 13}">${esc(f.name.slice(0, Math.floor(w / 7)))}</text>` : '';
    return `<g class="frame"><title>${esc(tip)}</title><rect x="${x.toFixed(2)}" y="${y}" width="${Math.max(w - 0.5, 0.3).toFixed(2)}" height="${ROW - 1}" fill="${colour(f)}" rx="2"/>${label}</g>`;
  });
  return [
    `<svg id="flamegraph" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="monospace" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fdfdf6"/>`,
    `<text x="4" y="14" font-size="13">${esc(`Flame graph: ${p.title} on ${p.backend}, ${p.total} ${p.unit}`)}</text>`,
    ...boxes,
    '</svg>',
  ].join('\n');
}
