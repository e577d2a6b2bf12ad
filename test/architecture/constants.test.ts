// Constants that TypeScript, C, Verilog, circom, linker scripts and make
// share (issue 15 item 5): the memory map, the device registers, the value
// layout, the runtime's error numbers, the protocol's message
// types and error codes, RAM sizes and the stack. Each is read from every
// source that states it, and the test fails when any two disagree. A new
// shared constant is one more row in the tables below.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { ERR, PROGRAM_BASE, STACK_BYTES, TAG } from '../../host/compiler/layout.js';
import { DEVICE_ERROR, PROTOCOL_VERSION, TYPE } from '../../host/protocol/messages.js';
import { BOARD_RAM_BYTES, DEFAULT_RAM_BYTES } from '../../host/riscv/iss.js';
import { EXIT_ADDR, MTIME_BASE, RAM_BASE, RAM_SIZE_ADDR, TRACE_EN_ADDR, UART_BASE } from '../../host/riscv/machine.js';
import { PROOF_RAM_BYTES } from '../../host/proof/access.js';

const read = (path: string): string => readFileSync(path, 'utf8');
const num = (text: string): number => (/^0x/i.test(text) ? parseInt(text, 16) : Number(text.replace(/u$/i, '')));

/** The value of a C `#define NAME value` or enum entry `NAME = value`. */
function c(path: string, name: string): number {
  const m = new RegExp(`(?:#define\\s+${name}\\s+\\(?|\\b${name}\\s*=\\s*)(0x[0-9a-f]+|\\d+)u?`, 'i').exec(read(path));
  if (!m) throw new Error(`${name} not in ${path}`);
  return num(m[1]!);
}

/** The address of a C register macro `#define NAME REG(0x…)`. */
function cRegister(path: string, name: string): number {
  const m = new RegExp(`#define\\s+${name}\\s+REG\\((0x[0-9a-f]+)u?\\)`, 'i').exec(read(path));
  if (!m) throw new Error(`${name} not in ${path}`);
  return num(m[1]!);
}

/** The base address a Verilog select decodes: `wire NAME = bus_addr[31:LOW] == W'hX` is X << LOW. */
function verilogSelect(path: string, name: string): number {
  const m = new RegExp(`wire\\s+${name}\\s*=\\s*bus_addr\\[31:(\\d+)\\]\\s*==\\s*\\d+'h([0-9a-f_]+)`, 'i').exec(read(path));
  if (!m) throw new Error(`${name} not in ${path}`);
  return Number(BigInt(`0x${m[2]!.replace(/_/g, '')}`) << BigInt(m[1]!));
}

/** A Verilog `parameter`/`localparam` value (decimal or W'h…). */
function verilogParam(path: string, name: string): number {
  const m = new RegExp(`(?:parameter|localparam)\\s*(?:\\[[^\\]]*\\]\\s*)?${name}\\s*=\\s*(?:\\d+'h([0-9a-f_]+)|(\\d+))`, 'i').exec(read(path));
  if (!m) throw new Error(`${name} not in ${path}`);
  return m[1] !== undefined ? parseInt(m[1].replace(/_/g, ''), 16) : Number(m[2]);
}

/** A make variable `NAME := value`. */
function make(path: string, name: string): number {
  const m = new RegExp(`^${name}\\s*:=\\s*(\\d+)`, 'm').exec(read(path));
  if (!m) throw new Error(`${name} not in ${path}`);
  return Number(m[1]);
}

/** A linker script's `ORIGIN = 0x…` of memory region NAME. */
function origin(path: string, region: string): number {
  const m = new RegExp(`${region}\\s*\\([a-z]+\\)\\s*:\\s*ORIGIN\\s*=\\s*(0x[0-9a-f]+)`, 'i').exec(read(path));
  if (!m) throw new Error(`${region} not in ${path}`);
  return num(m[1]!);
}

/** A linker script's `LENGTH = nK` of memory region NAME, in bytes. */
function length(path: string, region: string): number {
  const m = new RegExp(`${region}\\s*\\([a-z]+\\)\\s*:\\s*ORIGIN\\s*=\\s*0x[0-9a-f]+\\s*,\\s*LENGTH\\s*=\\s*(\\d+)K`, 'i').exec(read(path));
  if (!m) throw new Error(`${region} not in ${path}`);
  return Number(m[1]) * 1024;
}

/** A circom `function NAME() { return V; }`. */
function circom(path: string, name: string): number {
  const m = new RegExp(`function\\s+${name}\\(\\)\\s*\\{\\s*return\\s+(0x[0-9a-f]+|\\d+);`, 'i').exec(read(path));
  if (!m) throw new Error(`${name} not in ${path}`);
  return num(m[1]!);
}

const SOC = 'rtl/soc/cax_soc.v';
const PLATFORM = 'firmware/soc/platform.c';

