// `cax farm worker|status` (docs/farm.md): serve the farm from this machine,
// taking regression tests from the farm's Redis (and board tests with
// `--board PORT`), and show the farm's workers, their capabilities and
// boards, queue depths and running tests.
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { CaxError } from '../../errors.js';
import { parseFarmUrl } from '../../farm/connection.js';
import { farmStatus, type FarmStatus } from '../../farm/status.js';
import { FarmWorker } from '../../farm/worker.js';
import { BaudRate } from '../../protocol/serial.js';
import { parseOptions } from '../options.js';
import type { Register } from '../program.js';

const WorkerOptions = z.object({
  redis: z.string().min(1),
  jobs: z.coerce.number().int().min(1).max(256).default(availableParallelism()),
  board: z.array(z.string().min(1)).default([]),
  baud: BaudRate.optional(),
  lockMs: z.coerce.number().int().min(500).max(3_600_000).default(30_000),
});
const StatusOptions = z.object({ redis: z.string().min(1) });

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function describeStatus(s: FarmStatus): string {
  const workers = s.workers.map(
    (w) =>
      `worker ${w.id} on ${w.host} (pid ${w.pid}, ${w.jobs} job(s)): ${Object.keys(w.identities).join(', ')}; served ${w.served}${w.running.length ? `; running ${w.running.join(', ')}` : ''}${
        w.servesThisMachine ? '' : `; identity differs from this machine's on ${w.differs.join(', ')}: does not serve its tests`
      }${w.boards.map((b) => `\n  board ${b.port}: ${b.state}${b.info ? ` (${String(b.info.core)} ${String(b.info.isa)}, firmware ${String(b.info.firmware)})` : ''}${b.baud === undefined ? '' : ` at ${b.baud} baud`}${b.running ? `, running ${b.running}` : ''}${b.state === 'absent' && b.problem ? `: ${b.problem}` : ''}`).join('')}`,
  );
  const queues = s.queues.map(
    (q) =>
      `queue ${q.name}${q.local ? " (this machine's)" : ''}: ${q.waiting} waiting, ${q.active} running, ${q.delayed} delayed; ${q.servedBy === 0 ? 'NO worker can reproduce these tests' : `${q.servedBy} worker(s)`}`,
  );
  return [`farm ${s.url}: ${s.workers.length} worker(s), ${s.running.length} test(s) running`, ...workers, ...queues].join('\n');
}

export const registerFarm: Register = (program, ctx) => {
  const farm = program.command('farm').description('a regression farm: workers on several machines take tests through BullMQ on Redis (docs/farm.md)');
  farm
    .command('worker')
    .description('take regression tests from the farm until stopped (SIGTERM/SIGINT: the running tests finish)')
    .requiredOption('--redis <url>', "the farm's Redis: redis://[user:password@]host:port")
    .option('--jobs <n>', 'tests at once, one worker process each (default: the number of cores)')
    .option('--board <port>', "a board on this serial port (or a simulation's pseudo-terminal) for the device tests: one test at a time, reset between tests; repeatable", collect)
    .option('--baud <n>', 'line rate of its boards, asked for at HELLO as cax device --baud does (default 115200; 1000000 on the iCEBreaker)')
    .option('--lock-ms <ms>', "how long a test's lock lasts unrenewed: a killed worker's test runs elsewhere after about this long (default 30000)")
    .exitOverride()
    .action(async (raw: Record<string, unknown>) => {
      const o = parseOptions(WorkerOptions, raw);
      if (o.baud !== undefined && o.board.length === 0) throw new CaxError('E_USAGE', '--baud is the rate of the boards: give --board PORT too');
      const url = parseFarmUrl(o.redis);
      const worker = await FarmWorker.start({ url, jobs: o.jobs, lockMs: o.lockMs, boards: o.board, ...(o.baud === undefined ? {} : { baud: o.baud }) });
      ctx.io.err(`farm worker ${worker.id} up: ${o.jobs} job(s) on queue ${worker.queue}${o.board.length > 0 ? `, ${o.board.length} board(s) on ${worker.boardQueue ?? ''}` : ''}; stop with Ctrl-C`);
      await new Promise<void>((resolve) => {
        const stop = (): void => void worker.close().then(resolve);
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
    });
  farm
    .command('status')
    .description("the farm's workers, capabilities, queue depths and running tests")
    .requiredOption('--redis <url>', "the farm's Redis: redis://[user:password@]host:port")
    .exitOverride()
    .action(async (raw: Record<string, unknown>) => {
      const o = parseOptions(StatusOptions, raw);
      const status = await farmStatus(parseFarmUrl(o.redis));
      ctx.emit(status, () => describeStatus(status));
    });
};
