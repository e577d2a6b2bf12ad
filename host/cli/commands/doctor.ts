// `cax doctor`: checks that the tools cax drives are installed and says
// what is missing and how to get it (scripts/setup installs them all).
import { spawnSync } from 'node:child_process';
import { CaxError } from '../../errors.js';
import type { Register } from '../program.js';

interface Tool {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly purpose: string;
}

const TOOLS: readonly Tool[] = [
  { name: 'verilator', command: 'verilator', args: ['--version'], purpose: 'RTL simulation' },
  { name: 'riscv64-unknown-elf-gcc', command: 'riscv64-unknown-elf-gcc', args: ['--version'], purpose: 'firmware and test programs' },
  { name: 'qemu-riscv32', command: 'qemu-riscv32', args: ['--version'], purpose: 'reference emulator' },
  { name: 'yosys', command: 'yosys', args: ['-V'], purpose: 'FPGA synthesis' },
  { name: 'nextpnr-ice40', command: 'nextpnr-ice40', args: ['--version'], purpose: 'FPGA place and route' },
  { name: 'icepack', command: 'icepack', args: ['-h'], purpose: 'FPGA bitstream' },
];

export interface ToolStatus {
  readonly name: string;
  readonly purpose: string;
  readonly found: boolean;
  readonly version: string | undefined;
}

export function checkTool(tool: Tool): ToolStatus {
  const run = spawnSync(tool.command, [...tool.args], { encoding: 'utf8', timeout: 10_000 });
  const found = run.error === undefined;
  const firstLine = `${run.stdout ?? ''}${run.stderr ?? ''}`.split('\n').find((l) => l.trim() !== '');
  return { name: tool.name, purpose: tool.purpose, found, version: found ? firstLine?.trim() : undefined };
}

export const registerDoctor: Register = (program, ctx) => {
  program
    .command('doctor')
    .description('check that the tools cax drives are installed (exit 1 when one is missing)')
    .action(() => {
      const statuses = [{ name: 'node', purpose: 'the host runtime', found: true, version: process.version }, ...TOOLS.map(checkTool)];
      ctx.emit({ tools: statuses }, () => statuses.map((s) => `${s.found ? 'ok  ' : 'MISSING'} ${s.name.padEnd(24)} ${s.found ? s.version : `needed for ${s.purpose}`}`).join('\n'));
      const missing = statuses.filter((s) => !s.found).map((s) => s.name);
      if (missing.length > 0) throw new CaxError('E_MISSING_TOOL', `missing: ${missing.join(', ')}; run scripts/setup to install them`, { details: { missing } });
    });
};
