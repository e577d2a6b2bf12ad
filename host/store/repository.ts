// The persistent repository of definitions (docs/store.md): an SQLite file
// holding each group's canonical bytes, each member's type and metadata, the
// name → hash mapping with its full history, and dependency edges both ways.
// Every read is checked against its hash (E_CORRUPT); every write is one
// IMMEDIATE transaction in WAL mode, so a killed writer leaves the store as
// before or after, and concurrent writers wait for each other.
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { CaxError } from '../errors.js';
import { isHash, memberHash, sha256, type Hash } from './hash.js';

/** Where the store lives: `$CAX_HOME`, else `.cax/` in the working directory. */
export function storeDirectory(cwd: string, env: Readonly<Record<string, string | undefined>>): string {
  const home = env.CAX_HOME;
  return home !== undefined && home !== '' ? home : join(cwd, '.cax');
}

export const STORE_FILE = 'store.sqlite';
const SCHEMA_VERSION = 2;

/** One member of a group being written. `dependencies` are the hashes it refers to outside its own group. */
export interface NewMember {
  readonly hash: Hash;
  readonly type: string;
  readonly meta: Readonly<Record<string, unknown>>;
  readonly dependencies: readonly Hash[];
}

/** A group being written: its canonical bytes hash to `hash`; members in group order. */
export interface NewGroup {
  readonly hash: Hash;
  readonly bytes: Uint8Array;
  readonly members: readonly NewMember[];
}

/** Point `name` at `hash`, with the reason recorded in the history. */
export interface NameMove {
  readonly name: string;
  readonly hash: Hash;
  readonly reason: string;
}

export interface NameChange {
  readonly name: string;
  readonly hash: Hash;
  readonly previous: Hash | undefined;
  readonly status: 'new' | 'updated' | 'unchanged';
}

/** A definition as read back, verified against its hash. */
export interface StoredDefinition {
  readonly hash: Hash;
  readonly group: Hash;
  readonly index: number;
  readonly groupSize: number;
  /** The whole group's canonical bytes. */
  readonly bytes: Uint8Array;
  readonly type: string;
  readonly meta: Readonly<Record<string, unknown>>;
  readonly addedAt: string;
}

export interface NameEvent {
  readonly seq: number;
  readonly name: string;
  readonly hash: Hash;
  readonly previous: Hash | undefined;
  readonly at: string;
  readonly reason: string;
}

const metaSchema = z.record(z.string(), z.unknown());

const SCHEMA = `
CREATE TABLE IF NOT EXISTS groups (
  hash  TEXT PRIMARY KEY,          -- SHA-256 of bytes
  bytes BLOB NOT NULL,             -- canonical encoding (docs/hashing.md)
  size  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS definitions (
  hash       TEXT PRIMARY KEY,     -- member hash (= group hash for a group of one)
  group_hash TEXT NOT NULL REFERENCES groups(hash),
  member     INTEGER NOT NULL,     -- position in the group
  type       TEXT NOT NULL,        -- type scheme, printed
  meta       TEXT NOT NULL,        -- JSON: names of binders and references at add time, source
  checksum   TEXT NOT NULL,        -- SHA-256 over hash, type and meta
  added_at   TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS definitions_by_group ON definitions(group_hash, member);
CREATE TABLE IF NOT EXISTS dependencies (
  dependent  TEXT NOT NULL,
  dependency TEXT NOT NULL,
  PRIMARY KEY (dependent, dependency)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS dependencies_by_dependency ON dependencies(dependency, dependent);
CREATE TABLE IF NOT EXISTS names (
  name TEXT PRIMARY KEY,
  hash TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS name_history (
  seq      INTEGER PRIMARY KEY AUTOINCREMENT,
  name     TEXT NOT NULL,
  hash     TEXT NOT NULL,
  previous TEXT,
  at       TEXT NOT NULL,
  reason   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS name_history_by_name ON name_history(name, seq);
CREATE TABLE IF NOT EXISTS images (
  key    TEXT PRIMARY KEY,         -- the image cache's key (host/coprocessor/stored.ts)
  sha256 TEXT NOT NULL             -- SHA-256 of the cached file's bytes, checked on every read
) WITHOUT ROWID;
`;

function rowChecksum(hash: Hash, type: string, meta: string): string {
  return sha256(Buffer.from(`${hash}\n${type}\n${meta}`, 'utf8'));
}

function corrupt(message: string, details: Record<string, unknown> = {}): CaxError {
  return new CaxError('E_CORRUPT', message, { details });
}

