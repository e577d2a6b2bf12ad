// Run-time objects of the TEL machine beyond plain data: closures, partial
// applications, primitives, and effect descriptions (values of type
// `Effect a`, which only the scheduler runs).
import type { SourceSpan } from '../errors.js';
import type { CDo, CLam, Code } from './compile.js';
import type { Machine } from './machine.js';
import type { Value } from './values.js';

/** An activation frame: slot 0 holds the enclosing frame, slots 1… the locals. */
export type Env = unknown[];

export class Closure {
  readonly opaque = 'function' as const;
  constructor(
    readonly lam: CLam,
    readonly env: Env | null,
  ) {}
}

export class Prim {
  readonly opaque = 'function' as const;
  constructor(
    readonly name: string,
    readonly arity: number,
    readonly fn: (args: readonly Value[], m: Machine, span: SourceSpan | undefined) => Value,
  ) {}
}

export class Partial {
  readonly opaque = 'function' as const;
  constructor(
    readonly fn: Closure | Prim,
    readonly args: readonly Value[],
  ) {}
}

/** Code to evaluate later in an environment: the lazy right operand of `>>` and `<|`. */
export interface Thunk {
  readonly code: Code;
  readonly env: Env;
}

export type LedgerRequest = {
  readonly kind: 'deposit' | 'withdraw' | 'transfer';
  readonly amount: number;
  readonly asset: string;
  readonly from: string | null;
  readonly to: string | null;
  readonly timeline: string;
};

export type EffectNode =
  | { readonly k: 'pure'; readonly value: Value }
  | { readonly k: 'fail'; readonly message: string }
  | { readonly k: 'now' }
  | { readonly k: 'emit'; readonly value: Value }
  | { readonly k: 'ledger'; readonly request: LedgerRequest }
  | { readonly k: 'observe'; readonly key: string; readonly timeline: string }
  /** `a >> b` with b still unevaluated. */
  | { readonly k: 'seq'; readonly first: Eff; readonly then: Thunk | Eff }
  /** `a <| b`: b (unevaluated when written with the operator) runs if a fails. */
  | { readonly k: 'choice'; readonly first: Eff; readonly orElse: Thunk | Eff }
  | { readonly k: 'par'; readonly left: Eff; readonly right: Eff }
  | { readonly k: 'race'; readonly left: Eff; readonly right: Eff }
  | { readonly k: 'after'; readonly delay: number; readonly body: Eff }
  | { readonly k: 'at'; readonly time: number; readonly body: Eff }
  | { readonly k: 'within'; readonly limit: number; readonly body: Eff }
  | { readonly k: 'do'; readonly code: CDo; readonly index: number; readonly env: Env }
  | { readonly k: 'invoke'; readonly fn: Value; readonly args: readonly Value[]; readonly span: SourceSpan | undefined }
  /** `first >>= next` with a host function as the continuation (compiled TEL: `next` runs on the co-processor; a promise needs `Scheduler.runAsync`). */
  | { readonly k: 'bind'; readonly first: Eff; readonly next: (value: Value) => Eff | Promise<Eff> };

export class Eff {
  readonly opaque = 'effect' as const;
  constructor(
    readonly node: EffectNode,
    readonly span?: SourceSpan,
  ) {}
}

export function isThunk(x: Thunk | Eff): x is Thunk {
  return !(x instanceof Eff);
}
