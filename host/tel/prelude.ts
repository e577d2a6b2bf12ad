// Loads the prelude (prelude.tel) once: parsed, type-checked against the
// builtins, compiled. Provides the environment every program is checked and
// compiled in: builtins, then prelude definitions.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseProgram, parseTypeScheme } from './parser.js';
import { checkProgram } from './infer.js';
import { compileDecls, type Cell, type Globals } from './compile.js';
import { schemeFromSignature, type Scheme } from './types.js';
import { BUILTINS } from './builtins.js';
import type { Value } from './values.js';

export interface Prelude {
  /** Types of builtins and prelude definitions. */
  readonly types: ReadonlyMap<string, Scheme>;
  /** Compiled names for the compiler. */
  readonly globals: Globals;
  readonly source: string;
}

let cached: Prelude | null = null;

/** The prelude source: next to this module, or (when running from dist/) in the source tree. */
function preludeSource(): { path: string; text: string } {
  const candidates = [new URL('./prelude.tel', import.meta.url), new URL('../../../host/tel/prelude.tel', import.meta.url)];
  for (const url of candidates) {
    const path = fileURLToPath(url);
    if (existsSync(path)) return { path, text: readFileSync(path, 'utf8') };
  }
  throw new Error('prelude.tel not found next to the TEL modules');
}

export function prelude(): Prelude {
  if (cached) return cached;
  const builtinTypes = new Map<string, Scheme>();
  for (const [name, b] of BUILTINS) builtinTypes.set(name, schemeFromSignature(parseTypeScheme(b.signature, `<builtin ${name}>`), 1, false));
  const { text } = preludeSource();
  const program = parseProgram(text, 'prelude.tel');
  const checked = checkProgram(program, { globals: builtinTypes });
  const types = new Map<string, Scheme>([...builtinTypes, ...checked.types]);
  const builtinGlobals: Globals = { lookup: (n) => BUILTINS.get(n)?.value };
  const cells = compileDecls(program.decls, builtinGlobals);
  const globals: Globals = { lookup: (n): Cell | Value | undefined => cells.get(n) ?? BUILTINS.get(n)?.value };
  cached = { types, globals, source: text };
  return cached;
}
