// `cax debug --backend iss` (docs/debugging.md): the program compiled for the
// co-processor (`main ARGS…` as the image's entry, as `cax profile` builds
// it) runs once on the ISS through the firmware, with a retirement sink. Every
// retired instruction of the compiled code whose source position (the span
// the compiler's source map gives its pc) differs from the previous event's
// is an event, with its pc, the definition (symbol) it lies in, a call depth
// followed through jal/jalr, the instructions retired, the registers after it,
// and the effects and clock the world had seen by then. At the first
// instruction of one of the program's definitions the arguments are still in
// the caller's outgoing area (docs/compiler.md): they are read from there and
// decoded from the heap as the host reads results (heap.ts), named and typed
// as the interpreter's debugger shows them, and the watch expressions are
// evaluated on them (watch.ts). A loop's body reached by a self tail call (past the prologue) is a call too, its
// arguments read from its frame slots and register pairs (core-binders.ts). Moves pick events from that recording,
// forward and backward alike, so `rstep` lands exactly where the `step`
// before it started; `effects` shows the run's effect log up to the effects
// the world had seen at the current event. `snapshot FILE` writes the co-processor snapshot
// (core-snapshot.ts) at the nearest effect boundary at or before the position.
import { CaxError, type SourceSpan } from '../errors.js';
import type { Pattern } from '../tel/ast.js';
import { readValue, type MemoryReader, type Word2 } from '../coprocessor/heap.js';
import { bindersWhereItReturns, callerRegisters, coreMemory, loopArgument, pairAt, registerParameters } from './core-binders.js';
import { spanAt, type Image } from '../compiler/link.js';
import type { Iss } from '../riscv/iss.js';
import { compiledImage, runTraced } from './traced-iss.js';
import { ABI_NAMES } from '../riscv/disasm.js';
import { symbolName } from '../profile/collect-trace.js';
import { showValue, type Value } from '../tel/values.js';
import { MemoryWorld, type EffectHandlers } from '../tel/world.js';
import type { TraceRecord } from '../trace/record.js';
import { encodeCoreSnapshot, runWithCoreSnapshots } from './core-snapshot.js';
import { binderType, debuggee, localsOf, MAX_EVENTS, type Binder, type Debuggee, type Local, type ScopedValue } from './record.js';
import { localFunctionAt, localFunctions, parameterKey, type LocalFunction } from './local-functions.js';
import { atBoundaries, type RunSpec } from './snapshot.js';
import { describeEffect } from './session.js';
import { Timeline, type Answer } from './timeline.js';
import type { EffectEntry } from '../tel/scheduler.js';
import { evaluateWatch, WatchList, type WatchBreakpoint } from './watch.js';

export interface IssEvent {
  readonly index: number;
  readonly pc: number;
  /** The compiled definition the pc lies in (as `cax profile` names it). */
  readonly symbol: string;
  /** Whether the pc is the definition's first instruction (a call of it). */
  readonly entry: boolean;
  readonly line: number;
  readonly col: number;
  readonly depth: number;
  /** Instructions the core had retired (since reset) when this one retired. */
  readonly instret: number;
  /** x0…x31 after the instruction. */
  readonly registers: readonly number[];
  readonly effects: number;
  readonly clock: number;
  /** At the entry of one of the program's definitions with parameters: its arguments, named and typed. */
  readonly locals?: readonly Local[];
  /** The arguments' values, when every one was read back (watches are evaluated on them). */
  readonly args?: readonly Value[];
  /** At the entry of one of the program's definitions: the binders in scope where the call returns (core-binders.ts). */
  readonly scope?: readonly Binder[];
  /** Their values, as far as they were read back (watches see them); at a lambda's or local function's entry, its arguments. */
  readonly scopeValues?: ReadonlyMap<string, ScopedValue>;
  /** The values (shown) of the watches in scope at this call, by watch id. */
  readonly watched?: Readonly<Record<number, string>>;
}

