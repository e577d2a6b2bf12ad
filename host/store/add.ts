// Adding TEL source to the store: split the program's definitions into
// mutually recursive groups (dependencies first), resolve every free name
// (file definitions, builtins, the store's current names) and every `@hash`,
// type-check, encode and hash each group, then write everything and move the
// names in one transaction. Reports each name → hash and what changed.
import { bindingGroups, freeNames } from '../tel/deps.js';
import { CaxError } from '../errors.js';
import type { Decl, Program } from '../tel/ast.js';
import { hashGroup, refsOf, type HashedGroup } from './canonical.js';
import { encodeDecl, type Global } from './tel-encoding.js';
import type { Hash } from './hash.js';
import type { NameChange, NewGroup, Repository } from './repository.js';
import { parseMeta, type DefinitionMeta } from './meta.js';

/** Types a program's declarations; the store supplies the types of stored definitions by hash. */
export interface TypeOracle {
  /**
   * The printed type scheme of each declaration of `decls`, keyed by name.
   * `stored` maps each free name that is not a declaration of `decls` or a
   * builtin to the hash it refers to; `HashRef` nodes refer to stored hashes.
   * Throws E_TYPE (with span) on an ill-typed program.
   */
  typesOf(decls: readonly Decl[], stored: ReadonlyMap<string, Hash>): ReadonlyMap<string, string>;
}

export interface AddContext {
  readonly repo: Repository;
  readonly builtins: ReadonlySet<string>;
  readonly types: TypeOracle;
  /** Clock for the history entries. */
  readonly now?: () => string;
}

export interface AddedDefinition {
  readonly name: string;
  readonly hash: Hash;
  readonly group: Hash;
  readonly index: number;
  readonly type: string;
  readonly status: NameChange['status'];
  readonly previous: Hash | undefined;
}

/** A stored, named definition that still refers to an older hash of a name. */
export interface BehindDependent {
  readonly name: string;
  readonly hash: Hash;
  readonly dependency: string;
  readonly pinned: Hash;
  readonly current: Hash;
}

export interface AddReport {
  readonly definitions: readonly AddedDefinition[];
  /** Dependents now behind because of this add (pinned to a previous hash of a moved name). */
  readonly behind: readonly BehindDependent[];
}

/** What a group of a program looks like once hashed, before it is written. */
export interface PreparedGroup {
  readonly group: HashedGroup;
  /** Declarations in canonical member order. */
  readonly decls: readonly Decl[];
  readonly metas: readonly DefinitionMeta[];
  readonly types: readonly string[];
  readonly dependencies: readonly (readonly Hash[])[];
}

/** The `@hash` references written in a declaration. */
function hashRefsOf(decl: Decl): Set<Hash> {
  return refsOf(encodeDecl(decl, (name) => ({ k: 'builtin', name })).item);
}

export interface PrepareOptions {
  /** The name recorded in metadata for a declaration (default: its own name). */
  readonly memberNames?: ReadonlyMap<string, string>;
  /** The dependency name recorded for an `@hash` written in the declarations (default: none, an explicit pin). */
  readonly refNames?: ReadonlyMap<Hash, string>;
}

/** Hashes a program's declarations without writing anything. `source` names the file in metadata. */
export function prepareProgram(ctx: AddContext, decls: readonly Decl[], source: string, options: PrepareOptions = {}): PreparedGroup[] {
  const { memberNames, refNames } = options;
  const byName = new Map<string, Decl>();
  for (const d of decls) {
    if (byName.has(d.name)) throw new CaxError('E_DUPLICATE', `${d.name} is defined twice`, { span: d.span });
    byName.set(d.name, d);
  }
  const free = new Map(decls.map((d) => [d, [...freeNames(d)]]));
  // Names from outside the file: builtins first, then the store's current names; all unbound reported at once.
  const stored = new Map<string, Hash>();
  const unbound: { name: string; decl: Decl }[] = [];
  for (const d of decls) {
    for (const n of free.get(d)!) {
      if (byName.has(n) || ctx.builtins.has(n) || stored.has(n)) continue;
      const h = ctx.repo.lookupName(n);
      if (h === undefined) unbound.push({ name: n, decl: d });
      else stored.set(n, h);
    }
  }
  if (unbound.length > 0) {
    throw new CaxError('E_UNBOUND', `not defined here, not a builtin and not in the store: ${[...new Set(unbound.map((u) => u.name))].join(', ')}`, {
      span: unbound[0]!.decl.span,
      details: { names: [...new Set(unbound.map((u) => u.name))] },
    });
  }
  const missing = [...new Set(decls.flatMap((d) => [...hashRefsOf(d)]))].filter((h) => !ctx.repo.has(h));
  if (missing.length > 0) {
    throw new CaxError('E_MISSING_HASH', `not in the store: ${missing.map((h) => `@${h}`).join(', ')}`, { details: { missing } });
  }
  const types = ctx.types.typesOf(decls, stored);

  const hashes = new Map<string, Hash>();
  const prepared: PreparedGroup[] = [];
  // The type checker's binding groups: a group is hashed exactly as it was generalized.
  const components = bindingGroups(decls);
  for (const component of components) {
    const position = new Map(component.map((d, i) => [d.name, i]));
    const encoded = component.map((d) =>
      encodeDecl(d, (name): Global | undefined => {
        const self = position.get(name);
        if (self !== undefined) return { k: 'self', index: self };
        const local = hashes.get(name);
        if (local !== undefined) return { k: 'ref', hash: local };
        if (ctx.builtins.has(name)) return { k: 'builtin', name };
        const h = stored.get(name);
        return h === undefined ? undefined : { k: 'ref', hash: h };
      }),
    );
    const group = hashGroup(encoded.map((e) => e.item));
    const ordered = group.order.map((src) => ({ decl: component[src]!, enc: encoded[src]! }));
    ordered.forEach(({ decl }, i) => hashes.set(decl.name, group.memberHashes[i]!));
    prepared.push({
      group,
      decls: ordered.map((o) => o.decl),
      types: ordered.map((o) => {
        const t = types.get(o.decl.name);
        if (t === undefined) throw new CaxError('E_INTERNAL', `no type inferred for ${o.decl.name}`);
        return t;
      }),
      metas: ordered.map(({ decl, enc }) => ({
        name: memberNames?.get(decl.name) ?? decl.name,
        locals: [...enc.locals],
        refs: Object.fromEntries([
          ...[...(refNames ?? [])].filter(([h]) => refsOf(enc.item).has(h)).map(([h, n]) => [n, h]),
          ...[...enc.globals].flatMap(([n, g]) => (g.k === 'ref' ? [[memberNames?.get(n) ?? n, g.hash]] : [])),
        ]),
        source,
      })),
      dependencies: ordered.map((_, i) => [...refsOfMember(group, i)]),
    });
  }
  return prepared;
}

