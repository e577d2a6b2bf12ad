// The bench report (docs/performance.md): a run of some suites (BENCH_ONLY)
// replaces their sections and keeps every other suite's rows and notes; warm-up
// samples are taken but not recorded.
import { describe, expect, it } from '@jest/globals';
import { keepNotes, mergeReport, runSuite } from '../../bench/harness.js';

const EXISTING = ['# Performance', '', 'Measured by `make bench` on 2026-11-29.', '', '## ISS', '', '| old iss row |', '', 'A note on the ISS.', '', '## Proofs', '', '| old proof row |', ''].join(
  '\n',
);
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

describe('keepNotes', () => {
  const TABLE = '| case | median | ± | reference | reference median | ratio |';
  const OLD = [
    '# Performance',
    '',
    'Measured on 2026-11-29.',
    '',
    '## ISS',
    '',
    TABLE,
    '| old iss row |',
    '',
    '## Gone suite',
    '',
    TABLE,
    '| stale row |',
    '',
    '## Aims of issue 22',
    '',
    'Written by hand.',
    '',
  ].join('\n');
  const WHOLE = ['# Performance', '', 'Measured on 2026-12-06.', '', '## ISS', '', TABLE, '| new iss row |', ''].join('\n');

  it('takes a whole run as it is and keeps after it only the sections without rows (the notes written by hand)', () => {
    const kept = keepNotes(OLD, WHOLE);
    expect(kept.startsWith(WHOLE)).toBe(true);
    expect(kept).toContain('\n\n## Aims of issue 22\n\nWritten by hand.');
    expect(kept).not.toContain('old iss row');
    expect(kept).not.toContain('Gone suite');
    expect(kept).not.toContain('2026-11-29');
  });
});

describe('runSuite', () => {
  it('takes the warm-up samples of a case and its reference first, and records only the measured ones', async () => {
    let own = 0;
    let ref = 0;
    const [result] = await runSuite(
      { title: 'T', cases: [{ name: 'c', unit: 'ms', higherIsBetter: false, warmUp: 2, sample: async () => ++own, reference: { name: 'r', sample: async () => 10 * ++ref } }] },
      3,
    );
    expect([own, ref]).toEqual([5, 5]);
    expect(result!.stats).toMatchObject({ median: 4, min: 3, max: 5 });
    expect(result!.reference).toMatchObject({ stats: { median: 40 }, ratio: 0.1 });
  });
});
