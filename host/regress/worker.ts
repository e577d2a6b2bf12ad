// A regression worker process (forked by pool.ts): runs the tests it is sent,
// one at a time, and answers each with its outcome. It keeps its executor, so
// a co-processor session (the ISS firmware, the Verilator simulation) stays
// up between tests; it closes them when the pool disconnects. Asked to reset
// its board (a farm board's worker, between tests), it answers with the
// board's identity or the error. A watchdog thread ends the process when the
// pool's process has gone while this one is busy in a long synchronous test
// (the interpreter on a program that never ends), where 'disconnect' cannot
// be delivered.
import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import { CaxError } from '../errors.js';
import { BaudRate } from '../protocol/serial.js';
import { REGRESS_BACKENDS } from './manifest.js';
import { TestExecutor } from './execute.js';
import type { TestSpec } from './suite.js';

const Request = z.union([
  z.object({ id: z.string(), backend: z.enum(REGRESS_BACKENDS), spec: z.custom<TestSpec>((v) => typeof v === 'object' && v !== null && 'kind' in v) }),
  z.object({ id: z.string(), reset: z.literal(true) }),
]);

// the board's port and line rate, from the slot that forked this process (slot.ts)
const executor = new TestExecutor(process.env.CAX_REGRESS_DEVICE || undefined, BaudRate.optional().parse(process.env.CAX_REGRESS_BAUD || undefined));

process.on('message', (message: unknown) => {
  const request = Request.parse(message);
  if ('reset' in request)
    void executor.resetDevice().then(
      (info) => process.send?.({ id: request.id, info }),
      (e: unknown) => process.send?.({ id: request.id, error: e instanceof CaxError ? { code: e.code, message: e.format() } : { code: 'E_INTERNAL', message: String(e) } }),
    );
  else void executor.run(request.spec, request.backend).then((outcome) => process.send?.({ id: request.id, outcome }));
});
// Checked every second in its own thread: two checks in a row that find this
// process adopted by another parent (its own has exited) kill it.
const WATCHDOG = `
const { workerData: parent } = require('node:worker_threads');
let orphaned = 0;
setInterval(() => {
  orphaned = process.ppid === parent ? 0 : orphaned + 1;
  if (orphaned >= 2) process.kill(process.pid, 'SIGKILL');
}, 1000);
`;
new Worker(WATCHDOG, { eval: true, workerData: process.ppid }).unref();

process.on('disconnect', () => {
  void executor.close().finally(() => process.exit(0));
});
