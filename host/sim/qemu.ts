// qemu-riscv32 (Linux user mode) as the reference for the differential
// tests: runs an ISA-test ELF (test/isa/env.S writes its signature to stdout
// and exits with the failure code), and single-steps it with a register
// dump before every instruction to locate where the core and qemu part.
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { CaxError } from '../errors.js';

export const QEMU = 'qemu-riscv32';

export interface QemuRun {
  readonly status: number;
  readonly stdout: Uint8Array;
}

function runProcess(command: string, args: readonly string[], timeoutMs: number): Promise<QemuRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new CaxError('E_SIM', `cannot start ${command}: ${e.message}`));
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      if (status === null) reject(new CaxError('E_SIM', `${command} ${args.join(' ')} ended by ${signal}: ${Buffer.concat(err).toString().trim()}`));
      else resolvePromise({ status, stdout: new Uint8Array(Buffer.concat(out)) });
    });
  });
}

/** Runs the ELF under qemu: its exit status and what it wrote to stdout. */
export function runQemu(elf: string, timeoutMs = 20_000): Promise<QemuRun> {
  return runProcess(QEMU, [elf], timeoutMs);
}

/** The architectural state qemu logs before executing the instruction at `pc`. */
export interface QemuStep {
  readonly pc: number;
  readonly regs: readonly number[];
}

/** Parses a `-d cpu` log: blocks of ` pc XXXXXXXX` followed by `xN/name VALUE` pairs. */
export function parseQemuCpuLog(text: string): QemuStep[] {
  const steps: QemuStep[] = [];
  let current: { pc: number; regs: number[] } | undefined;
  for (const line of text.split('\n')) {
    const pc = /^\s*pc\s+([0-9a-f]+)\s*$/.exec(line);
    if (pc) {
      if (current) steps.push(current);
      current = { pc: parseInt(pc[1]!, 16), regs: new Array<number>(32).fill(0) };
      continue;
    }
    if (!current) continue;
    for (const m of line.matchAll(/x(\d+)\/\w+\s+([0-9a-f]{8})/g)) current.regs[Number(m[1])] = parseInt(m[2]!, 16);
  }
  if (current) steps.push(current);
  return steps;
}

/** Single-steps the ELF under qemu and returns the state before every instruction. */
export async function qemuSteps(elf: string, logFile: string, timeoutMs = 60_000): Promise<QemuStep[]> {
  try {
    await runProcess(QEMU, ['-singlestep', '-d', 'cpu,nochain', '-D', logFile, elf], timeoutMs);
    return parseQemuCpuLog(await readFile(logFile, 'utf8'));
  } finally {
    await rm(logFile, { force: true });
  }
}
