// Effects of compiled TEL: the co-processor returns an effect node tree
// (layout.ts EFFECT_KIND) which is decoded into the interpreter's Eff nodes
// and run by the interpreter's own Scheduler and world. A continuation (the
// closure of a bind, the thunk of `<|`) becomes a primitive that applies the
// closure on the co-processor. The Scheduler is synchronous and the
// co-processor is reached asynchronously, so the adapter replays: when the
// scheduler needs a continuation result it does not have yet, the attempt
// stops, the continuation runs on the core (heap kept), and the schedule is
// replayed from the start with a fresh world — deterministic, so the replay
// reaches the same point and goes further (docs/compiler.md).
import { CaxError, type SourceSpan } from '../errors.js';
import { OP, type CDo, type Code } from '../tel/compile.js';
import { DEFAULT_BUDGET, Machine } from '../tel/machine.js';
import { Eff, Prim, type EffectNode } from '../tel/runtime.js';
import { Scheduler, type EffectEntry } from '../tel/scheduler.js';
import { UNIT_VALUE, UnitV, type Value } from '../tel/values.js';
import { MemoryWorld, type EffectHandlers, type WorldInput } from '../tel/world.js';
import { readValue, type MemoryReader, type Word2 } from './heap.js';
import { EFFECT_KIND, TAG } from './layout.js';

/** Runs a continuation on the co-processor: the effect value it returns, or the error it ended with. */
export type ApplyOnCore = (fn: Word2, arg: Value) => Promise<{ result: Word2; mem: MemoryReader } | { error: CaxError }>;

class NeedContinuation {
  constructor(readonly index: number, readonly fn: Word2, readonly arg: Value) {}
}

const SPAN: SourceSpan = { file: '<co-processor>', line: 1, col: 1 };
const LEDGER_KINDS = ['deposit', 'withdraw', 'transfer'] as const;

export interface EffectRun {
  readonly value: Value | null;
  readonly error: CaxError | null;
  readonly effects: readonly EffectEntry[];
  readonly clock: number;
  readonly latencies: Readonly<Record<string, number>>;
}

/** Decodes effect nodes from a memory snapshot; continuations call `cont`. */
class Decoder {
  constructor(private readonly mem: MemoryReader, private readonly cont: (fn: Word2, arg: Value) => Eff) {}

  private word(addr: number, i: number): Word2 {
    const v = this.mem(addr + 8 + 8 * i, 8);
    return { tag: v.getUint32(0, true), val: v.getUint32(4, true) };
  }

  private value(w: Word2): Value {
    return readValue(w, this.mem);
  }

  /** A do-block node whose only work is calling `fn` with the value bound by the previous statement (or unit). */
  private continuation(fn: Word2, first: Eff | null): Eff {
    const prim = new Prim('%continuation', 1, ([x]) => this.cont(fn, x!));
    const call = (arg: Code): Code => ({ op: OP.App, fn: { op: OP.Const, value: prim as Value }, args: [arg], span: SPAN, simpleArgs: false });
    // Frames are given both per block and per binding statement: the interpreter's do-block layout is
    // being reshaped (host/tel/compile.ts), and this node must run under either shape.
    const frame = { size: 2 };
    const code = (first
      ? {
          op: OP.Do,
          frame,
          stmts: [
            { k: 'bind', expr: { op: OP.Const, value: first }, pattern: { k: 'var', slot: 1 }, frame, span: SPAN },
            { k: 'expr', expr: call({ op: OP.Local, depth: 0, slot: 1, name: 'x', span: SPAN }) },
          ],
          span: SPAN,
        }
      : { op: OP.Do, frame, stmts: [{ k: 'expr', expr: call({ op: OP.Const, value: UNIT_VALUE }) }], span: SPAN }) as unknown as CDo;
    return new Eff({ k: 'do', code, index: 0, env: [null] });
  }

