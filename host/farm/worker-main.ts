// The process of one farm worker (forked by `cax farm worker`, one per job
// slot): reads its options as JSON in argv, starts a FarmWorker, tells its
// parent it is ready, and stops cleanly on SIGTERM, SIGINT or when the parent
// goes away.
import { z } from 'zod';
import { REGRESS_BACKENDS } from '../regress/manifest.js';
import { FarmWorker } from './worker.js';

const Options = z
  .object({
    url: z.string(),
    backends: z.array(z.enum(REGRESS_BACKENDS)),
    boards: z.array(z.string()),
    lockMs: z.number().int().positive(),
    stalledCheckMs: z.number().int().positive(),
  })
  .strict();

const worker = await FarmWorker.start(Options.parse(JSON.parse(process.argv[2] ?? '{}')));
let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  void worker.close().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
process.send?.({ ready: worker.id });
