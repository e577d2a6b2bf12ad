// Shared by the execution tests: a store with the prelude and some TEL
// source added, and an executor over it with a given policy.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Repository } from '../../host/store/repository.js';
import { addContext, ensurePrelude } from '../../host/store/tel-env.js';
import { addProgram } from '../../host/store/add.js';
import { parseProgram } from '../../host/tel/parser.js';
import { Executor, type ExecutorOptions } from '../../host/execution/executor.js';
import { parsePolicy, type PolicyInput } from '../../host/execution/policy.js';

export interface Setup {
  readonly repo: Repository;
  executor(policy?: PolicyInput, options?: Partial<ExecutorOptions>): Executor;
  dispose(): void;
}

export function setup(source: string): Setup {
  const dir = mkdtempSync(join(tmpdir(), 'cax-exec-'));
  const repo = Repository.open(dir);
  const ctx = addContext(repo);
  ensurePrelude(ctx);
  addProgram(ctx, parseProgram(source, 'test.tel'));
  return {
    repo,
    executor: (policy = {}, options = {}) => new Executor({ repo, policy: parsePolicy(policy), ...options }),
    dispose() {
      repo.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
