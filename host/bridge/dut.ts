// cocotb-style access to a Verilog block simulated by Verilator, for jest
// tests: `const dut = await Dut.build('rtl/uart/cax_uart.v')`, then
// `dut.rx.value = 0`, `await dut.clk.rising()`, `await dut.tick(16)`,
// `expect(dut.tx.value).toBe(1)`. Inputs written are applied at the next
// evaluation; outputs show the values of the last one (docs/bridge.md).
import { resolve } from 'node:path';
import { z } from 'zod';
import { CaxError } from '../errors.js';
import { InProcessHarness } from './addon.js';
import { buildModel, defaultTop, nodeIncludeDir, sourceDirs, type BuiltModel, type Transport } from './build.js';
import type { HarnessLink } from './link.js';
import type { Port } from './ports.js';
import { HarnessProcess } from './process.js';
import { decodeReply, encode, type Condition, type Reply } from './protocol.js';

const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_$]*$/, 'a Verilog identifier');

const optionsSchema = z.strictObject({
  /** The top module; default: the first source's file name without extension. */
  top: identifier.optional(),
  /** Parameter overrides (`-G`). */
  parameters: z.record(identifier, z.union([z.number().int(), z.bigint(), z.string()])).optional(),
  /** The clock `tick()` and output edges run on; default `clk` when the block has one. */
  clock: identifier.optional(),
  /** Directories searched for instantiated modules; default: the sources' directories. */
  searchDirs: z.array(z.string()).optional(),
  /** Directory relative paths are resolved against; default: the working directory. */
  root: z.string().optional(),
  /** Working directory of the simulation program (where `$readmemh` looks); default: root. */
  cwd: z.string().optional(),
  /** Build cache; default <root>/build/bridge. */
  cacheDir: z.string().optional(),
  /** How many clock cycles waiting for an edge or value may take before E_BRIDGE_TIMEOUT; default 1e6. */
  maxCycles: z.number().int().positive().optional(),
  /**
   * `inprocess`: the model is an addon called in this process (fast: a clock edge is a function call);
   * `process`: a program driven over pipes. Default inprocess where Node's headers are installed and
   * `cwd` is this process's working directory (an addon cannot have a working directory of its own).
   */
  transport: z.enum(['inprocess', 'process']).optional(),
});

export type DutOptions = z.input<typeof optionsSchema>;

/** The transport asked for, or the default: inprocess where it can run with this working directory. */
function chooseTransport(asked: Transport | undefined, cwd: string): Transport {
  const here = cwd === process.cwd();
  if (asked === 'inprocess' && !here) throw new CaxError('E_USAGE', `the inprocess transport runs in this process's working directory, not ${cwd}: use the process transport`);
  return asked ?? (here && nodeIncludeDir() !== undefined ? 'inprocess' : 'process');
}

/** Property names that tools probe on any object (promises, jest); they are never signals. */
const PROBED = new Set(['then', 'toJSON', 'asymmetricMatch', '$$typeof', 'nodeType', 'constructor']);

/** One port of the block. */
export class Signal {
  constructor(
    private readonly dut: Dut,
    readonly port: Port,
  ) {}

  get name(): string {
    return this.port.name;
  }

  get width(): number {
    return this.port.width;
  }

  /** The value as a number; for ports of at most 32 bits (use `bigValue` for wider ones). */
  get value(): number {
    if (this.port.width > 32) throw new CaxError('E_BRIDGE_WIDTH', `${this.name} is ${this.port.width} bits wide: read it with .bigValue`);
    return Number(this.dut.current(this.port));
  }

  set value(v: number) {
    if (!Number.isSafeInteger(v)) throw new CaxError('E_BRIDGE_WIDTH', `${this.name}: ${v} is not an unsigned integer`);
    this.bigValue = BigInt(v);
  }

  get bigValue(): bigint {
    return this.dut.current(this.port);
  }

  set bigValue(v: bigint) {
    this.dut.write(this.port, v);
  }

  /** A clock input: drives one rising edge. An output: runs the clock until it rises. Resolves to the clock cycles run. */
  rising(): Promise<number> {
    return this.edge('rising');
  }

  /** A clock input: drives one falling edge. An output: runs the clock until it falls. */
  falling(): Promise<number> {
    return this.edge('falling');
  }

  /** Runs the clock until this output changes; resolves to the cycles run. */
  changed(maxCycles?: number): Promise<number> {
    return this.dut.waitFor(this.port, { kind: 'change' }, maxCycles);
  }

