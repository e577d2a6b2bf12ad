// Effects of compiled TEL: the co-processor returns an effect node tree
// (layout.ts EFFECT_KIND) which is decoded into the interpreter's Eff nodes
// and run by the interpreter's own Scheduler and world. A continuation (the
// closure of a bind, the thunk of `<|`) becomes a `bind` node whose host
// continuation applies the closure on the co-processor and decodes the
// effect it returns; the scheduler's `runAsync` waits for it before anything
// else happens, so the schedule is the interpreter's (docs/compiler.md).
// While a continuation runs, the runtime's rt_settle may ask (an ecall)
// for an `emit` or `now` its result begins with: the scheduler performs it
// in the waiting fiber (performInline) and the core applies the next
// continuation itself, in the same run.
// `invoke f args` becomes the scheduler's invoke node with f as a
// CoreFunction (its definition's hash when it is a stored one): the
// executor's InvokeHook opens the child context, and the body runs on the
// co-processor; without an executor it runs in place, as in the interpreter.
import { CaxError } from '../errors.js';
import { DEFAULT_BUDGET, Machine } from '../tel/machine.js';
import { Eff, type EffectNode } from '../tel/runtime.js';
import { Scheduler, failureError, type EffectEntry, type InvokeCall, type InvokeHook } from '../tel/scheduler.js';
import { UNIT_VALUE, UnitV, listToArray, type ListV, type Opaque, type Value } from '../tel/values.js';
import type { EffectHandlers } from '../tel/world.js';
import { readValue, type MemoryReader, type Word2 } from './heap.js';
import { EFFECT_KIND, TAG } from '../compiler/layout.js';

/**
 * Performs the effect of node kind `kind` (EFFECT_KIND: `emit` of `value`, or `now`) that a continuation's result
 * begins with, for the fiber waiting for that result: the value the core applies the next continuation to, or null
 * when it failed.
 */
export type PerformOnCore = (kind: number, value: Value) => Value | null;

/** Applies a function on the co-processor (its effects performed through `perform`): the effect value it returns, or the error it ended with. */
export type ApplyOnCore = (fn: Word2, args: readonly Value[], perform: PerformOnCore) => Promise<{ result: Word2; mem: MemoryReader } | { error: CaxError }>;

/** A function that lives on the co-processor, as the scheduler's invoke node carries it. */
export class CoreFunction implements Opaque {
  readonly opaque = 'function' as const;
  constructor(
    /** The stored definition it is (a closure or partial application of `@hash`), if any. */
    readonly hash: string | undefined,
    /** Arguments a partial application already holds (shown in the trace). */
    readonly partial: readonly Value[],
    /** Applies it to `args` on the co-processor and decodes the effect it returns. */
    readonly call: (args: readonly Value[]) => Promise<Eff>,
  ) {}

  /** The effect of applying it to `args`: its body runs on the co-processor when the scheduler gets there. */
  applied(args: readonly Value[]): Eff {
    return new Eff({ k: 'bind', first: new Eff({ k: 'pure', value: UNIT_VALUE }), next: () => this.call(args) });
  }
}

