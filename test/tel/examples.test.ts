// Every program in examples/ against its reviewed expected output (value,
// type, effect log, clock, final balances), and replayed from its own effect
// log without a world to the same result.
import { describe, it, expect } from '@jest/globals';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { z } from 'zod';
import { parseExpression, parseProgram } from '../../host/tel/parser.js';
import { loadProgram, runMain, runToJson } from '../../host/tel/interp.js';
import { parseWorld, replayHandlers } from '../../host/tel/world.js';

const Expected = z.object({ main: z.string(), args: z.array(z.string()) }).passthrough();
const names = readdirSync('examples')
  .filter((f) => f.endsWith('.tel'))
  .map((f) => f.slice(0, -4))
  .sort();

describe('examples', () => {
  it('has at least a dozen programs, each with an expected output', () => {
    expect(names.length).toBeGreaterThanOrEqual(12);
    for (const n of names) expect(existsSync(`examples/${n}.expected.json`)).toBe(true);
  });

  for (const name of names) {
    it(`${name} gives its expected output and replays from its log`, () => {
      const file = `examples/${name}.tel`;
      const expected = Expected.parse(JSON.parse(readFileSync(`examples/${name}.expected.json`, 'utf8')));
      const worldFile = `examples/${name}.world.json`;
      const world = existsSync(worldFile) ? parseWorld(JSON.parse(readFileSync(worldFile, 'utf8'))) : undefined;
      const loaded = loadProgram(parseProgram(readFileSync(file, 'utf8'), file));
      const args = expected.args.map((a, i) => parseExpression(a, `<arg ${i}>`));
      const result = runMain(loaded, expected.main, args, { world });
      const json = JSON.parse(JSON.stringify(runToJson(result))) as Record<string, unknown>;
      const { main: _m, args: _a, ...want } = expected;
      expect(json).toEqual(want);

      const replayed = runMain(loaded, expected.main, args, { handlers: replayHandlers(result.effects, result.latencies), start: result.effects[0]?.start ?? world?.start });
      expect(replayed.shown).toBe(result.shown);
      expect(replayed.error?.code).toBe(result.error?.code);
      expect(replayed.clock).toBe(result.clock);
      expect(JSON.parse(JSON.stringify(replayed.effects))).toEqual(JSON.parse(JSON.stringify(result.effects)));
    });
  }
});
