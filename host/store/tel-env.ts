// The TEL environment the store works in: the interpreter's builtins (their
// names stay names in canonical code; their types seed the checker) and the
// prelude, which is stored like any other code (added on first use, after
// which `map`, `filter`, … are ordinary stored names).
import { BUILTINS } from '../tel/builtins.js';
import { parseTypeScheme, parseProgram } from '../tel/parser.js';
import { prelude } from '../tel/prelude.js';
import { schemeFromSignature, type Scheme } from '../tel/types.js';
import { addProgram, type AddContext, type AddReport } from './add.js';
import type { Repository } from './repository.js';
import { storeTypeOracle } from './typing.js';

let builtinTypes: ReadonlyMap<string, Scheme> | undefined;

/** Types of the builtins, parsed once. */
export function primitiveTypes(): ReadonlyMap<string, Scheme> {
  builtinTypes ??= new Map([...BUILTINS].map(([name, b]) => [name, schemeFromSignature(parseTypeScheme(b.signature, `<builtin ${name}>`), 1, false)]));
  return builtinTypes;
}

/** The context for adding TEL code to `repo`. */
export function addContext(repo: Repository): AddContext {
  const primitives = primitiveTypes();
  return { repo, builtins: new Set(primitives.keys()), types: storeTypeOracle(repo, primitives) };
}

export const PRELUDE_FILE = 'prelude.tel';

/** Stores the prelude (a no-op when it is there already: same hashes, names unchanged). */
export function ensurePrelude(ctx: AddContext): AddReport | undefined {
  const names = parseProgram(prelude().source, PRELUDE_FILE).decls.map((d) => d.name);
  if (names.every((n) => ctx.repo.lookupName(n) !== undefined)) return undefined;
  return addProgram(ctx, parseProgram(prelude().source, PRELUDE_FILE));
}
