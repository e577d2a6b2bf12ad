// Runs one test of the matrix on its backend and judges it: a TEL definition
// on the interpreter or compiled on the co-processor (iss, sim, device) against
// its expected value, effect log, clock or error code (a stored one through
// the executor, as `cax run`); an ELF on the ISS or the
// Verilator SoC against a0 and its exit code; a generated program on a
// co-processor against the interpreter. The sessions it opens stay open for
// the next test (a worker keeps its simulator); `close` ends them.
import { readFileSync } from 'node:fs';
import { openCoprocessor, runImage, type BackendName, type Coprocessor } from '../coprocessor/backend.js';
import { compileSource } from '../compiler/compile.js';
import { CaxError } from '../errors.js';
import { Executor } from '../execution/executor.js';
import { OPEN_POLICY } from '../execution/policy.js';
import type { DeviceInfo } from '../protocol/client.js';
import { Repository } from '../store/repository.js';
import { Iss } from '../riscv/iss.js';
import { runSim } from '../sim/simulator.js';
import { loadProgram, runMain } from '../tel/interp.js';
import { parseExpression, parseProgram } from '../tel/parser.js';
import type { Value } from '../tel/values.js';
import { parseWorld, type WorldInput } from '../tel/world.js';
import type { RegressBackend } from './manifest.js';
import type { TestSpec } from './suite.js';

export type Status = 'pass' | 'fail' | 'error' | 'skipped';

/** What one run of a test gave. */
export interface Outcome {
  readonly status: Status;
  /** The fields compared, as expected and as observed (for failures and the reports). */
  readonly expected: Record<string, unknown>;
  readonly actual: Record<string, unknown>;
  readonly message?: string;
  readonly code?: string;
  readonly cycles: number | null;
  readonly durationMs: number;
}

/** A TEL run's observable result, the same shape on every backend. */
interface TelObservation {
  value: string | null;
  error: string | null;
  effects: unknown[];
  clock: number;
  cycles: number | null;
}

const CYCLE_BUDGET = 1_000_000_000;
const json = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function argumentValue(text: string): Value {
  const r = runMain(loadProgram(parseProgram(`argument = ${text}`, '<argument>')), 'argument', []);
  if (r.error) throw r.error;
  return r.value!;
}

export class TestExecutor {
  private readonly sessions = new Map<BackendName, Coprocessor>();

  /** `device`: the board's serial port; `baud`: the rate its sessions ask for at HELLO (default 115200). */
  constructor(
    private readonly device?: string,
    private readonly baud?: number,
  ) {}

  private async session(backend: BackendName): Promise<Coprocessor> {
    let cop = this.sessions.get(backend);
    if (!cop) {
      cop = await openCoprocessor(backend, this.device, backend === 'device' && this.baud !== undefined ? { baud: this.baud } : {});
      this.sessions.set(backend, cop);
    }
    return cop;
  }

  private interpret(source: string, file: string, main: string, args: readonly string[], world: WorldInput | undefined, start: number | undefined): TelObservation {
    const argExprs = args.map((a, i) => parseExpression(a, `<argument ${i + 1}>`));
    const r = runMain(loadProgram(parseProgram(source, file)), main, argExprs, { world, start: start ?? world?.start ?? 0 });
    return { value: r.shown, error: r.error?.code ?? null, effects: json(r.effects.map((e) => ({ ...e }))), clock: r.clock, cycles: null };
  }

  private async compiled(backend: BackendName, source: string, file: string, main: string, args: readonly string[], world: WorldInput | undefined, start: number | undefined): Promise<TelObservation> {
    const { image } = compileSource(source, file, main);
    const cop = await this.session(backend);
    const r = await runImage(cop, image, args.map(argumentValue), { budget: CYCLE_BUDGET, ...(world ? { world } : {}), ...(start === undefined ? {} : { start }) });
    return { value: r.shown, error: r.error?.code ?? null, effects: json(r.effects.map((e) => ({ ...e }))), clock: r.clock, cycles: r.cycles };
  }

  private observe(
    backend: RegressBackend,
    source: string,
    file: string,
    main: string,
    args: readonly string[],
    world: WorldInput | undefined,
    start: number | undefined,
  ): Promise<TelObservation> | TelObservation {
    return backend === 'interp' ? this.interpret(source, file, main, args, world, start) : this.compiled(backend, source, file, main, args, world, start);
  }

  /** A stored definition run by the executor in its own store (opened for this run), as `cax run` runs it. */
  private async stored(spec: Extract<TestSpec, { kind: 'stored' }>, backend: RegressBackend, world: WorldInput | undefined): Promise<TelObservation> {
    const repo = Repository.open(spec.store);
    try {
      const start = spec.start ?? world?.start;
      const runWorld = world === undefined && start === undefined ? undefined : { ...(world ?? {}), ...(start === undefined ? {} : { start }) };
      const r = await new Executor({ repo, policy: OPEN_POLICY }).executeByHash(spec.hash, {
        args: spec.args,
        ...(runWorld ? { world: runWorld } : {}),
        ...(backend === 'interp'
          ? {}
          : { backend: { name: backend, ...(this.device ? { device: this.device } : {}), ...(backend === 'device' && this.baud !== undefined ? { baud: this.baud } : {}) } }),
      });
      return { value: r.value, error: r.error?.code ?? null, effects: json(r.effects.map((e) => ({ ...e }))), clock: r.clock, cycles: r.coprocessor?.cycles ?? null };
    } finally {
      repo.close();
    }
  }

