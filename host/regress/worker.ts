// A regression worker process (forked by pool.ts): runs the tests it is sent,
// one at a time, and answers each with its outcome. It keeps its executor, so
// a co-processor session (the ISS firmware, the Verilator simulation) stays
// up between tests; it closes them when the pool disconnects.
import { z } from 'zod';
import { REGRESS_BACKENDS } from './manifest.js';
import { TestExecutor } from './execute.js';
import type { TestSpec } from './suite.js';

const Request = z.object({ id: z.string(), backend: z.enum(REGRESS_BACKENDS), spec: z.custom<TestSpec>((v) => typeof v === 'object' && v !== null && 'kind' in v) });

const executor = new TestExecutor(process.env.CAX_REGRESS_DEVICE || undefined);

process.on('message', (message: unknown) => {
  const request = Request.parse(message);
  void executor.run(request.spec, request.backend).then((outcome) => process.send?.({ id: request.id, outcome }));
});
process.on('disconnect', () => {
  void executor.close().finally(() => process.exit(0));
});