/** How `invoke` runs without an executor: in place, as the interpreter's default. */
function invokeInPlace<O>({ fn, args }: InvokeCall<O>): Value {
  if (!(fn instanceof CoreFunction)) throw new CaxError('E_INTERNAL', 'invoke of a function that is not on the co-processor');
  return fn.applied(args);
}

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
  constructor(
    private readonly mem: MemoryReader,
    private readonly cont: (fn: Word2, args: readonly Value[]) => Promise<Eff>,
    private readonly definitionAt: (code: number) => string | undefined,
  ) {}

  private word(addr: number, i: number): Word2 {
    const v = this.mem(addr + 8 + 8 * i, 8);
    return { tag: v.getUint32(0, true), val: v.getUint32(4, true) };
  }

  private value(w: Word2): Value {
    return readValue(w, this.mem);
  }

  /** `first`, then the closure `fn` applied on the co-processor to its value. */
  private continuation(fn: Word2, first: Eff): Eff {
    return new Eff({ k: 'bind', first, next: (x) => this.cont(fn, [x]) });
  }

  /** The function value `w` (a closure or a partial application) with the stored definition its code is, if any. */
  private coreFunction(w: Word2): CoreFunction {
    const call = (args: readonly Value[]): Promise<Eff> => this.cont(w, args);
    if (w.tag === TAG.CLOSURE) return new CoreFunction(this.definitionAt(this.mem(w.val, 4).getUint32(0, true)), [], call);
    if (w.tag !== TAG.PAP) throw new CaxError('E_PROTOCOL', `invoke of a value with tag ${w.tag} from the co-processor`);
    const head = this.mem(w.val, 8);
    const closure = head.getUint32(0, true);
    const partial = Array.from({ length: head.getUint32(4, true) }, (_, i) => this.value(this.word(w.val, i)));
    return new CoreFunction(this.definitionAt(this.mem(closure, 4).getUint32(0, true)), partial, call);
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
      case EFFECT_KIND.PURE:
        node = { k: 'pure', value: val(0) };
        break;
      case EFFECT_KIND.FAIL:
        node = { k: 'fail', message: text(0) };
        break;
      case EFFECT_KIND.NOW:
        node = { k: 'now' };
        break;
      case EFFECT_KIND.EMIT:
        node = { k: 'emit', value: val(0) };
        break;
      case EFFECT_KIND.LEDGER:
        node = { k: 'ledger', request: { kind: LEDGER_KINDS[int(0)]!, amount: int(1), asset: text(2), from: optText(3), to: optText(4), timeline: text(5) } };
        break;
      case EFFECT_KIND.OBSERVE:
        node = { k: 'observe', key: text(0), timeline: text(1) };
        break;
      case EFFECT_KIND.BIND:
        return this.continuation(at(1), this.effect(at(0)));
      case EFFECT_KIND.CHOICE:
        node = { k: 'choice', first: this.effect(at(0)), orElse: this.continuation(at(1), new Eff({ k: 'pure', value: UNIT_VALUE })) };
        break;
      case EFFECT_KIND.PAR:
        node = { k: 'par', left: this.effect(at(0)), right: this.effect(at(1)) };
        break;
      case EFFECT_KIND.RACE:
        node = { k: 'race', left: this.effect(at(0)), right: this.effect(at(1)) };
        break;
      case EFFECT_KIND.AFTER:
        node = { k: 'after', delay: int(0), body: this.effect(at(1)) };
        break;
      case EFFECT_KIND.AT:
        node = { k: 'at', time: int(0), body: this.effect(at(1)) };
        break;
      case EFFECT_KIND.WITHIN:
        node = { k: 'within', limit: int(0), body: this.effect(at(1)) };
        break;
      case EFFECT_KIND.INVOKE:
        node = { k: 'invoke', fn: this.coreFunction(at(0)), args: listToArray(val(1) as ListV), span: undefined };
        break;
      default:
        throw new CaxError('E_PROTOCOL', `unknown effect node kind ${kind} from the co-processor`);
    }
    return new Eff(node);
  }
}

/** How the effect runs: the world's handlers, the logical start, and (for the executor) `invoke`, the root's owner and owner changes. */
export interface EffectRunOptions<O> {
  readonly handlers: EffectHandlers;
  readonly start: number;
  /** The stored definition (hash) whose code starts at this address, if any (from the image's symbols). */
  readonly definitionAt: (code: number) => string | undefined;
  readonly invoke?: InvokeHook<O>;
  /** Who the root effect runs for (the executor's acting context; null without one). */
  readonly owner: O;
  readonly onOwner?: (owner: O) => void;
  /** Hears the scheduler the effect runs on, once it is made (the executor's snapshots read its clock and log). */
  readonly attach?: (scheduler: Scheduler<O>) => void;
}

/** Runs the effect `root` (read through `mem`) with the interpreter's scheduler, applying continuations on the core through `apply`. */
export async function runCompiledEffect<O>(root: Word2, mem: MemoryReader, apply: ApplyOnCore, options: EffectRunOptions<O>): Promise<EffectRun> {
  const perform: PerformOnCore = (kind, value) => {
    if (kind === EFFECT_KIND.EMIT) return scheduler.performInline(new Eff({ k: 'emit', value }));
    if (kind === EFFECT_KIND.NOW) return scheduler.performInline(new Eff({ k: 'now' }));
    throw new CaxError('E_PROTOCOL', `the co-processor asked the host to perform an effect of kind ${kind} in its run`);
  };
  const cont = async (fn: Word2, args: readonly Value[]): Promise<Eff> => {
    const r = await apply(fn, args, perform);
    if ('error' in r) throw r.error;
    return new Decoder(r.mem, cont, options.definitionAt).effect(r.result);
  };
  const machine = new Machine(DEFAULT_BUDGET, () => {
    throw new CaxError('E_UNSUPPORTED', '@hash references are not supported on the co-processor yet');
  });
  const scheduler = new Scheduler<O>(machine, options.handlers, options.start, options.invoke ?? invokeInPlace);
  if (options.onOwner) scheduler.onOwner = options.onOwner;
  options.attach?.(scheduler);
  const end = (value: Value | null, error: CaxError | null): EffectRun => ({ value, error, effects: scheduler.log, clock: scheduler.clock, latencies: scheduler.latencies });
  try {
    const out = await scheduler.runAsync(new Decoder(mem, cont, options.definitionAt).effect(root), options.owner);
    if ('value' in out) return end(out.value, null);
    return end(null, failureError(out.failure));
  } catch (e) {
    if (e instanceof CaxError) return end(null, e);
    throw e;
  }
}
