// Traces: the VCD reader agrees with the simulator's text trace and with the
// ISS on the same program; diff finds the first divergence; the readers
// reject malformed input with E_TRACE; `cax trace show|diff` in-process.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { runCli } from '../../host/cli/program.js';
import { isCaxError } from '../../host/errors.js';
import { firstDivergence, FIELDS } from '../../host/trace/diff.js';
import { loadTrace, readTextTrace } from '../../host/trace/read.js';
import { readVcdTrace } from '../../host/trace/vcd.js';
import { Iss } from '../../host/riscv/iss.js';
import { openTraceFile } from '../../host/trace/file.js';
import { formatTraceRecord, type TraceRecord } from '../../host/trace/record.js';
import { captureIO } from '../helpers/cli-io.js';
import { traceRecord } from '../helpers/trace-records.js';

const SIM = 'build/sim/cax-sim';
const PROGRAM = 'build/rtl/kernel.elf';
let dir: string;

async function collect(it: AsyncIterable<TraceRecord>): Promise<TraceRecord[]> {
  const out: TraceRecord[] = [];
  for await (const r of it) out.push(r);
  return out;
}

async function* stream(records: readonly TraceRecord[]): AsyncGenerator<TraceRecord> {
  yield* records;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cax-trace-'));
  // The run ends at the cycle limit (exit status 1): only its traces matter.
  spawnSync(SIM, [PROGRAM, '--max-cycles', '3000', '--vcd', join(dir, 'run.vcd'), '--trace', join(dir, 'run.trace')], { stdio: 'pipe' });
  // The same program on the ISS.
  const iss = new Iss();
  iss.load(readFileSync(PROGRAM));
  const file = openTraceFile(join(dir, 'iss.trace'));
  iss.setTraceSink(file.sink);
  iss.run({ maxCycles: 3000 });
  file.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('trace readers', () => {
  it('the VCD gives the same records as the simulator text trace, and the ISS agrees', async () => {
    const fromVcd = await collect(readVcdTrace(join(dir, 'run.vcd'), 4096));
    const fromText = await loadTrace(join(dir, 'run.trace'));
    expect(fromText.length).toBeGreaterThan(500);
    expect(fromVcd).toEqual(fromText);
    expect(await loadTrace(join(dir, 'run.vcd'))).toEqual(fromText);
    const iss = await loadTrace(join(dir, 'iss.trace'));
    const n = Math.min(iss.length, fromText.length);
    expect(n).toBeGreaterThan(500);
    expect((await firstDivergence(stream(iss.slice(0, n)), stream(fromText.slice(0, n)))).divergence).toBeUndefined();
  });

  it('text form round-trips any record', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(traceRecord, { maxLength: 20 }), async (records) => {
        const file = join(dir, 'rt.trace');
        writeFileSync(file, records.map((r) => `${formatTraceRecord(r)}\n`).join(''));
        expect(await collect(readTextTrace(file))).toEqual(records);
      }),
      { numRuns: 30 },
    );
  });

  it('the VCD reader fails with E_TRACE (never anything else) on random garbage after a good header', async () => {
    const good = readFileSync(join(dir, 'run.vcd'), 'latin1');
    const header = good.slice(0, good.indexOf('$enddefinitions') + '$enddefinitions $end\n'.length);
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (junk) => {
        const file = join(dir, 'junk.vcd');
        writeFileSync(file, `${header}${junk}\n`, 'latin1');
        try {
          await collect(readVcdTrace(file));
        } catch (e) {
          expect(isCaxError(e) && e.code === 'E_TRACE').toBe(true);
        }
      }),
      { numRuns: 100 },
    );
    writeFileSync(join(dir, 'nohdr.vcd'), '$version x $end\n');
    await expect(collect(readVcdTrace(join(dir, 'nohdr.vcd')))).rejects.toMatchObject({ code: 'E_TRACE' });
  });
});

describe('firstDivergence', () => {
  it('finds the changed record and field, and an early end', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(traceRecord, { minLength: 1, maxLength: 30 }), fc.nat(), fc.constantFrom(...FIELDS), async (records, k, field) => {
        const index = k % records.length;
        const changed = records.map((r, i) => {
          if (i !== index) return r;
          const v = r[field];
          return { ...r, [field]: typeof v === 'boolean' ? !v : field === 'rd' ? ((v as number) + 1) % 32 : field === 'memMask' ? ((v as number) + 1) % 16 : ((v as number) + 1) >>> 0 };
        });
        const d = (await firstDivergence(stream(records), stream(changed), 3)).divergence!;
        expect(d.index).toBe(index);
        expect(d.fields).toEqual([field]);
        expect(d.before).toEqual(records.slice(Math.max(0, index - 3), index));
        const short = (await firstDivergence(stream(records), stream(records.slice(0, index)))).divergence!;
        expect(short).toMatchObject({ index, b: undefined, fields: [] });
        expect((await firstDivergence(stream(records), stream(records))).divergence).toBeUndefined();
      }),
      { numRuns: 50 },
    );
  });
});

describe('cax trace', () => {
  it('show prints disassembled records; diff agrees on equal traces and reports the first divergence', async () => {
    const show = captureIO();
    expect(await runCli(['trace', 'show', join(dir, 'run.vcd'), '--from', '2', '--count', '3'], show)).toBe(0);
    expect(show.stdout).toHaveLength(3);
    expect(show.stdout[0]).toMatch(/^\s+2 {2}8000/);
    const same = captureIO();
    expect(await runCli(['--json', 'trace', 'diff', join(dir, 'run.vcd'), join(dir, 'run.trace')], same)).toBe(0);
    expect(JSON.parse(same.stdout[0]!)).toMatchObject({ same: true });

    const records = await loadTrace(join(dir, 'run.trace'));
    const bad = records.map((r, i) => (i === 100 ? { ...r, pc: r.pc + 4 } : r));
    writeFileSync(join(dir, 'bad.trace'), bad.map((r) => `${formatTraceRecord(r)}\n`).join(''));
    const diff = captureIO();
    expect(await runCli(['trace', 'diff', join(dir, 'run.trace'), join(dir, 'bad.trace'), '--context', '2'], diff)).toBe(1);
    expect(diff.stdout.join('\n')).toContain('first divergence at record 100: fields pc differ');
    expect(diff.stderr.join('\n')).toContain('E_TRACE_DIFFERS');
    const usage = captureIO();
    expect(await runCli(['trace', 'diff', join(dir, 'run.trace'), join(dir, 'bad.trace'), '--context', 'x'], usage)).toBe(2);
    const missing = captureIO();
    expect(await runCli(['trace', 'show', join(dir, 'nope.trace')], missing)).toBe(1);
    expect(missing.stderr.join('')).toContain('E_IO');
  });
});
