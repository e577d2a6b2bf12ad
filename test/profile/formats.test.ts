// The profile's files: speedscope JSON validated (ajv) against the
// file-format schema speedscope itself ships (sampled profile: frames,
// stacks of frame indices, weights adding up to the total), Chrome trace events (complete
// events nested inside their parents, counters, metadata), and the SVG
// flame graph and HTML report rendered in headless Chromium: no console
// errors, a non-blank screenshot, the page's script ran.
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { z } from 'zod';
import { toChromeTrace } from '../../host/profile/chrome-trace.js';
import { flameGraphSvg } from '../../host/profile/flamegraph.js';
import { htmlReport } from '../../host/profile/html-report.js';
import { profileInterp } from '../../host/profile/profile-interp.js';
import { SPEEDSCOPE_SCHEMA, toSpeedscope } from '../../host/profile/speedscope.js';
import { parseProgram } from '../../host/tel/parser.js';
import { parseWorld } from '../../host/tel/world.js';
import { renderInChromium } from '../helpers/chromium.js';

/** speedscope's own schema of its file format (the npm package's dist/release/file-format-schema.json). */
const speedscopeSchema = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('speedscope/dist/release/file-format-schema.json'), 'utf8')) as object;
const validSpeedscope = new Ajv({ allErrors: true, strict: false }).compile(speedscopeSchema);

/** The fields cax's sampled profile has, read back typed after the schema check. */
const SpeedscopeFile = z.object({
  $schema: z.literal(SPEEDSCOPE_SCHEMA),
  shared: z.object({ frames: z.array(z.object({ name: z.string(), file: z.string().optional(), line: z.number().int().optional() })) }),
  profiles: z.array(z.object({ type: z.literal('sampled'), endValue: z.number(), samples: z.array(z.array(z.number().int().min(0))), weights: z.array(z.number().min(0)) })),
});

const TraceEvent = z
  .object({
    name: z.string(),
    ph: z.enum(['X', 'C', 'M']),
    pid: z.number().int(),
    tid: z.number().int(),
    ts: z.number().min(0).optional(),
    dur: z.number().min(0).optional(),
    cat: z.string().optional(),
    args: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
const ChromeTrace = z.object({ traceEvents: z.array(TraceEvent), displayTimeUnit: z.enum(['ms', 'ns']), otherData: z.record(z.string(), z.unknown()) }).strict();

const FIB = readFileSync('examples/fib.tel', 'utf8');
const ARBITRAGE = readFileSync('examples/arbitrage.tel', 'utf8').replace(/emit \("bought/, 'emit ("counter:trades", 1) >> emit ("bought');
const world = parseWorld(JSON.parse(readFileSync('examples/arbitrage.world.json', 'utf8')));

describe('profile files', () => {
  const fib = profileInterp({ program: parseProgram(FIB, 'fib.tel'), main: 'main', args: [] });
  const arb = profileInterp({ program: parseProgram(ARBITRAGE, 'arbitrage.tel'), main: 'main', args: [], world });

  it('writes speedscope’s format, its weights adding up to the total', () => {
    const json: unknown = JSON.parse(JSON.stringify(toSpeedscope(fib)));
    expect(validSpeedscope(json) ? [] : validSpeedscope.errors).toEqual([]);
    // the schema rejects what speedscope would not open
    expect(validSpeedscope({ ...(json as object), profiles: [{ type: 'sampled', name: 'x', unit: 'parsecs', startValue: 0, endValue: 1, samples: [], weights: [] }] })).toBe(false);
    const file = SpeedscopeFile.parse(json);
    const prof = file.profiles[0]!;
    expect(prof.samples.length).toBe(prof.weights.length);
    expect(prof.weights.reduce((s, w) => s + w, 0)).toBe(fib.total);
    expect(prof.endValue).toBe(fib.total);
    for (const stack of prof.samples) for (const f of stack) expect(f).toBeLessThan(file.shared.frames.length);
    expect(file.shared.frames.find((f) => f.name === 'fib')).toMatchObject({ file: 'fib.tel', line: 4 });
  });

  it('writes Chrome trace events, children inside their parents', () => {
    const trace = ChromeTrace.parse(JSON.parse(JSON.stringify(toChromeTrace(arb))));
    const tree = trace.traceEvents.filter((e) => e.ph === 'X' && e.pid === 1);
    expect(tree[0]).toMatchObject({ name: '(program)', ts: 0, dur: arb.total });
    // complete events on one track must nest: each one ends within every open one it starts in
    const open: { end: number }[] = [];
    for (const e of tree) {
      while (open.length > 0 && e.ts! >= open[open.length - 1]!.end) open.pop();
      if (open.length > 0) expect(e.ts! + e.dur!).toBeLessThanOrEqual(open[open.length - 1]!.end);
      open.push({ end: e.ts! + e.dur! });
    }
    const effects = trace.traceEvents.filter((e) => e.cat === 'effect');
    expect(effects.length).toBe(arb.effects.length);
    expect(trace.traceEvents.some((e) => e.ph === 'C' && e.name === 'counter trades')).toBe(true);
    expect(trace.traceEvents.some((e) => e.ph === 'C' && e.name === 'root compute')).toBe(true);
  });

  it('renders the SVG flame graph and the HTML report in headless Chromium', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cax-profile-'));
    try {
      writeFileSync(join(dir, 'fib.svg'), flameGraphSvg(fib));
      writeFileSync(join(dir, 'arb.html'), htmlReport(arb));
      const pages = ['fib.svg', 'arb.html'].map((page) => renderInChromium(join(dir, page)));
      for (const { console, png } of pages) {
        expect(console).toEqual([]);
        expect(png.subarray(1, 4).toString()).toBe('PNG');
        expect(png.length).toBeGreaterThan(8000); // a blank 1200×900 page compresses to far less
      }
      const dom = pages[1]!.dom;
      expect(dom).toMatch(/<span id="status">ready: \d+ boxes<\/span>/);
      expect(dom).toContain('id="res-root-compute"');
      expect(dom).toContain('id="metric-trades"');
      expect(dom).toMatch(/<rect class="effect"/);
      expect(dom).toMatch(/<li class="clock"><b>clock<\/b> deposit on eth/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
