// The bench report (docs/performance.md): a run of some suites (BENCH_ONLY)
// replaces their sections and keeps every other suite's rows and notes.
import { describe, expect, it } from '@jest/globals';
import { mergeReport } from '../../bench/harness.js';

const EXISTING = ['# Performance', '', 'Measured by `make bench` on 2026-11-29.', '', '## ISS', '', '| old iss row |', '', 'A note on the ISS.', '', '## Proofs', '', '| old proof row |', ''].join('\n');
const FRESH = ['# Performance', '', 'Measured by `make bench` on 2026-12-05.', '', '## Proofs', '', '| new proof row |', '', '## Cache', '', '| cache row |', ''].join('\n');

describe('mergeReport', () => {
  it('replaces the sections run, keeps the others with their notes, and adds new ones at the end', () => {
    const merged = mergeReport(EXISTING, FRESH, '2026-12-05');
    expect(merged).toContain('Measured by `make bench` on 2026-11-29.');
    expect(merged).toContain('| old iss row |\n\nA note on the ISS.');
    expect(merged).not.toContain('old proof row');
    expect(merged).toContain('## Proofs\n\nThese rows measured on 2026-12-05 (a run of some suites).\n\n| new proof row |');
    expect(merged.indexOf('## ISS')).toBeLessThan(merged.indexOf('## Proofs'));
    expect(merged.indexOf('## Proofs')).toBeLessThan(merged.indexOf('## Cache'));
  });
});