type IssBreakpoint = { readonly id: number; readonly kind: 'definition'; readonly name: string } | { readonly id: number; readonly kind: 'line'; readonly line: number } | WatchBreakpoint;

/** The most heap objects read back for one argument: past it the argument shows as `<E_PROTOCOL>`. */
export const MAX_ARGUMENT_OBJECTS = 10_000;

const OP_JAL = 0x6f;
const OP_JALR = 0x67;
const OP_IMM = 0x13;
const SP = 2;

/** A compiled function whose arguments are read back at its entry: how many, and how they are named and typed. */
interface Callee {
  readonly arity: number;
  readonly topLevel: boolean;
  /** The binderKeys of each parameter (one an equation), to find those a loop keeps in register pairs. */
  readonly keys: readonly (readonly (string | undefined)[])[];
  locals(shown: readonly string[]): Local[];
  /** A lambda's or local function's parameters: its arguments are binders to watches (named and declared by them). */
  readonly params?: readonly Pattern[];
}

/** The callee of compiled function `name` starting at `span`: one of the program's definitions, or a lambda or local function. */
function calleeOf(d: Debuggee, locals: ReadonlyMap<string, LocalFunction>, name: string, span: SourceSpan | undefined): Callee | undefined {
  const decl = d.decls.get(name);
  if (decl) {
    const arity = decl.equations[0]!.params.length;
    const keys = Array.from({ length: arity }, (_, i) => decl.equations.map((eq) => parameterKey(eq.params[i]!)));
    return { arity, topLevel: true, keys, locals: (shown) => localsOf(d, decl, shown) };
  }
  const local = name.includes('#') && span ? localFunctionAt(locals, span) : undefined;
  if (!local) return undefined;
  return {
    arity: local.params.length,
    topLevel: false,
    keys: local.params.map((p) => [parameterKey(p)]),
    params: local.params,
    locals: (shown) => shown.map((value, i) => ({ name: local.params[i]!.tag === 'PVar' ? local.params[i]!.name : `arg${i + 1}`, value, type: binderType(d, parameterKey(local.params[i]!)) })),
  };
}

/**
 * The arguments of a call of `callee`: at its first instruction (the prologue's `addi sp, sp, -frame`, already
 * retired) 8-byte (tag, payload) slots at the caller's sp; at a loop's body after a self tail call, in its frame
 * slots and register pairs (core-binders.ts loopArgument). `pair(i)` reads argument `i`'s; each is decoded from the
 * core's memory now.
 */
function argumentsAt(callee: Callee, pair: (i: number) => Word2, mem: MemoryReader): Pick<IssEvent, 'locals' | 'args' | 'scopeValues'> {
  const values: (Value | null)[] = [];
  const shown: string[] = [];
  for (let i = 0; i < callee.arity; i++) {
    try {
      const value = readValue(pair(i), mem, MAX_ARGUMENT_OBJECTS);
      values.push(value);
      shown.push(showValue(value));
    } catch (e) {
      if (!(e instanceof CaxError)) throw e;
      values.push(null);
      shown.push(`<${e.code}>`);
    }
  }
  const locals = callee.locals(shown);
  // watches are evaluated on the arguments of the program's definitions, and see a lambda's as binders
  if (callee.params) {
    const seen = callee.params.flatMap((p, i) => (p.tag === 'PVar' && values[i] != null ? [[p.name, { value: values[i]!, key: parameterKey(p) }] as const] : []));
    return { locals, scopeValues: new Map(seen) };
  }
  return callee.topLevel && values.every((v) => v !== null) ? { locals, args: values as Value[] } : { locals };
}

/** The caller's sp at a call's first instruction `r`, if it is the prologue's `addi sp, sp, -frame` (its arguments are there). */
function callerSpAt(r: TraceRecord, registers: readonly number[]): number | undefined {
  const op = r.insn & 0x7f;
  const funct3 = (r.insn >>> 12) & 7;
  if (op !== OP_IMM || funct3 !== 0 || ((r.insn >>> 7) & 31) !== SP || ((r.insn >>> 15) & 31) !== SP) return undefined;
  return (registers[SP]! - (r.insn >> 20)) >>> 0;
}

