// Loads a suite manifest with the suites it includes (each once, a cycle is
// an error) and expands its entries into test cases: an ISA folder into one
// case per ELF, a generator into `count` programs sampled from its seed, a
// store reference into the content hash it names now ($CAX_HOME's store).
// Paths in a manifest are relative to the manifest's folder.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import fc from 'fast-check';
import { CaxError } from '../errors.js';
import { Loader } from '../store/loader.js';
import { Repository } from '../store/repository.js';
import { effectProgram, pureProgram } from '../tel/generate.js';
import { readManifest, type ManifestEntry, type RegressBackend } from './manifest.js';

/** What a worker runs: plain data (it crosses the process boundary). */
export type TestSpec =
  | {
      readonly kind: 'tel';
      readonly file: string;
      readonly main: string;
      readonly args: readonly string[];
      readonly world?: string;
      readonly start?: number;
      readonly expect: { value?: string; effects?: unknown[]; clock?: number; error?: string };
    }
  | { readonly kind: 'elf'; readonly file: string; readonly args: readonly number[]; readonly maxCycles: number; readonly expect: { a0?: number; exitCode?: number; trap?: number } }
  | { readonly kind: 'generated'; readonly source: string; readonly world?: unknown }
  /** A definition in a store (`file: store:REF`): run through the executor, as `cax run` does; `hash` is resolved when the suite is loaded. */
  | {
      readonly kind: 'stored';
      readonly store: string;
      readonly hash: string;
      readonly args: readonly string[];
      readonly world?: string;
      readonly start?: number;
      readonly expect: { value?: string; effects?: unknown[]; clock?: number; error?: string };
    };

export interface TestCase {
  readonly name: string;
  readonly suite: string;
  /** The manifest file the case comes from (for the command that reproduces it). */
  readonly manifest: string;
  readonly tags: readonly string[];
  readonly backends: readonly RegressBackend[];
  readonly device: string | undefined;
  readonly timeoutMs: number;
  readonly spec: TestSpec;
}

function existing(path: string, entry: string, manifest: string): string {
  if (!existsSync(path)) throw new CaxError('E_IO', `${manifest}: entry ${entry}: ${path} does not exist`);
  return path;
}

function expandEntry(entry: ManifestEntry, base: string, manifest: string, store: string): { name: string; spec: TestSpec }[] {
  switch (entry.kind) {
    case 'tel': {
      const world = entry.world === undefined ? undefined : existing(resolve(base, entry.world), entry.name, manifest);
      if (entry.file.startsWith('store:')) {
        const ref = entry.file.slice('store:'.length);
        const repo = Repository.open(store);
        let hash: string;
        try {
          hash = new Loader(repo).find(ref).hash;
        } catch (e) {
          throw e instanceof CaxError ? new CaxError(e.code, `${manifest}: entry ${entry.name}: ${e.message}`) : e;
        } finally {
          repo.close();
        }
        return [
          {
            name: entry.name,
            spec: { kind: 'stored', store, hash, args: entry.args, ...(world ? { world } : {}), ...(entry.start === undefined ? {} : { start: entry.start }), expect: entry.expect },
          },
        ];
      }
      return [
        {
          name: entry.name,
          spec: {
            kind: 'tel',
            file: existing(resolve(base, entry.file), entry.name, manifest),
            main: entry.main,
            args: entry.args,
            ...(world ? { world } : {}),
            ...(entry.start === undefined ? {} : { start: entry.start }),
            expect: entry.expect,
          },
        },
      ];
    }
    case 'elf':
      return [{ name: entry.name, spec: { kind: 'elf', file: existing(resolve(base, entry.file), entry.name, manifest), args: entry.args, maxCycles: entry.maxCycles, expect: entry.expect } }];
    case 'isa': {
      const dir = existing(resolve(base, entry.dir), entry.name, manifest);
      if (!statSync(dir).isDirectory()) throw new CaxError('E_IO', `${manifest}: entry ${entry.name}: ${dir} is not a folder`);
      const elfs = readdirSync(dir)
        .filter((f) => f.endsWith('.elf'))
        .sort();
      if (elfs.length === 0) throw new CaxError('E_IO', `${manifest}: entry ${entry.name}: no .elf files in ${dir}`);
      return elfs.map((f) => ({ name: `${entry.name}/${f.slice(0, -4)}`, spec: { kind: 'elf' as const, file: join(dir, f), args: [], maxCycles: entry.maxCycles, expect: { exitCode: 0 } } }));
    }
    case 'generate': {
      const programs =
        entry.programs === 'pure'
          ? fc.sample(pureProgram, { seed: entry.seed, numRuns: entry.count }).map((source) => ({ source }))
          : fc.sample(effectProgram, { seed: entry.seed, numRuns: entry.count });
      return programs.map((p, i) => ({ name: `${entry.name}/${entry.seed}-${i}`, spec: { kind: 'generated' as const, ...p } }));
    }
  }
}

/** Every case of the suite at `path` and of the suites it includes, in manifest order; `store:` references name definitions in the store at `store`. */
export function loadSuite(path: string, store: string, seen: ReadonlySet<string> = new Set()): TestCase[] {
  const file = resolve(path);
  if (seen.has(file)) throw new CaxError('E_MANIFEST', `${path} includes itself (through ${[...seen].join(' → ')})`);
  const manifest = readManifest(file);
  const base = dirname(file);
  const cases: TestCase[] = [];
  for (const inc of manifest.include) cases.push(...loadSuite(resolve(base, inc), store, new Set([...seen, file])));
  for (const entry of manifest.entries) {
    for (const { name, spec } of expandEntry(entry, base, path, store)) {
      cases.push({
        name: `${manifest.name}/${name}`,
        suite: manifest.name,
        manifest: file,
        tags: entry.tags,
        backends: entry.backends ?? manifest.backends,
        device: manifest.device,
        timeoutMs: entry.timeoutMs ?? manifest.timeoutMs,
        spec,
      });
    }
  }
  return cases;
}
