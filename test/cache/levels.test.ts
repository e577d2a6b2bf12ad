// The bounded levels and the value codec: eviction under entry and byte
// limits keeps what is costly to recompute and recently used; age limits;
// a definition whose results are never hit stops being stored; canonical
// value bytes decode to the same value, and any other bytes are E_CORRUPT.
import { describe, it, expect } from '@jest/globals';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FUTILE_STORES, Memo } from '../../host/cache/memo.js';
import type { StoredEntry } from '../../host/cache/level.js';
import { MemoryLevel } from '../../host/cache/memory.js';
import { SqliteLevel } from '../../host/cache/sqlite.js';
import { TieredCache } from '../../host/cache/tiered.js';
import { decodeValue } from '../../host/cache/value.js';
import { committed } from './helpers.js';
import { CaxError } from '../../host/errors.js';
import { STORE_FILE } from '../../host/store/repository.js';
import { canonicalBytes, Dbl, HashV, listFromArray, showValue, Tuple, UNIT_VALUE, type Value } from '../../host/tel/values.js';

const entry = (n: number, cost: number, size = 100, usedAt = 0): StoredEntry => ({
  key: n.toString(16).padStart(64, '0'),
  bytes: Buffer.alloc(size),
  digest: '0'.repeat(64),
  definition: 'd'.repeat(64),
  identity: 'e'.repeat(64),
  size,
  cost,
  createdAt: usedAt,
  usedAt,
  hits: 0,
});

