// The JIT's code cache: generated function sources, keyed by the JIT version,
// the passes and the source itself (which is a function of the definition's
// code), mapped to their JavaScript factories, so a definition compiled once
// is not parsed again by later runs in the same process. Least recently used
// entries are evicted past the size limit.

/** Makes the compiled function from its constants and runtime helpers. */
type Factory = (constants: unknown[], runtime: unknown) => unknown;

export class CodeCache {
  private readonly factories = new Map<string, Factory>();
  hits = 0;
  misses = 0;

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.factories.size;
  }

  /** The function for `source` bound to `constants` and `runtime` (parsed once per key). */
  instantiate(key: string, source: string, constants: unknown[], runtime: unknown): unknown {
    let factory = this.factories.get(key);
    if (factory === undefined) {
      this.misses++;
      // Generated from the machine's own code, never from input text.
      factory = new Function('K', 'R', `"use strict";\n${source}`) as Factory;
      this.factories.set(key, factory);
      if (this.factories.size > this.limit) this.factories.delete(this.factories.keys().next().value!);
    } else {
      this.hits++;
      this.factories.delete(key);
      this.factories.set(key, factory);
    }
    return factory(constants, runtime);
  }
}
