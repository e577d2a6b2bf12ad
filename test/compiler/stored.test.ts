// Stored definitions on the co-processor through the executor: a definition
// added to the store (with its dependencies referenced by hash) and run by
// hash with argument expressions on the iss backend gives what the
// interpreter run gives — value, effect log, clock, and the same kind of
// trace — through the same sandbox: policy rules deny effects (E_DENIED in
// the trace), the core's cycles are charged as compute steps to the
// context, and the policy's step budget bounds them.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileStored } from '../../host/coprocessor/stored.js';
import { Executor, type ExecutionResult } from '../../host/execution/executor.js';
import { parsePolicy, type PolicyInput } from '../../host/execution/policy.js';
import { addProgram } from '../../host/store/add.js';
import { Repository } from '../../host/store/repository.js';
import { addContext, ensurePrelude } from '../../host/store/tel-env.js';
import { parseProgram } from '../../host/tel/parser.js';

const SOURCE = `
square :: Int -> Int
square x = x * x

sumSquares :: [Int] -> Int
sumSquares xs = sum (map square xs)

pay :: Int -> Effect Int
pay n = do
  r <- deposit n to "alice" on "bank"
  emit r
  after (2 seconds) (return (sumSquares (range 1 n)))

spin :: Int -> Int
spin n = if n == 0 then 0 else spin (n - 1)

effLoop :: Int -> Effect ()
effLoop n = emit n >> effLoop (n + 1)

child :: Int -> Effect Int
child n = do
  emit n
  deposit n to "bob" on "bank"
  return (n * 2)

scaled :: Int -> Int -> Effect Int
scaled k n = after (1 seconds) (return (k * n))

parent :: Int -> Effect Int
parent n = do
  a <- invoke child n
  (b, c) <- invoke child (n + 1) <|> invoke (scaled 3) n
  d <- race (invoke child 100) (return 7)
  e <- within (500 milliseconds) (invoke scaled 2 n) <| return 0
  return (a + b + c + d + e)

halve :: Int -> Effect Double
halve n = return (toDouble n / 2.0)

doubled :: Int -> Effect Text
doubled n = do
  h <- invoke halve n
  return (show (h + h, h < h * h))
`;

let dir: string;
let repo: Repository;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cax-compiler-'));
  repo = Repository.open(dir);
  const ctx = addContext(repo);
  ensurePrelude(ctx);
  addProgram(ctx, parseProgram(SOURCE, 'stored.tel'));
});
afterAll(() => {
  repo.close();
  rmSync(dir, { recursive: true, force: true });
});

const run = (name: string, args: readonly string[], backend: 'interp' | 'iss' | 'sim', policy: PolicyInput = {}): Promise<ExecutionResult> =>
  new Executor({ repo, policy: parsePolicy(policy) }).executeByHash(repo.lookupName(name)!, { args, ...(backend === 'interp' ? {} : { backend: { name: backend } }) });

/** The trace without what differs by construction: sequence numbers, context ids and compute usage (steps vs cycles). */
const traceShape = (r: ExecutionResult): unknown[] =>
  r.trace.events.map((e) => {
    const { seq: _s, context: _c, ...rest } = e as unknown as Record<string, unknown>;
    if ('usage' in rest) rest.usage = Object.keys(rest.usage as object);
    if ('parent' in rest) rest.parent = typeof rest.parent;
    return rest;
  });

