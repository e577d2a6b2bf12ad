// The JIT tier against the interpreter: every example, and chosen programs,
// give the same value, error (code and span), effect log, clock, steps and
// memory with the JIT off, eager and auto, and with each pass switched off.
import { describe, it, expect } from '@jest/globals';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { parseExpression, parseProgram } from '../../host/tel/parser.js';
import { loadProgram, runMain, runToJson, type RunOptions } from '../../host/tel/interp.js';
import type { JitOptions } from '../../host/tel/jit/tier.js';
import { parseWorld } from '../../host/tel/world.js';

const CONFIGS: readonly JitOptions[] = [
  { mode: 'eager' },
  { mode: 'auto' },
  { mode: 'eager', passes: { intOps: false } },
  { mode: 'eager', passes: { selfLoop: false } },
  { mode: 'eager', passes: { inlinePatterns: false } },
];

/** Everything a run is compared on. */
function observe(source: string, file: string, main: string, args: readonly string[], options: RunOptions): string {
  const loaded = loadProgram(parseProgram(source, file));
  const r = runMain(loaded, main, args.map((a, i) => parseExpression(a, `<arg ${i}>`)), options);
  return JSON.stringify({ ...runToJson(r), error: r.error?.toJSON(), steps: r.steps, memory: r.memory });
}

function agree(source: string, main: string, args: readonly string[], options: RunOptions = {}): void {
  const want = observe(source, 'test.tel', main, args, { ...options, jit: 'off' });
  for (const jit of CONFIGS) expect([jit, observe(source, 'test.tel', main, args, { ...options, jit })]).toEqual([jit, want]);
}

describe('JIT agrees with the interpreter', () => {
  const names = readdirSync('examples').filter((f) => f.endsWith('.tel')).map((f) => f.slice(0, -4)).sort();
  for (const name of names) {
    it(`example ${name}`, () => {
      const expected = JSON.parse(readFileSync(`examples/${name}.expected.json`, 'utf8')) as { main: string; args: string[] };
      const worldFile = `examples/${name}.world.json`;
      const world = existsSync(worldFile) ? parseWorld(JSON.parse(readFileSync(worldFile, 'utf8'))) : undefined;
      agree(readFileSync(`examples/${name}.tel`, 'utf8'), expected.main, expected.args, { world });
    });
  }
});
