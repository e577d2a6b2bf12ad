// `cax iss gdb`: the real gdb-multiarch in batch mode against the server on
// loopback (breakpoints, registers, memory, watchpoints, reverse-step across a
// trap and back, reverse-continue), the built CLI serving a session, and
// malformed packets answered without ending the session; the packet reader
// fuzzed.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import fc from 'fast-check';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GdbTarget, answerPacket, hex32, type RspTarget } from '../../host/debug/gdb.js';
import { runGdb, withGdbServer } from './gdb-batch.js';
import { TRACE_CSRS } from '../../host/debug/trace-csrs.js';
import { TraceTarget } from '../../host/debug/trace-target.js';
import { runCli } from '../../host/cli/program.js';
import type { CliIO } from '../../host/cli/io.js';
import { DEFAULT_RAM_BYTES } from '../../host/riscv/iss.js';
import { parseTraceLine } from '../../host/trace/record.js';
import { quietRecord } from '../helpers/trace-records.js';
import { RspReader, rspChecksum, rspFrame } from '../../host/debug/rsp.js';

let dir = '';
let elf = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cax-gdb-'));
  elf = join(dir, 'trap.elf');
  const cc = spawnSync(
    'riscv64-unknown-elf-gcc',
    ['-march=rv32im_zicsr', '-mabi=ilp32', '-nostdlib', '-nostartfiles', '-static', '-g', '-Wl,--no-warn-rwx-segments', '-T', 'test/riscv/programs/link.ld', '-o', elf, 'test/debug/trap.S'],
    { encoding: 'utf8' },
  );
  expect(cc.stderr).toBe('');
  expect(cc.status).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function gdb(port: number, commands: readonly string[]): Promise<string> {
  return runGdb(port, elf, commands);
}

function withServer(work: (port: number) => Promise<void>, makeTarget: () => RspTarget = () => new GdbTarget(new Uint8Array(readFileSync(elf)), {})): Promise<void> {
  return withGdbServer(makeTarget, work);
}

describe('gdb-multiarch against the ISS', () => {
  it('breaks, reads registers and memory, reverse-steps across a trap and back, reverse-continues', () =>
    withServer(async (port) => {
      const out = await gdb(port, [
        'break handler',
        'continue',
        'info registers a0 a1 pc',
        'x/2xw 0x80000040',
        'reverse-stepi',
        'printf "back at %#x a0=%d\\n", $pc, $a0',
        'stepi',
        'printf "forward at %#x\\n", $pc',
        'continue',
        'printf "second trap a0=%d\\n", $a0',
        'reverse-continue',
        'printf "first trap again a0=%d a1=%d\\n", $a0, $a1',
        'set var $a2 = 42',
        'set {int}&counter = 5',
        'printf "a2=%d counter=%d\\n", $a2, *(int*)&counter',
        'delete',
        'watch *(int*)&counter',
        'continue',
        'continue',
      ]);
      expect(out).toContain('Breakpoint 1, handler ()');
      expect(out).toMatch(/a0\s+0x7\s+7\na1\s+0x1\s+1\npc\s+0x80000044\s+0x80000044 <handler>/);
      expect(out).toContain('0x80000040 <trapping+40>:\t0x0000006f\t0x341023f3');
      expect(out).toContain('back at 0x80000018 a0=7');
      expect(out).toContain('forward at 0x80000044');
      expect(out).toContain('second trap a0=108');
      expect(out).toContain('first trap again a0=7 a1=1');
      expect(out).toContain('a2=42 counter=5');
      expect(out).toMatch(/Old value = 5\nNew value = 310/);
      expect(out).toContain('exited normally');
    }));
  it('serves the machine CSRs: mcause, mepc and mstatus at a trap, after its mret and back; a CSR written is kept across a replay', () =>
    withServer(async (port) => {
      const out = await gdb(port, [
        'break handler',
        'continue',
        'printf "mcause=%d mepc=%#x mtvec=%#x mstatus=%#x mscratch=%#x\\n", $mcause, $mepc, $mtvec, $mstatus, $mscratch',
        'printf "minstret=%d misa=%#x\\n", $minstret, $misa',
        'tbreak *0x8000001c',
        'continue',
        'printf "after mret pc=%#x mstatus=%#x mepc=%#x\\n", $pc, $mstatus, $mepc',
        'reverse-stepi',
        'printf "before mret mstatus=%#x\\n", $mstatus',
        'set var $mscratch = 0x1234',
        'reverse-stepi',
        'stepi',
        'printf "mscratch=%#x\\n", $mscratch',
        'info registers mcause',
      ]);
      expect(out).toContain('mcause=11 mepc=0x80000018 mtvec=0x80000044 mstatus=0x1800 mscratch=0');
      // la (2), csrw, li, li, addi, ecall, then the trap: 6 instructions retired
      expect(out).toContain('minstret=6 misa=0x40001100');
      expect(out).toContain('after mret pc=0x8000001c mstatus=0x1880 mepc=0x8000001c');
      expect(out).toContain('before mret mstatus=0x1800');
      expect(out).toContain('mscratch=0x1234');
      expect(out).toMatch(/mcause\s+0xb\s+11/);
    }));
});

