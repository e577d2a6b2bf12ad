// Content addressing of TEL definitions: renaming and layout leave hashes
// unchanged, alpha-equivalent definitions share a hash, a changed dependency
// changes exactly its dependents, mutually recursive definitions form one
// group addressed by group hash and position, and a stored name is pinned.
import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { tempStore } from './helpers.js';
import { memberHash } from '../../host/store/hash.js';
import { updateDependents } from '../../host/store/update.js';
import { errorCode } from '../helpers/errors.js';
import { KEYWORDS } from '../../host/tel/lexer.js';

const PROGRAM = `
-- squares and sums
double x = x + x
quad y = double (double y)
sumTo n = if n <= 0 then 0 else n + sumTo (n - 1)
pairUp a b = (a, b)
firstOf xs = case xs of
  [] -> 0
  (h : _) -> h
`;

describe('content hashes of TEL definitions', () => {
  it('do not change when names, comments or layout change', () => {
    const a = tempStore();
    const b = tempStore();
    try {
      const h1 = a.hashes(PROGRAM);
      const renamed = `
twice   v   =   v + v   -- a comment
four w = twice (twice w)
{- block -}
total k = if k <= 0 then 0 else k + total (k - 1)
tuple p q = (p, q)
headOr0 zs = case zs of
  [] -> 0
  (first : _) -> first
`;
      const h2 = b.hashes(renamed);
      expect([h2.twice, h2.four, h2.total, h2.tuple, h2.headOr0]).toEqual([h1.double, h1.quad, h1.sumTo, h1.pairUp, h1.firstOf]);
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it('are shared by alpha-equivalent definitions and differ otherwise', () => {
    const s = tempStore();
    try {
      const h = s.hashes(`
k1 x y = x
k2 a b = a
k3 x y = y
l1 = \\x -> \\y -> x
l2 = \\y -> \\x -> y
l3 = \\x -> \\x -> x
`);
      expect(h.k1).toBe(h.k2);
      expect(h.k1).not.toBe(h.k3);
      expect(h.l1).toBe(h.l2);
      expect(h.l1).not.toBe(h.l3);
    } finally {
      s.dispose();
    }
  });

  it('stay the same under any consistent renaming (property)', () => {
    const base = tempStore();
    const original = base.hashes(PROGRAM);
    base.dispose();
    const idents = ['double', 'x', 'quad', 'y', 'sumTo', 'n', 'pairUp', 'a', 'b', 'firstOf', 'xs', 'h'];
    const fresh = fc
      .uniqueArray(fc.stringMatching(/^[a-z][a-zA-Z0-9_]{0,6}$/), { minLength: idents.length, maxLength: idents.length })
      // not a keyword, and not mod (the prelude's remainder, which the program uses)
      .filter((names) => names.every((n) => !KEYWORDS.has(n) && n !== 'mod'));
    fc.assert(
      fc.property(fresh, (names) => {
        const rename = new Map(idents.map((id, i) => [id, names[i]!]));
        const source = PROGRAM.replace(/--.*$/gm, '').replace(/\b[a-z][A-Za-z0-9_]*\b/g, (w) => rename.get(w) ?? w);
        const s = tempStore();
        try {
          const renamed = s.hashes(source);
          expect(Object.values(renamed).sort()).toEqual(Object.values(original).sort());
        } finally {
          s.dispose();
        }
      }),
      { numRuns: 25 },
    );
  });

  it('propagate a changed dependency to all its dependents and nothing else', () => {
    const s = tempStore();
    try {
      const before = s.hashes(`
base = 1
mid = base + 1
top = mid * 2
other = 42
`);
      const after = s.hashes(`
base = 2
mid = base + 1
top = mid * 2
other = 42
`);
      expect(after.base).not.toBe(before.base);
      expect(after.mid).not.toBe(before.mid);
      expect(after.top).not.toBe(before.top);
      expect(after.other).toBe(before.other);
    } finally {
      s.dispose();
    }
  });

  it('change exactly the transitive dependents of a changed definition (property)', () => {
    const dag = fc
      .integer({ min: 2, max: 9 })
      .chain((n) =>
        fc.tuple(
          fc.array(fc.integer({ min: 0, max: 50 }), { minLength: n, maxLength: n }),
          fc.array(fc.array(fc.boolean(), { minLength: n, maxLength: n }), { minLength: n, maxLength: n }),
          fc.nat(n - 1),
        ),
      );
    fc.assert(
      fc.property(dag, ([constants, uses, changed]) => {
        const n = constants.length;
        const deps = (i: number): number[] => [...Array(i).keys()].filter((j) => uses[i]![j]);
        const source = (cs: number[]): string => cs.map((c, i) => `d${i} = ${[String(c), ...deps(i).map((j) => `d${j}`)].join(' + ')}`).join('\n');
        const a = tempStore();
        const b = tempStore();
        try {
          const before = a.hashes(source(constants));
          const after = b.hashes(source(constants.map((c, i) => (i === changed ? c + 1 : c))));
          const affected = new Set([changed]);
          for (let i = 0; i < n; i++) if (deps(i).some((j) => affected.has(j))) affected.add(i);
          for (let i = 0; i < n; i++) {
            if (affected.has(i)) expect(after[`d${i}`]).not.toBe(before[`d${i}`]);
            else expect(after[`d${i}`]).toBe(before[`d${i}`]);
          }
        } finally {
          a.dispose();
          b.dispose();
        }
      }),
      { numRuns: 30 },
    );
  });

  it('hash mutually recursive definitions as one group, addressed by group hash and position', () => {
    const s = tempStore();
    const t = tempStore();
    try {
      const report = s.add(`
isEven n = if n == 0 then True else isOdd (n - 1)
isOdd n = if n == 0 then False else isEven (n - 1)
`);
      const [even, odd] = report.definitions;
      expect(even!.group).toBe(odd!.group);
      expect(even!.hash).not.toBe(odd!.hash);
      expect(new Set([even!.hash, odd!.hash])).toEqual(new Set([memberHash(even!.group, 0, 2), memberHash(even!.group, 1, 2)]));
      expect(
        s.repo
          .group(even!.group)
          .map((d) => d.hash)
          .sort(),
      ).toEqual([even!.hash, odd!.hash].sort());
      // Same group whatever the source order and names.
      const swapped = t.hashes(`
odd' k = if k == 0 then False else even' (k - 1)
even' k = if k == 0 then True else odd' (k - 1)
`);
      expect(swapped["even'"]).toBe(even!.hash);
      expect(swapped["odd'"]).toBe(odd!.hash);
    } finally {
      s.dispose();
      t.dispose();
    }
  });

  it('pin dependents to the hash they were added with until updated', () => {
    const s = tempStore();
    try {
      const first = s.hashes(`
base = 1
mid = base + 1
top = mid * 2
`);
      const report = s.add('base = 2\n', 'edit.tel');
      expect(report.definitions[0]).toMatchObject({ name: 'base', status: 'updated', previous: first.base });
      expect(report.behind).toEqual([{ name: 'mid', hash: first.mid, dependency: 'base', pinned: first.base, current: report.definitions[0]!.hash }]);
      expect(s.repo.lookupName('mid')).toBe(first.mid);
      expect(s.repo.dependencies(first.mid!)).toEqual([first.base]);
      const steps = updateDependents(s.ctx);
      expect(steps.map((st) => [st.name, st.because])).toEqual([
        ['mid', ['base']],
        ['top', ['mid']],
      ]);
      // The result is what adding the edited source from scratch gives.
      const fresh = tempStore();
      try {
        const direct = fresh.hashes(`
base = 2
mid = base + 1
top = mid * 2
`);
        expect(s.repo.lookupName('mid')).toBe(direct.mid);
        expect(s.repo.lookupName('top')).toBe(direct.top);
      } finally {
        fresh.dispose();
      }
      expect(s.repo.history('mid').map((e) => e.reason)).toEqual(['added from input.tel', 'update: base moved']);
      expect(updateDependents(s.ctx)).toEqual([]);
    } finally {
      s.dispose();
    }
  });

  it('updates a recursive group as a whole when one member is behind', () => {
    const s = tempStore();
    const fresh = tempStore();
    try {
      const group = `
ping n = if n > limit then 0 else pong (n + 1)
pong n = ping (n + 1)
`;
      s.add('limit = 3\n');
      const before = s.hashes(group);
      s.add('limit = 5\n');
      const steps = updateDependents(s.ctx);
      expect(steps.map((st) => st.name).sort()).toEqual(['ping', 'pong']);
      fresh.add('limit = 5\n');
      const direct = fresh.hashes(group);
      expect(s.repo.lookupName('ping')).toBe(direct.ping);
      expect(s.repo.lookupName('pong')).toBe(direct.pong);
      expect(direct.ping).not.toBe(before.ping);
    } finally {
      s.dispose();
      fresh.dispose();
    }
  });

  it('checks stored references: unknown names, missing hashes, wrong types', () => {
    const s = tempStore();
    try {
      const { n } = s.hashes('n = 5\n');
      expect(errorCode(() => s.add('f = nothere + 1\n'))).toBe('E_UNBOUND');
      expect(errorCode(() => s.add(`g = @${'ab'.repeat(32)} + 1\n`))).toBe('E_MISSING_HASH');
      expect(errorCode(() => s.add(`h = @${n} 3\n`))).toBe('E_TYPE');
      expect(s.hashes(`i = @${n} + 1\n`).i).toBe(s.hashes('j = n + 1\n').j);
    } finally {
      s.dispose();
    }
  });
});
