// Writes trace records to a file in the text form of docs/trace-port.md,
// buffered so that tracing millions of instructions stays cheap.
import { closeSync, openSync, writeSync } from 'node:fs';
import { CaxError } from '../errors.js';
import { MAX_TRACE_LINE_BYTES, encodeTraceRecord, type TraceSink } from './record.js';

const BUFFER_BYTES = 1 << 16;

export interface TraceFile {
  readonly sink: TraceSink;
  /** Records written so far. */
  count(): number;
  close(): void;
}

export function openTraceFile(path: string): TraceFile {
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (e) {
    throw new CaxError('E_IO', `cannot write the trace file ${path}: ${(e as Error).message}`, { cause: e });
  }
  const buffer = new Uint8Array(BUFFER_BYTES);
  let used = 0;
  let records = 0;
  const flush = (): void => {
    if (used > 0) writeSync(fd, buffer, 0, used);
    used = 0;
  };
  return {
    sink: (record) => {
      if (used + MAX_TRACE_LINE_BYTES > BUFFER_BYTES) flush();
      used = encodeTraceRecord(record, buffer, used);
      records++;
    },
    count: () => records,
    close: () => {
      flush();
      closeSync(fd);
    },
  };
}
