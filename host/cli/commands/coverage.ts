// `cax coverage report DATA…`: merges the coverage data of simulated runs
// (`cax sim run --coverage FILE` on the coverage model) and writes an HTML
// report — line and toggle coverage per module, and each source with its
// lines coloured; prints the modules' coverage (docs/waveforms.md).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { packageRoot } from '../../artefacts.js';
import { coverageHtml, moduleSummary, readCoverage, type CoveragePoint } from '../../sim/coverage.js';
import { parseOptions } from '../options.js';
import type { Register } from '../program.js';

const ReportOptions = z.object({ output: z.string().min(1).default('coverage.html') });

export const registerCoverage: Register = (program, ctx) => {
  program
    .command('coverage')
    .description('RTL coverage of the simulated SoC (docs/waveforms.md)')
    .command('report <data...>')
    .description('merge coverage data files of `cax sim run --coverage` runs and write an HTML report: line and toggle coverage per module, with the sources')
    .option('-o, --output <file>', 'the HTML report', 'coverage.html')
    .exitOverride()
    .action((data: string[], raw: Record<string, unknown>) => {
      const o = parseOptions(ReportOptions, raw);
      const merged = new Map<string, CoveragePoint>();
      for (const file of data) readCoverage(resolve(ctx.io.cwd, file), merged);
      const points = [...merged.values()];
      // sources are named relative to where the model was built (the package), else to the working directory
      const source = (file: string): string | null => {
        for (const base of [packageRoot(), ctx.io.cwd]) {
          const path = resolve(base, file);
          if (existsSync(path)) return readFileSync(path, 'utf8');
        }
        return null;
      };
      writeFileSync(resolve(ctx.io.cwd, o.output), coverageHtml(points, data, source));
      const modules = moduleSummary(points);
      const share = (c: { covered: number; total: number }) => (c.total === 0 ? '–' : `${((100 * c.covered) / c.total).toFixed(1)}%`);
      ctx.emit({ runs: data, output: o.output, modules }, () =>
        [
          ...modules.map(
            (m) => `${m.module.padEnd(16)} lines ${share(m.line).padStart(6)} (${m.line.covered}/${m.line.total})  toggles ${share(m.toggle).padStart(6)} (${m.toggle.covered}/${m.toggle.total})`,
          ),
          `wrote ${o.output}`,
        ].join('\n'),
      );
    });
};