describe('constants shared across languages', () => {
  const shared: [string, number, number[]][] = [
    ['RAM base', RAM_BASE, [c('firmware/platform.h', 'RAM_BASE'), verilogParam(SOC, 'RAM_BASE'), c('sim/main.cpp', 'RAM_BASE'), circom('circuits/rv32im.circom', 'RAM_BASE')]],
    [
      'program base',
      PROGRAM_BASE,
      [
        c('firmware/platform.h', 'PROGRAM_BASE'),
        origin('firmware/tel-runtime/runtime.ld', 'PROGRAM'),
        origin('firmware/programs/program.ld', 'PROGRAM'),
        num(/li t1, (0x[0-9a-f]+)/.exec(read('firmware/tel-runtime/entry.S'))![1]!),
      ],
    ],
    ['UART', UART_BASE, [cRegister(PLATFORM, 'UART_TXDATA'), verilogSelect(SOC, 'sel_uart')]],
    ['MTIME', MTIME_BASE, [cRegister(PLATFORM, 'MTIME_LO'), verilogSelect(SOC, 'sel_mtime')]],
    ['EXIT', EXIT_ADDR, [verilogSelect(SOC, 'sel_control'), circom('circuits/rv32im.circom', 'EXIT_ADDR')]],
    ['TRACE_EN', TRACE_EN_ADDR, [verilogSelect(SOC, 'sel_control') + 4]],
    ['RAM_SIZE', RAM_SIZE_ADDR, [cRegister(PLATFORM, 'RAM_SIZE'), verilogSelect(SOC, 'sel_ramsize')]],
    ['simulated RAM', DEFAULT_RAM_BYTES, [make('mk/rtl.mk', 'SIM_RAM_BYTES')]],
    [
      'board RAM',
      BOARD_RAM_BYTES,
      [
        verilogParam('rtl/board/icebreaker_top.v', 'RAM_BYTES'),
        verilogParam(SOC, 'RAM_BYTES'),
        PROOF_RAM_BYTES,
        length('firmware/tel-runtime/prove.ld', 'RAM'),
        c('firmware/native/platform.c', 'RAM_BYTES'),
      ],
    ],
    ['smallest TEL stack', STACK_BYTES, [make('mk/compiler.mk', 'TELRT_STACK')]],
    ['protocol version', PROTOCOL_VERSION, [c('firmware/proto.c', 'PROTO_VERSION')]],
  ];
  it.each(shared)('%s: %d everywhere', (_name, value, others) => {
    expect(others).toEqual(others.map(() => value));
  });

  it('value tags and runtime error codes: host/compiler/layout.ts = firmware/tel-runtime/tel.h', () => {
    const tel = 'firmware/tel-runtime/tel.h';
    for (const [name, value] of Object.entries(TAG)) expect([name, c(tel, `T_${name}`)]).toEqual([name, value]);
    for (const [name, value] of Object.entries(ERR)) if (name !== 'CYCLE') expect([name, c(tel, `ERR_${name}`)]).toEqual([name, value]);
    expect(read(tel)).not.toMatch(/ERR_CYCLE\b/); // compiled code's own stub code, not the runtime's
  });

  it('message types and device error codes: host/protocol/messages.ts = firmware/proto.c', () => {
    for (const [name, value] of Object.entries(TYPE)) expect([name, c('firmware/proto.c', `T_${name.toUpperCase()}`)]).toEqual([name, value]);
    const firmwareName: Record<string, string> = {
      'bad-frame': 'FRAME',
      'bad-message': 'MESSAGE',
      'unknown-type': 'TYPE',
      'bad-address': 'ADDRESS',
      'bad-state': 'STATE',
      'hash-mismatch': 'HASH',
      version: 'VERSION',
      unsupported: 'UNSUPPORTED',
      overrun: 'OVERRUN',
      'firmware-trap': 'PANIC',
    };
    for (const [code, name] of Object.entries(DEVICE_ERROR)) expect([name, c('firmware/proto.c', `ERR_${firmwareName[name]!}`)]).toEqual([name, Number(code)]);
  });

  it('the instruction kinds of the step circuit, in order: circuits/rv32im.circom = host/proof/statement.ts', () => {
    // A kind of the circuit covers the instructions told apart by funct3 bit 0 alone (its comment names the pairs),
    // an ALU operation with its I form (opcode bit 5), and the CSR kind every CSR instruction (the verifier's replay
    // tells them apart).
    const PAIRS: Readonly<Record<string, readonly string[]>> = {
      ADD: ['add', 'addi'],
      SLT: ['slt', 'slti'],
      SLTU: ['sltu', 'sltiu'],
      XOR: ['xor', 'xori'],
      OR: ['or', 'ori'],
      AND: ['and', 'andi'],
      SLL: ['sll', 'slli'],
      SRL: ['srl', 'srli'],
      SRA: ['sra', 'srai'],
      BEQNE: ['beq', 'bne'],
      BLTGE: ['blt', 'bge'],
      BLTGEU: ['bltu', 'bgeu'],
      DIVQ: ['div', 'divu'],
      DIVR: ['rem', 'remu'],
      FENCE: ['fence', 'fence.i'],
      CSR: ['csrrw', 'csrrs', 'csrrc', 'csrrwi', 'csrrsi', 'csrrci'],
      SYS: ['mret', 'wfi'],
    };
    const kinds = [...read('circuits/rv32im.circom').matchAll(/function ([A-Z]+)\(\) \{ return (\d+); \}/g)]
      .filter(([, name]) => !['KINDS', 'RAM_BASE', 'EXIT_ADDR'].includes(name!))
      .sort((a, b) => Number(a[2]) - Number(b[2]))
      .map(([, name]) => name!);
    const supported = /const SUPPORTED = new Set\(\[([\s\S]*?)\]\)/
      .exec(read('host/proof/statement.ts'))![1]!
      .match(/'([a-z.]+)'/g)!
      .map((s) => s.slice(1, -1));
    expect(kinds.flatMap((name) => PAIRS[name] ?? [name.toLowerCase()])).toEqual(supported);
    expect(circom('circuits/rv32im.circom', 'KINDS')).toBe(kinds.length);
  });
});
