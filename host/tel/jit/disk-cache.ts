// The JIT's persistent code cache: V8's compiled code for the JIT's generated
// sources, one file per source in a directory beside the store (`jit-cache/`
// next to store.sqlite), so code compiled by one process is not compiled again
// by the next. A file is named by the SHA-256 of its key (the JIT version, the
// passes, the stored definition's content hash where there is one, and the
// generated source: tier.ts codeKey) and starts with a one-line JSON header
// naming the format, the JIT version, the V8 version, the SHA-256 of the whole
// key (the entry's identity, so a file under another key's name is refused),
// the stored definition's hash (or null) and the SHA-256 and length of the
// payload. Reads verify all of it (and V8 checks its own data again): a damaged, foreign or
// stale file is removed and counts as a miss. The directory is kept under a
// size limit by evicting the least recently used files. The cache only saves
// work: an I/O failure is a miss, never an error of the run.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const FORMAT = 'cax-jit-code/2';

const HeaderSchema = z.strictObject({
  format: z.literal(FORMAT),
  jit: z.number().int(),
  v8: z.string(),
  key: z.string().regex(/^[0-9a-f]{64}$/),
  definition: z.string().min(1).max(256).nullable(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().nonnegative(),
});

/** Default size limit of a cache directory. */
export const DISK_CACHE_BYTES = 32 * 1024 * 1024;

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

const NAME = /^[0-9a-f]{64}\.v8$/;

export class DiskCodeStore {
  hits = 0;
  misses = 0;
  /** Files found damaged, foreign or stale (and removed). */
  rejected = 0;
  writes = 0;
  evicted = 0;

  constructor(
    readonly directory: string,
    private readonly jitVersion: number,
    private readonly limitBytes: number = DISK_CACHE_BYTES,
  ) {}

  /** The file name of a cache key. */
  static nameOf(key: string): string {
    return `${sha256(key)}.v8`;
  }

  /** V8's cached data for `key`, verified; undefined when absent or not valid here (then removed). */
  read(key: string): Buffer | undefined {
    const file = join(this.directory, DiskCodeStore.nameOf(key));
    let raw: Buffer;
    try {
      raw = readFileSync(file);
    } catch {
      this.misses++;
      return undefined;
    }
    const payload = this.verified(raw, key);
    if (payload === undefined) {
      this.reject(key);
      return undefined;
    }
    try {
      const now = new Date();
      utimesSync(file, now, now);
    } catch {
      // recency is a hint for eviction only
    }
    this.hits++;
    return payload;
  }

  /** The payload of a file's bytes when its header and checksum hold for `key`, this JIT and this V8. */
  private verified(raw: Buffer, key: string): Buffer | undefined {
    const newline = raw.indexOf(10);
    if (newline < 0) return undefined;
    let header: z.infer<typeof HeaderSchema>;
    try {
      const parsed = HeaderSchema.safeParse(JSON.parse(raw.subarray(0, newline).toString('utf8')));
      if (!parsed.success) return undefined;
      header = parsed.data;
    } catch {
      return undefined;
    }
    const payload = raw.subarray(newline + 1);
    if (header.jit !== this.jitVersion || header.v8 !== process.versions.v8 || header.key !== sha256(key) || header.bytes !== payload.length || header.sha256 !== sha256(payload)) return undefined;
    return payload;
  }

  /** Removes the file of `key` (V8 or the checks above refused it). */
  reject(key: string): void {
    this.rejected++;
    try {
      unlinkSync(join(this.directory, DiskCodeStore.nameOf(key)));
    } catch {
      // already gone
    }
  }

  /** Stores V8's cached data for `key` of the stored definition `definition` ('' for none), written whole under a temporary name, then renamed; then evicts past the limit. */
  write(key: string, data: Buffer, definition = ''): void {
    const header = JSON.stringify({
      format: FORMAT,
      jit: this.jitVersion,
      v8: process.versions.v8,
      key: sha256(key),
      definition: definition === '' ? null : definition,
      sha256: sha256(data),
      bytes: data.length,
    });
    const file = join(this.directory, DiskCodeStore.nameOf(key));
    const temporary = `${file}.${process.pid}.tmp`;
    try {
      mkdirSync(this.directory, { recursive: true });
      writeFileSync(temporary, Buffer.concat([Buffer.from(`${header}\n`, 'utf8'), data]));
      renameSync(temporary, file);
      this.writes++;
      this.evict();
    } catch {
      try {
        unlinkSync(temporary);
      } catch {
        // never written
      }
    }
  }

  /** The cache files and their sizes and last use, oldest first. */
  entries(): { name: string; bytes: number; used: number }[] {
    const out: { name: string; bytes: number; used: number }[] = [];
    for (const name of readdirSync(this.directory)) {
      if (!NAME.test(name)) continue;
      const st = statSync(join(this.directory, name), { throwIfNoEntry: false });
      if (st?.isFile()) out.push({ name, bytes: st.size, used: st.mtimeMs });
    }
    return out.sort((a, b) => a.used - b.used || a.name.localeCompare(b.name));
  }

  /** Removes the least recently used files until the directory is within its limit. */
  private evict(): void {
    const entries = this.entries();
    let total = entries.reduce((n, e) => n + e.bytes, 0);
    for (const e of entries) {
      if (total <= this.limitBytes) break;
      unlinkSync(join(this.directory, e.name));
      total -= e.bytes;
      this.evicted++;
    }
  }
}
