// The TEL ↔ canonical tree mapping on real code: every definition of the
// prelude and of examples/ decodes back to a declaration that encodes to the
// same bytes; and the decoder answers any tree with a Decl or E_CORRUPT.
import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseProgram } from '../../host/tel/parser.js';
import { prelude } from '../../host/tel/prelude.js';
import { encodeDecl, decodeDecl, type Global } from '../../host/store/tel-encoding.js';
import { encodeItem, type CItem } from '../../host/store/canonical.js';
import { sha256 } from '../../host/store/hash.js';
import { CaxError } from '../../host/errors.js';
import type { Decl } from '../../host/tel/ast.js';

const EXAMPLES = new URL('../../examples/', import.meta.url).pathname;
const sources: [string, string][] = [
  ['prelude.tel', prelude().source],
  ...readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.tel'))
    .map((f): [string, string] => [f, readFileSync(join(EXAMPLES, f), 'utf8')]),
];
const span = { file: 'decoded', line: 1, col: 1 };

/** Every free name means a (fake) stored hash derived from it, so encoding needs no store. */
const global = (name: string): Global => ({ k: 'ref', hash: sha256(Buffer.from(name)) });

function roundTrip(d: Decl): void {
  const first = encodeDecl(d, global);
  const names = new Map([...first.globals].map(([n, g]) => [(g as { hash: string }).hash, n]));
  const decoded = decodeDecl(first.item, { name: d.name, locals: first.locals, ref: (h, s) => ({ tag: 'Var', name: names.get(h)!, span: s }), self: () => ({ tag: 'Var', name: d.name, span }) }, span);
  const second = encodeDecl(decoded, global);
  expect(Buffer.from(encodeItem(second.item)).toString('hex')).toBe(Buffer.from(encodeItem(first.item)).toString('hex'));
  expect(second.locals).toEqual(first.locals);
}

describe('TEL canonical trees', () => {
  it.each(sources)('%s decodes to what it encodes from', (file, source) => {
    const program = parseProgram(source, file);
    expect(program.decls.length).toBeGreaterThan(0);
    for (const d of program.decls) roundTrip(d);
  });

  it('decodes with generated names when none are stored', () => {
    const [d] = parseProgram('f x y = let z = x in \\w -> z + y + w\n', 'f.tel').decls;
    const { item } = encodeDecl(d!, global);
    const back = decodeDecl(item, { name: 'g', locals: [], ref: (h, s) => ({ tag: 'HashRef', hash: h, span: s }), self: () => ({ tag: 'Var', name: 'g', span }) }, span);
    expect(back.equations[0]!.params).toEqual([
      { tag: 'PVar', name: 'x0', span },
      { tag: 'PVar', name: 'x1', span },
    ]);
    expect(Buffer.from(encodeItem(encodeDecl(back, global).item))).toEqual(Buffer.from(encodeItem(item)));
  });

  it('answers any tree with a declaration or E_CORRUPT', () => {
    const { item } = fc.letrec<{ item: CItem }>((tie) => ({
      item: fc.oneof(
        { depthSize: 'small' },
        fc.constant<CItem>({ k: 'binder' }),
        fc.constant<CItem>({ k: 'none' }),
        fc.nat(5).map((index): CItem => ({ k: 'local', index })),
        fc.constantFrom('+', 'seconds', 'deposit', 'bogus').map((v): CItem => ({ k: 'text', v })),
        fc.bigInt({ min: -5n, max: 5n }).map((v): CItem => ({ k: 'int', v })),
        fc.array(tie('item'), { maxLength: 3 }).map((items): CItem => ({ k: 'list', items })),
        fc
          .tuple(fc.constantFrom('Decl', 'Eq', 'Plain', 'Lit', 'App', 'Lam', 'Let', 'BinOp', 'Duration', 'Ledger', 'PCons', 'Scheme', 'TVar', 'Nope'), fc.array(tie('item'), { maxLength: 4 }))
          .map(([tag, items]): CItem => ({ k: 'node', tag, items })),
      ),
    }));
    fc.assert(
      fc.property(item, (tree) => {
        try {
          decodeDecl(tree, { name: 'x', locals: [], ref: (h, s) => ({ tag: 'HashRef', hash: h, span: s }), self: () => ({ tag: 'Var', name: 'x', span }) }, span);
        } catch (e) {
          expect(e).toBeInstanceOf(CaxError);
          expect((e as CaxError).code).toBe('E_CORRUPT');
        }
      }),
      { numRuns: 3000 },
    );
  });
});