  /** Runs the clock until this output equals `value` (checked after each rising edge); resolves to the cycles run. */
  until(value: number | bigint, maxCycles?: number): Promise<number> {
    return this.dut.waitFor(this.port, { kind: 'equal', value: BigInt(value) }, maxCycles);
  }

  private edge(kind: 'rising' | 'falling'): Promise<number> {
    if (this.port.direction === 'input') return this.dut.driveClock(this.port, kind, 1);
    if (this.port.width !== 1) throw new CaxError('E_BRIDGE_SIGNAL', `${this.name} is ${this.port.width} bits wide: wait for a value with .until() or a change with .changed()`);
    return this.dut.waitFor(this.port, { kind }, undefined);
  }
}

/** A Verilog block running under Verilator, driven from TypeScript. */
export class Dut {
  /** Rising edges of the main clock so far. */
  cycles = 0;
  private readonly signals: ReadonlyMap<string, Signal>;
  private values: bigint[];

  private constructor(
    readonly top: string,
    /** The simulation program: its path, its ports, and whether this build compiled it or found it in the cache. */
    readonly model: BuiltModel,
    private readonly link: HarnessLink,
    private readonly clockName: string | undefined,
    private readonly maxCycles: number,
  ) {
    this.signals = new Map(model.ports.map((p) => [p.name, new Signal(this, p)]));
    this.values = model.ports.map(() => 0n);
  }

  /**
   * Builds (or finds in build/bridge/) the simulation of `sources` and starts it.
   * Ports are properties of the result: `dut.tx`; the type parameter lists their names.
   */
  static async build<P extends string = string>(sources: string | readonly string[], options: DutOptions = {}): Promise<Dut & Record<P, Signal>> {
    const parsed = optionsSchema.safeParse(options);
    if (!parsed.success) throw new CaxError('E_USAGE', `bad Dut.build options: ${z.prettifyError(parsed.error)}`);
    const opts = parsed.data;
    const root = resolve(opts.root ?? process.cwd());
    const files = (typeof sources === 'string' ? [sources] : [...sources]).map((s) => resolve(root, s));
    const top = opts.top ?? defaultTop(files);
    const cwd = resolve(root, opts.cwd ?? '.');
    const transport = chooseTransport(opts.transport, cwd);
    const model = await buildModel({
      transport,
      sources: files,
      top,
      parameters: opts.parameters ?? {},
      searchDirs: opts.searchDirs?.map((d) => resolve(root, d)) ?? sourceDirs(files),
      cacheDir: resolve(root, opts.cacheDir ?? 'build/bridge'),
    });
    const clock = opts.clock ?? (model.ports.some((p) => p.name === 'clk' && p.direction === 'input') ? 'clk' : undefined);
    const link = transport === 'inprocess' ? new InProcessHarness(model.executable, top) : new HarnessProcess(model.executable, top, cwd);
    const dut = new Dut(top, model, link, clock, opts.maxCycles ?? 1_000_000);
    if (clock !== undefined) dut.clockPort(); // checks the named clock is a one-bit input
    await dut.settle();
    return new Proxy(dut, {
      get(target, prop, receiver) {
        if (typeof prop === 'symbol' || prop in target || PROBED.has(prop)) return Reflect.get(target, prop, receiver);
        return target.signal(prop);
      },
    }) as Dut & Record<P, Signal>;
  }

  /** The block's ports, in the order of Verilator's model header. */
  get ports(): readonly Port[] {
    return this.model.ports;
  }

  /** The port called `name`; E_BRIDGE_SIGNAL when there is none. */
  signal(name: string): Signal {
    const s = this.signals.get(name);
    if (!s) throw new CaxError('E_BRIDGE_SIGNAL', `${this.top} has no signal '${name}' (ports: ${this.ports.map((p) => p.name).join(', ')})`);
    return s;
  }

  /** Evaluates the block with the inputs written so far, without a clock edge. */
  async settle(): Promise<void> {
    this.apply(decodeReply(await this.link.request(encode.settle()), this.ports.length, 0));
  }

  /** Runs `count` cycles of the main clock (each ends just after a rising edge). */
  async tick(count = 1): Promise<void> {
    await this.driveClock(this.clockPort(), 'rising', count);
  }