function refsOfMember(group: HashedGroup, i: number): Set<Hash> {
  const out = new Set<Hash>();
  const walk = (item: HashedGroup['members'][number]): void => {
    if (item.k === 'ref') out.add(item.hash);
    else if (item.k === 'node' || item.k === 'list') item.items.forEach(walk);
  };
  walk(group.members[i]!);
  return out;
}

/** The groups of a prepared program as the repository writes them. */
export function toNewGroups(prepared: readonly PreparedGroup[]): NewGroup[] {
  return prepared.map((p) => ({
    hash: p.group.hash,
    bytes: p.group.bytes,
    members: p.group.memberHashes.map((hash, i) => ({ hash, type: p.types[i]!, meta: { ...p.metas[i]! }, dependencies: p.dependencies[i]! })),
  }));
}

/**
 * Prepares and writes declarations in one transaction; `storeName(declName)`
 * is the store name a declaration moves (undefined: it is stored unnamed).
 * Returns the definitions in the order of `decls`.
 */
export function commitDecls(
  ctx: AddContext,
  decls: readonly Decl[],
  source: string,
  reason: (previous: Hash | undefined) => string,
  options: PrepareOptions & { readonly storeName?: (declName: string) => string | undefined } = {},
): AddedDefinition[] {
  const prepared = prepareProgram(ctx, decls, source, options);
  const storeName = options.storeName ?? ((n: string) => n);
  const placed = prepared.flatMap((p) => p.decls.map((d, i) => ({ decl: d, name: storeName(d.name), hash: p.group.memberHashes[i]!, group: p.group.hash, index: i, type: p.types[i]! })));
  const moves = placed.flatMap((x) => (x.name === undefined ? [] : [{ name: x.name, hash: x.hash, reason: reason(ctx.repo.lookupName(x.name)) }]));
  const changes = new Map(ctx.repo.commit(toNewGroups(prepared), moves, ctx.now).map((c) => [c.name, c]));
  const order = new Map(decls.map((d, i) => [d.name, i]));
  return placed
    .sort((a, b) => order.get(a.decl.name)! - order.get(b.decl.name)!)
    .map((x) => {
      const change = x.name === undefined ? undefined : changes.get(x.name);
      return {
        name: x.name ?? x.decl.name,
        hash: x.hash,
        group: x.group,
        index: x.index,
        type: x.type,
        status: change?.status ?? 'unchanged',
        previous: change?.previous,
      };
    });
}

/** Adds a parsed program: one transaction for all its groups and name moves. */
export function addProgram(ctx: AddContext, program: Program): AddReport {
  const definitions = commitDecls(ctx, program.decls, program.file, (previous) => (previous === undefined ? `added from ${program.file}` : `updated from ${program.file}`));
  const moved = new Set(definitions.filter((d) => d.status === 'updated').map((d) => d.name));
  return { definitions, behind: behindDependents(ctx.repo).filter((b) => moved.has(b.dependency)) };
}

/** Every named definition pinned to a hash its dependency's name no longer has. */
export function behindDependents(repo: Repository): BehindDependent[] {
  const out: BehindDependent[] = [];
  for (const { name, hash } of repo.names()) {
    const meta = parseMeta(repo.get(hash).meta, hash);
    for (const [dependency, pinned] of Object.entries(meta.refs)) {
      const current = repo.lookupName(dependency);
      if (current !== undefined && current !== pinned) out.push({ name, hash, dependency, pinned, current });
    }
  }
  return out;
}
