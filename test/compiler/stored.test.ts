// Stored definitions on the co-processor: a definition added to the store
// (with its dependencies referenced by hash) and run by hash with argument
// expressions gives what the executor's interpreter run gives.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Executor } from '../../host/execution/executor.js';
import { parsePolicy } from '../../host/execution/policy.js';
import { describeStoredRun, runStoredOnBackend, storedRunToJson } from '../../host/compiler/stored.js';
import { addProgram } from '../../host/store/add.js';
import { Repository } from '../../host/store/repository.js';
import { addContext, ensurePrelude } from '../../host/store/tel-env.js';
import { parseProgram } from '../../host/tel/parser.js';

const SOURCE = `
square :: Int -> Int
square x = x * x

sumSquares :: [Int] -> Int
sumSquares xs = sum (map square xs)

pay :: Int -> Effect Int
pay n = do
  r <- deposit n to "alice" on "bank"
  emit r
  after (2 seconds) (return (sumSquares (range 1 n)))
`;

let dir: string;
let repo: Repository;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cax-compiler-'));
  repo = Repository.open(dir);
  const ctx = addContext(repo);
  ensurePrelude(ctx);
  addProgram(ctx, parseProgram(SOURCE, 'stored.tel'));
});
afterAll(() => {
  repo.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('stored definitions on the iss backend', () => {
  for (const [name, args] of [['sumSquares', ['[1, 2, 3]']], ['pay', ['7']]] as const) {
    it(`${name} agrees with the executor`, async () => {
      const hash = repo.lookupName(name)!;
      const reference = await new Executor({ repo, policy: parsePolicy({}) }).executeByHash(hash, { args: [...args] });
      const r = await runStoredOnBackend(repo, hash, args, { backend: 'iss', budget: 100_000_000 });
      expect(r.error).toBeNull();
      expect(r.shown).toBe(reference.value);
      expect(JSON.stringify(r.effects)).toBe(JSON.stringify(reference.effects));
      expect(r.clock).toBe(reference.clock);
      expect(r.imageKey).toMatch(/^[0-9a-f]{64}$/);
      const again = await runStoredOnBackend(repo, hash, args, { backend: 'iss', budget: 100_000_000 });
      expect([r.cached, again.cached]).toEqual([false, true]);
      expect(again.shown).toBe(r.shown);
      expect(storedRunToJson(hash, 'iss', r)).toMatchObject({ hash, backend: 'iss', value: reference.value, clock: reference.clock, image: { cached: false } });
      expect(describeStoredRun('iss', again)).toMatch(new RegExp(`clock ${reference.clock} ms, \\d+ cycles on iss \\(cached image\\)`));
    });
  }
});
