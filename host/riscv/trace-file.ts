// Writes trace records to a file in the text form of docs/trace-port.md,
// buffered so that tracing millions of instructions stays cheap.
import { closeSync, openSync, writeSync } from 'node:fs';
import { CaxError } from '../errors.js';
import { formatTraceRecord, type TraceSink } from './trace.js';

const FLUSH_AT = 1 << 16;

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
  let buffer: string[] = [];
  let pending = 0;
  let records = 0;
  const flush = (): void => {
    if (buffer.length > 0) writeSync(fd, buffer.join(''));
    buffer = [];
    pending = 0;
  };
  return {
    sink: (record) => {
      const line = `${formatTraceRecord(record)}\n`;
      buffer.push(line);
      records++;
      pending += line.length;
      if (pending >= FLUSH_AT) flush();
    },
    count: () => records,
    close: () => {
      flush();
      closeSync(fd);
    },
  };
}