describe('gdb-multiarch against a recorded simulation trace (cax sim gdb)', () => {
  /** The program run on the Verilator simulation with its retirement trace recorded. */
  const simTrace = async () => {
    const path = join(dir, 'sim.trace');
    let err = '';
    const io: CliIO = { out: () => undefined, err: (t) => (err += t), interactive: false, cwd: dir, env: {} };
    expect(await runCli(['sim', 'run', elf, '--trace', path], io)).toBe(0);
    expect(err).toBe('');
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l, i) => parseTraceLine(l, { file: path, line: i + 1 }));
  };

  it('breaks, reads registers and memory, reverse-steps and reverse-continues through the history; writes are refused', async () => {
    const records = await simTrace();
    const program = new Uint8Array(readFileSync(elf));
    // the recorded history is the ISS's, position by position (registers and pc)
    const trace = new TraceTarget(program, records, DEFAULT_RAM_BYTES);
    const iss = new GdbTarget(program, {});
    for (let i = 0; i < records.length; i++) {
      expect(await answerPacket(trace, 'g')).toBe(await answerPacket(iss, 'g'));
      await answerPacket(trace, 's');
      await answerPacket(iss, 's');
      // mstatus followed through the traps and mrets as the ISS has it
      const mstatus = (65 + 0x300).toString(16);
      expect(await answerPacket(trace, `p${mstatus}`)).toBe(await answerPacket(iss, `p${mstatus}`));
    }
    await withServer(
      async (port) => {
        const out = await gdb(port, [
          'break handler',
          'continue',
          'info registers a0 a1 pc',
          'printf "mcause=%d mepc=%#x mtvec=%#x\\n", $mcause, $mepc, $mtvec',
          'printf "mstatus=%#x\\n", $mstatus',
          'p $minstret',
          'reverse-stepi',
          'printf "back at %#x a0=%d\\n", $pc, $a0',
          'stepi',
          'continue',
          'printf "second trap a0=%d\\n", $a0',
          'reverse-continue',
          'printf "first trap again a0=%d a1=%d\\n", $a0, $a1',
          'set var $a2 = 42',
          'delete',
          'watch *(int*)&counter',
          'continue',
          'continue',
          'reverse-continue',
        ]);
        expect(out).toMatch(/a0\s+0x7\s+7\na1\s+0x1\s+1\npc\s+0x80000044\s+0x80000044 <handler>/);
        // the trap's CSRs from its record, mtvec from the csrw of the handler's address; minstret was never read
        expect(out).toContain('mcause=11 mepc=0x80000018 mtvec=0x80000044');
        expect(out).toContain('mstatus=0x1800');
        expect(out).toContain('$1 = <unavailable>');
        expect(out).toContain('back at 0x80000018 a0=7');
        expect(out).toContain('second trap a0=108');
        expect(out).toContain('first trap again a0=7 a1=1');
        expect(out).toContain('Could not write register "a2"');
        expect(out).toMatch(/Old value = 0\nNew value = 310/);
        expect(out).toContain('No more reverse-execution history');
      },
      () => new TraceTarget(program, records, DEFAULT_RAM_BYTES),
    );
  });
});