describe('eviction', () => {
  it('memory: within entries and bytes, the cheap entries go first', () => {
    const level = new MemoryLevel({ maxEntries: 4, maxBytes: 1000 }, () => 0);
    for (let i = 0; i < 8; i++) level.putSync(entry(i, i % 2 === 0 ? 1_000_000 : 10));
    expect(level.size.entries).toBe(4);
    for (let i = 0; i < 8; i += 2) expect(level.getSync(entry(i, 0).key)).toBeDefined();
    level.putSync(entry(100, 50_000_000, 700));
    expect(level.size.bytes).toBeLessThanOrEqual(1000);
    expect(level.getSync(entry(100, 0).key)).toBeDefined();
  });

  it('memory: recency counts against cost, and old entries expire', () => {
    let now = 0;
    const level = new MemoryLevel({ maxEntries: 2, maxAgeMs: 60_000 }, () => now);
    level.putSync(entry(1, 1000));
    now = 100_000;
    level.putSync(entry(2, 10, 100, now));
    level.putSync(entry(3, 10, 100, now));
    // entry 1 cost more but was last used 100 s ago
    expect(level.getSync(entry(1, 0).key)).toBeUndefined();
    expect(level.getSync(entry(2, 0).key)).toBeDefined();
    now = 200_000;
    expect(level.getSync(entry(2, 0).key)).toBeUndefined();
  });

  it('sqlite: within entries and bytes, and age', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cax-levels-'));
    let now = 1000;
    const level = new SqliteLevel(dir, { maxEntries: 3, maxBytes: 450, maxAgeMs: 10_000 }, () => now);
    try {
      for (let i = 0; i < 6; i++) level.putSync(entry(i, i < 3 ? 1_000_000 : 1, 100, now));
      const kept = (await level.list({}, now)).map((e) => e.key);
      expect(kept).toHaveLength(3);
      expect(kept.sort()).toEqual([0, 1, 2].map((i) => entry(i, 0).key));
      level.putSync(entry(9, 1_000_000_000, 300, now));
      expect((await level.list({}, now)).reduce((n, e) => n + e.size, 0)).toBeLessThanOrEqual(450);
      expect(await level.list({ largerThan: 100 }, now)).toHaveLength(1);
      expect(await level.list({ olderThanMs: 0, definition: 'dd' }, now + 1)).toHaveLength((await level.list({}, now)).length);
      now += 20_000;
      level.putSync(entry(10, 1, 10, now));
      expect((await level.list({}, now)).map((e) => e.key)).toEqual([entry(10, 0).key]);
      expect(level.totals()).toEqual({ entries: 1, bytes: 10 });
      level.putSync(entry(10, 1, 10, now));
      expect(level.removeSync([entry(10, 0).key, entry(11, 0).key])).toBe(1);
      expect(level.totals()).toEqual({ entries: 0, bytes: 0 });
    } finally {
      await level.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sqlite: writes of one turn of the event loop are committed together, seen at once by their writer and after the turn by others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cax-levels-'));
    const writer = new SqliteLevel(dir);
    const reader = new SqliteLevel(dir);
    try {
      for (let i = 0; i < 3; i++) writer.putSync(entry(i, 5));
      expect(writer.getSync(entry(1, 0).key)?.cost).toBe(5);
      expect(reader.getSync(entry(1, 0).key)).toBeUndefined();
      await committed();
      expect(reader.getSync(entry(1, 0).key)?.cost).toBe(5);
      expect(reader.totals()).toEqual({ entries: 3, bytes: 300 });
      // what is still queued when the writer closes is committed by the close
      writer.putSync(entry(7, 5));
      await writer.close();
      expect(reader.getSync(entry(7, 0).key)?.cost).toBe(5);
    } finally {
      await reader.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sqlite: a batch that cannot be committed is a warning, not a crash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cax-levels-'));
    const warnings: string[] = [];
    const writer = new SqliteLevel(dir, undefined, Date.now, (m) => warnings.push(m));
    const blocker = new Database(join(dir, STORE_FILE));
    try {
      // another connection holds the write lock past the writer's busy timeout (10 s, cut short here)
      blocker.exec('BEGIN IMMEDIATE');
      (writer as unknown as { db: Database.Database }).db.pragma('busy_timeout = 10');
      writer.putSync(entry(1, 5));
      await committed();
      expect(warnings).toEqual([expect.stringMatching(/1 results not written to SQLite \((SqliteError: )?database is locked\)/)]);
      blocker.exec('ROLLBACK');
    } finally {
      await writer.close();
      blocker.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it(`a definition with ${FUTILE_STORES} stored results and no hit is stored no more`, () => {
    const memo = new Memo(new TieredCache({ memory: new MemoryLevel() }, () => undefined), 'auto', 0);
    const d = 'a'.repeat(64);
    const stored = { definition: d, backend: 'interp', value: '1', encoded: null, type: 'Int', effects: [], clock: 0, balances: {}, cost: { computeSteps: 5, memoryBytes: 0, effects: 0, ioOps: 0 } };
    for (let i = 0; i < FUTILE_STORES; i++) {
      expect(memo.admits(d, 5)).toBe(true);
      memo.store({ ...stored, key: i.toString(16).padStart(64, '0') });
    }
    expect(memo.admits(d, 5)).toBe(false);
    expect(memo.admits('b'.repeat(64), 5)).toBe(true);
  });
});

const value: fc.Arbitrary<Value> = fc.letrec<{ v: Value }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer({ min: -2147483648, max: 2147483647 }),
    fc.double().map((d) => new Dbl(d)),
    fc.boolean(),
    fc.string(),
    fc.constant(UNIT_VALUE),
    fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => new HashV(Buffer.from(b).toString('hex'))),
    fc.array(tie('v'), { maxLength: 4 }).map(listFromArray),
    fc.array(tie('v'), { maxLength: 4 }).map((xs) => new Tuple(xs)),
  ),
})).v;

describe('value codec', () => {
  it('decodes canonical bytes to the same value', () => {
    fc.assert(
      fc.property(value, (v) => {
        const bytes = canonicalBytes(v);
        const back = decodeValue(bytes);
        expect(canonicalBytes(back).equals(bytes)).toBe(true);
        expect(showValue(back)).toBe(showValue(v));
      }),
    );
  });

  it('any other bytes are E_CORRUPT, never a crash', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        try {
          const v = decodeValue(bytes);
          expect(canonicalBytes(v).equals(Buffer.from(bytes))).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(CaxError);
          expect((e as CaxError).code).toBe('E_CORRUPT');
        }
      }),
      { numRuns: 2000 },
    );
  });
});