  /** Holds `name` (default `rst`) at `active` for `cycles` clock cycles, then releases it. */
  async reset(name = 'rst', cycles = 2, active: 0 | 1 = 1): Promise<void> {
    const rst = this.signal(name);
    rst.value = active;
    await this.tick(cycles);
    rst.value = 1 - active;
    await this.settle();
  }

  /** Runs `count` clock cycles and returns each named signal's value after every rising edge: result[i][cycle]. */
  async record(names: readonly string[], count: number): Promise<number[][]> {
    const ports = names.map((n) => this.signal(n).port);
    const wide = ports.find((p) => p.width > 32);
    if (wide) throw new CaxError('E_BRIDGE_WIDTH', `record() returns numbers: ${wide.name} is ${wide.width} bits wide`);
    this.checkCount(count);
    const reply = decodeReply(
      await this.link.request(
        encode.record(
          this.clockPort().index,
          count,
          ports.map((p) => p.index),
        ),
      ),
      this.ports.length,
      count * ports.length,
    );
    this.apply(reply);
    this.cycles += reply.edges;
    return ports.map((_, i) => Array.from({ length: count }, (_unused, cycle) => Number(reply.records[cycle * ports.length + i])));
  }

  /** The tail of what the block printed ($display, Verilator's $finish message). */
  get output(): string {
    return this.link.output;
  }

  /** Stops the simulation program. */
  close(): Promise<void> {
    return this.link.close();
  }

  /** Kills the simulation program abruptly, as a crash would. */
  kill(): void {
    this.link.kill();
  }

  // ---- used by Signal ----

  /** @internal */
  current(port: Port): bigint {
    return this.values[port.index]!;
  }

  /** @internal */
  write(port: Port, value: bigint): void {
    if (port.direction !== 'input') throw new CaxError('E_BRIDGE_SIGNAL', `${port.name} is an output of ${this.top}: it cannot be written`);
    if (value < 0n || value >> BigInt(port.width) !== 0n) {
      throw new CaxError('E_BRIDGE_WIDTH', `${port.name} is ${port.width} bit${port.width === 1 ? '' : 's'} wide: ${value} does not fit`, { details: { width: port.width } });
    }
    this.link.hold(encode.set(port.index, value));
    this.values[port.index] = value;
  }

  /** @internal */
  async driveClock(port: Port, edge: 'rising' | 'falling', count: number): Promise<number> {
    if (port.width !== 1) throw new CaxError('E_BRIDGE_SIGNAL', `${port.name} is ${port.width} bits wide and cannot be a clock`);
    this.checkCount(count);
    const reply = decodeReply(await this.link.request(encode.clock(port.index, count, edge)), this.ports.length, 0);
    this.apply(reply);
    if (edge === 'rising' && port.name === this.clockName) this.cycles += reply.edges;
    return reply.edges;
  }

  /** @internal */
  async waitFor(port: Port, condition: Condition, maxCycles: number | undefined): Promise<number> {
    if (port.direction === 'input') throw new CaxError('E_BRIDGE_SIGNAL', `${port.name} is an input of ${this.top}: it changes only when written`);
    const max = maxCycles ?? this.maxCycles;
    this.checkCount(max);
    const reply = decodeReply(await this.link.request(encode.until(this.clockPort().index, port.index, condition, max)), this.ports.length, 0);
    this.apply(reply);
    this.cycles += reply.edges;
    if (!reply.met) {
      const what = condition.kind === 'equal' ? `to equal ${condition.value}` : condition.kind === 'change' ? 'to change' : `to be ${condition.kind}`;
      throw new CaxError('E_BRIDGE_TIMEOUT', `${port.name} did not come ${what} within ${max} cycles`, { details: { cycles: reply.edges } });
    }
    return reply.edges;
  }

  private clockPort(): Port {
    if (this.clockName === undefined) throw new CaxError('E_BRIDGE_SIGNAL', `${this.top} has no input 'clk': name the clock with the 'clock' option`);
    const port = this.signal(this.clockName).port;
    if (port.direction !== 'input' || port.width !== 1) throw new CaxError('E_BRIDGE_SIGNAL', `clock ${port.name} must be a one-bit input`);
    return port;
  }

  private checkCount(count: number): void {
    if (!Number.isSafeInteger(count) || count < 0) throw new CaxError('E_USAGE', `a cycle count must be a non-negative integer, not ${count}`);
  }

  private apply(reply: Reply): void {
    this.values = [...reply.snapshot];
  }
}
