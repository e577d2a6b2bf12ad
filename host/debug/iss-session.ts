// `cax debug --backend iss` (docs/debug.md): the program compiled for the
// co-processor (`main ARGS…` as the image's entry, as `cax profile` builds
// it) runs once on the ISS through the firmware, with a retirement sink. Every
// retired instruction of the compiled code whose source position (the span
// the compiler's source map gives its pc) differs from the previous event's
// is an event, with its pc, the definition (symbol) it lies in, a call depth
// followed through jal/jalr, the instructions retired, the registers after it,
// and the effects and clock the world had seen by then. Moves pick events
// from that recording, forward and backward alike, so `rstep` lands exactly
// where the `step` before it started.
import { CaxError, type SourceSpan } from '../errors.js';
import { spanAt, type Image } from '../compiler/link.js';
import type { Iss } from '../riscv/iss.js';
import { compiledImage, runTraced } from './traced-iss.js';
import { ABI_NAMES } from '../riscv/disasm.js';
import { symbolName } from '../profile/collect-trace.js';
import { MemoryWorld, type EffectHandlers } from '../tel/world.js';
import type { TraceRecord } from '../trace/record.js';
import { MAX_EVENTS } from './record.js';
import { atBoundaries, type RunSpec } from './snapshot.js';
import { Timeline, type Answer } from './timeline.js';

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
}

type IssBreakpoint = { readonly id: number; readonly kind: 'definition'; readonly name: string } | { readonly id: number; readonly kind: 'line'; readonly line: number };

const OP_JAL = 0x6f;
const OP_JALR = 0x67;

/** Runs the spec's program compiled on the ISS and records its source-position events. */
export async function recordOnIss(spec: RunSpec): Promise<{ readonly image: Image; readonly events: readonly IssEvent[]; readonly outcome: string; readonly cycles: number }> {
  const image = compiledImage(spec);
  const labels = [...image.symbols].filter(([name, a]) => name.startsWith('tel$') && !name.endsWith('$body') && a >= image.codeStart).sort((a, b) => a[1] - b[1]);
  const entries = new Map(labels.map(([name, a]) => [a, symbolName(name)]));
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
  const sink = (iss: Iss) => (r: TraceRecord) => {
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
    if (where === last && !entries.has(r.pc)) return;
    last = where;
    if (events.length >= MAX_EVENTS) {
      tooLong = true;
      return;
    }
    events.push({
      index: events.length,
      pc: r.pc,
      symbol: symbol.name,
      entry: entries.has(r.pc),
      line: span.line,
      col: span.col,
      depth,
      instret: iss.instret,
      registers: iss.registers(),
      effects,
      clock,
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
  return { image, events, outcome: r.error ? `error: ${r.error.code} ${r.error.message}` : `${r.shown!}`, cycles: r.cycles };
}

/** A `cax debug --backend iss` session over one recorded compiled run. */
export class IssDebugSession extends Timeline<IssEvent> {
  private readonly breakpoints: IssBreakpoint[] = [];
  private nextId = 1;
  private readonly lines: readonly string[];

  private constructor(
    private readonly spec: RunSpec,
    private readonly recorded: readonly IssEvent[],
    private readonly outcome: string,
    private readonly cycles: number,
  ) {
    super();
    this.lines = spec.source.split('\n');
  }

  static async start(spec: RunSpec): Promise<IssDebugSession> {
    const { events, outcome, cycles } = await recordOnIss(spec);
    return new IssDebugSession(spec, events, outcome, cycles);
  }

  protected get events(): readonly IssEvent[] {
    return this.recorded;
  }

  protected command(verb: string, args: readonly string[]): Answer {
    switch (verb) {
      case 'break':
      case 'b':
        return this.addBreakpoint(args[0]);
      case 'delete': {
        const i = this.breakpoints.findIndex((b) => String(b.id) === args[0]);
        if (i < 0) throw new CaxError('E_BREAKPOINT', `no breakpoint ${args[0] ?? '(none given)'}`);
        this.breakpoints.splice(i, 1);
        return { text: `deleted breakpoint ${args[0]!}`, data: { deleted: Number(args[0]) } };
      }
      case 'breakpoints':
        return {
          text: this.breakpoints.map((b) => `${b.id}: ${describeBreakpoint(b)}`).join('\n') || 'no breakpoints',
          data: { breakpoints: this.breakpoints },
        };
      case 'registers':
      case 'info':
        return this.showRegisters();
      case 'where':
      case '':
        return this.describe();
      case 'list':
        return this.list();
      default:
        throw new CaxError('E_USAGE', `unknown command ${verb} on the iss backend (step next finish continue, rstep rnext rfinish rcontinue, break delete breakpoints, registers where list quit)`);
    }
  }

  protected move(to: number): Answer {
    this.pos = to;
    return this.describe();
  }

  /** A definition breakpoint hits at the definition's first instruction (every call); a line breakpoint where the code comes to the line. */
  protected hits(e: IssEvent): boolean {
    const prev = e.index > 0 ? this.events[e.index - 1]! : null;
    return this.breakpoints.some((b) => (b.kind === 'definition' ? e.entry && e.symbol === b.name : e.line === b.line && prev?.line !== b.line));
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
    return {
      text: `#${e.index} pc 0x${e.pc.toString(16)} in ${e.symbol}  [depth ${e.depth}, instret ${e.instret}, effects ${e.effects}, clock ${e.clock}]\n  ${this.spec.file}:${e.line}:${e.col}  ${this.lines[e.line - 1]?.trim() ?? ''}`,
      data: { at: { ...e, registers: undefined } },
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
  return b.kind === 'line' ? `line ${b.line}` : `calls of ${b.name}`;
}
