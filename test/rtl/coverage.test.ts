// RTL coverage: the coverage model writes a run's coverage data
// (`cax sim run --coverage`), `cax coverage report` merges runs and writes
// an HTML report. A program that never divides leaves the divider's branch
// uncovered; merged with one that divides, it is covered and the counts add
// up; the report renders in headless Chromium.
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileLines, readCoverage, type ModuleCoverage } from '../../host/sim/coverage.js';
import { runCaxJson } from '../helpers/cli-io.js';
import { renderInChromium } from '../helpers/chromium.js';

const MULDIV = 'rtl/core/cax_muldiv.v';
/** The line where the divider starts a division (`if (div_start) begin`). */
const DIV_START =
  readFileSync(MULDIV, 'utf8')
    .split('\n')
    .findIndex((l) => /if \(div_start\)/.test(l)) + 1;

const cax = (cwd: string, ...argv: string[]) => runCaxJson(cwd, {}, ...argv);

describe('RTL coverage', () => {
  it('shows the divider uncovered by a program that never divides, covered once merged with one that does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cax-coverage-'));
    try {
      expect((await cax(dir, 'sim', 'run', resolve('build/rtl/hello.elf'), '--coverage', 'hello.dat')).code).toBe(0);
      expect((await cax(dir, 'sim', 'run', resolve('build/isa/user/muldiv.elf'), '--coverage', 'muldiv.dat')).code).toBe(0);
      expect(DIV_START).toBeGreaterThan(0);

      const hello = readCoverage(join(dir, 'hello.dat'));
      expect(fileLines(hello.values(), MULDIV).get(DIV_START)!.least).toBe(0);
      const alone = await cax(dir, 'coverage', 'report', 'hello.dat', '-o', 'hello.html');
      expect(alone.code).toBe(0);
      const muldivAlone = (alone.json.modules as ModuleCoverage[]).find((m) => m.module === 'cax_muldiv')!;
      expect(muldivAlone.line.covered).toBeLessThan(muldivAlone.line.total);
      expect(muldivAlone.toggle.covered).toBeLessThan(muldivAlone.toggle.total);

      const both = readCoverage(join(dir, 'muldiv.dat'), readCoverage(join(dir, 'hello.dat')));
      expect(fileLines(both.values(), MULDIV).get(DIV_START)!.least).toBeGreaterThan(0);
      const divides = readCoverage(join(dir, 'muldiv.dat'));
      for (const [key, p] of both) expect(p.count).toBe((hello.get(key)?.count ?? 0) + (divides.get(key)?.count ?? 0));
      const merged = await cax(dir, 'coverage', 'report', 'hello.dat', 'muldiv.dat', '-o', 'both.html');
      const muldiv = (merged.json.modules as ModuleCoverage[]).find((m) => m.module === 'cax_muldiv')!;
      expect(muldiv.line.covered).toBe(muldiv.line.total);

      const page = renderInChromium(join(dir, 'hello.html'));
      expect(page.console).toEqual([]);
      expect(page.png.length).toBeGreaterThan(8000);
      expect(page.dom).toContain('<td>cax_muldiv</td>');
      expect(page.dom).toContain(`<tr class="miss"><td class="n">${DIV_START}</td><td class="c">0</td>`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('rejects files that are not coverage data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cax-coverage-'));
    try {
      writeFileSync(join(dir, 'bad.dat'), '# SystemC::Coverage-3\nC nonsense 3\n');
      writeFileSync(join(dir, 'text.dat'), 'hello\n');
      const bad = await cax(dir, 'coverage', 'report', 'bad.dat');
      expect(bad.code).toBe(2);
      expect(bad.json).toMatchObject({ error: { code: 'E_USAGE', span: { file: join(dir, 'bad.dat'), line: 2 } } });
      expect((await cax(dir, 'coverage', 'report', 'text.dat')).json).toMatchObject({ error: { code: 'E_USAGE', message: expect.stringContaining('not coverage data') } });
      expect((await cax(dir, 'coverage', 'report', 'missing.dat')).json).toMatchObject({ error: { code: 'E_IO' } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