describe('cax sim gdb: memory and CSRs from the records', () => {
  const record = quietRecord;
  const csr = (funct3: number, number: number, rd: number, rs1: number): number => ((number << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | 0x73) >>> 0;
  const RECORDS = [
    // a load outside the ELF shows what was there from the start; the store then overwrites it
    record({ insn: 0x00052503, rd: 10, rdValue: 0xdeadbeef, memAddr: 0x80020000, memData: 0xdeadbeef, memMask: 0xf }),
    record({ insn: 0x00b52023, memAddr: 0x80020000, memData: 0x11223344, memMask: 0xf, memWrite: true }),
    record({ insn: csr(1, 0x340, 0, 10) }), // csrw mscratch, a0
    record({ insn: csr(3, 0x340, 11, 0), rd: 11, rdValue: 0xdeadbeef }), // csrr a1, mscratch
    record({ insn: csr(3, 0x340, 0, 5) }), // csrs mscratch, t0 (t0 = 0): a read
    record({ insn: csr(2, 0xb02, 12, 0), rd: 12, rdValue: 1000 }), // csrr a2, minstret
    record({ insn: csr(7, 0x340, 0, 0xf) }), // csrci mscratch, 15
    record({ trap: true, cause: 11, pc: 0x80000018 }),
    record({}),
  ];
  const reg = (name: string): string => (0x41 + TRACE_CSRS[name]!).toString(16);

  it('a load fills in the initial memory; CSRs follow the records, unknown ones are unavailable', async () => {
    const t = new TraceTarget(new Uint8Array(readFileSync(elf)), RECORDS, DEFAULT_RAM_BYTES);
    const at = async (packet: string): Promise<string | undefined> => answerPacket(t, packet);
    expect(await at('m80020000,4')).toBe('efbeadde');
    expect(await at(`p${reg('mscratch')}`)).toBe('xxxxxxxx');
    await at('s');
    await at('s');
    expect(await at('m80020000,4')).toBe('44332211');
    await at('bs');
    expect(await at('m80020000,4')).toBe('efbeadde');
    for (let i = 0; i < 3; i++) await at('s');
    // before the read of minstret (position 4): not known yet
    expect(await at(`p${reg('minstret')}`)).toBe('xxxxxxxx');
    await at('s');
    expect(await at(`p${reg('mscratch')}`)).toBe('efbeadde');
    expect(await at(`p${reg('minstret')}`)).toBe(hex32(1000));
    await at('s');
    await at('s');
    expect(await at(`p${reg('mscratch')}`)).toBe(hex32(0xdeadbee0));
    expect(await at(`p${reg('minstret')}`)).toBe(hex32(1002));
    expect(await at(`p${reg('mcause')}`)).toBe('xxxxxxxx');
    await at('s');
    // the trap does not retire: minstret stays
    expect([await at(`p${reg('mcause')}`), await at(`p${reg('mepc')}`), await at(`p${reg('minstret')}`), await at(`p${reg('mcycle')}`)]).toEqual([
      hex32(11),
      hex32(0x80000018),
      hex32(1002),
      'xxxxxxxx',
    ]);
    await at('bs');
    expect(await at(`p${reg('mcause')}`)).toBe('xxxxxxxx');
    expect(await at('qXfer:features:read:target.xml:0,3fff')).toContain('<reg name="mcause" bitsize="32" type="int" regnum="899" group="system"/>');
  });
});

describe('cax sim gdb: bad input', () => {
  it('a trace that is empty or not a trace is refused before anything listens', async () => {
    writeFileSync(join(dir, 'empty.trace'), '');
    writeFileSync(join(dir, 'bad.trace'), '80000000 297 5\n');
    for (const [trace, code] of [
      ['empty.trace', 'E_TRACE'],
      ['bad.trace', 'E_TRACE'],
      ['missing.trace', 'E_USAGE'],
    ] as const) {
      let out = '';
      const io: CliIO = { out: (t) => (out += t), err: () => undefined, interactive: false, cwd: dir, env: {} };
      expect(await runCli(['--json', 'sim', 'gdb', trace, '--elf', elf, '--port', '0'], io)).toBe(code === 'E_USAGE' ? 2 : 1);
      expect(JSON.parse(out)).toMatchObject({ error: { code } });
    }
  });
});

describe('reverse execution by replay', () => {
  it('any mix of steps, reverse steps and register writes ends where a plain replay of the same history does', () => {
    const program = new Uint8Array(readFileSync(elf));
    const op = fc.oneof(
      fc.constant('s'),
      fc.constant('bs'),
      fc.tuple(fc.integer({ min: 1, max: 31 }), fc.nat()).map(([r, v]) => `P${r.toString(16)}=${Buffer.from(Uint32Array.of(v).buffer).toString('hex')}`),
    );
    return fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        const target = new GdbTarget(program, {});
        // the model: the register writes that are still in the history, by position
        const writes: { at: number; packet: string }[] = [];
        let position = 0;
        for (const o of ops) {
          await answerPacket(target, o);
          if (o === 's') position = Math.min(position + 1, target.steps);
          else if (o === 'bs') position = Math.max(position - 1, 0);
          else writes.push({ at: position, packet: o });
        }
        expect(target.steps).toBe(position);
        const plain = new GdbTarget(program, {});
        for (let i = 0; i <= position; i++) {
          for (const w of writes.filter((x) => x.at === i)) await answerPacket(plain, w.packet);
          if (i < position) await answerPacket(plain, 's');
        }
        expect(await answerPacket(target, 'g')).toBe(await answerPacket(plain, 'g'));
      }),
      { numRuns: 40 },
    );
  });
});

