// The profile in speedscope's file format (https://www.speedscope.app,
// file-format-schema.json): one sampled profile whose samples are the call
// tree's stacks weighted by their exclusive cost (steps or cycles, unit
// "none"), so speedscope's left-heavy and sandwich views show the same
// totals as the profile.
import type { Profile } from './model.js';
import { placeTree, stackOf } from './layout.js';

export const SPEEDSCOPE_SCHEMA = 'https://www.speedscope.app/file-format-schema.json';

export function toSpeedscope(p: Profile): Record<string, unknown> {
  const placed = placeTree(p.tree);
  const samples: number[][] = [];
  const weights: number[] = [];
  // a stack path is built per node with its own cost: O(nodes × depth), with depth capped by the call stack
  placed.forEach((n, i) => {
    if (n.node.self > 0) {
      samples.push(stackOf(placed, i));
      weights.push(n.node.self);
    }
  });
  return {
    $schema: SPEEDSCOPE_SCHEMA,
    name: `cax profile ${p.title} (${p.backend}, ${p.unit})`,
    exporter: 'cax profile',
    activeProfileIndex: 0,
    shared: {
      frames: p.frames.map((f) => {
        const m = f.where ? /^(.*):(\d+):(\d+)$/.exec(f.where) : null;
        return m ? { name: f.name, file: m[1]!, line: Number(m[2]), col: Number(m[3]) } : { name: f.name };
      }),
    },
    profiles: [{ type: 'sampled', name: `${p.title} — ${p.unit}`, unit: 'none', startValue: 0, endValue: p.total, samples, weights }],
  };
}
