// Laws of the canonical encoding: decode(encode(x)) = x, the decoder rejects
// any malformed input with E_CORRUPT only, and a group's hash does not depend
// on the order its members were given in.
import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { decodeGroup, encodeGroup, hashGroup, refsOf, replaceRefs, type CItem } from '../../host/store/canonical.js';
import { CaxError } from '../../host/errors.js';
import { memberHash, sha256 } from '../../host/store/hash.js';

const hashArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));

function itemArb(selfLimit: number): fc.Arbitrary<CItem> {
  const { item } = fc.letrec<{ item: CItem }>((tie) => ({
    item: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.record({ k: fc.constant('int' as const), v: fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n }) }),
      fc.record({ k: fc.constant('double' as const), v: fc.double({ noNaN: true }) }),
      fc.record({ k: fc.constant('text' as const), v: fc.string({ unit: 'grapheme' }) }),
      fc.record({ k: fc.constant('bool' as const), v: fc.boolean() }),
      fc.record({ k: fc.constant('local' as const), index: fc.nat(1000) }),
      fc.record({ k: fc.constant('ref' as const), hash: hashArb }),
      fc.record({ k: fc.constant('self' as const), index: fc.nat(selfLimit - 1) }),
      fc.constant({ k: 'binder' as const }),
      fc.constant({ k: 'none' as const }),
      fc.record({ k: fc.constant('builtin' as const), name: fc.constantFrom('+', 'deposit', '==') }),
      fc.record({ k: fc.constant('list' as const), items: fc.array(tie('item'), { maxLength: 4 }) }),
      fc.record({ k: fc.constant('node' as const), tag: fc.constantFrom('app', 'lam', 'let', 'case'), items: fc.array(tie('item'), { maxLength: 4 }) }),
    ),
  }));
  return item;
}

describe('canonical encoding', () => {
  it('decodes what it encodes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).chain((n) => fc.array(itemArb(n), { minLength: n, maxLength: n })),
        (members) => {
          const back = decodeGroup(encodeGroup(members));
          expect(back).toEqual(members);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects random and truncated bytes with E_CORRUPT only', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), (raw, withMagic) => {
        const bytes = withMagic ? Uint8Array.from([0x63, 0x61, 0x78, 0x01, ...raw]) : raw;
        try {
          decodeGroup(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(CaxError);
          expect((e as CaxError).code).toBe('E_CORRUPT');
        }
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.array(itemArb(1), { minLength: 1, maxLength: 1 }), (members) => {
        const bytes = encodeGroup(members);
        for (let cut = 0; cut < bytes.length; cut++) {
          expect(() => decodeGroup(bytes.subarray(0, cut))).toThrow(CaxError);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('hashes a group the same whatever order its members come in', () => {
    const groupArb = fc
      .integer({ min: 1, max: 4 })
      .chain((n) => fc.tuple(fc.array(itemArb(n), { minLength: n, maxLength: n }), fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n })));
    fc.assert(
      fc.property(groupArb, ([members, perm]) => {
        // Member i of the input becomes member perm.indexOf(i) of the shuffled input.
        const where = (i: number): number => perm.indexOf(i);
        const renumber = (item: CItem): CItem =>
          item.k === 'self' ? { k: 'self', index: where(item.index) } : item.k === 'node' || item.k === 'list' ? { ...item, items: item.items.map(renumber) } : item;
        const shuffled = perm.map((src) => renumber(members[src]!));
        const a = hashGroup(members);
        const b = hashGroup(shuffled);
        expect(b.hash).toBe(a.hash);
        expect(a.hash).toBe(sha256(a.bytes));
        expect(a.memberHashes).toEqual(a.members.map((_, i) => memberHash(a.hash, i, members.length)));
      }),
      { numRuns: 300 },
    );
  });

  it('orders mutually recursive members by content, not by input position', () => {
    const even: CItem = {
      k: 'node',
      tag: 'lam',
      items: [
        { k: 'binder' },
        {
          k: 'node',
          tag: 'app',
          items: [
            { k: 'self', index: 1 },
            { k: 'int', v: 0n },
          ],
        },
      ],
    };
    const odd: CItem = {
      k: 'node',
      tag: 'lam',
      items: [
        { k: 'binder' },
        {
          k: 'node',
          tag: 'app',
          items: [
            { k: 'self', index: 0 },
            { k: 'int', v: 1n },
          ],
        },
      ],
    };
    const renum = (item: CItem): CItem => (item.k === 'self' ? { k: 'self', index: 1 - item.index } : item.k === 'node' ? { ...item, items: item.items.map(renum) } : item);
    const a = hashGroup([even, odd]);
    const b = hashGroup([renum(odd), renum(even)]);
    expect(b.hash).toBe(a.hash);
    expect(b.order).toEqual([1, 0]);
  });

  it('rewrites references to other definitions', () => {
    const h1 = sha256(Buffer.from('1'));
    const h2 = sha256(Buffer.from('2'));
    const item: CItem = {
      k: 'node',
      tag: 'app',
      items: [
        { k: 'ref', hash: h1 },
        { k: 'list', items: [{ k: 'ref', hash: h1 }] },
      ],
    };
    const moved = replaceRefs(item, (h) => (h === h1 ? h2 : h));
    expect([...refsOf(moved)]).toEqual([h2]);
  });
});