/** Sends raw bytes and collects what the server answers until `until` matches. */
function raw(port: number, send: string, until: RegExp): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const socket = connect(port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => (socket.destroy(), reject(new Error(`no answer matching ${until}: ${JSON.stringify(got)}`))), 10_000);
    socket.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (until.test(got)) {
        clearTimeout(timer);
        socket.end();
        resolvePromise(got);
      }
    });
    socket.on('error', reject);
    socket.write(send);
  });
}

describe('malformed packets', () => {
  it('are answered with an error packet or a nack, and the session goes on', () =>
    withServer(async (port) => {
      const packets = ['m zz', 'mzz,4', 'm10000000,4', 'P99=00000000', 'Gabc', 'Z2,80000000', 'x', 'bz'].map(rspFrame).join('');
      const got = await raw(port, `${packets}$g#00${rspFrame('p20')}`, /\$00000080#..$/);
      const replies = [...got.matchAll(/\$([^#]*)#/g)].map((m) => m[1]);
      expect(replies).toEqual(['E01', 'E01', 'E01', 'E01', 'E01', 'E01', '', '', '00000080']);
      expect(got).toContain('-');
    }));

  it('the reader survives any bytes and frames every well-formed packet', () => {
    fc.assert(
      fc.property(fc.string(), fc.array(fc.string({ maxLength: 30 })), fc.integer({ min: 1, max: 7 }), (noise, bodies, chunk) => {
        const stream = noise.replace(/[$]/g, '') + bodies.map(rspFrame).join('');
        const reader = new RspReader();
        const events = [];
        for (let i = 0; i < stream.length; i += chunk) events.push(...reader.feed(stream.slice(i, i + chunk)));
        const packets = events.filter((e) => e.kind === 'packet').map((e) => (e as { data: string }).data);
        expect(packets).toEqual(bodies.map((b) => rspFrame(b).slice(1, -3)));
      }),
    );
    expect(new RspReader().feed(`$g#${rspChecksum('h')}`)).toEqual([{ kind: 'bad', reason: `checksum ${rspChecksum('h')} does not match 67` }]);
  });
});

describe('cax iss gdb', () => {
  it('the built CLI serves one session on the port it prints', async () => {
    const child = spawn(process.execPath, [resolve('dist/host/cli/main.js'), 'iss', 'gdb', elf, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let printed = '';
    const closed = new Promise<number | null>((r) => child.on('close', r));
    try {
      const port = await new Promise<number>((resolvePromise, reject) => {
        const timer = setTimeout(() => reject(new Error(`the server printed no port: ${printed}`)), 20_000);
        const read = (d: Buffer): void => {
          printed += d.toString();
          const m = /127\.0\.0\.1:(\d+)/.exec(printed);
          if (m) {
            clearTimeout(timer);
            resolvePromise(Number(m[1]));
          }
        };
        child.stdout.on('data', read);
        child.stderr.on('data', read);
      });
      const out = await gdb(port, ['break trapping', 'continue', 'printf "pc=%#x a1=%d\\n", $pc, $a1', 'kill']);
      expect(out).toContain('pc=0x80000018 a1=1');
      expect(await closed).toBe(0);
    } finally {
      child.kill();
    }
  });
});
