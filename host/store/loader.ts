// The code loader: finds definitions by full hash, unique hash prefix or
// name, decodes their verified canonical bytes back to TEL declarations and
// links them with their dependency closure. Decoded code is cached by hash
// in an LRU bounded by canonical bytes; names are looked up in the store on
// every request and never cached, so a name that moved (even by another
// process) is never served stale.
import { CaxError, type SourceSpan } from '../errors.js';
import type { Decl } from '../tel/ast.js';
import { decodeGroup } from './canonical.js';
import { isHash, memberHash, parseHashPrefix, type Hash } from './hash.js';
import { parseMeta, type DefinitionMeta } from './meta.js';
import type { Repository } from './repository.js';
import { resolveStored } from './resolve.js';
import { decodeDecl } from './tel-encoding.js';

/** A definition ready to run: its declaration with every reference written `@hash`. */
export interface LoadedDefinition {
  readonly hash: Hash;
  readonly group: Hash;
  readonly index: number;
  /** Its declaration, named `name`, with references to other definitions (and its group) as `@hash`. */
  readonly decl: Decl;
  readonly type: string;
  readonly meta: DefinitionMeta;
  /** Canonical bytes of its group: what the cache counts. */
  readonly size: number;
}

/** A definition with its whole dependency closure, dependencies first. */
export interface LinkedCode {
  readonly root: LoadedDefinition;
  readonly definitions: ReadonlyMap<Hash, LoadedDefinition>;
  readonly order: readonly Hash[];
}

export interface LoaderStats {
  hits: number;
  misses: number;
  evictions: number;
  bytes: number;
  entries: number;
}

/** How a user-given reference was found. */
export interface Target {
  readonly hash: Hash;
  readonly via: 'hash' | 'prefix' | 'name';
}

export const DEFAULT_CACHE_BYTES = 16 * 1024 * 1024;

export class Loader {
  private readonly cache = new Map<Hash, LoadedDefinition>();
  readonly stats: LoaderStats = { hits: 0, misses: 0, evictions: 0, bytes: 0, entries: 0 };

  constructor(
    readonly repo: Repository,
    readonly maxBytes = DEFAULT_CACHE_BYTES,
  ) {}

  /**
   * Finds what `ref` means: a name in the store, else a full hash or a
   * unique hash prefix (with or without `@`; a leading `@` forces a hash).
   */
  find(ref: string): Target {
    if (!ref.startsWith('@')) {
      const named = this.repo.lookupName(ref);
      if (named !== undefined) return { hash: named, via: 'name' };
    }
    const prefix = parseHashPrefix(ref);
    if (prefix !== undefined) {
      if (isHash(prefix)) {
        if (!this.repo.has(prefix)) throw new CaxError('E_MISSING_HASH', `no definition @${prefix} in the store`, { details: { missing: [prefix] } });
        return { hash: prefix, via: 'hash' };
      }
      const matches = this.repo.withPrefix(prefix, 6);
      if (matches.length === 1) return { hash: matches[0]!, via: 'prefix' };
      if (matches.length > 1) {
        throw new CaxError('E_AMBIGUOUS', `hash prefix @${prefix} matches several definitions: ${matches.map((h) => `@${h.slice(0, 16)}`).join(', ')}${matches.length === 6 ? ', …' : ''}`, {
          details: { prefix, candidates: matches },
        });
      }
    }
    throw new CaxError('E_NOT_FOUND', `${ref} is neither a name in the store nor a stored hash or hash prefix`, { details: { ref } });
  }

  /** One definition, decoded (from the cache when there). */
  load(hash: Hash): LoadedDefinition {
    const cached = this.cache.get(hash);
    if (cached !== undefined) {
      this.stats.hits++;
      this.cache.delete(hash);
      this.cache.set(hash, cached);
      return cached;
    }
    this.stats.misses++;
    const stored = this.repo.get(hash);
    const members = decodeGroup(stored.bytes);
    const item = members[stored.index];
    if (item === undefined || members.length !== stored.groupSize) throw new CaxError('E_CORRUPT', `group @${stored.group} does not have member ${stored.index}`);
    const meta = parseMeta(stored.meta, hash);
    const span: SourceSpan = { file: `@${hash.slice(0, 12)}`, line: 1, col: 1 };
    const decl = decodeDecl(
      item,
      {
        name: meta.name,
        locals: meta.locals,
        ref: (h, s) => ({ tag: 'HashRef', hash: h, span: s }),
        self: (i, s) => ({ tag: 'HashRef', hash: memberHash(stored.group, i, stored.groupSize), span: s }),
      },
      span,
    );
    const loaded: LoadedDefinition = { hash, group: stored.group, index: stored.index, decl, type: stored.type, meta, size: stored.bytes.length };
    this.remember(loaded);
    return loaded;
  }

  /** The definition and everything it depends on, each loaded once. */
  link(hash: Hash): LinkedCode {
    const { order } = resolveStored(this.repo, [hash]);
    const definitions = new Map<Hash, LoadedDefinition>();
    for (const h of order) definitions.set(h, this.load(h));
    return { root: definitions.get(hash)!, definitions, order };
  }

  private remember(d: LoadedDefinition): void {
    if (d.size > this.maxBytes) return;
    this.cache.set(d.hash, d);
    this.stats.bytes += d.size;
    while (this.stats.bytes > this.maxBytes) {
      const [oldest, entry] = this.cache.entries().next().value as [Hash, LoadedDefinition];
      this.cache.delete(oldest);
      this.stats.bytes -= entry.size;
      this.stats.evictions++;
    }
    this.stats.entries = this.cache.size;
  }
}
