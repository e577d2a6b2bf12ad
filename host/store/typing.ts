// Types for the store: definitions are checked by the TEL type checker with
// the primitives' types and, for every name or `@hash` that refers to a
// stored definition, the type stored with it (so a referenced hash must have
// the type its use expects, or the add fails with E_TYPE). Stored types are
// printed schemes, parsed back when needed.
import { CaxError } from '../errors.js';
import type { TypeScheme } from '../tel/ast.js';
import { checkProgram } from '../tel/infer.js';
import { parseTypeScheme } from '../tel/parser.js';
import { schemeFromSignature, type Scheme } from '../tel/types.js';
import type { TypeOracle } from './add.js';
import type { Hash } from './hash.js';
import type { Repository } from './repository.js';

/** The stored type of a definition as a signature; E_CORRUPT when it does not parse. */
export function storedTypeScheme(repo: Repository, hash: Hash): TypeScheme | undefined {
  if (!repo.has(hash)) return undefined;
  const type = repo.get(hash).type;
  try {
    return parseTypeScheme(type, `@${hash.slice(0, 12)}`);
  } catch (e) {
    throw new CaxError('E_CORRUPT', `stored type of @${hash} does not parse: ${type}`, { cause: e });
  }
}

/** Type-checks against the store, with `primitives` as the builtins' types. */
export function storeTypeOracle(repo: Repository, primitives: ReadonlyMap<string, Scheme>): TypeOracle {
  const hashTypes = (hash: string): TypeScheme | undefined => storedTypeScheme(repo, hash);
  return {
    typesOf(decls, stored) {
      const globals = new Map(primitives);
      for (const [name, hash] of stored) {
        const sig = hashTypes(hash);
        if (sig === undefined) throw new CaxError('E_MISSING_HASH', `no stored definition @${hash} (named ${name})`, { details: { missing: [hash] } });
        globals.set(name, schemeFromSignature(sig, 1, false));
      }
      const file = decls[0]?.span.file ?? 'input';
      return checkProgram({ file, decls }, { globals, hashTypes }).signatures;
    },
  };
}
