// Waveforms for GTKWave: `cax sim run --vcd` writes a save file next to the
// VCD whose groups name signals the dump really has; `--fst` writes the same
// signals as FST (read back with fst2vcd) with its own save file; GTKWave
// itself (under Xvfb) opens the save file and shows the grouped signals.
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../host/cli/program.js';
import { readVcdHeader, vcdSignals, WAVEFORM_GROUPS } from '../../host/sim/waveforms.js';
import { captureIO } from '../helpers/cli-io.js';

/** The signals a save file shows, with their group titles, in order. */
function saved(gtkw: string): { groups: string[]; signals: string[] } {
  const lines = gtkw.split('\n');
  const groups: string[] = [];
  const signals: string[] = [];
  lines.forEach((l, i) => {
    if (l === '@800200') groups.push(lines[i + 1]!.slice(1));
    if ((l === '@22' || l === '@28') && lines[i + 1]) signals.push(lines[i + 1]!);
  });
  return { groups, signals };
}

describe('waveforms', () => {
  it('writes a GTKWave save file with the VCD and FST waves, GTKWave opens it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cax-waves-'));
    try {
      const io = captureIO({ cwd: dir });
      expect(await runCli(['sim', 'run', join(process.cwd(), 'build/rtl/hello.elf'), '--vcd', 'hello.vcd', '--fst', 'hello.fst'], io)).toBe(0);
      const declared = vcdSignals(readVcdHeader(join(dir, 'hello.vcd')));
      const names = new Set(declared.map((s) => (s.width > 1 ? `${s.path}[${s.width - 1}:0]` : s.path)));
      const vcdSave = readFileSync(join(dir, 'hello.vcd.gtkw'), 'utf8');
      expect(vcdSave).toContain(`[dumpfile] "${join(dir, 'hello.vcd')}"`);
      const { groups, signals } = saved(vcdSave);
      expect(groups).toEqual(['clock and reset', 'pc', 'instruction', 'register writes', 'memory bus', 'UART', 'trace port']);
      for (const s of signals) expect(names.has(s)).toBe(true);
      // the dump (cut down to what a reader needs) still has every signal the groups name
      expect(signals).toHaveLength(WAVEFORM_GROUPS.reduce((n, g) => n + g.names.length, 0));
      expect(signals).toContain('cax_soc.cax_soc.core.pc[31:0]');
      expect(signals).toContain('cax_soc.cax_soc.uart_tx');

      // the FST holds the same signals, and its save file points at it
      execFileSync('fst2vcd', ['-o', join(dir, 'back.vcd'), join(dir, 'hello.fst')], { stdio: 'ignore' });
      expect(vcdSignals(readVcdHeader(join(dir, 'back.vcd'))).map((s) => s.path)).toEqual(declared.map((s) => s.path));
      const fstSave = readFileSync(join(dir, 'hello.fst.gtkw'), 'utf8');
      expect(fstSave).toContain(`[dumpfile] "${join(dir, 'hello.fst')}"`);
      expect(saved(fstSave)).toEqual({ groups, signals });

      // GTKWave loads the save file and shows exactly its signals
      const script = join(dir, 'list.tcl');
      writeFileSync(script, 'set out [open "shown.txt" w]\nforeach s [gtkwave::getDisplayedSignals] { puts $out $s }\nclose $out\ngtkwave::/File/Quit\n');
      execFileSync('xvfb-run', ['-a', 'gtkwave', '-S', script, join(dir, 'hello.fst.gtkw')], { cwd: dir, stdio: 'ignore', timeout: 60_000 });
      const shown = readFileSync(join(dir, 'shown.txt'), 'utf8')
        .split('\n')
        .filter((l) => l !== '');
      expect(shown.length).toBeGreaterThanOrEqual(signals.length);
      expect(shown.some((l) => l.includes('core.pc'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
