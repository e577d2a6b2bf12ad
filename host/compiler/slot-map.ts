// The compiler's record of where named binders live (docs/debugging.md, `cax debug --backend iss`): per compiled
// function, which frame slot (s0-relative), boxed slot, callee-saved register pair, field of a matched cons
// cell or capture of the running closure holds which binder — a parameter, a pattern variable, a `let`/`where` binder,
// a parameter of a body inlined into the function's code — named, with the span of its
// declaration, over which pcs: from where it is bound to the end of the scope it was bound in. Codegen tells the
// recorder where a binder is bound and where its scope ends (as labels in the function's code); the linker
// resolves the labels to pcs. A closure's captures are in scope over its whole code, named and ordered as the
// binders they copy were bound.
import type { SourceSpan } from '../errors.js';
import type { Asm } from './asm.js';

/** Where a binder's value (a (tag, payload) pair) is while it is in scope. */
export type BinderHome =
  /**
   * The pair at s0+off; `box`: the pair at s0+off points to a box holding it (a value of a recursive group); `int`: an
   * Int parameter passed without its tag word (codegen.ts CodegenOptions.untaggedArguments), its payload at s0+off+4.
   */
  | { readonly k: 'slot'; readonly off: number; readonly box?: true; readonly int?: true }
  /** The pair in registers `tag` and `payload` (a parameter kept in callee-saved registers). */
  | { readonly k: 'reg'; readonly tag: number; readonly payload: number }
  /** The pair at byte `at` of the cons cell whose value is at s0+off (a cons pattern matched in place). */
  | { readonly k: 'field'; readonly off: number; readonly at: number }
  /** Capture `index` of the closure whose code runs (its env, at s0-12); `box`: it points to a box holding it. */
  | { readonly k: 'cap'; readonly index: number; readonly box?: true };

/** One binder over the pcs [from, to) of its function's code. */
export interface BinderRange {
  readonly name: string;
  /** The span of its declaration (the key of its inferred type: infer.ts binderKey). */
  readonly span: SourceSpan;
  readonly home: BinderHome;
  readonly from: number;
  readonly to: number;
}

interface Recorded {
  readonly name: string;
  readonly span: SourceSpan;
  readonly home: BinderHome;
  readonly from: string;
  to?: string;
}

/** Collects the binders as codegen binds them, by the scope (any object codegen uses for one) they are bound in. */
export class SlotMapRecorder {
  private readonly recorded: Recorded[] = [];
  private readonly open = new Map<object, Recorded[]>();
  /** The declaration and binding order of each variable location codegen made (by its location object). */
  private readonly declared = new WeakMap<object, { readonly span: SourceSpan; readonly order: number }>();
  /** A closure's captures, by the scope its code will be compiled in, until that code starts (`openCaptures`). */
  private readonly captures = new Map<object, { readonly name: string; readonly span: SourceSpan; readonly order: number; readonly home: BinderHome }[]>();
  private order = 0;

  /** `name` (declared at `span`, at location `loc`) is in `home` from here in `code` on, until `close(scope)`. */
  bind(code: Asm, scope: object, name: string, span: SourceSpan, home: BinderHome, loc: object): void {
    this.declared.set(loc, { span, order: this.order++ });
    this.openBinder(code, scope, name, span, home);
  }

  /** The closure whose code is compiled in `scope` captures `name` (at `outer` where it is made) as `loc`, in `home`. */
  capture(scope: object, name: string, outer: object, loc: object, home: BinderHome): void {
    const d = this.declared.get(outer);
    if (!d) return;
    this.declared.set(loc, d);
    const list = this.captures.get(scope) ?? [];
    list.push({ name, span: d.span, order: d.order, home });
    this.captures.set(scope, list);
  }

  /** The captures of the closure whose code is compiled in `scope` are in scope from here in `code` on, until `close(scope)`. */
  openCaptures(code: Asm, scope: object): void {
    const list = this.captures.get(scope);
    if (!list) return;
    this.captures.delete(scope);
    for (const c of [...list].sort((a, b) => a.order - b.order)) this.openBinder(code, scope, c.name, c.span, c.home);
  }

  private openBinder(code: Asm, scope: object, name: string, span: SourceSpan, home: BinderHome): void {
    const from = code.fresh('bound');
    code.mark(from);
    const r: Recorded = { name, span, home, from };
    this.recorded.push(r);
    const list = this.open.get(scope);
    if (list) list.push(r);
    else this.open.set(scope, [r]);
  }

  /** The binders bound in `scope` go out of scope here in `code`. */
  close(code: Asm, scope: object): void {
    const list = this.open.get(scope);
    if (!list) return;
    const to = code.fresh('unbound');
    code.mark(to);
    for (const r of list) r.to = to;
    this.open.delete(scope);
  }

  /** The binders with their pcs (`labels`: the assembled code's); one whose scope was never closed is left out. */
  resolve(labels: ReadonlyMap<string, number>): BinderRange[] {
    return this.recorded.flatMap((r) => {
      const from = labels.get(r.from);
      const to = r.to === undefined ? undefined : labels.get(r.to);
      return from === undefined || to === undefined || to <= from ? [] : [{ name: r.name, span: r.span, home: r.home, from, to }];
    });
  }
}

/** The binders in scope at `pc`, in the order they were bound (a name bound again shadows the earlier one: the later one comes later). */
export function bindersAt(ranges: readonly BinderRange[], pc: number): BinderRange[] {
  return ranges.filter((r) => r.from <= pc && pc < r.to);
}
