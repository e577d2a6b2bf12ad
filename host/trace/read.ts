// The trace format of the proof subsystem (docs/trace.md): the text form of
// docs/trace-port.md, one retirement record a line, read as a stream; a file
// whose first non-blank character is `$` is read as a VCD instead.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { CaxError } from '../errors.js';
import { parseTraceLine, type TraceRecord } from './record.js';
import { readVcdTrace } from './vcd.js';

export type TraceKind = 'text' | 'vcd';

/** Which reader a file needs, from its first bytes. */
export async function traceKind(file: string): Promise<TraceKind> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (e) {
    throw new CaxError('E_IO', `cannot read the trace ${file}: ${(e as Error).message}`, { cause: e });
  }
  try {
    const head = Buffer.alloc(256);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return head.subarray(0, bytesRead).toString('latin1').trimStart().startsWith('$') ? 'vcd' : 'text';
  } finally {
    await handle.close();
  }
}

/** The records of a text trace, in order; blank lines are skipped. */
export async function* readTextTrace(file: string): AsyncGenerator<TraceRecord> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    yield parseTraceLine(line, { file, line: n });
  }
}

/** The records of a trace file of either kind. */
export async function* readTrace(file: string): AsyncGenerator<TraceRecord> {
  if ((await traceKind(file)) === 'vcd') yield* readVcdTrace(file);
  else yield* readTextTrace(file);
}

/** A whole trace in memory (for proving, which needs all of it anyway). */
export async function loadTrace(file: string): Promise<TraceRecord[]> {
  const records: TraceRecord[] = [];
  for await (const r of readTrace(file)) records.push(r);
  return records;
}
