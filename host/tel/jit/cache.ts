// The JIT's code cache: generated function sources, keyed by the JIT version,
// the passes, the stored definition's content hash where there is one, and the
// source itself (the entry's identity), mapped to their JavaScript factories, so a definition compiled once
// is not parsed again by later runs in the same process. Least recently used
// entries are evicted past the size limit. With a DiskCodeStore behind it
// (disk-cache.ts, beside the store), V8's compiled code for each source is
// kept across processes too.
import { Script } from 'node:vm';
import type { DiskCodeStore } from './disk-cache.js';

/** Makes the compiled function from its constants and runtime helpers. */
type Factory = (constants: unknown[], runtime: unknown) => unknown;

export class CodeCache {
  private readonly factories = new Map<string, Factory>();
  hits = 0;
  misses = 0;

  constructor(
    private readonly limit: number,
    readonly disk: DiskCodeStore | null = null,
  ) {}

  get size(): number {
    return this.factories.size;
  }

  /** The function for `source` bound to `constants` and `runtime` (parsed once per key); `definition`: the stored definition's hash, or ''. */
  instantiate(key: string, source: string, constants: unknown[], runtime: unknown, definition = ''): unknown {
    let factory = this.factories.get(key);
    if (factory === undefined) {
      this.misses++;
      factory = this.compile(key, source, definition);
      this.factories.set(key, factory);
      if (this.factories.size > this.limit) this.factories.delete(this.factories.keys().next().value!);
    } else {
      this.hits++;
      this.factories.delete(key);
      this.factories.set(key, factory);
    }
    return factory(constants, runtime);
  }

  /** Compiles a factory (from V8's cached code for `key` when the disk has valid code for it, else storing it there). */
  private compile(key: string, source: string, definition: string): Factory {
    // Generated from the machine's own code, never from input text. The inner function is parenthesized, so V8
    // compiles it at once and its code is in the cached data.
    const text = `(function (K, R) {\n"use strict";\n${source}\n})`;
    const cached = this.disk?.read(key);
    const script = new Script(text, { filename: 'jit.js', ...(cached ? { cachedData: cached } : {}) });
    const factory = script.runInThisContext() as Factory;
    if (this.disk !== null && (cached === undefined || script.cachedDataRejected === true)) {
      if (cached !== undefined) this.disk.reject(key);
      this.disk.write(key, script.createCachedData(), definition);
    }
    return factory;
  }
}
