// Profiles a TEL definition compiled for the co-processor: the image
// (compiled from a file's `main ARGS…` or from the store) runs on the ISS,
// whose retirement records feed the TraceCollector as they happen, or on
// the simulated core, whose trace file is read after the session; effects
// run through the interpreter's scheduler as in every compiled run, with
// the world probed for cycles and heap over logical time. The frames'
// cycles add up to the run's cycles exactly (the loader's share is its own
// frame), and both cores give the same profile.
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { artefactPath } from '../artefacts.js';
import { CaxError } from '../errors.js';
import type { Decl, Expr, Program } from '../tel/ast.js';
import type { CodegenOptions } from '../compiler/codegen.js';
import { compileProgram } from '../compiler/compile.js';
import type { Image } from '../compiler/link.js';
import { runImage, type Coprocessor } from '../coprocessor/backend.js';
import { CoprocessorClient } from '../protocol/client.js';
import { IssTransport } from '../protocol/iss-link.js';
import { SimTransport } from '../protocol/sim-link.js';
import type { Transport } from '../protocol/transport.js';
import { parseTraceLine } from '../trace/record.js';
import { Iss } from '../riscv/iss.js';
import type { Resolver } from '../tel/interp.js';
import { parseExpression } from '../tel/parser.js';
import { MemoryWorld, type WorldInput } from '../tel/world.js';
import { TraceCollector } from './collect-trace.js';
import { MetricsRecorder } from './metrics.js';
import type { EffectSpan, Profile, ProfileBackend } from './model.js';
import { ProbedWorld } from './world-probe.js';

const ENTRY = 'cax$profile';
/** The default cycle budget of a profiled run. */
export const DEFAULT_CYCLES = 2_000_000_000;

export interface CompiledProfileRequest {
  /** Where the image runs (default the ISS). */
  readonly backend?: Exclude<ProfileBackend, 'interp'>;
  readonly program: Program;
  readonly main: string;
  readonly args: readonly string[];
  readonly resolver?: Resolver;
  readonly world?: WorldInput;
  readonly start?: number;
  readonly cycles?: number;
  readonly metrics?: MetricsRecorder;
  /** The ISS's RAM (default DEFAULT_RAM_BYTES): BOARD_RAM_BYTES plays the board, whose heap makes the collector work. */
  readonly ramBytes?: number;
  /** Whether the collector may make a collection minor (RunImageOptions.minorCollections, default true). */
  readonly minorCollections?: boolean;
  /** The code generator's options (default DEFAULT_OPTIONS). */
  readonly options?: CodegenOptions;
}

/** `main ARGS…` as the entry definition of the image (arguments compiled in, as for stored definitions). */
export function entryDecl(program: Program, main: string, args: readonly string[]): Decl {
  const span = { file: program.file, line: 1, col: 1 };
  const call = args.reduce<Expr>(
    (fn, text, i) => ({ tag: 'App', fn, arg: parseExpression(text, `<argument ${i + 1}>`), span }),
    main.startsWith('@') ? { tag: 'HashRef', hash: main.slice(1), span } : { tag: 'Var', name: main, span },
  );
  return { name: ENTRY, signature: null, equations: [{ name: ENTRY, params: [], rhs: { tag: 'Plain', expr: call }, where: [], span }], span };
}

/** The image a profile runs: `main ARGS…` compiled with what it reaches. */
export function profiledImage(req: CompiledProfileRequest): Image {
  const program: Program = { file: req.program.file, decls: [...req.program.decls, entryDecl(req.program, req.main, req.args)] };
  return compileProgram(program, ENTRY, req.options, req.resolver).image;
}

/** Feeds every record of the simulator's trace file to `sink`. */
async function readTrace(file: string, sink: TraceCollector['sink']): Promise<void> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line !== '') sink(parseTraceLine(line, { file, line: n }));
  }
}

export async function profileCompiled(req: CompiledProfileRequest): Promise<Profile> {
  const image = profiledImage(req);
  const collector = new TraceCollector(image);
  const backend = req.backend ?? 'iss';
  const traceDir = backend === 'sim' ? mkdtempSync(join(tmpdir(), 'cax-profile-')) : null;
  let transport: Transport;
  if (traceDir !== null) transport = await SimTransport.start({ trace: join(traceDir, 'core.trace') });
  else {
    const iss = new Iss({ traceAtReset: true, uartDivisor: 8, ...(req.ramBytes === undefined ? {} : { ramBytes: req.ramBytes }) });
    iss.load(new Uint8Array(readFileSync(artefactPath('firmware'))));
    iss.setRetireHook(collector.retire);
    transport = new IssTransport(iss);
  }
  const client = await CoprocessorClient.connect(transport);
  const cop: Coprocessor = { client, close: () => client.close() };
  const metrics = req.metrics ?? new MetricsRecorder();
  let cycles = 0;
  let heap = 0;
  const budget = req.cycles ?? DEFAULT_CYCLES;
  const grant = { compute: budget, memory: client.info.ramBase + client.info.ramBytes - image.heapStart };
  const probe = new ProbedWorld(new MemoryWorld(req.world ?? {}), () => [{ context: 'root', grant, compute: cycles, memory: heap }], metrics, 'bytes');
  const start = req.start ?? req.world?.start ?? 0;
  probe.sample(start);
  let r;
  try {
    r = await runImage(cop, image, [], {
      budget,
      start,
      ...(req.minorCollections === undefined ? {} : { minorCollections: req.minorCollections }),
      onCycles: (c) => (cycles += c),
      onHeap: (h) => (heap = h),
      effects: { handlers: probe, owner: null },
    });
  } finally {
    await cop.close();
  }
  try {
    if (traceDir !== null) await readTrace(join(traceDir, 'core.trace'), collector.sink);
  } finally {
    if (traceDir !== null) rmSync(traceDir, { recursive: true, force: true });
  }
  probe.sample(r.clock);
  if (!collector.settle(r.cycles)) throw new CaxError('E_INTERNAL', `the profile charged ${collector.cycles} cycles to the image, more than the run's ${r.cycles}`);
  const lines = collector.lines();
  const { frames, root, edges } = collector.stack.finish();
  frames[0]!.total = r.cycles;
  const effects: EffectSpan[] = r.effects.map((e) => ({ kind: e.kind, timeline: e.timeline, args: e.args, start: e.start, end: e.time, failed: e.error !== undefined }));
  return {
    title: `${req.main} ${req.args.join(' ')}`.trim(),
    backend,
    unit: 'cycles',
    total: r.cycles,
    frames,
    tree: root,
    edges,
    effects,
    clock: { start, end: r.clock },
    resources: probe.resources(),
    metrics: metrics.all(),
    repeated: [],
    lines,
    outcome: r.error ? r.error.code : (r.shown ?? ''),
  };
}
