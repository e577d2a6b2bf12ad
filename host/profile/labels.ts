// Names for the interpreter's compiled code in a profile: every lambda and
// code node of a definition is labelled by the definition (`name`), a local
// function inside it by `name/local`, an anonymous lambda by `name/λ`; value
// definitions (cells) by their name. Built once per profiled program by
// walking the compiled code of its definitions and of the prelude's.
import { formatSpan } from '../errors.js';
import type { Cell, CLam, Code } from '../tel/compile.js';
import type { CLamKey } from '../tel/machine.js';
import { prelude } from '../tel/prelude.js';
import type { LoadedProgram } from '../tel/interp.js';

/** Code node fields that hold code (directly, or in arrays of code, clauses, bindings or statements). */
const CODE_FIELDS = ['fn', 'args', 'body', 'cond', 'then', 'else', 'scrutinee', 'clauses', 'binds', 'a', 'b', 'parts', 'stmts'] as const;

export interface Labelled {
  readonly label: string;
  readonly where: string | null;
}

/** The prelude's labels, made once (the prelude is compiled once per process). */
let preludeLabels: { owner: Map<object, Labelled>; cells: Map<Cell, Labelled> } | undefined;

export class CodeLabels {
  private readonly owner: Map<object, Labelled>;
  private readonly cells: Map<Cell, Labelled>;

  /** `rename` turns a definition's compiled name into the one to show (the executor compiles stored ones as `@hash`). */
  constructor(
    loaded: LoadedProgram,
    private readonly rename: (name: string) => string = (name) => name,
  ) {
    if (!preludeLabels) {
      this.owner = new Map();
      this.cells = new Map();
      const pre = prelude();
      for (const [name] of pre.types) this.addGlobal(pre.globals.lookup(name), name);
      preludeLabels = { owner: this.owner, cells: this.cells };
    }
    this.owner = new Map(preludeLabels.owner);
    this.cells = new Map(preludeLabels.cells);
    for (const d of loaded.program.decls) this.addGlobal(loaded.globals.lookup(d.name), rename(d.name));
  }

  private addGlobal(x: unknown, name: string): void {
    if (typeof x !== 'object' || x === null || !('fnValue' in x) || !('frame' in x)) return;
    const cell = x as Cell;
    const at: Labelled = { label: name, where: formatSpan(cell.span) };
    this.cells.set(cell, at);
    const code = cell.fnValue ? cell.fnValue.lam : cell.code;
    if (code) this.walk(code, at);
  }

  /** Labels `code` and everything in it (without recursion: nesting is bounded by the parser, but stays off the JS stack). */
  private walk(code: Code, top: Labelled): void {
    const work: { node: unknown; at: Labelled }[] = [{ node: code, at: top }];
    while (work.length > 0) {
      const { node, at } = work.pop()!;
      if (Array.isArray(node)) {
        for (const n of node) work.push({ node: n, at });
        continue;
      }
      if (typeof node !== 'object' || node === null || this.owner.has(node)) continue;
      let here = at;
      const r = node as Record<string, unknown>;
      if (r.op === 4 && node !== code) {
        const lam = node as CLam;
        here = { label: `${at.label}/${lam.name === 'a lambda' ? 'λ' : lam.name}`, where: at.where };
      }
      this.owner.set(node, here);
      for (const f of CODE_FIELDS) if (r[f] !== undefined) work.push({ node: r[f], at: here });
      if (r.code !== undefined && r.op === undefined) work.push({ node: r.code, at: here });
      if (r.expr !== undefined) work.push({ node: r.expr, at: here });
      if (r.guards !== undefined) work.push({ node: r.guards, at: here });
    }
  }

  /** The label of what a profile frame is entered for; a definition compiled during the run (`@hash`) is labelled when first entered. */
  of(what: CLamKey): Labelled {
    const known = 'op' in what ? this.owner.get(what) : this.cells.get(what);
    if (known) return known;
    if ('op' in what) {
      if (what.name.startsWith('@')) {
        this.walk(what, { label: this.rename(what.name), where: null });
        return this.owner.get(what)!;
      }
      return { label: what.name === 'a lambda' ? 'λ' : what.name, where: null };
    }
    return { label: this.rename(what.name), where: formatSpan(what.span) };
  }

  /** The label of the definition `code` belongs to, or null for code outside every definition (the entry). */
  ownerOf(code: Code): Labelled | null {
    return this.owner.get(code) ?? null;
  }
}