/** Runs the spec's program compiled on the ISS and records its source-position events, with the arguments of the calls of `d`'s definitions. */
export async function recordOnIss(
  spec: RunSpec,
  d: Debuggee = debuggee(spec),
): Promise<{ readonly image: Image; readonly events: readonly IssEvent[]; readonly outcome: string; readonly cycles: number; readonly log: readonly EffectEntry[] }> {
  const image = compiledImage(spec);
  const locals = localFunctions(d.loaded.program.decls);
  /** At a call: its arguments (argument `i` read by `pair(i)`) and the binders in scope where it returns (the caller's registers `caller`). */
  const atCall = (callee: Callee, pair: (i: number) => Word2, caller: () => readonly number[], mem: MemoryReader): Pick<IssEvent, 'locals' | 'args' | 'scope' | 'scopeValues'> => {
    const args = argumentsAt(callee, pair, mem);
    const { scope, values } = bindersWhereItReturns(
      d,
      image.binders ?? [],
      caller(),
      mem,
      MAX_ARGUMENT_OBJECTS,
      (pc) => spanAt(image, pc),
      (pc) => symbolAt(pc).name.includes('#'),
    );
    // a lambda's or local function's arguments are the binders its watches see
    return callee.topLevel ? { ...args, scope, scopeValues: values } : { ...args, scope };
  };
  /** At a call's first instruction `r`: the arguments in the caller's outgoing area, the caller's registers as they are. */
  const atEntry = (callee: Callee | undefined, r: TraceRecord, registers: readonly number[], iss: Iss): Pick<IssEvent, 'locals' | 'args' | 'scope' | 'scopeValues'> => {
    const callerSp = callerSpAt(r, registers);
    if (!callee || callee.arity === 0 || callerSp === undefined) return {};
    const mem = coreMemory(iss);
    return atCall(
      callee,
      (i) => pairAt(mem, callerSp + 8 * i),
      () => registers,
      mem,
    );
  };
  /** At a loop's body, come back to by a self tail call: the arguments in its slots and register pairs, the caller's registers as its prologue saved them. */
  const atLoop = (callee: Callee | undefined, start: number, registers: readonly number[], iss: Iss): Pick<IssEvent, 'locals' | 'args' | 'scope' | 'scopeValues'> => {
    if (!callee || callee.arity === 0) return {};
    const mem = coreMemory(iss);
    const inRegisters = registerParameters(image.binders ?? [], start, codeEnd(start), callee.keys);
    return atCall(
      callee,
      (i) => loopArgument(i, inRegisters, registers, mem),
      () => callerRegisters(registers, inRegisters, mem),
      mem,
    );
  };
  const labels = [...image.symbols].filter(([name, a]) => name.startsWith('tel$') && !name.endsWith('$body') && a >= image.codeStart).sort((a, b) => a[1] - b[1]);
  const entries = new Map(labels.map(([name, a]) => [a, symbolName(name)]));
  /** The first instruction of each loop's body (its `$body` label, where its self tail calls jump), to the loop's start. */
  const bodies = new Map(
    [...image.symbols].flatMap(([name, a]) => {
      const start = name.startsWith('tel$') && name.endsWith('$body') ? image.symbols.get(name.slice(0, -'$body'.length)) : undefined;
      return start !== undefined && a >= image.codeStart ? [[a, start] as const] : [];
    }),
  );
  /** Where the code of the definition starting at `start` ends: the next definition's start. */
  const codeEnd = (start: number): number => labels.find(([, a]) => a > start)?.[1] ?? image.heapStart;
  /** The definition at `pc` and where it starts. */
  const symbolAt = (pc: number): { readonly name: string; readonly start: number } => {
    let found = { name: '?', start: image.codeStart };
    for (const [name, a] of labels) if (a <= pc) found = { name: symbolName(name), start: a };
    return found;
  };
  /** The source position of `pc`: its source-map entry, or before the definition's first entry (its prologue) that first entry. */
  const firstEntry = new Map<number, { readonly pc: number; readonly span: SourceSpan } | undefined>();
  const positionAt = (pc: number, start: number): SourceSpan | undefined => {
    if (!firstEntry.has(start))
      firstEntry.set(
        start,
        image.sourceMap.find((m) => m.pc >= start),
      );
    const own = firstEntry.get(start);
    if (!own) return undefined;
    return own.pc <= pc ? spanAt(image, pc) : own.span;
  };
  const events: IssEvent[] = [];
  let depth = 0;
  let effects = 0;
  let clock = spec.start ?? spec.world?.start ?? 0;
  let last = '';
  let tooLong = false;
  /** The registers as the records tell them (inside a compiled block the ISS writes its register file back only at the block's end). */
  let tracked: number[] | undefined;
  /** The pc of the instruction retired before (a loop's body reached from elsewhere than its prologue: a self tail call). */
  let previous = 0;
  const sink = (iss: Iss) => (r: TraceRecord) => {
    const bodyOf = bodies.get(r.pc);
    const loop = bodyOf !== undefined && (previous < bodyOf || previous >= r.pc);
    previous = r.pc;
    tracked ??= iss.registers();
    if (!r.trap && r.rd !== 0) tracked[r.rd] = r.rdValue;
    const op = r.insn & 0x7f;
    const rd = (r.insn >>> 7) & 31;
    const rs1 = (r.insn >>> 15) & 31;
    if (!r.trap && (op === OP_JAL || op === OP_JALR) && rd === 1) depth++;
    else if (!r.trap && op === OP_JALR && rd === 0 && rs1 === 1) depth = Math.max(0, depth - 1);
    if (r.pc < image.codeStart || r.pc >= image.heapStart) return;
    const symbol = symbolAt(r.pc);
    const span = positionAt(r.pc, symbol.start);
    if (!span) return;
    // a definition's entry is always an event (a recursive call comes back to the same position)
    const where = `${span.line}:${span.col}`;
    if (where === last && !entries.has(r.pc) && !loop) return;
    last = where;
    if (events.length >= MAX_EVENTS) {
      tooLong = true;
      return;
    }
    const entry = entries.has(r.pc) || loop;
    const callee = entry ? calleeOf(d, locals, symbol.name, firstEntry.get(symbol.start)?.span) : undefined;
    const registers = [...tracked];
    events.push({
      index: events.length,
      pc: r.pc,
      symbol: symbol.name,
      entry,
      line: span.line,
      col: span.col,
      depth,
      instret: iss.instret,
      registers,
      effects,
      clock,
      ...(loop ? atLoop(callee, symbol.start, registers, iss) : entry ? atEntry(callee, r, registers, iss) : {}),
    });
  };
  const world = new MemoryWorld(spec.world ?? {});
  const counted = atBoundaries(
    () => world,
    () => void effects++,
  );
  // the clock as the world sees it: the completion time of the latest effect
  const handlers: EffectHandlers = {
    ...counted,
    deposit: (req, t) => ((clock = t), counted.deposit(req, t)),
    withdraw: (req, t) => ((clock = t), counted.withdraw(req, t)),
    transfer: (req, t) => ((clock = t), counted.transfer(req, t)),
    observe: (req, t) => ((clock = t), counted.observe(req, t)),
    emit: (text, t) => ((clock = t), counted.emit!(text, t)),
  };
  const r = await runTraced(image, spec, handlers, sink);
  if (tooLong) throw new CaxError('E_UNSUPPORTED', `debugging compiled runs of more than ${MAX_EVENTS} source positions is not supported`);
  return { image, events, outcome: r.error ? `error: ${r.error.code} ${r.error.message}` : `${r.shown!}`, cycles: r.cycles, log: r.effects };
}

