// Waveforms people open in GTKWave (docs/waveforms.md): a GTKWave save file
// next to a simulation's VCD or FST, with the useful signals grouped — clock
// and reset, pc, instruction, register writes, memory bus, UART, trace port
// — found by name in the dump's own header, and FST (GTKWave's compact
// format) converted from the VCD with `vcd2fst` of the gtkwave package.
import { execFile } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';
import { promisify } from 'node:util';
import { CaxError } from '../errors.js';
import { TRACE_PORT } from '../trace/vcd.js';

/** A signal of the dump: its dotted path (scopes and name) and its width. */
export interface DumpSignal {
  readonly path: string;
  readonly width: number;
}

/** The header must end within this many bytes (the SoC's is ~20 KB). */
const MAX_HEADER_BYTES = 4 << 20;

/**
 * The signals a VCD header declares, in order (a signal seen in several scopes once per scope). Read token by
 * token: identifier codes may contain `$`.
 */
export function vcdSignals(header: string): DumpSignal[] {
  const tokens = header.split(/\s+/).filter((t) => t !== '');
  const scopes: string[] = [];
  const out: DumpSignal[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === '$scope') scopes.push(tokens[i + 2] ?? '');
    else if (t === '$upscope') scopes.pop();
    else if (t === '$var' && i + 4 < tokens.length) {
      out.push({ path: [...scopes, tokens[i + 4]!].join('.'), width: Number(tokens[i + 2]) });
      i += 4;
    }
  }
  return out;
}

/** The header of the VCD at `file` (up to `$enddefinitions`); E_TRACE when it has none. */
export function readVcdHeader(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const chunk = Buffer.alloc(64 * 1024);
    let text = '';
    for (let n; text.length < MAX_HEADER_BYTES && (n = readSync(fd, chunk, 0, chunk.length, null)) > 0;) {
      text += chunk.toString('latin1', 0, n);
      const end = text.indexOf('$enddefinitions');
      if (end >= 0) return text.slice(0, end);
    }
  } finally {
    closeSync(fd);
  }
  throw new CaxError('E_TRACE', `${file} has no VCD header ($enddefinitions)`);
}

/**
 * The groups of the save file: a title and the signal names (last path element) it gathers, by scope. The
 * simulator dumps these signals and the trace port, and not much more (the tracing_on regions of rtl/soc/cax_soc.v
 * and rtl/core/cax_core.v).
 */
export const WAVEFORM_GROUPS: readonly { readonly title: string; readonly scope: string; readonly names: readonly string[] }[] = [
  { title: 'clock and reset', scope: 'soc', names: ['clk', 'rst'] },
  { title: 'pc', scope: 'core', names: ['pc', 'state'] },
  { title: 'instruction', scope: 'core', names: ['insn', 'illegal', 'exec_retire', 'exec_trap'] },
  { title: 'register writes', scope: 'core', names: ['exec_rd', 'exec_value'] },
  { title: 'memory bus', scope: 'soc', names: ['bus_addr', 'bus_fetch', 'bus_read', 'bus_write', 'bus_mask', 'bus_wdata', 'bus_rdata', 'bus_fault'] },
  { title: 'UART', scope: 'soc', names: ['uart_tx', 'uart_rx', 'sel_uart'] },
  {
    title: 'trace port',
    scope: 'soc',
    names: ['trace_en', ...TRACE_PORT],
  },
];

/** GTKWave trace flags: group begin and end (with a blank row), hex and binary display. */
const FLAG = { groupBegin: '@800200', groupEnd: '@1000200', hex: '@22', binary: '@28' } as const;

/**
 * A GTKWave save file for the dump at `dumpfile` declaring `signals`: each group's signals from the SoC's scope
 * (`…cax_soc`) or the core's (`…core`), in the group's order; signals the dump lacks are left out.
 */
export function gtkwSave(dumpfile: string, signals: readonly DumpSignal[]): string {
  const soc = signals.find((s) => /(^|\.)cax_soc\.cax_soc$/.test(s.path.slice(0, s.path.lastIndexOf('.'))))?.path ?? '';
  const socScope = soc.slice(0, soc.lastIndexOf('.'));
  const byPath = new Map(signals.map((s) => [s.path, s]));
  const lines = ['[*] cax: GTKWave save file (docs/waveforms.md)', `[dumpfile] "${dumpfile}"`, '[timestart] 0', '[size] 1400 900', '[pos] -1 -1', '*-12.000000 0 -1', `[treeopen] ${socScope}.`];
  for (const g of WAVEFORM_GROUPS) {
    const scope = g.scope === 'soc' ? socScope : `${socScope}.core`;
    const present = g.names.map((n) => byPath.get(`${scope}.${n}`)).filter((s) => s !== undefined);
    if (present.length === 0) continue;
    lines.push(FLAG.groupBegin, `-${g.title}`);
    for (const s of present) lines.push(s.width > 1 ? FLAG.hex : FLAG.binary, s.width > 1 ? `${s.path}[${s.width - 1}:0]` : s.path);
    lines.push(FLAG.groupEnd, `-${g.title}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Converts the VCD at `vcd` to FST at `fst` with vcd2fst (Debian package gtkwave); E_ARTEFACT when it is missing. */
export async function vcdToFst(vcd: string, fst: string): Promise<void> {
  try {
    await promisify(execFile)('vcd2fst', [vcd, fst]);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new CaxError('E_ARTEFACT', 'vcd2fst is not installed: it comes with the Debian package gtkwave (scripts/setup installs it)', { details: { missing: ['vcd2fst'] } });
    throw new CaxError('E_IO', `vcd2fst failed: ${(e as Error).message}`);
  }
}