  /** Runs `spec` on `backend`; a thrown CaxError is an `error` outcome with its code. */
  async run(spec: TestSpec, backend: RegressBackend): Promise<Outcome> {
    const t0 = performance.now();
    const done = (o: Omit<Outcome, 'durationMs'>): Outcome => ({ ...o, durationMs: performance.now() - t0 });
    try {
      if (spec.kind === 'elf') return done(await this.runElf(spec, backend));
      if (spec.kind === 'tel' || spec.kind === 'stored') {
        const world = spec.world === undefined ? undefined : parseWorld(JSON.parse(readFileSync(spec.world, 'utf8')), spec.world);
        const got = spec.kind === 'tel' ? await this.observe(backend, readFileSync(spec.file, 'utf8'), spec.file, spec.main, spec.args, world, spec.start) : await this.stored(spec, backend, world);
        const expected: Record<string, unknown> = { ...spec.expect };
        if (spec.expect.error === undefined && spec.expect.value !== undefined) expected.error = null;
        const actual: Record<string, unknown> = Object.fromEntries(Object.keys(expected).map((k) => [k, got[k as keyof TelObservation]]));
        return done(judge(expected, actual, got.cycles));
      }
      const world = spec.world === undefined ? undefined : parseWorld(spec.world);
      const reference = this.interpret(spec.source, 'generated.tel', 'main', [], world, undefined);
      const got = await this.observe(backend, spec.source, 'generated.tel', 'main', [], world, undefined);
      const { cycles, ...actual } = got;
      const { cycles: _none, ...expected } = reference;
      return done(judge(expected, actual, cycles));
    } catch (e) {
      const err = e instanceof CaxError ? e : new CaxError('E_INTERNAL', e instanceof Error ? e.message : String(e));
      return done({ status: 'error', expected: {}, actual: {}, code: err.code, message: err.format(), cycles: null });
    }
  }

  private async runElf(spec: Extract<TestSpec, { kind: 'elf' }>, backend: RegressBackend): Promise<Omit<Outcome, 'durationMs'>> {
    const expected: Record<string, unknown> = { ...spec.expect };
    // expecting a trap, the run ends at the first one (a program without a handler would trap forever)
    const stopOnTrap = spec.expect.trap !== undefined;
    let a0: number, exitCode: number, cycles: number, trap: number | null;
    let limit: boolean;
    if (backend === 'iss') {
      const iss = new Iss({ stopOnTrap });
      iss.load(new Uint8Array(readFileSync(spec.file)));
      spec.args.forEach((v, i) => iss.setReg(10 + i, v));
      const r = iss.run({ maxCycles: spec.maxCycles });
      a0 = iss.reg(10) | 0;
      ({ exitCode, cycles } = r);
      trap = r.ended === 'trap' ? (iss.csr(0x342) ?? null) : null;
      limit = r.ended === 'cycle-limit';
    } else if (backend === 'sim') {
      const { summary } = await runSim({ program: spec.file, maxCycles: spec.maxCycles, dumpRegs: true, stopOnTrap, args: spec.args });
      a0 = (summary.regs?.[10] ?? 0) | 0;
      ({ exitCode, cycles } = summary);
      trap = summary.end === 'trap' ? (summary.trapCause ?? null) : null;
      limit = summary.end === 'limit';
    } else {
      throw new CaxError('E_UNSUPPORTED', `an ELF on the ${backend} backend is not supported`);
    }
    if (limit) return { status: 'fail', expected, actual: { ended: 'cycle limit' }, message: `no end within ${spec.maxCycles} cycles`, cycles };
    const observed: Record<string, unknown> = { a0, exitCode, trap };
    return judge(expected, Object.fromEntries(Object.keys(expected).map((k) => [k, observed[k]])), cycles);
  }

  /** Resets the board of the `device` session (opening it if need be); its identity. A board that does not answer ends the session (the next test opens a new one). */
  async resetDevice(): Promise<DeviceInfo> {
    const cop = await this.session('device');
    try {
      await cop.client.reset();
      return cop.client.info;
    } catch (e) {
      this.sessions.delete('device');
      await cop.close().catch(() => undefined);
      throw e;
    }
  }

  async close(): Promise<void> {
    for (const cop of this.sessions.values()) await cop.close();
    this.sessions.clear();
  }
}

function judge(expected: Record<string, unknown>, actual: Record<string, unknown>, cycles: number | null): Omit<Outcome, 'durationMs'> {
  const differ = Object.keys(expected).filter((k) => JSON.stringify(expected[k]) !== JSON.stringify(actual[k]));
  return differ.length === 0 ? { status: 'pass', expected, actual, cycles } : { status: 'fail', expected, actual, message: `${differ.join(', ')} differ${differ.length === 1 ? 's' : ''}`, cycles };
}