/** A `cax debug --backend iss` session over one recorded compiled run. */
export class IssDebugSession extends Timeline<IssEvent> {
  private readonly breakpoints: IssBreakpoint[] = [];
  private nextId = 1;
  private readonly lines: readonly string[];
  private readonly watches = new WatchList();
  /** The recorded events with the values of the watches set now. */
  private watched: readonly IssEvent[];

  private constructor(
    private readonly d: Debuggee,
    private readonly recorded: readonly IssEvent[],
    private readonly outcome: string,
    private readonly cycles: number,
    /** The run's effect log (an event's `effects` are its first entries). */
    private readonly log: readonly EffectEntry[],
    /** Writes a file for `snapshot FILE` (relative to the command's directory). */
    private readonly write: (path: string, bytes: Uint8Array) => void,
  ) {
    super();
    this.lines = d.spec.source.split('\n');
    this.watched = recorded;
  }

  static async start(spec: RunSpec, write: (path: string, bytes: Uint8Array) => void = () => undefined): Promise<IssDebugSession> {
    const d = debuggee(spec);
    const { events, outcome, cycles, log } = await recordOnIss(spec, d);
    return new IssDebugSession(d, events, outcome, cycles, log, write);
  }

  private get spec(): RunSpec {
    return this.d.spec;
  }

