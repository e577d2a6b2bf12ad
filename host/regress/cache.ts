// Reused results: a test's key is a SHA-256 over its entry (with the content
// of every file it reads) and the identity of its backend (the code and
// binaries it runs on), so a rerun with nothing changed runs nothing and a
// change to the RTL reruns exactly the tests on sim. Results are kept behind
// the small ResultCache interface: in one JSON file (JsonFileCache, here), or
// in the project's result cache (TieredResultCache, tiered-cache.ts).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { artefactPath, telRuntimeFiles } from '../artefacts.js';
import type { Outcome } from './execute.js';
import type { RegressBackend } from './manifest.js';
import type { MatrixTest } from './matrix.js';

/** A test's key, with its entry hash and backend identity. */
export interface TestKey {
  readonly key: string;
  readonly entry: string;
  readonly backend: string;
}

export interface ResultCache {
  get(key: TestKey): Outcome | undefined | Promise<Outcome | undefined>;
  put(key: TestKey, outcome: Outcome): void;
  /** Writes what was put (once, at the end of a run). */
  save(): void | Promise<void>;
}

/** A stored passing outcome. */
export const StoredOutcome = z.object({
  status: z.enum(['pass', 'fail', 'error', 'skipped']),
  expected: z.record(z.string(), z.unknown()),
  actual: z.record(z.string(), z.unknown()),
  message: z.string().optional(),
  code: z.string().optional(),
  cycles: z.number().nullable(),
  durationMs: z.number(),
});
const Stored = z.record(z.string(), StoredOutcome);

/** A JSON file of passing outcomes by key; an unreadable file is an empty cache (it is only a cache). */
export class JsonFileCache implements ResultCache {
  private readonly entries: Record<string, Outcome>;
  private dirty = false;

  constructor(private readonly file: string) {
    let entries: Record<string, Outcome> = {};
    if (existsSync(file)) {
      const parsed = Stored.safeParse(
        (() => {
          try {
            return JSON.parse(readFileSync(file, 'utf8')) as unknown;
          } catch {
            return undefined;
          }
        })(),
      );
      if (parsed.success) entries = parsed.data as Record<string, Outcome>;
    }
    this.entries = entries;
  }

  get(key: TestKey): Outcome | undefined {
    return this.entries[key.key];
  }

  put(key: TestKey, outcome: Outcome): void {
    this.entries[key.key] = outcome;
    this.dirty = true;
  }

  save(): void {
    if (!this.dirty) return;
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(`${this.file}.tmp`, JSON.stringify(this.entries));
    renameSync(`${this.file}.tmp`, this.file);
    this.dirty = false;
  }
}

const sha = (): ReturnType<typeof createHash> => createHash('sha256');

function hashFiles(hash: ReturnType<typeof createHash>, paths: readonly string[]): void {
  for (const p of paths) {
    hash.update(p.replace(/.*\/(host|build)\//, '$1/')).update('\0');
    hash.update(existsSync(p) ? readFileSync(p) : 'missing').update('\0');
  }
}

function moduleFiles(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => /\.(js|ts|tel)$/.test(f))
        .sort()
        .map((f) => join(dir, f))
    : [];
}

const identities = new Map<string, string>();

/** What a backend's results depend on: the interpreter's code; for the co-processor also the compiler, ISS, protocol, firmware, TEL runtime and (sim) the simulator binary. */
export function backendIdentity(backend: RegressBackend, device?: string): string {
  const memo = identities.get(`${backend}:${device ?? ''}`);
  if (memo) return memo;
  const host = dirname(dirname(fileURLToPath(import.meta.url)));
  const hash = sha().update(backend).update('\0');
  const dirs = backend === 'interp' ? ['tel'] : ['tel', 'compiler', 'coprocessor', 'riscv', 'protocol', 'sim', 'trace', 'regress'];
  hashFiles(
    hash,
    dirs.flatMap((d) => moduleFiles(join(host, d))),
  );
  if (backend !== 'interp') hashFiles(hash, [artefactPath('firmware'), ...telRuntimeFiles()]);
  if (backend === 'sim') hashFiles(hash, [artefactPath('simulator')]);
  if (backend === 'device') hash.update(device ?? '');
  const id = hash.digest('hex');
  identities.set(`${backend}:${device ?? ''}`, id);
  return id;
}

/** The content hash of a test's entry: its spec with every file it reads. */
export function entryHash(test: MatrixTest): string {
  const spec = test.test.spec;
  // a stored definition is its content hash, wherever the store is
  const hash = sha().update(JSON.stringify(spec.kind === 'stored' ? { ...spec, store: undefined } : spec));
  if (spec.kind === 'tel' || spec.kind === 'elf') hashFiles(hash, [spec.file]);
  if ((spec.kind === 'tel' || spec.kind === 'stored') && spec.world) hashFiles(hash, [spec.world]);
  return hash.digest('hex');
}

/** The key of a test: entry and backend identity. */
export function testKey(test: MatrixTest, device?: string): TestKey {
  const entry = entryHash(test);
  const backend = backendIdentity(test.backend, device);
  return { key: sha().update(entry).update(backend).digest('hex'), entry, backend };
}
