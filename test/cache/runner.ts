// A child process of the cache tests: opens the store in argv[2] and its
// result cache (with the Redis URL argv[3], '-' for none), runs the
// definition argv[4] applied to argv[5] argv[6] times, and prints one JSON
// line per run (value, memo) and the cache's warnings.
import { openCache } from '../../host/cache/config.js';
import { Memo } from '../../host/cache/memo.js';
import { Executor } from '../../host/execution/executor.js';
import { Repository } from '../../host/store/repository.js';

const [dir, url, name, arg, times] = process.argv.slice(2) as [string, string, string, string, string];
const warnings: string[] = [];
const repo = Repository.open(dir);
const cache = await openCache(dir, url === '-' ? {} : { redis: { url } }, (m) => warnings.push(m));
const executor = new Executor({ repo, memo: new Memo(cache, 'auto', 0) });
for (let i = 0; i < Number(times); i++) {
  const r = await executor.executeByName(name, { args: [arg] });
  process.stdout.write(`${JSON.stringify({ value: r.value, memo: r.memo ?? null })}\n`);
}
await cache.close();
repo.close();
process.stdout.write(`${JSON.stringify({ warnings })}\n`);