describe('stored definitions on the iss backend, through the executor', () => {
  for (const [name, args] of [
    ['sumSquares', ['[1, 2, 3]']],
    ['pay', ['7']],
  ] as const) {
    it(`${name} agrees with the interpreter, trace included, and charges its cycles`, async () => {
      const reference = await run(name, args, 'interp');
      const r = await run(name, args, 'iss');
      expect(r.error).toBeNull();
      expect(r.value).toBe(reference.value);
      expect(r.type).toBe(reference.type);
      expect(JSON.stringify(r.effects)).toBe(JSON.stringify(reference.effects));
      expect(r.clock).toBe(reference.clock);
      expect(r.balances).toEqual(reference.balances);
      expect(traceShape(r)).toEqual(traceShape(reference));
      expect(r.coprocessor).toMatchObject({ backend: 'iss', cached: false });
      expect(r.coprocessor!.imageKey).toMatch(/^[0-9a-f]{64}$/);
      // the entry context was charged the core's cycles as compute steps
      const entry = r.contexts.find((c) => c.hash === repo.lookupName(name))!;
      expect(entry.consumed.computeSteps).toBe(r.coprocessor!.cycles);
      // and the core's heap as memory
      expect(r.coprocessor!.heapBytes).toBeGreaterThan(0);
      expect(entry.consumed.memoryBytes).toBe(r.coprocessor!.heapBytes);
      expect(r.contexts.every((c) => c.released)).toBe(true);
      const again = await run(name, args, 'iss');
      expect(again.coprocessor!.cached).toBe(true);
      expect(again.value).toBe(r.value);
    });
  }

  it('invoke: stored definitions invoking others run in child contexts, as on the interpreter', async () => {
    // each invocation gets a quarter of what its caller has left, so parallel ones fit
    const share = { invokeShare: 0.25 };
    const reference = await run('parent', ['5'], 'interp', share);
    const r = await run('parent', ['5'], 'iss', share);
    expect(reference.error).toBeNull();
    expect(r.error).toBeNull();
    expect(r.value).toBe(reference.value);
    expect(JSON.stringify(r.effects)).toBe(JSON.stringify(reference.effects));
    expect(r.clock).toBe(reference.clock);
    expect(r.balances).toEqual(reference.balances);
    expect(traceShape(r)).toEqual(traceShape(reference));
    expect(r.trace.filter({ kinds: ['invoke'] }).map((e) => (e.kind === 'invoke' ? [e.name, e.args] : []))).toEqual([
      ['parent', ['5']],
      ['child', ['5']],
      ['child', ['6']],
      ['scaled', ['3', '5']],
      ['child', ['100']],
      ['scaled', ['2', '5']],
    ]);
    // every invocation had its own context, charged its own cycles, released at the end
    expect(r.contexts.map((c) => c.name)).toEqual(reference.contexts.map((c) => c.name));
    expect(r.contexts.every((c) => c.released)).toBe(true);
    const children = r.contexts.filter((c) => c.name === 'child');
    expect(children.every((c) => c.consumed.computeSteps > 0)).toBe(true);
    // a policy without invoke denies it
    const denied = await run('parent', ['5'], 'iss', { ...share, effects: ['emit', 'deposit'] });
    const deniedRef = await run('parent', ['5'], 'interp', { ...share, effects: ['emit', 'deposit'] });
    expect([denied.error?.code, denied.error?.details.rule]).toEqual(['E_DENIED', 'effects']);
    expect(traceShape(denied)).toEqual(traceShape(deniedRef));
  });

  it('a Double that comes back from invoke is added, compared and shown on the core', async () => {
    // doubled itself has no Double literal, no toDouble and an Int parameter: its Double is invoke's result (the
    // callee's code is in the same image, and its literal links the runtime's build with Doubles: link.ts)
    const reference = await run('doubled', ['5'], 'interp');
    const r = await run('doubled', ['5'], 'iss');
    expect(reference.value).toBe(JSON.stringify('(5.0,True)'));
    expect([r.value, r.error]).toEqual([reference.value, null]);
  });

  it("the core's heap is charged as memory: past the policy budget E_DENIED budget.memoryBytes, past a context grant E_BUDGET", async () => {
    const list = 'range 1 300';
    const free = await run('sumSquares', [list], 'iss');
    expect(free.error).toBeNull();
    const heap = free.coprocessor!.heapBytes;
    expect(heap).toBeGreaterThan(300 * 16); // the list alone is 300 cells of 16 bytes
    const denied = await run('sumSquares', [list], 'iss', { budget: { memoryBytes: Math.floor(heap / 2) } });
    expect([denied.error?.code, denied.error?.details.rule]).toEqual(['E_DENIED', 'budget.memoryBytes']);
    expect(denied.trace.filter({ kinds: ['denied'] })).toHaveLength(1);
    expect((await run('sumSquares', [list], 'iss', { budget: { memoryBytes: heap } })).value).toBe(free.value);
    // the effect program's continuations are charged too, in the context that runs them
    const pay = await run('pay', ['30'], 'iss');
    expect(pay.contexts.find((c) => c.hash === repo.lookupName('pay'))!.consumed.memoryBytes).toBe(pay.coprocessor!.heapBytes);
    const executor = new Executor({ repo, policy: parsePolicy({}) });
    const caller = executor.createContext({ computeSteps: 10_000_000, memoryBytes: Math.floor(heap / 2), effects: 10, ioOps: 10 });
    try {
      const short = await executor.executeByHash(repo.lookupName('sumSquares')!, { args: [list], backend: { name: 'iss' }, context: caller });
      expect(short.error?.code).toBe('E_BUDGET');
      expect(short.error?.details).toMatchObject({ budget: 'memory' });
    } finally {
      caller.destroy();
    }
  });

  it("concurrent invokes under the default policy (grants grow on demand), from the world's start, agree with the interpreter on iss", async () => {
    const world = { start: 5000, latency: { bank: 300 } };
    const byBackend = (backend?: 'iss') =>
      new Executor({ repo, policy: parsePolicy({}) }).executeByHash(repo.lookupName('parent')!, { args: ['2'], world, ...(backend ? { backend: { name: backend } } : {}) });
    const reference = await byBackend();
    const r = await byBackend('iss');
    expect(reference.error).toBeNull();
    expect(reference.effects[0]!.start).toBe(5000);
    expect([r.error, r.value, r.clock, JSON.stringify(r.effects)]).toEqual([null, reference.value, reference.clock, JSON.stringify(reference.effects)]);
    expect(traceShape(r)).toEqual(traceShape(reference));
  });

  it('invoke through the executor on sim too', async () => {
    const share = { invokeShare: 0.25 };
    const reference = await run('parent', ['2'], 'interp', share);
    const r = await run('parent', ['2'], 'sim', share);
    expect(r.error).toBeNull();
    expect([r.value, r.clock, JSON.stringify(r.effects)]).toEqual([reference.value, reference.clock, JSON.stringify(reference.effects)]);
    expect(traceShape(r)).toEqual(traceShape(reference));
    expect(r.coprocessor?.backend).toBe('sim');
  }, 120_000);

  it('a policy rule denies an effect from the co-processor as it does from the interpreter (E_DENIED, in the trace)', async () => {
    for (const policy of [{ effects: ['deposit' as const] }, { timelines: ['elsewhere'] }]) {
      const reference = await run('pay', ['3'], 'interp', policy);
      const r = await run('pay', ['3'], 'iss', policy);
      expect(reference.error?.code).toBe('E_DENIED');
      expect(r.error?.code).toBe('E_DENIED');
      expect(r.error?.details.rule).toBe(reference.error?.details.rule);
      expect(JSON.stringify(r.effects)).toBe(JSON.stringify(reference.effects));
      expect(traceShape(r)).toEqual(traceShape(reference));
      expect(r.trace.filter({ kinds: ['denied'] })).toHaveLength(1);
    }
  });

  it('a stored definition calling itself by its hash through a thunk compiles (no endless inlining) and its effect budget holds on the core', async () => {
    const { definitions } = compileStored(repo, repo.lookupName('effLoop')!, ['0']);
    expect(definitions.has(`@${repo.lookupName('effLoop')!}`)).toBe(true);
    const reference = await run('effLoop', ['0'], 'interp', { budget: { effects: 10 } });
    const r = await run('effLoop', ['0'], 'iss', { budget: { effects: 10 } });
    expect([reference.error?.code, reference.error?.details.rule]).toEqual(['E_DENIED', 'budget.effects']);
    expect([r.error?.code, r.error?.details.rule]).toEqual(['E_DENIED', 'budget.effects']);
    expect(JSON.stringify(r.effects)).toBe(JSON.stringify(reference.effects));
  });

  it('the policy step budget bounds the cycles on the core (E_DENIED budget.steps), a context grant gives E_BUDGET', async () => {
    const denied = await run('spin', ['100000'], 'iss', { budget: { steps: 50_000 } });
    expect(denied.error?.code).toBe('E_DENIED');
    // the same message as the interpreter's (tel-language.md section 9)
    expect(denied.error?.message).toBe((await run('spin', ['100000'], 'interp', { budget: { steps: 50_000 } })).error?.message);
    expect(denied.error?.details.rule).toBe('budget.steps');
    expect(denied.trace.filter({ kinds: ['denied'] })).toHaveLength(1);
    const entry = denied.contexts.find((c) => c.hash === repo.lookupName('spin'))!;
    expect(entry.consumed.computeSteps).toBeLessThanOrEqual(50_000);
    expect(entry.consumed.computeSteps).toBeGreaterThan(40_000);
    const ok = await run('spin', ['100'], 'iss', { budget: { steps: 50_000 } });
    expect([ok.error, ok.value]).toEqual([null, '0']);
    // the wall-clock limit stops a long pure run on the core (no ecall to check it at): E_DENIED, in the trace
    const slow = await run('spin', ['200000000'], 'iss', { wallClockMs: 300 });
    expect([slow.error?.code, slow.error?.details.rule]).toEqual(['E_DENIED', 'wallClockMs']);
    expect(slow.trace.filter({ kinds: ['denied'] })).toHaveLength(1);
    // the caller's context has a small grant, the policy none: the invoked context runs out
    const executor = new Executor({ repo, policy: parsePolicy({}) });
    const caller = executor.createContext({ computeSteps: 50_000, memoryBytes: 1 << 20, effects: 10, ioOps: 10 });
    try {
      const short = await executor.executeByHash(repo.lookupName('spin')!, { args: ['100000'], backend: { name: 'iss' }, context: caller });
      expect(short.error?.code).toBe('E_BUDGET');
      const interpreted = await executor.executeByHash(repo.lookupName('spin')!, { args: ['100000'], context: caller });
      expect(short.error?.message.replace(/ctx-g\d+/, 'CTX')).toBe(interpreted.error?.message.replace(/ctx-g\d+/, 'CTX'));
      expect(short.error?.details.context).toBe(short.contexts.find((c) => c.hash === repo.lookupName('spin'))!.context);
    } finally {
      caller.destroy();
    }
  });
});