  protected get events(): readonly IssEvent[] {
    return this.watched;
  }

  protected command(verb: string, args: readonly string[]): Answer {
    switch (verb) {
      case 'break':
      case 'b':
        return this.addBreakpoint(args[0]);
      case 'delete': {
        const i = this.breakpoints.findIndex((b) => String(b.id) === args[0]);
        if (i < 0) throw new CaxError('E_BREAKPOINT', `no breakpoint ${args[0] ?? '(none given)'}`);
        const [removed] = this.breakpoints.splice(i, 1);
        if (removed!.kind === 'watch') {
          this.watches.remove(removed!.id);
          this.rewatch();
        }
        return { text: `deleted breakpoint ${args[0]!}`, data: { deleted: Number(args[0]) } };
      }
      case 'watch':
        return this.addWatch(args);
      case 'locals':
      case 'args':
        return this.showLocals();
      case 'print':
      case 'p':
        return this.print(args);
      case 'snapshot':
        throw new CaxError('E_USAGE', 'snapshot runs the program again on the ISS: it is answered asynchronously (run), as the CLI does');
      case 'breakpoints':
        return {
          text: this.breakpoints.map((b) => `${b.id}: ${describeBreakpoint(b)}`).join('\n') || 'no breakpoints',
          data: { breakpoints: this.breakpoints },
        };
      case 'registers':
      case 'info':
        return this.showRegisters();
      case 'effects':
        return this.showEffects();
      case 'clock':
        return this.showClock();
      case 'where':
      case '':
        return this.describe();
      case 'list':
        return this.list();
      default:
        throw new CaxError(
          'E_USAGE',
          `unknown command ${verb} on the iss backend (step next finish continue, rstep rnext rfinish rcontinue, break watch delete breakpoints, locals print registers effects clock where list snapshot quit)`,
        );
    }
  }

  protected move(to: number): Answer {
    this.pos = to;
    return this.watches.report(this.describe(), this.events, this.pos);
  }

  /**
   * A definition breakpoint hits at the definition's first instruction (every call); a line breakpoint where the code
   * comes to the line; a watch where its value differs from its previous evaluation.
   */
  protected hits(e: IssEvent): boolean {
    const prev = e.index > 0 ? this.events[e.index - 1]! : null;
    return this.breakpoints.some((b) => {
      switch (b.kind) {
        case 'definition':
          return e.entry && e.symbol === b.name;
        case 'line':
          return e.line === b.line && prev?.line !== b.line;
        case 'watch':
          return this.watches.hits(e.index, b.id);
      }
    });
  }

