// The executor agrees with the reference interpreter: every program of
// examples/ added to the store and run by name gives the reviewed expected
// value, type, effect log, clock, balances and error.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Repository } from '../../host/store/repository.js';
import { addContext, ensurePrelude } from '../../host/store/tel-env.js';
import { addProgram } from '../../host/store/add.js';
import { parseProgram } from '../../host/tel/parser.js';
import { Executor } from '../../host/execution/executor.js';
import { parseWorld } from '../../host/tel/world.js';

const EXAMPLES = new URL('../../examples/', import.meta.url).pathname;
const names = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.tel') && existsSync(join(EXAMPLES, f.replace(/\.tel$/, '.expected.json'))))
  .map((f) => f.replace(/\.tel$/, ''));

interface Expected {
  main: string;
  args: string[];
  value: string | null;
  type: string;
  effects: unknown[];
  clock: number;
  balances: unknown;
  error?: { code: string; message: string };
}

describe('executor on examples/', () => {
  let dir: string;
  let repo: Repository;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cax-examples-'));
    repo = Repository.open(dir);
    ensurePrelude(addContext(repo));
  });
  afterAll(() => {
    repo.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has examples', () => {
    expect(names.length).toBeGreaterThanOrEqual(10);
  });

  it.each(names)('%s', async (name) => {
    const expected = JSON.parse(readFileSync(join(EXAMPLES, `${name}.expected.json`), 'utf8')) as Expected;
    const worldFile = join(EXAMPLES, `${name}.world.json`);
    const world = existsSync(worldFile) ? parseWorld(JSON.parse(readFileSync(worldFile, 'utf8'))) : {};
    addProgram(addContext(repo), parseProgram(readFileSync(join(EXAMPLES, `${name}.tel`), 'utf8'), `${name}.tel`));
    const r = await new Executor({ repo }).executeByName(expected.main, { args: expected.args, world });
    expect(r.error ? { code: r.error.code, message: r.error.message } : undefined).toEqual(expected.error);
    expect(r.value).toEqual(expected.value);
    expect(r.type).toBe(expected.type);
    expect(JSON.parse(JSON.stringify(r.effects))).toEqual(expected.effects);
    expect(r.clock).toBe(expected.clock);
    expect(r.balances).toEqual(expected.balances);
  });
});
