// Result keys (docs/cache.md): the SHA-256 of a canonical encoding
// (host/store/canonical.ts) of everything that decides a run's result — the
// definition's hash, its arguments, for effectful runs the world and start
// time, the backend with its identity (for a co-processor the compiler
// version and the hashes of the TEL runtime, the loader firmware and the RTL
// sources) and the parts of the policy that can change the outcome. Names,
// paths, the wall clock and the time of day never enter a key.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { artefactPath, packageRoot, telRuntimeFiles } from '../artefacts.js';
import type { BackendName } from '../coprocessor/backend.js';
import { COMPILER_VERSION } from '../compiler/compile.js';
import { encodeItem, type CItem } from '../store/canonical.js';
import { sha256, type Hash } from '../store/hash.js';
import type { WorldInput } from '../tel/world.js';

/** The parts of a sandbox policy (host/execution/policy.ts) a key reads. */
export interface KeyPolicy {
  readonly effects?: readonly string[] | undefined;
  readonly timelines?: readonly string[] | undefined;
  readonly budget: { readonly steps?: number | undefined; readonly memoryBytes?: number | undefined; readonly effects?: number | undefined; readonly ioOps?: number | undefined };
  readonly deadline?: number | undefined;
  readonly invokeShare?: number | undefined;
}

/** Where a result is computed: `interp`, or a co-processor backend. */
export type ResultBackend = 'interp' | BackendName;

/** An argument: a TEL expression as given to a run (printed canonically), or a value's canonical bytes (`invoke`). */
export type ResultArgument = { readonly expr: string } | { readonly value: Uint8Array };

/** The identity of a backend: named fields whose values decide its results. */
export type BackendIdentity = Readonly<Record<string, string>>;

export interface ResultKeyInput {
  readonly definition: Hash;
  readonly args: readonly ResultArgument[];
  /** Set for an effectful run: the world (without its start) and the start time are part of the key. */
  readonly effectful?: { readonly world: WorldInput; readonly start: number };
  readonly backend: ResultBackend;
  readonly identity: BackendIdentity;
  readonly policy: KeyPolicy;
}

/** First text of every key encoding; a new key format changes it. */
export const KEY_FORMAT = 'cax-result-key-1';

const node = (tag: string, ...items: CItem[]): CItem => ({ k: 'node', tag, items });
const text = (v: string): CItem => ({ k: 'text', v });
const int = (v: number): CItem => ({ k: 'int', v: BigInt(v) });
const none: CItem = { k: 'none' };
const optionalInt = (v: number | undefined): CItem => (v === undefined ? none : int(v));
const sortedTexts = (v: readonly string[] | undefined): CItem => (v === undefined ? none : { k: 'list', items: [...new Set(v)].sort().map(text) });

/** JSON with object keys sorted at every level: the canonical text of a world. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The parts of a policy that can change a run's outcome (the wall-clock limit cannot: a run it stops is never stored). */
function policyItem(p: KeyPolicy): CItem {
  const b = p.budget;
  return node(
    'Policy',
    sortedTexts(p.effects),
    sortedTexts(p.timelines),
    node('Budget', optionalInt(b.steps), optionalInt(b.memoryBytes), optionalInt(b.effects), optionalInt(b.ioOps)),
    optionalInt(p.deadline),
    p.invokeShare === undefined ? none : { k: 'double', v: p.invokeShare },
  );
}

function backendItem(backend: ResultBackend, identity: BackendIdentity): CItem {
  return node('Backend', text(backend), {
    k: 'list',
    items: Object.keys(identity)
      .sort()
      .map((k) => node('Field', text(k), text(identity[k]!))),
  });
}

/** The canonical tree of a key (docs/cache.md §Key). */
export function resultKeyItem(input: ResultKeyInput): CItem {
  const args = input.args.map((a) => ('expr' in a ? node('Expr', text(a.expr)) : node('Value', text(Buffer.from(a.value).toString('hex')))));
  const effects = input.effectful === undefined ? node('Pure') : node('Effectful', text(canonicalJson({ ...input.effectful.world, start: undefined })), int(input.effectful.start));
  return node(KEY_FORMAT, { k: 'ref', hash: input.definition }, { k: 'list', items: args }, effects, backendItem(input.backend, input.identity), policyItem(input.policy));
}

/** The canonical bytes of a key and its SHA-256. */
export function resultKey(input: ResultKeyInput): { readonly key: Hash; readonly bytes: Uint8Array } {
  const bytes = encodeItem(resultKeyItem(input));
  return { key: sha256(bytes), bytes };
}

function fileHash(path: string): Hash {
  return sha256(readFileSync(path));
}

/** SHA-256 over the RTL sources: each file's path under rtl/, a NUL, its SHA-256, a newline, in path order. */
export function rtlSourcesHash(root = join(packageRoot(), 'rtl')): Hash {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(s?v|vh|svh)$/.test(name)) files.push(path);
    }
  };
  if (existsSync(root)) walk(root);
  const hash = createHash('sha256');
  for (const f of files.map((p) => relative(root, p)).sort()) hash.update(`${f}\0${fileHash(join(root, f))}\n`);
  return hash.digest('hex');
}

const identities = new Map<ResultBackend, BackendIdentity>();

/**
 * What a backend's results depend on besides the program: nothing for the
 * interpreter (its semantics are the reference); for a co-processor the
 * compiler version and the hashes of the TEL runtime and loader firmware
 * ELFs, and for the RTL backends (sim, device) the RTL sources. Computed once a process.
 */
export function backendIdentity(backend: ResultBackend): BackendIdentity {
  const known = identities.get(backend);
  if (known) return known;
  let identity: BackendIdentity = {};
  if (backend !== 'interp') {
    identity = {
      compiler: COMPILER_VERSION,
      runtime: sha256(Buffer.concat(telRuntimeFiles().map((f) => readFileSync(f)))),
      firmware: fileHash(artefactPath('firmware')),
      ...(backend === 'iss' ? {} : { rtl: rtlSourcesHash() }),
    };
  }
  identities.set(backend, identity);
  return identity;
}

/** One digest of a backend and its identity: what `cax cache ls|evict --backend` filters on. */
export function identityDigest(backend: ResultBackend, identity: BackendIdentity): Hash {
  return sha256(encodeItem(backendItem(backend, identity)));
}
