// `cax cache ls|stats|evict|clear` (docs/cache.md): the result cache of the
// store ($CAX_HOME): its SQLite level and, when configured, its Redis level
// (the memory level lives only inside a running process). Filters: by
// definition, by backend identity, by level, older than, larger than.
import { z } from 'zod';
import { CaxError } from '../../errors.js';
import { loadCacheConfig, openCache } from '../../cache/config.js';
import { LEVELS, type EntryFilter, type EntryInfo } from '../../cache/level.js';
import type { TieredCache } from '../../cache/tiered.js';
import { shortHash } from '../../store/hash.js';
import { storeDirectory } from '../../store/repository.js';
import { parseOptions } from '../options.js';
import type { CommandContext, Register } from '../program.js';

const UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const SIZES = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 } as const;

const duration = z
  .string()
  .regex(/^\d+(ms|s|m|h|d)$/, 'a duration such as 30s, 10m, 2h or 7d')
  .transform((t) => {
    const [, n, unit] = /^(\d+)(ms|s|m|h|d)$/.exec(t)!;
    return Number(n) * UNITS[unit as keyof typeof UNITS];
  });
const size = z
  .string()
  .regex(/^\d+[kmg]?$/i, 'a size in bytes such as 512, 64k or 10m')
  .transform((t) => {
    const [, n, unit] = /^(\d+)([kmg]?)$/i.exec(t)!;
    return Number(n) * SIZES[unit!.toLowerCase() as keyof typeof SIZES];
  });
const hexPrefix = z
  .string()
  .transform((t) => t.replace(/^@/, ''))
  .pipe(z.string().regex(/^[0-9a-f]{1,64}$/, 'a hash or hash prefix'));

const FilterOptions = z.object({
  definition: hexPrefix.optional(),
  backend: hexPrefix.optional(),
  level: z.enum(LEVELS).optional(),
  olderThan: duration.optional(),
  largerThan: size.optional(),
});
type Filters = z.infer<typeof FilterOptions>;

function filterOf(o: Filters): EntryFilter {
  return {
    ...(o.definition !== undefined ? { definition: o.definition } : {}),
    ...(o.backend !== undefined ? { identity: o.backend } : {}),
    ...(o.olderThan !== undefined ? { olderThanMs: o.olderThan } : {}),
    ...(o.largerThan !== undefined ? { largerThan: o.largerThan } : {}),
  };
}

async function withCache<T>(ctx: CommandContext, work: (cache: TieredCache) => Promise<T>): Promise<T> {
  const dir = storeDirectory(ctx.io.cwd, ctx.io.env);
  const cache = await openCache(dir, loadCacheConfig(dir, ctx.io.env), (m) => ctx.io.err(`warning: ${m}`));
  try {
    return await work(cache);
  } finally {
    await cache.close();
  }
}

/** The entries the filters select, level by level. */
async function selected(cache: TieredCache, o: Filters): Promise<EntryInfo[]> {
  const now = Date.now();
  const out: EntryInfo[] = [];
  for (const level of cache.levels()) if (o.level === undefined || o.level === level.name) out.push(...(await level.list(filterOf(o), now)));
  return out;
}

const describeEntry = (e: EntryInfo): string =>
  `${e.level} ${shortHash(e.key)} def ${shortHash(e.definition)} backend ${shortHash(e.identity)} ${e.size} bytes, ${e.cost} steps, ${e.hits} hits, ${new Date(e.createdAt).toISOString()}`;

function withFilters(cmd: ReturnType<Parameters<Register>[0]['command']>): typeof cmd {
  return cmd
    .option('--definition <hash>', 'only results of this definition (hash or prefix)')
    .option('--backend <digest>', 'only results of this backend identity (digest or prefix, as `cax cache ls` shows)')
    .option('--level <level>', `only this level: ${LEVELS.join(', ')}`)
    .option('--older-than <duration>', 'only entries created longer ago than this (30s, 10m, 2h, 7d)')
    .option('--larger-than <size>', 'only entries larger than this (bytes; 64k, 10m)')
    .exitOverride();
}

export const registerCache: Register = (program, ctx) => {
  const cache = program.command('cache').description('the result cache of memoized runs (docs/cache.md): list, statistics, eviction');
  cache.exitOverride();

  withFilters(cache.command('ls').description('list cached results, with level, key, definition, backend identity, size, cost and hits')).action((raw: Record<string, unknown>) =>
    withCache(ctx, async (c) => {
      const entries = await selected(c, parseOptions(FilterOptions, raw));
      ctx.emit({ entries }, () => (entries.length === 0 ? 'no cached results' : entries.map(describeEntry).join('\n')));
    }),
  );

  cache
    .command('stats')
    .description('entries and bytes per level; lookups, hit rate, stores, refused entries and steps saved (all processes)')
    .exitOverride()
    .action(() =>
      withCache(ctx, async (c) => {
        const now = Date.now();
        const levels: { level: string; entries: number; bytes: number }[] = [];
        for (const level of c.levels()) {
          if (level.name === 'memory') continue;
          const entries = await level.list({}, now);
          levels.push({ level: level.name, entries: entries.length, bytes: entries.reduce((n, e) => n + e.size, 0) });
        }
        const counters = c.sqlite!.counters();
        const hitRate = counters.lookups === 0 ? 0 : counters.hits / counters.lookups;
        ctx.emit({ levels, ...counters, hitRate }, () =>
          [
            ...levels.map((l) => `${l.level}: ${l.entries} entries, ${l.bytes} bytes`),
            `lookups: ${counters.lookups}, hits: ${counters.hits} (hit rate ${(hitRate * 100).toFixed(1)}%), stores: ${counters.stores}, refused: ${counters.refused}`,
            `saved: ${counters.savedSteps} steps`,
          ].join('\n'),
        );
      }),
    );

  withFilters(cache.command('evict').description('remove the cached results the filters select (at least one filter)')).action((raw: Record<string, unknown>) =>
    withCache(ctx, async (c) => {
      const o = parseOptions(FilterOptions, raw);
      if (Object.values(o).every((v) => v === undefined))
        throw new CaxError('E_USAGE', 'cax cache evict needs a filter (--definition, --backend, --level, --older-than, --larger-than); cax cache clear removes everything');
      const removed = await remove(c, await selected(c, o));
      ctx.emit({ removed }, () => `removed ${removed} cached results`);
    }),
  );

  cache
    .command('clear')
    .description('remove every cached result (of one level with --level) and reset the statistics')
    .option('--level <level>', `only this level: ${LEVELS.join(', ')}`)
    .exitOverride()
    .action((raw: Record<string, unknown>) =>
      withCache(ctx, async (c) => {
        const o = parseOptions(FilterOptions.pick({ level: true }), raw);
        const removed = await remove(c, await selected(c, o));
        if (o.level === undefined) c.sqlite!.resetCounters();
        ctx.emit({ removed }, () => `removed ${removed} cached results`);
      }),
    );
};

async function remove(cache: TieredCache, entries: readonly EntryInfo[]): Promise<number> {
  let removed = 0;
  for (const level of cache.levels()) removed += await level.remove(entries.filter((e) => e.level === level.name).map((e) => e.key));
  return removed;
}
