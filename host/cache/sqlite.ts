// The SQLite level of the result cache: a `results` table in the store's
// database file under $CAX_HOME (its own connection, WAL, IMMEDIATE writes,
// so processes sharing it wait for each other and never see half an entry;
// writes are batched: committed at the next turn of the event loop, before
// any other use of the level and on close, since a commit costs more than
// the inserts it holds),
// bounded in entries, bytes and age, and the counters `cax cache stats`
// reports (lookups, hits, stores, refused entries, steps saved).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { STORE_FILE } from '../store/repository.js';
import type { Hash } from '../store/hash.js';
import { EVICTION_CANDIDATES, evictionVictim, matchesFilter, type EntryFilter, type EntryInfo, type LevelLimits, type StoredEntry, SyncLevel } from './level.js';

export const DEFAULT_SQLITE_LIMITS: LevelLimits = { maxEntries: 100_000, maxBytes: 512 * 1024 * 1024 };

const SCHEMA = `
CREATE TABLE IF NOT EXISTS results (
  key        TEXT PRIMARY KEY,     -- result key (docs/cache.md)
  bytes      BLOB NOT NULL,        -- the entry, JSON
  digest     TEXT NOT NULL,        -- SHA-256 of bytes
  definition TEXT NOT NULL,
  identity   TEXT NOT NULL,        -- digest of the backend and its identity
  size       INTEGER NOT NULL,
  cost       INTEGER NOT NULL,     -- steps a hit saves
  created_at INTEGER NOT NULL,
  used_at    INTEGER NOT NULL,
  hits       INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS results_by_use ON results(used_at);
CREATE TABLE IF NOT EXISTS result_totals (
  name  TEXT PRIMARY KEY,          -- entries, bytes: kept with every write, so limits need no scan
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT OR IGNORE INTO result_totals SELECT 'entries', COUNT(*) FROM results;
INSERT OR IGNORE INTO result_totals SELECT 'bytes', COALESCE(SUM(size), 0) FROM results;
CREATE TABLE IF NOT EXISTS result_counters (
  name  TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
`;

/** What `cax cache stats` counts across processes. */
export const COUNTERS = ['lookups', 'hits', 'stores', 'refused', 'savedSteps'] as const;
export type Counters = Record<(typeof COUNTERS)[number], number>;

interface Row {
  key: string;
  bytes: Buffer;
  digest: string;
  definition: string;
  identity: string;
  size: number;
  cost: number;
  created_at: number;
  used_at: number;
  hits: number;
}

const fromRow = (r: Row): StoredEntry => ({
  key: r.key,
  bytes: r.bytes,
  digest: r.digest,
  definition: r.definition,
  identity: r.identity,
  size: r.size,
  cost: r.cost,
  createdAt: r.created_at,
  usedAt: r.used_at,
  hits: r.hits,
});

export class SqliteLevel extends SyncLevel {
  readonly name = 'sqlite' as const;
  private readonly db: Database.Database;
  /** Prepared statements by their text. */
  private readonly statements = new Map<string, Database.Statement>();
  /** `insertAll` as a transaction, made once: making one costs more than running it. */
  private readonly putTransaction: Database.Transaction<(entries: readonly StoredEntry[]) => void>;
  /** Entries written and not yet committed, by key (a read of this process sees them). */
  private readonly queued = new Map<Hash, StoredEntry>();
  private commitScheduled = false;

  /** Opens (creating) the results table of the store in `directory`. */
  constructor(
    directory: string,
    private readonly limits: LevelLimits = DEFAULT_SQLITE_LIMITS,
    private readonly now: () => number = Date.now,
    /** Told when a batch could not be committed (its entries are lost: a cache recomputes them). */
    private readonly warn: (message: string) => void = (m) => process.emitWarning(m),
  ) {
    super();
    mkdirSync(directory, { recursive: true });
    this.db = new Database(join(directory, STORE_FILE), { timeout: 10_000 });
    this.db.pragma('journal_mode = WAL');
    // A cache may lose its last writes on a power cut (they are recomputed), never its consistency: no fsync per write.
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
    this.putTransaction = this.db.transaction((entries: readonly StoredEntry[]) => this.insertAll(entries));
  }

  private sql<P extends unknown[] = unknown[], R = unknown>(text: string): Database.Statement<P, R> {
    let statement = this.statements.get(text);
    if (!statement) this.statements.set(text, (statement = this.db.prepare(text)));
    return statement as unknown as Database.Statement<P, R>;
  }

  getSync(key: Hash): StoredEntry | undefined {
    const queued = this.queued.get(key);
    if (queued) return queued;
    const row = this.sql<[string], Row>('SELECT * FROM results WHERE key = ?').get(key);
    if (!row) return undefined;
    const now = this.now();
    if (this.limits.maxAgeMs !== undefined && now - row.created_at > this.limits.maxAgeMs) {
      this.removeSync([key]);
      return undefined;
    }
    this.sql('UPDATE results SET used_at = ?, hits = hits + 1 WHERE key = ?').run(now, key);
    return fromRow({ ...row, used_at: now, hits: row.hits + 1 });
  }