/** SQLite's own corruption reports become E_CORRUPT; everything else passes through. */
function translate(e: unknown, file: string): unknown {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')) {
    return corrupt(`store file ${file} is damaged: ${(e as Error).message}`, { file, sqlite: code });
  }
  if (typeof code === 'string' && (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_PERM'))) {
    return new CaxError('E_IO', `store file ${file} cannot be opened for writing: ${(e as Error).message}`, { details: { file, sqlite: code } });
  }
  return e;
}

interface DefinitionRow {
  hash: string;
  group_hash: string;
  member: number;
  type: string;
  meta: string;
  checksum: string;
  added_at: string;
  bytes: Buffer;
  size: number;
}

/**
 * Makes a new store at `file` atomically: the schema is written to a file of
 * its own, which is then linked into place unless another process was first
 * (then theirs is used). So `store.sqlite` never exists empty, and an empty
 * one is a store that lost its contents.
 */
function createStore(file: string): void {
  const fresh = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.new`;
  try {
    const db = new Database(fresh);
    try {
      db.pragma('journal_mode = WAL');
      db.exec(SCHEMA);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    } finally {
      db.close();
    }
    linkSync(fresh, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new CaxError('E_IO', `cannot create the store ${file}: ${(e as Error).message}`, { details: { file } });
  } finally {
    for (const leftover of [fresh, `${fresh}-wal`, `${fresh}-shm`]) rmSync(leftover, { force: true });
  }
}

export class Repository {
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(
    private readonly db: Database.Database,
    readonly file: string,
  ) {}

  /** Opens (creating if needed) the store in `directory`. */
  static open(directory: string): Repository {
    mkdirSync(directory, { recursive: true });
    const file = join(directory, STORE_FILE);
    if (!existsSync(file)) createStore(file);
    const found = statSync(file, { throwIfNoEntry: false });
    if (found && !found.isFile())
      throw new CaxError('E_IO', `store file ${file} is not a file (a ${found.isDirectory() ? 'directory' : 'special file'}): move it away, or point CAX_HOME elsewhere`, { details: { file } });
    // SQLite would take an empty file for a new store, and a new store is never empty (createStore): this one lost its contents
    if (found && found.size === 0) throw corrupt(`store file ${file} is empty (0 bytes; truncated?): restore it from a copy, or remove it to start a new store`, { file });
    let db: Database.Database | undefined;
    try {
      db = new Database(file, { timeout: 30_000 });
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > SCHEMA_VERSION) throw corrupt(`store ${file} has schema version ${version}, newer than this cax (${SCHEMA_VERSION})`);
      if (version < SCHEMA_VERSION) {
        db.transaction(() => {
          db!.exec(SCHEMA);
          db!.pragma(`user_version = ${SCHEMA_VERSION}`);
        }).immediate();
      }
      return new Repository(db, file);
    } catch (e) {
      db?.close();
      throw translate(e, file);
    }
  }

  close(): void {
    this.db.close();
  }

  /** A prepared statement, prepared once per connection. */
  private sql(text: string): Database.Statement {
    let st = this.statements.get(text);
    if (st === undefined) {
      st = this.db.prepare(text);
      this.statements.set(text, st);
    }
    return st;
  }

  private guard<T>(work: () => T): T {
    try {
      return work();
    } catch (e) {
      throw translate(e, this.file);
    }
  }

  /**
   * Writes groups and moves names in one transaction. Dependencies must be in
   * the store already or among `groups`; all missing ones are reported at once
   * (E_MISSING_HASH) and nothing is written.
   */
  commit(groups: readonly NewGroup[], moves: readonly NameMove[], now: () => string = () => new Date().toISOString()): NameChange[] {
    for (const g of groups) {
      if (sha256(g.bytes) !== g.hash) throw new CaxError('E_INTERNAL', `group bytes do not hash to @${g.hash}`);
      g.members.forEach((m, i) => {
        if (memberHash(g.hash, i, g.members.length) !== m.hash) throw new CaxError('E_INTERNAL', `member ${i} of @${g.hash} is not @${m.hash}`);
      });
    }
    const db = this.db;
    const insertGroup = this.sql('INSERT OR IGNORE INTO groups (hash, bytes, size) VALUES (?, ?, ?)');
    const insertDef = this.sql('INSERT OR IGNORE INTO definitions (hash, group_hash, member, type, meta, checksum, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const insertDep = this.sql('INSERT OR IGNORE INTO dependencies (dependent, dependency) VALUES (?, ?)');
    const exists = this.sql('SELECT 1 FROM definitions WHERE hash = ?').pluck();
    const current = this.sql('SELECT hash FROM names WHERE name = ?').pluck();
    const setName = this.sql('INSERT INTO names (name, hash) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET hash = excluded.hash');
    const logName = this.sql('INSERT INTO name_history (name, hash, previous, at, reason) VALUES (?, ?, ?, ?, ?)');
    const write = db.transaction((): NameChange[] => {
      const at = now();
      const incoming = new Set(groups.flatMap((g) => g.members.map((m) => m.hash)));
      const missing = new Set<Hash>();
      for (const g of groups) {
        for (const m of g.members) {
          for (const d of m.dependencies) if (!incoming.has(d) && exists.get(d) === undefined) missing.add(d);
        }
      }
      for (const mv of moves) if (!incoming.has(mv.hash) && exists.get(mv.hash) === undefined) missing.add(mv.hash);
      if (missing.size > 0) {
        throw new CaxError('E_MISSING_HASH', `missing from the store: ${[...missing].map((h) => `@${h}`).join(', ')}`, { details: { missing: [...missing] } });
      }
      for (const g of groups) {
        insertGroup.run(g.hash, Buffer.from(g.bytes), g.members.length);
        g.members.forEach((m, i) => {
          const meta = JSON.stringify(m.meta);
          insertDef.run(m.hash, g.hash, i, m.type, meta, rowChecksum(m.hash, m.type, meta), at);
          for (const d of m.dependencies) insertDep.run(m.hash, d);
        });
      }
      return moves.map((mv) => {
        const previous = current.get(mv.name) as string | undefined;
        if (previous === mv.hash) return { name: mv.name, hash: mv.hash, previous, status: 'unchanged' as const };
        setName.run(mv.name, mv.hash);
        logName.run(mv.name, mv.hash, previous ?? null, at, mv.reason);
        return { name: mv.name, hash: mv.hash, previous, status: previous === undefined ? ('new' as const) : ('updated' as const) };
      });
    });
    return this.guard(() => write.immediate());
  }

  /** True when a definition with exactly this hash is stored (not verified). */
  has(hash: Hash): boolean {
    return this.guard(() => this.sql('SELECT 1 FROM definitions WHERE hash = ?').get(hash) !== undefined);
  }

  /** Reads and verifies one definition; E_MISSING_HASH when absent, E_CORRUPT when its bytes or row do not match. */
  get(hash: Hash): StoredDefinition {
    const row = this.guard(
      () =>
        this.sql('SELECT d.hash, d.group_hash, d.member, d.type, d.meta, d.checksum, d.added_at, g.bytes, g.size FROM definitions d JOIN groups g ON g.hash = d.group_hash WHERE d.hash = ?').get(
          hash,
        ) as DefinitionRow | undefined,
    );
    if (row === undefined) throw new CaxError('E_MISSING_HASH', `no definition @${hash} in the store`, { details: { missing: [hash] } });
    return this.verify(row);
  }

  private verify(row: DefinitionRow): StoredDefinition {
    const details = { hash: row.hash, file: this.file };
    if (!Buffer.isBuffer(row.bytes) || sha256(row.bytes) !== row.group_hash) {
      throw corrupt(`stored bytes of group @${row.group_hash} do not hash to it`, details);
    }
    if (!Number.isInteger(row.size) || row.size < 1 || !Number.isInteger(row.member) || row.member < 0 || row.member >= row.size || memberHash(row.group_hash, row.member, row.size) !== row.hash) {
      throw corrupt(`definition @${row.hash} is not member ${row.member} of group @${row.group_hash}`, details);
    }
    if (rowChecksum(row.hash, row.type, row.meta) !== row.checksum) throw corrupt(`type or metadata of @${row.hash} was altered`, details);
    let meta: Record<string, unknown>;
    try {
      meta = metaSchema.parse(JSON.parse(row.meta));
    } catch {
      throw corrupt(`metadata of @${row.hash} is not a JSON object`, details);
    }
    return { hash: row.hash, group: row.group_hash, index: row.member, groupSize: row.size, bytes: new Uint8Array(row.bytes), type: row.type, meta, addedAt: row.added_at };
  }

  /** The members of a group in order (verified). */
  group(groupHash: Hash): StoredDefinition[] {
    const hashes = this.guard(() => this.sql('SELECT hash FROM definitions WHERE group_hash = ? ORDER BY member').pluck().all(groupHash) as string[]);
    if (hashes.length === 0) throw new CaxError('E_MISSING_HASH', `no group @${groupHash} in the store`, { details: { missing: [groupHash] } });
    return hashes.map((h) => this.get(h));
  }

  /** Stored hashes starting with `prefix` (at most `limit`). */
  withPrefix(prefix: string, limit = 10): Hash[] {
    if (!/^[0-9a-f]*$/.test(prefix)) return [];
    return this.guard(() => this.sql('SELECT hash FROM definitions WHERE hash >= ? AND hash < ? ORDER BY hash LIMIT ?').pluck().all(prefix, `${prefix}g`, limit) as string[]);
  }

  /** The hash a name has now, if any. */
  lookupName(name: string): Hash | undefined {
    const hash = this.guard(() => this.sql('SELECT hash FROM names WHERE name = ?').pluck().get(name) as string | undefined);
    if (hash !== undefined && !isHash(hash)) throw corrupt(`name ${name} maps to a malformed hash`, { name });
    return hash;
  }

  /** The SHA-256 recorded for the cached image file under `key` (host/coprocessor/cache.ts), if any. */
  imageDigest(key: string): string | undefined {
    return this.guard(() => this.sql('SELECT sha256 FROM images WHERE key = ?').pluck().get(key) as string | undefined);
  }

  /** Records the SHA-256 of the cached image file under `key`. */
  recordImageDigest(key: string, sha256: string): void {
    this.guard(() => this.sql('INSERT OR REPLACE INTO images (key, sha256) VALUES (?, ?)').run(key, sha256));
  }

  /** The names pointing at `hash` now. */
  namesOf(hash: Hash): string[] {
    return this.guard(() => this.sql('SELECT name FROM names WHERE hash = ? ORDER BY name').pluck().all(hash) as string[]);
  }

  /** Every name that ever pointed at `hash`, most recent first. */
  formerNamesOf(hash: Hash): string[] {
    return this.guard(() => this.sql('SELECT name FROM name_history WHERE hash = ? GROUP BY name ORDER BY MAX(seq) DESC').pluck().all(hash) as string[]);
  }

  /** All current names, sorted. */
  names(): { name: string; hash: Hash }[] {
    return this.guard(() => this.sql('SELECT name, hash FROM names ORDER BY name').all() as { name: string; hash: Hash }[]);
  }

  /** The name's history, oldest first. */
  history(name: string): NameEvent[] {
    const rows = this.guard(
      () =>
        this.sql('SELECT seq, name, hash, previous, at, reason FROM name_history WHERE name = ? ORDER BY seq').all(name) as {
          seq: number;
          name: string;
          hash: string;
          previous: string | null;
          at: string;
          reason: string;
        }[],
    );
    return rows.map((r) => ({ ...r, previous: r.previous ?? undefined }));
  }

  /** Direct dependencies of a definition (outside its group), sorted. */
  dependencies(hash: Hash): Hash[] {
    return this.guard(() => this.sql('SELECT dependency FROM dependencies WHERE dependent = ? ORDER BY dependency').pluck().all(hash) as string[]);
  }

  /** Direct dependents of a definition, sorted. */
  dependents(hash: Hash): Hash[] {
    return this.guard(() => this.sql('SELECT dependent FROM dependencies WHERE dependency = ? ORDER BY dependent').pluck().all(hash) as string[]);
  }

  /** The group a stored hash belongs to and the group's members in order (unverified index), or undefined. */
  groupOf(hash: Hash): { group: Hash; members: Hash[] } | undefined {
    return this.guard(() => {
      const group = this.sql('SELECT group_hash FROM definitions WHERE hash = ?').pluck().get(hash) as string | undefined;
      if (group === undefined) return undefined;
      return { group, members: this.sql('SELECT hash FROM definitions WHERE group_hash = ? ORDER BY member').pluck().all(group) as string[] };
    });
  }

  /** Direct dependencies of all members of a group, sorted. */
  groupDependencies(group: Hash): Hash[] {
    return this.guard(
      () => this.sql('SELECT DISTINCT p.dependency FROM dependencies p JOIN definitions d ON d.hash = p.dependent WHERE d.group_hash = ? ORDER BY p.dependency').pluck().all(group) as string[],
    );
  }

  /** Number of stored definitions. */
  count(): number {
    return this.guard(() => this.sql('SELECT COUNT(*) FROM definitions').pluck().get() as number);
  }

  /** SQLite's own consistency check; E_CORRUPT when it finds damage. */
  checkIntegrity(): void {
    const result = this.guard(() => this.db.pragma('integrity_check', { simple: true }));
    if (result !== 'ok') throw corrupt(`store file ${this.file} fails its integrity check: ${String(result)}`);
  }
}
