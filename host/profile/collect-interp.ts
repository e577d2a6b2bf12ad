// Collects a profile of a run on the reference interpreter through the
// machine's ProfileHook (host/tel/machine.ts): every closure application
// and value-definition evaluation enters a frame at its continuation depth,
// a popped continuation below that depth leaves it, a call at the same
// depth is a tail call; nested runs (do-block statements, primitives that
// apply functions) stack on top under their definition's label; scheduler
// ticks go to `(scheduler)`. Steps and cells are charged exactly, so the
// frames' exclusive steps add up to the run's steps.
import type { Code } from '../tel/compile.js';
import type { CLamKey, Machine, ProfileHook } from '../tel/machine.js';
import { Dbl, type Value } from '../tel/values.js';
import { CallStack } from './call-stack.js';
import type { CodeLabels } from './labels.js';

/** Distinct argument lists remembered per definition for the repeated-calls count. */
const MAX_KEYS = 4096;

export class InterpCollector implements ProfileHook {
  readonly stack = new CallStack('(program)');
  private machine: Machine | null = null;
  /** Stack sizes where each nested run began. */
  private readonly runBases: number[] = [];
  private readonly scheduler: number;
  private inScheduler = false;
  private readonly frameOf = new Map<CLamKey, number>();
  /** Per frame: argument keys seen, and how many calls repeated one. */
  readonly seen = new Map<number, Set<string | number>>();
  readonly repeats = new Map<number, number>();

  constructor(private readonly labels: CodeLabels) {
    this.scheduler = this.stack.frame('(scheduler)', null, 'pseudo');
  }

  attach(machine: Machine): ProfileHook {
    this.machine = machine;
    return this;
  }

  private heap(): number {
    return this.machine!.heap;
  }

  private leaveScheduler(): void {
    if (this.inScheduler) {
      this.stack.pop();
      this.inScheduler = false;
    }
  }

  runStart(code: Code | null, steps: number): void {
    this.stack.charge(steps, this.heap());
    this.leaveScheduler();
    this.runBases.push(this.stack.size);
    const owner = code === null ? null : this.labels.ownerOf(code);
    if (owner) this.stack.push(this.stack.frame(owner.label, owner.where, 'tel'), -1, true);
  }

  runEnd(steps: number): void {
    this.stack.charge(steps, this.heap());
    this.leaveScheduler();
    const base = this.runBases.pop()!;
    while (this.stack.size > base) this.stack.pop();
  }

  enter(what: CLamKey, args: Value[] | null, depth: number, steps: number): void {
    this.stack.charge(steps, this.heap());
    this.leaveScheduler();
    let f = this.frameOf.get(what);
    if (f === undefined) {
      const l = this.labels.of(what);
      f = this.stack.frame(l.label, l.where, 'tel');
      this.frameOf.set(what, f);
    }
    if (args !== null) this.remember(f, args);
    const base = this.runBases[this.runBases.length - 1] ?? 1;
    const top = this.stack.top();
    if (args !== null && this.stack.size > base && !top.pinned && top.depth === depth) this.stack.tailCall(f, depth);
    else this.stack.push(f, depth, args === null);
  }

  popped(depth: number, steps: number): void {
    const base = this.runBases[this.runBases.length - 1] ?? 1;
    if (this.stack.size <= base || this.stack.top().depth <= depth) return;
    this.stack.charge(steps, this.heap());
    this.leaveScheduler();
    while (this.stack.size > base && this.stack.top().depth > depth) this.stack.pop();
  }

  tick(steps: number): void {
    if (this.inScheduler) return;
    this.stack.charge(steps - 1, this.heap());
    this.stack.push(this.scheduler, Infinity, true);
    this.inScheduler = true;
  }

  /** Counts a call whose arguments (all plain numbers, text or truth values) were seen before. */
  private remember(f: number, args: Value[]): void {
    const key = args.length === 1 && typeof args[0] === 'number' ? args[0] : argumentsKey(args);
    if (key === null) return;
    let keys = this.seen.get(f);
    if (!keys) this.seen.set(f, (keys = new Set()));
    if (keys.has(key)) this.repeats.set(f, (this.repeats.get(f) ?? 0) + 1);
    else if (keys.size < MAX_KEYS) keys.add(key);
  }

  /** Charges the last steps; the stack is closed. */
  finish(steps: number): ReturnType<CallStack['finish']> {
    this.stack.charge(steps, this.heap());
    return this.stack.finish();
  }
}

/** A key equal for equal argument lists of plain values; null when an argument is anything else. */
function argumentsKey(args: readonly Value[]): string | null {
  let key = '';
  for (const a of args) {
    if (typeof a === 'number') key += `n${a},`;
    else if (typeof a === 'string') key += `s${a.length}:${a},`;
    else if (typeof a === 'boolean') key += a ? 't,' : 'f,';
    else if (a instanceof Dbl) key += `d${a.v},`;
    else return null;
  }
  return key;
}