  /** `watch EXPR` (watch.ts): the run's events are marked again with its values. */
  private addWatch(args: readonly string[]): Answer {
    const { breakpoint, answer } = this.watches.watch(this.d, this.nextId, args, () => (this.rewatch(), this.events), this.pos);
    this.nextId++;
    this.breakpoints.push(breakpoint);
    return answer;
  }

  /** The events with the watches' values at every call whose arguments were read back; marks where each changes. */
  private rewatch(): void {
    const watches = this.watches.all;
    this.watched = this.recorded.map((e) => {
      // at a call of a definition once its arguments were read back; at a lambda's or local function's, on its arguments as binders
      const ready = e.args !== undefined || (!this.d.decls.has(e.symbol) && e.scopeValues !== undefined);
      if (!ready || watches.length === 0) return e;
      const values = watches.flatMap((w) => {
        const v = evaluateWatch(this.d, w, e.symbol, e.args ?? [], () => e.scopeValues ?? new Map());
        return v === undefined ? [] : [[w.id, v] as const];
      });
      return values.length > 0 ? { ...e, watched: Object.fromEntries(values) } : e;
    });
    this.watches.mark(this.watched);
  }

  /** The call's arguments with their types, then the binders in scope where it returns (as the interpreter's debugger shows them). */
  private showLocals(): Answer {
    const { locals = [], scope = [] } = this.current();
    const args = locals.map((l) => `${l.name} = ${l.value} :: ${l.type}`).join('\n') || '(no arguments here: they are read at the first instruction of a call)';
    const around = scope.length > 0 ? `\nin scope where it returns:\n${scope.map((b) => `  ${b.name} = ${b.value} :: ${b.type}`).join('\n')}` : '';
    return { text: `${args}${around}`, data: { locals, scope } };
  }

  /** An argument of the call (with its type), else a binder in scope where it returns. */
  private print(args: readonly string[]): Answer {
    const e = this.current();
    const l = e.locals?.find((x) => x.name === args[0]);
    if (l) return { text: `${l.name} = ${l.value} :: ${l.type}`, data: { local: l } };
    const b = e.scope?.find((x) => x.name === args[0]);
    if (b) return { text: `${b.name} = ${b.value} :: ${b.type}`, data: { binder: b } };
    throw new CaxError('E_UNBOUND', `${args[0] ?? '(no name)'} is neither an argument here nor bound where the call returns (print shows those at the first instruction of a call of ${e.symbol})`);
  }

  protected override asyncCommand(verb: string, args: readonly string[]): Promise<Answer> | undefined {
    return verb === 'snapshot' ? this.snapshot(args) : undefined;
  }

  /** Writes the co-processor snapshot at the nearest effect boundary at or before the position: before the latest effect the world had seen. */
  private async snapshot(args: readonly string[]): Promise<Answer> {
    const path = args[0];
    if (!path) throw new CaxError('E_USAGE', 'snapshot FILE');
    const seen = this.pos < 0 ? 0 : this.pos >= this.events.length ? this.log.length : this.events[this.pos]!.effects;
    const boundary = seen - 1;
    if (boundary < 0) throw new CaxError('E_USAGE', 'no effect boundary at or before this point');
    const snap = (await runWithCoreSnapshots(this.spec, (i) => i === boundary)).snapshots[0];
    if (!snap) throw new CaxError('E_SNAPSHOT', `the run made again has no effect boundary ${boundary}`);
    const { bytes, id } = encodeCoreSnapshot(snap);
    this.write(path, bytes);
    return { text: `snapshot ${id} before effect ${boundary} written to ${path}`, data: { id, boundary, bytes: bytes.length } };
  }

  private addBreakpoint(what: string | undefined): Answer {
    let b: IssBreakpoint;
    if (what !== undefined && /^\d+$/.test(what)) {
      const line = Number(what);
      if (!this.events.some((e) => e.line === line)) throw new CaxError('E_BREAKPOINT', `no compiled code of line ${line} ran`);
      b = { id: this.nextId++, kind: 'line', line };
    } else {
      if (what === undefined || !this.events.some((e) => e.symbol === what)) throw new CaxError('E_BREAKPOINT', `no compiled definition ${what ?? '(none given)'} ran`);
      b = { id: this.nextId++, kind: 'definition', name: what };
    }
    this.breakpoints.push(b);
    return { text: `breakpoint ${b.id}: ${describeBreakpoint(b)}`, data: { breakpoint: b } };
  }

