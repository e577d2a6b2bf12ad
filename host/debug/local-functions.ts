// The program's lambdas and local (`let`/`where`) functions by source
// position, for `cax debug --backend iss` (iss-session.ts): a compiled
// function that is not a top-level definition (`lambda#4`, `go#0`) is found
// by the source position of its first source-map entry, which is where its
// lambda or its local definition starts; its parameters name the arguments
// read back at its entry, typed as the checker inferred them (record.ts
// binderType).
import type { Decl, Expr, Pattern } from '../tel/ast.js';
import type { SourceSpan } from '../errors.js';
import { binderKey } from '../tel/infer.js';

/** A lambda's or a local function's parameters (its first equation's). */
export interface LocalFunction {
  readonly params: readonly Pattern[];
}

const positionKey = (span: SourceSpan): string => `${span.file}:${span.line}:${span.col}`;

/** Every lambda and every local definition with parameters among `decls` (nested ones included), by the position it starts at. */
export function localFunctions(decls: readonly Decl[]): ReadonlyMap<string, LocalFunction> {
  const found = new Map<string, LocalFunction>();
  const top = new Set<unknown>(decls);
  // the AST is plain data: every node below a definition is reached through its fields
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const n = node as { readonly tag?: unknown; readonly name?: unknown; readonly equations?: unknown };
    if (n.tag === 'Lam') {
      const lam = node as Extract<Expr, { tag: 'Lam' }>;
      found.set(positionKey(lam.span), { params: lam.params });
    } else if (!top.has(node) && typeof n.name === 'string' && Array.isArray(n.equations)) {
      const decl = node as Decl;
      if ((decl.equations[0]?.params.length ?? 0) > 0) found.set(positionKey(decl.span), { params: decl.equations[0]!.params });
    }
    for (const [key, value] of Object.entries(node)) if (key !== 'span') visit(value);
  };
  visit(decls);
  return found;
}

/** The local function starting at `span`, if any. */
export function localFunctionAt(functions: ReadonlyMap<string, LocalFunction>, span: SourceSpan): LocalFunction | undefined {
  return functions.get(positionKey(span));
}

/** The binderKey of a parameter pattern (a plain variable), for its inferred type. */
export function parameterKey(p: Pattern): string | undefined {
  return p.tag === 'PVar' ? binderKey(p.name, p.span) : undefined;
}