  effect(w: Word2): Eff {
    if (w.tag !== TAG.EFFECT) throw new CaxError('E_PROTOCOL', `expected an effect from the co-processor, found tag ${w.tag}`);
    const head = this.mem(w.val, 8);
    const kind = head.getUint32(0, true);
    const at = (i: number): Word2 => this.word(w.val, i);
    const val = (i: number): Value => this.value(at(i));
    const int = (i: number): number => val(i) as number;
    const text = (i: number): string => val(i) as string;
    const optText = (i: number): string | null => {
      const v = val(i);
      return v instanceof UnitV ? null : (v as string);
    };
    let node: EffectNode;
    switch (kind) {
      case EFFECT_KIND.PURE: node = { k: 'pure', value: val(0) }; break;
      case EFFECT_KIND.FAIL: node = { k: 'fail', message: text(0) }; break;
      case EFFECT_KIND.NOW: node = { k: 'now' }; break;
      case EFFECT_KIND.EMIT: node = { k: 'emit', value: val(0) }; break;
      case EFFECT_KIND.LEDGER:
        node = { k: 'ledger', request: { kind: LEDGER_KINDS[int(0)]!, amount: int(1), asset: text(2), from: optText(3), to: optText(4), timeline: text(5) } };
        break;
      case EFFECT_KIND.OBSERVE: node = { k: 'observe', key: text(0), timeline: text(1) }; break;
      case EFFECT_KIND.BIND: return this.continuation(at(1), this.effect(at(0)));
      case EFFECT_KIND.CHOICE: node = { k: 'choice', first: this.effect(at(0)), orElse: this.continuation(at(1), null) }; break;
      case EFFECT_KIND.PAR: node = { k: 'par', left: this.effect(at(0)), right: this.effect(at(1)) }; break;
      case EFFECT_KIND.RACE: node = { k: 'race', left: this.effect(at(0)), right: this.effect(at(1)) }; break;
      case EFFECT_KIND.AFTER: node = { k: 'after', delay: int(0), body: this.effect(at(1)) }; break;
      case EFFECT_KIND.AT: node = { k: 'at', time: int(0), body: this.effect(at(1)) }; break;
      case EFFECT_KIND.WITHIN: node = { k: 'within', limit: int(0), body: this.effect(at(1)) }; break;
      default: throw new CaxError('E_PROTOCOL', `unknown effect node kind ${kind} from the co-processor`);
    }
    return new Eff(node);
  }
}

/**
 * Runs the effect `root` (read through `mem`) with the interpreter's scheduler over a fresh world per attempt
 * (`world()`), applying continuations on the core through `apply`.
 */
export async function runCompiledEffect(root: Word2, mem: MemoryReader, apply: ApplyOnCore, world: () => EffectHandlers, start: number): Promise<EffectRun> {
  const results: ({ eff: Eff } | { error: CaxError })[] = [];
  // continuations are numbered in the order the (deterministic) schedule reaches them, afresh in each attempt
  let calls = 0;
  const cont = (fn: Word2, arg: Value): Eff => {
    const index = calls++;
    const known = results[index];
    if (!known) throw new NeedContinuation(index, fn, arg);
    if ('error' in known) throw known.error;
    return known.eff;
  };
  for (;;) {
    calls = 0;
    const machine = new Machine(DEFAULT_BUDGET, () => {
      throw new CaxError('E_UNSUPPORTED', '@hash references are not supported on the co-processor yet');
    });
    const scheduler = new Scheduler(machine, world(), start);
    try {
      const out = scheduler.run(new Decoder(mem, cont).effect(root));
      const failure = 'failure' in out ? new CaxError(out.failure.code, out.failure.message, { span: out.failure.span }) : null;
      return { value: 'value' in out ? out.value : null, error: failure, effects: scheduler.log, clock: scheduler.clock, latencies: scheduler.latencies };
    } catch (e) {
      if (e instanceof CaxError) return { value: null, error: e, effects: scheduler.log, clock: scheduler.clock, latencies: scheduler.latencies };
      if (!(e instanceof NeedContinuation)) throw e;
      const r = await apply(e.fn, e.arg);
      results[e.index] = 'error' in r ? r : { eff: new Decoder(r.mem, cont).effect(r.result) };
      mem = 'error' in r ? mem : r.mem;
    }
  }
}

/** The default world of a run's input, fresh for each replay. */
export const memoryWorld = (input: WorldInput): (() => EffectHandlers) => () => new MemoryWorld(input);
