// From a trace to what the chunk proofs state (docs/proofs.md): the states
// between chunks (pc and registers, replayed from the trace's register
// writes), and each chunk's circuit input: the public state and the trace
// records as private inputs, padded after the end. Also the prover's early
// memory check, the verifier's replay run on the trace.
import { CaxError, unsupported } from '../errors.js';
import { decode } from '../riscv/decode.js';
import { EXIT_ADDR, RAM_BASE } from '../riscv/machine.js';
import type { TraceRecord } from '../trace/record.js';
import { ACCESS_CSR, ACCESS_ECALL, ACCESS_SYSTEM, accessesOf, isEcallRecord, replayMemory, type HostWrite } from './access.js';
import type { CircuitSize } from './circuit.js';

/** The machine state between two chunks. */
export interface State {
  readonly pc: number;
  /** x0 … x31, unsigned. */
  readonly regs: readonly number[];
}

export const RESET_STATE: State = { pc: RAM_BASE, regs: new Array<number>(32).fill(0) };

/** Circuit input of one chunk (decimal strings, as snarkjs takes them). */
export type ChunkInput = Record<string, string | string[]>;

export interface Statement {
  /** states[k] is the state before chunk k; states[chunks] the final one. */
  readonly states: readonly State[];
  readonly inputs: readonly ChunkInput[];
  /** The value stored to EXIT by the last instruction. */
  readonly exitValue: number;
  readonly steps: number;
}

const SUPPORTED = new Set([
  'lui',
  'auipc',
  'jal',
  'jalr',
  'beq',
  'bne',
  'blt',
  'bge',
  'bltu',
  'bgeu',
  'lb',
  'lh',
  'lw',
  'lbu',
  'lhu',
  'sb',
  'sh',
  'sw',
  'add',
  'addi',
  'slt',
  'slti',
  'sltu',
  'sltiu',
  'xor',
  'xori',
  'or',
  'ori',
  'and',
  'andi',
  'sll',
  'slli',
  'srl',
  'srli',
  'sra',
  'srai',
  'sub',
  'mul',
  'mulh',
  'mulhsu',
  'mulhu',
  'div',
  'divu',
  'rem',
  'remu',
  'fence',
  'fence.i',
  'ecall',
  'csrrw',
  'csrrs',
  'csrrc',
  'csrrwi',
  'csrrsi',
  'csrrci',
  'mret',
  'wfi',
]);

function where(i: number): string {
  return `trace record ${i}`;
}

/**
 * Checks what the circuit cannot express (an instruction it has not, a run that does not end with a word store to
 * EXIT) and splits the trace into chunk inputs. It does not check memory (checkMemory does, and the verifier).
 */
export function buildStatement(trace: readonly TraceRecord[], size: CircuitSize): Statement {
  if (trace.length === 0) throw new CaxError('E_TRACE', 'the trace is empty');
  // (a trap is a system step, whatever the instruction: the verifier executes it)
  trace.forEach((r, i) => {
    const op = decode(r.insn).op;
    if (!r.trap && !SUPPORTED.has(op)) throw unsupported(`${where(i)}: the instruction ${op} in a proof`);
  });
  const last = trace[trace.length - 1]!;
  if (!(last.memWrite && last.memAddr === EXIT_ADDR && last.memMask === 0xf && (last.memData & 1) === 1)) {
    throw new CaxError('E_TRACE', "the trace does not end with the program's end (an odd word stored to EXIT)");
  }
  const accesses = accessesOf(trace);
  const states: State[] = [RESET_STATE];
  const inputs: ChunkInput[] = [];
  let regs = [...RESET_STATE.regs];
  for (let start = 0; start < trace.length; start += size.steps) {
    const chunk = trace.slice(start, start + size.steps);
    const before = states[states.length - 1]!;
    const next = start + size.steps < trace.length ? trace[start + size.steps]!.pc : nextPcAfterExit(chunk[chunk.length - 1]!);
    // padding steps keep the pc after the last step (their tPc), and hold 0 elsewhere
    const field = (f: (r: TraceRecord, i: number) => number, padding = 0): string[] =>
      Array.from({ length: size.steps }, (_, i) => String(i < chunk.length ? f(chunk[i]!, start + i) >>> 0 : padding >>> 0));
    // a step whose access word is no memory access (CSR, system, ecall) takes its data and address fields from it
    const fromAccess = (i: number): boolean => [ACCESS_ECALL, ACCESS_CSR, ACCESS_SYSTEM].includes(accesses[i]!.kind);
    inputs.push({
      pcIn: String(before.pc >>> 0),
      regsIn: before.regs.map((v) => String(v >>> 0)),
      pad: Array.from({ length: size.steps }, (_, i) => (i < chunk.length ? '0' : '1')),
      tPc: field((r) => r.pc, next),
      tInsn: field((r) => r.insn),
      tRd: field((r) => r.rd),
      tRdValue: field((r) => r.rdValue),
      tMemAddr: field((r, i) => (fromAccess(i) ? accesses[i]!.addr : r.memAddr)),
      tMemData: field((r, i) => (fromAccess(i) ? accesses[i]!.data : r.memData)),
      tMemWrite: field((r) => (r.memWrite ? 1 : 0)),
      tSys: field((_, i) => (accesses[i]!.kind === ACCESS_SYSTEM ? 1 : 0)),
    });
    for (const r of chunk) {
      if (isEcallRecord(r)) regs = [...RESET_STATE.regs];
      else if (r.rd !== 0) regs[r.rd] = r.rdValue >>> 0;
    }
    regs = [...regs];
    states.push({ pc: next >>> 0, regs });
  }
  return { states, inputs, exitValue: last.memData >>> 0, steps: trace.length };
}

/**
 * The prover's early check, before any proving: the replay the verifier runs
 * on the proved access words (host/proof/access.ts), on the trace's, with the
 * host's writes at each ecall and the UART input. A trace that fetches or loads anything memory
 * does not hold is E_PROOF_REJECTED.
 */
export function checkMemory(trace: readonly TraceRecord[], image: Uint8Array, hostWrites: readonly (readonly HostWrite[])[] = [], uartInput?: Uint8Array): void {
  const replay = replayMemory(image, accessesOf(trace), hostWrites, uartInput);
  if (!replay.ok) throw new CaxError('E_PROOF_REJECTED', `${where(replay.firstBad!)}: ${replay.reason!}`, { details: { record: replay.firstBad } });
}

/** The pc after the final store (the circuit's pcOut): the next instruction. */
function nextPcAfterExit(r: TraceRecord): number {
  return (r.pc + 4) >>> 0;
}