  private current(): IssEvent {
    const e = this.pos >= 0 ? this.events[this.pos] : undefined;
    if (!e) throw new CaxError('E_USAGE', this.pos < 0 ? 'the run has not started: step or continue first' : 'the run has ended');
    return e;
  }

  /** The effects the world had seen here: before the current event, none at the start, the whole log at the end. */
  private logHere(): readonly EffectEntry[] {
    if (this.pos < 0) return [];
    const e = this.events[this.pos];
    return e ? this.log.slice(0, e.effects) : this.log;
  }

  private showEffects(): Answer {
    const log = this.logHere();
    return { text: log.map(describeEffect).join('\n') || '(no effects yet)', data: { effects: log } };
  }

  /** The logical clock as the world had seen it here (the completion time of the latest effect). */
  private showClock(): Answer {
    // at the end: as at the last event (the clock moves only with effects, which the world sees between events)
    const e = this.pos < 0 ? undefined : (this.events[this.pos] ?? this.events[this.events.length - 1]);
    const clock = e ? e.clock : (this.spec.start ?? this.spec.world?.start ?? 0);
    return { text: `clock: ${clock}  effects: ${this.logHere().length}`, data: { clock, effects: this.logHere().length } };
  }

  private showRegisters(): Answer {
    const e = this.current();
    const regs = e.registers.map((v, i) => ({ name: `x${i}`, abi: ABI_NAMES[i]!, value: v }));
    const text = regs
      .slice(1)
      .map((r) => `${`${r.abi}`.padEnd(5)}0x${r.value.toString(16).padStart(8, '0')}`)
      .join('\n');
    return { text: `pc   0x${e.pc.toString(16).padStart(8, '0')}\n${text}`, data: { pc: e.pc, registers: regs } };
  }

  private describe(): Answer {
    if (this.pos < 0) return { text: `at the start (${this.events.length} source positions recorded)`, data: { at: 'start', events: this.events.length } };
    if (this.pos >= this.events.length) {
      return { text: `the run has ended: ${this.outcome}\ncycles: ${this.cycles}`, data: { at: 'end', outcome: this.outcome, cycles: this.cycles } };
    }
    const e = this.events[this.pos]!;
    const call = e.locals && e.locals.length > 0 ? ` ${e.locals.map((l) => `${l.name}=${l.value}`).join(' ')}` : '';
    return {
      text: `#${e.index} pc 0x${e.pc.toString(16)} in ${e.symbol}${call}  [depth ${e.depth}, instret ${e.instret}, effects ${e.effects}, clock ${e.clock}]\n  ${this.spec.file}:${e.line}:${e.col}  ${this.lines[e.line - 1]?.trim() ?? ''}`,
      data: { at: { ...e, registers: undefined, args: undefined, watched: undefined, scope: undefined, scopeValues: undefined } },
    };
  }

  private list(): Answer {
    const { line, col } = this.current();
    const from = Math.max(1, line - 2);
    const to = Math.min(this.lines.length, line + 4);
    const shown: string[] = [];
    for (let i = from; i <= to; i++) shown.push(`${i === line ? '>' : ' '}${String(i).padStart(4)} | ${this.lines[i - 1]!}`);
    shown.splice(line - from + 1, 0, `       ${' '.repeat(col - 1)}^`);
    return { text: shown.join('\n'), data: { file: this.spec.file, line, col, from, to } };
  }
}

function describeBreakpoint(b: IssBreakpoint): string {
  return b.kind === 'line' ? `line ${b.line}` : b.kind === 'watch' ? `${b.expression} changes` : `calls of ${b.name}`;
}
