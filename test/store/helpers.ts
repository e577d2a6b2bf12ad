// Shared by the store tests: a fresh store in a temporary directory, and
// adding TEL source to it through the real parser, type checker and add path.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseProgram } from '../../host/tel/parser.js';
import { addProgram, type AddContext, type AddReport } from '../../host/store/add.js';
import { Repository } from '../../host/store/repository.js';
import { storeTypeOracle } from '../../host/store/typing.js';
import type { Scheme } from '../../host/tel/types.js';

export interface TempStore {
  readonly dir: string;
  readonly repo: Repository;
  readonly ctx: AddContext;
  add(source: string, file?: string): AddReport;
  /** name → hash of each definition of the last add. */
  hashes(source: string, file?: string): Record<string, string>;
  dispose(): void;
}

export function tempStore(primitives: ReadonlyMap<string, Scheme> = new Map()): TempStore {
  const dir = mkdtempSync(join(tmpdir(), 'cax-store-'));
  const repo = Repository.open(dir);
  const ctx: AddContext = { repo, builtins: new Set(primitives.keys()), types: storeTypeOracle(repo, primitives) };
  const add = (source: string, file = 'input.tel'): AddReport => addProgram(ctx, parseProgram(source, file));
  return {
    dir,
    repo,
    ctx,
    add,
    hashes: (source, file) => Object.fromEntries(add(source, file).definitions.map((d) => [d.name, d.hash])),
    dispose() {
      repo.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
