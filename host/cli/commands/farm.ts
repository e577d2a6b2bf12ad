// `cax farm worker|status` (docs/farm.md): run farm workers on this machine
// that take regression tests from the farm's Redis, and show the farm's
// workers, their capabilities and boards, queue depths and running tests.
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { HOST_BACKENDS } from '../../farm/capabilities.js';
import { parseFarmUrl } from '../../farm/connection.js';
import { startWorkerProcess, type WorkerProcess } from '../../farm/processes.js';
import { farmStatus, type FarmStatus } from '../../farm/status.js';
import { parseOptions } from '../options.js';
import type { Register } from '../program.js';

const WorkerOptions = z.object({
  redis: z.string().min(1),
  jobs: z.coerce.number().int().min(1).max(256).default(availableParallelism()),
  board: z.array(z.string().min(1)).default([]),
  lockMs: z.coerce.number().int().min(500).max(3_600_000).default(30_000),
});
const StatusOptions = z.object({ redis: z.string().min(1) });

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function describeStatus(s: FarmStatus): string {
  const workers = s.workers.map(
    (w) =>
      `worker ${w.id} on ${w.host} (pid ${w.pid}): ${Object.keys(w.identities).join(', ')}; served ${w.served}${w.running ? `; running ${w.running}` : ''}${w.boards.length ? `; boards ${w.boards.map((b) => `${b.port} (${b.state})`).join(', ')}` : ''}${w.differs.length ? `; identity differs from this machine on ${w.differs.join(', ')} (does not serve its tests)` : ''}`,
  );
  const queues = s.queues.map(
    (q) =>
      `queue ${q.backend} ${q.identity.slice(0, 12)}${q.local ? ' (this machine)' : ''}: ${q.waiting} waiting, ${q.active} running; ${q.servedBy === 0 ? 'NO worker can reproduce these tests' : `${q.servedBy} worker(s)`}`,
  );
  return [`farm ${s.url}: ${s.workers.length} worker(s), ${s.running.length} test(s) running`, ...workers, ...queues].join('\n');
}

export const registerFarm: Register = (program, ctx) => {
  const farm = program.command('farm').description('a regression farm: workers on several machines take tests through BullMQ on Redis (docs/farm.md)');
  farm
    .command('worker')
    .description('take regression tests from the farm until stopped (SIGTERM/SIGINT: the running tests finish)')
    .requiredOption('--redis <url>', "the farm's Redis: redis://[user:password@]host:port")
    .option('--jobs <n>', 'worker processes, one test at a time each (default: the number of cores)')
    .option('--board <port>', 'a board attached on this serial port (advertised; repeatable)', collect)
    .option('--lock-ms <ms>', "how long a test's lock lasts unrenewed: a killed worker's test runs elsewhere after about this long (default 30000)")
    .exitOverride()
    .action(async (raw: Record<string, unknown>) => {
      const o = parseOptions(WorkerOptions, raw);
      const url = parseFarmUrl(o.redis);
      const options = { url, backends: HOST_BACKENDS, boards: o.board, lockMs: o.lockMs, stalledCheckMs: Math.max(250, Math.round(o.lockMs / 2)) };
      const processes: WorkerProcess[] = [];
      try {
        for (let i = 0; i < o.jobs; i++) processes.push(await startWorkerProcess(options));
      } catch (e) {
        await Promise.all(processes.map((p) => p.stop()));
        throw e;
      }
      ctx.io.err(`farm: ${processes.length} worker(s) up (${processes.map((p) => p.id).join(', ')}); stop with Ctrl-C`);
      await new Promise<void>((resolve) => {
        const stop = (): void => void Promise.all(processes.map((p) => p.stop())).then(() => resolve());
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
        let left = processes.length;
        for (const p of processes) p.child.once('exit', () => --left === 0 && resolve());
      });
    });
  farm
    .command('status')
    .description("the farm's workers, capabilities, boards, queue depths and running tests")
    .requiredOption('--redis <url>', "the farm's Redis: redis://[user:password@]host:port")
    .exitOverride()
    .action(async (raw: Record<string, unknown>) => {
      const o = parseOptions(StatusOptions, raw);
      const status = await farmStatus(parseFarmUrl(o.redis));
      ctx.emit(status, () => describeStatus(status));
    });
};
