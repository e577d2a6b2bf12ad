// Retirement records (docs/trace-port.md): any one, for property tests of the
// trace's forms and readers, and a quiet one for hand-written traces.
import fc from 'fast-check';
import type { TraceRecord } from '../../host/trace/record.js';

const u32 = fc.integer({ min: 0, max: 0xffffffff });

export const traceRecord: fc.Arbitrary<TraceRecord> = fc.record({
  pc: u32,
  insn: u32,
  rd: fc.integer({ min: 0, max: 31 }),
  rdValue: u32,
  memAddr: u32,
  memData: u32,
  memMask: fc.integer({ min: 0, max: 15 }),
  memWrite: fc.boolean(),
  trap: fc.boolean(),
  cause: u32,
  tval: u32,
});

/** One retirement record with no memory access and no trap (a nop at the RAM base unless `fields` say otherwise), for hand-written traces. */
export function quietRecord(fields: Partial<TraceRecord>): TraceRecord {
  return { pc: 0x80000000, insn: 0x13, rd: 0, rdValue: 0, memAddr: 0, memData: 0, memMask: 0, memWrite: false, trap: false, cause: 0, tval: 0, ...fields };
}