  putSync(entry: StoredEntry): void {
    this.queued.set(entry.key, entry);
    if (this.commitScheduled) return;
    this.commitScheduled = true;
    setImmediate(() => {
      const count = this.queued.size;
      try {
        this.commit();
      } catch (e) {
        this.warn(`result cache: ${count} results not written to SQLite (${e instanceof Error ? e.message : String(e)})`);
      }
    });
  }

  /** Commits the queued entries in one transaction. */
  commit(): void {
    this.commitScheduled = false;
    if (this.queued.size === 0) return;
    const entries = [...this.queued.values()];
    this.queued.clear();
    this.putTransaction.immediate(entries);
  }

  /** Entries inserted, the totals kept and the limits applied (run as one IMMEDIATE transaction). */
  private insertAll(entries: readonly StoredEntry[]): void {
    const insert = this.sql('INSERT OR IGNORE INTO results (key, bytes, digest, definition, identity, size, cost, created_at, used_at, hits) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    for (const entry of entries) {
      const added = insert.run(entry.key, Buffer.from(entry.bytes), entry.digest, entry.definition, entry.identity, entry.size, entry.cost, entry.createdAt, entry.usedAt, entry.hits).changes;
      if (added > 0) this.adjustTotals(1, entry.size);
    }
    this.evict();
  }

  removeSync(keys: readonly Hash[]): number {
    this.commit();
    return this.db.transaction(() => keys.reduce((n, k) => n + this.deleteWhere('key = ?', k), 0)).immediate();
  }

  /** Deletes the rows `where` selects, keeping the totals; how many. */
  private deleteWhere(where: string, arg: string | number): number {
    const sizes = this.sql<[string | number], { size: number }>(`DELETE FROM results WHERE ${where} RETURNING size`).all(arg);
    if (sizes.length > 0) this.adjustTotals(-sizes.length, -sizes.reduce((n, r) => n + r.size, 0));
    return sizes.length;
  }

  private adjustTotals(entries: number, bytes: number): void {
    const add = this.sql('UPDATE result_totals SET value = value + ? WHERE name = ?');
    add.run(entries, 'entries');
    add.run(bytes, 'bytes');
  }

  /** Entries and bytes in the level. */
  totals(): { entries: number; bytes: number } {
    this.commit();
    const rows = new Map(
      this.sql<[], { name: string; value: number }>('SELECT name, value FROM result_totals')
        .all()
        .map((r) => [r.name, r.value]),
    );
    return { entries: rows.get('entries') ?? 0, bytes: rows.get('bytes') ?? 0 };
  }

  /** Adds to the shared counters. */
  count(delta: Partial<Counters>): void {
    const add = this.sql('INSERT INTO result_counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = value + excluded.value');
    this.db
      .transaction(() => {
        for (const [name, value] of Object.entries(delta)) if (value) add.run(name, value);
      })
      .immediate();
  }

  counters(): Counters {
    const rows = this.sql<[], { name: string; value: number }>('SELECT name, value FROM result_counters').all();
    const values = new Map(rows.map((r) => [r.name, r.value]));
    return Object.fromEntries(COUNTERS.map((c) => [c, values.get(c) ?? 0])) as Counters;
  }

  resetCounters(): void {
    this.db.exec('DELETE FROM result_counters');
  }

  private evict(): void {
    const now = this.now();
    if (this.limits.maxAgeMs !== undefined) this.deleteWhere('created_at < ?', now - this.limits.maxAgeMs);
    const { maxEntries = Infinity, maxBytes = Infinity } = this.limits;
    const oldest = this.sql<[number], Pick<Row, 'key' | 'cost' | 'size' | 'used_at'>>('SELECT key, cost, size, used_at FROM results ORDER BY used_at LIMIT ?');
    for (let t = this.totals(); t.entries > maxEntries || t.bytes > maxBytes; t = this.totals()) {
      const candidates = oldest.all(EVICTION_CANDIDATES).map((r) => ({ key: r.key, cost: r.cost, size: r.size, usedAt: r.used_at }));
      this.deleteWhere('key = ?', evictionVictim(candidates, now)!.key);
    }
  }

  list(filter: EntryFilter, now: number): Promise<EntryInfo[]> {
    this.commit();
    const rows = this.sql<[], Omit<Row, 'bytes' | 'digest'>>('SELECT key, definition, identity, size, cost, created_at, used_at, hits FROM results ORDER BY created_at, key').all();
    return Promise.resolve(
      rows
        .map((r) => ({ key: r.key, definition: r.definition, identity: r.identity, size: r.size, cost: r.cost, createdAt: r.created_at, usedAt: r.used_at, hits: r.hits, level: this.name }))
        .filter((e) => matchesFilter(e, filter, now)),
    );
  }

  close(): Promise<void> {
    this.commit();
    this.db.close();
    return Promise.resolve();
  }
}
