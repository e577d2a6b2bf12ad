// Resolution and loading: closure in dependency order with diamonds loaded
// once, every missing hash reported together, cycles reported with their
// path, deep chains, lookup by hash / prefix / name, and an LRU cache that
// respects its size limit and never serves a moved name's old code.
import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { tempStore } from './helpers.js';
import { CaxError } from '../../host/errors.js';
import { Loader } from '../../host/store/loader.js';
import { Repository, STORE_FILE, type NewGroup } from '../../host/store/repository.js';
import { resolveGraph, resolveStored } from '../../host/store/resolve.js';
import { sha256 } from '../../host/store/hash.js';
import { addProgram } from '../../host/store/add.js';
import { storeTypeOracle } from '../../host/store/typing.js';
import { parseProgram } from '../../host/tel/parser.js';
import { caughtError } from '../helpers/errors.js';

const DIAMOND = `
base = 10
left = base + 1
right = base * 2
top = left + right
`;

describe('dependency resolution', () => {
  it('lists the closure dependencies first and loads a diamond once', () => {
    const s = tempStore();
    try {
      const h = s.hashes(DIAMOND);
      const loader = new Loader(s.repo);
      const linked = loader.link(h.top!);
      expect(linked.order).toHaveLength(4);
      expect(linked.order[0]).toBe(h.base);
      expect(linked.order[3]).toBe(h.top);
      expect(new Set(linked.order.slice(1, 3))).toEqual(new Set([h.left, h.right]));
      expect(loader.stats.misses).toBe(4);
      loader.link(h.top!);
      expect(loader.stats.misses).toBe(4);
      expect(loader.stats.hits).toBe(4);
      expect(linked.root.decl.name).toBe('top');
    } finally {
      s.dispose();
    }
  });

  it('pulls in a whole recursive group and what any member uses', () => {
    const s = tempStore();
    try {
      const h = s.hashes(`
one = 1
ping n = if n == 0 then one else pong (n - 1)
pong n = if n == 0 then 0 else ping (n - 1)
`);
      const { order } = resolveStored(s.repo, [h.ping!]);
      expect(order[0]).toBe(h.one);
      expect(new Set(order.slice(1))).toEqual(new Set([h.ping, h.pong]));
    } finally {
      s.dispose();
    }
  });

  it('reports every missing hash at once, with who needs it', () => {
    const s = tempStore();
    try {
      const h = s.hashes(`
a = 1
b = 2
usesA = a + 1
usesB = b + 1
both = usesA + usesB
`);
      s.repo.close();
      const db = new Database(join(s.dir, STORE_FILE));
      db.prepare('DELETE FROM definitions WHERE hash IN (?, ?)').run(h.a, h.b);
      db.close();
      const repo = Repository.open(s.dir);
      try {
        const e = caughtError(() => resolveStored(repo, [h.both!]));
        expect(e.code).toBe('E_MISSING_HASH');
        expect(new Set(e.details.missing as string[])).toEqual(new Set([h.a, h.b]));
        expect((e.details.neededBy as Record<string, string[]>)[h.a!]).toEqual([h.usesA]);
      } finally {
        repo.close();
      }
    } finally {
      s.dispose();
    }
  });

  it('reports a cycle between groups with its path (a store written by something else)', () => {
    const s = tempStore();
    try {
      const h = s.hashes(DIAMOND);
      s.repo.close();
      const db = new Database(join(s.dir, STORE_FILE));
      db.prepare('INSERT INTO dependencies (dependent, dependency) VALUES (?, ?)').run(h.base, h.top);
      db.close();
      const repo = Repository.open(s.dir);
      try {
        const e = caughtError(() => resolveStored(repo, [h.top!]));
        expect(e.code).toBe('E_CYCLE');
        const path = e.details.path as string[];
        expect(path[0]).toBe(path[path.length - 1]);
        expect(path).toContain(h.base);
        expect(path).toContain(h.top);
      } finally {
        repo.close();
      }
    } finally {
      s.dispose();
    }
  });

  it('resolves deep chains without recursion', () => {
    const s = tempStore();
    try {
      const groups: NewGroup[] = [];
      let previous: string | undefined;
      for (let i = 0; i < 20_000; i++) {
        const bytes = Buffer.from(`chain ${i}`);
        const hash = sha256(bytes);
        groups.push({ hash, bytes, members: [{ hash, type: 'Int', meta: {}, dependencies: previous ? [previous] : [] }] });
        previous = hash;
      }
      s.repo.commit(groups, []);
      const { order } = resolveStored(s.repo, [previous!]);
      expect(order).toHaveLength(20_000);
      expect(order[0]).toBe(groups[0]!.hash);
    } finally {
      s.dispose();
    }
  });

  it('orders any acyclic graph topologically and finds any cycle (property)', () => {
    const graphArb = fc.integer({ min: 1, max: 12 }).chain((n) => fc.tuple(fc.constant(n), fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 30 })));
    fc.assert(
      fc.property(graphArb, ([n, edges]) => {
        const out = new Map<string, string[]>();
        for (let i = 0; i < n; i++) out.set(String(i), []);
        for (const [a, b] of edges) out.get(String(a))!.push(String(b));
        const roots = [...out.keys()];
        let result: string[] | undefined;
        let cycle: string[] | undefined;
        try {
          result = [...resolveGraph(roots, (h) => out.get(h)).order];
        } catch (e) {
          expect((e as CaxError).code).toBe('E_CYCLE');
          cycle = (e as CaxError).details.path as string[];
        }
        if (result) {
          expect(new Set(result).size).toBe(n);
          const pos = new Map(result.map((h, i) => [h, i]));
          for (const [a, b] of edges) expect(pos.get(String(b))!).toBeLessThan(pos.get(String(a))!);
        } else {
          for (let i = 0; i + 1 < cycle!.length; i++) expect(out.get(cycle![i]!)).toContain(cycle![i + 1]);
          expect(cycle![0]).toBe(cycle![cycle!.length - 1]);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('loader', () => {
  it('finds definitions by name, full hash and unique prefix; ambiguous and unknown are errors', () => {
    const s = tempStore();
    try {
      const source = Array.from({ length: 40 }, (_, i) => `v${i} = ${i}`).join('\n');
      const h = s.hashes(source);
      const loader = new Loader(s.repo);
      expect(loader.find('v7')).toEqual({ hash: h.v7, via: 'name' });
      expect(loader.find(h.v7!)).toEqual({ hash: h.v7, via: 'hash' });
      expect(loader.find(`@${h.v7!.slice(0, 20)}`)).toEqual({ hash: h.v7, via: 'prefix' });
      const ambiguous = caughtError(() => loader.find(`@${h.v7!.slice(0, 1)}`));
      expect(ambiguous.code).toBe('E_AMBIGUOUS');
      expect((ambiguous.details.candidates as string[]).length).toBeGreaterThan(1);
      expect(caughtError(() => loader.find('nope')).code).toBe('E_NOT_FOUND');
      expect(caughtError(() => loader.find('f'.repeat(64))).code).toBe('E_MISSING_HASH');
    } finally {
      s.dispose();
    }
  });

  it('never serves the old code of a name moved by another process', () => {
    const s = tempStore();
    try {
      s.add('answer = 41\n');
      const loader = new Loader(s.repo);
      const first = loader.load(loader.find('answer').hash);
      expect(first.decl.equations[0]!.rhs).toMatchObject({ tag: 'Plain', expr: { tag: 'Lit', lit: { value: 41 } } });
      // A second connection to the same file, as another process would have.
      const writer = Repository.open(s.dir);
      try {
        addProgram({ ...s.ctx, repo: writer, types: storeTypeOracle(writer, new Map()) }, parseProgram('answer = 42\n', 'edit.tel'));
      } finally {
        writer.close();
      }
      const second = loader.load(loader.find('answer').hash);
      expect(second.decl.equations[0]!.rhs).toMatchObject({ tag: 'Plain', expr: { tag: 'Lit', lit: { value: 42 } } });
    } finally {
      s.dispose();
    }
  });

  it('keeps the cache under its size limit, evicting the least recently used', () => {
    const s = tempStore();
    try {
      const h = s.hashes(Array.from({ length: 30 }, (_, i) => `w${i} = ${i} + ${i}`).join('\n'));
      const one = new Loader(s.repo).load(h.w0!).size;
      const loader = new Loader(s.repo, one * 10);
      for (let i = 0; i < 30; i++) loader.load(h[`w${i}`]!);
      expect(loader.stats.bytes).toBeLessThanOrEqual(one * 10);
      expect(loader.stats.evictions).toBe(20);
      loader.load(h.w29!);
      expect(loader.stats.hits).toBe(1);
      loader.load(h.w0!);
      expect(loader.stats.misses).toBe(31);
    } finally {
      s.dispose();
    }
  });
});
