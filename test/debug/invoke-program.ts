// The program with nested `invoke`s the executor snapshot tests take apart
// (context-snapshot.test.ts on the interpreter, executor-core-snapshot.test.ts
// on the ISS): main invokes twice, which invokes charge twice; with its world,
// and the built CLI run as a separate process on a store that holds it.
import { expect } from '@jest/globals';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { addProgram } from '../../host/store/add.js';
import { Repository } from '../../host/store/repository.js';
import { addContext } from '../../host/store/tel-env.js';
import { parseProgram } from '../../host/tel/parser.js';
import { parseWorld } from '../../host/tel/world.js';

export const INVOKE_PROGRAM = [
  'charge :: Int -> Effect Int',
  'charge n = emit n >> deposit 1 to "acc" on "tl" >> return (n * 3)',
  '',
  'twice :: Int -> Effect Int',
  'twice n = do { a <- invoke charge n; b <- invoke charge (n + 1); return (a + b) }',
  '',
  'main :: Effect Int',
  'main = do { x <- invoke twice 2; withdraw 3 from "acc" on "tl"; y <- observe "k" on "tl"; return (x + y) }',
].join('\n');

export const INVOKE_WORLD = parseWorld({ balances: { tl: { acc: { native: 1 } } }, facts: { tl: { k: 40 } }, latency: { tl: 10 } });

/** The built CLI (`make test` builds dist/ first). */
const CLI = resolve('dist/host/cli/main.js');

/** Writes the program as p.tel and the world as w.json into `dir`, adds the program to the store `dir`/store, and returns the CLI (`--json`) run in `dir` on that store. */
export function cliOnStore(dir: string): (...argv: string[]) => SpawnSyncReturns<string> {
  writeFileSync(join(dir, 'p.tel'), INVOKE_PROGRAM);
  writeFileSync(join(dir, 'w.json'), JSON.stringify(INVOKE_WORLD));
  const repo = Repository.open(join(dir, 'store'));
  addProgram(addContext(repo), parseProgram(INVOKE_PROGRAM, 'p.tel'));
  repo.close();
  return (...argv) => spawnSync(process.execPath, [CLI, '--json', ...argv], { cwd: dir, encoding: 'utf8', env: { ...process.env, CAX_HOME: join(dir, 'store') } });
}

/**
 * `cax snapshot take main --backend B --at N` in one process, `cax run main --backend B` in another and `cax snapshot
 * restore` in a third (the CLI on `dir`'s store): the restore prints what the plain run printed, with the image
 * cached for both (the take compiled it). Returns the CLI, for more of the same store.
 */
export function restoresInAnotherProcess(dir: string, backend: 'iss' | 'sim', at: number): (...argv: string[]) => SpawnSyncReturns<string> {
  const cax = cliOnStore(dir);
  const took = cax('snapshot', 'take', 'main', '--world', 'w.json', '--backend', backend, '--at', String(at), '--out', 's.snap');
  expect(took.status).toBe(0);
  const { id, pages } = JSON.parse(took.stdout) as { id: string; pages: number };
  expect(pages).toBeGreaterThan(0);
  const whole = cax('run', 'main', '--world', 'w.json', '--backend', backend, '--memo', 'off');
  expect(whole.status).toBe(0);
  const back = cax('snapshot', 'restore', 's.snap', '--id', id);
  expect(back.status).toBe(0);
  expect(JSON.parse(back.stdout)).toEqual(JSON.parse(whole.stdout));
  expect(JSON.parse(whole.stdout)).toMatchObject({ value: '55', coprocessor: { backend, cached: true } });
  return cax;
}
