// Any retirement record (docs/trace-port.md), for property tests of the
// trace's forms and readers.
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
