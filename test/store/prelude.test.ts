// The prelude is stored like any code: added once, its names then resolve to
// stored hashes, and user code that uses it is pinned to those hashes.
import { describe, it, expect } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Repository } from '../../host/store/repository.js';
import { addContext, ensurePrelude } from '../../host/store/tel-env.js';
import { addProgram } from '../../host/store/add.js';
import { parseProgram } from '../../host/tel/parser.js';

describe('prelude in the store', () => {
  it('is added once and used by name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cax-prelude-'));
    const repo = Repository.open(dir);
    try {
      const ctx = addContext(repo);
      const first = ensurePrelude(ctx)!;
      expect(first.definitions.length).toBeGreaterThan(20);
      expect(ensurePrelude(ctx)).toBeUndefined();
      const map = repo.lookupName('map')!;
      const report = addProgram(ctx, parseProgram('doubled xs = map (\\x -> x * 2) xs\nmain = emit (sum (doubled [1, 2, 3]))\n', 'user.tel'));
      const doubled = report.definitions.find((d) => d.name === 'doubled')!;
      expect(repo.dependencies(doubled.hash)).toContain(map);
      expect(doubled.type).toBe('[Int] -> [Int]');
    } finally {
      repo.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
