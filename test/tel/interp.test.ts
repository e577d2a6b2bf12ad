// The interpreter: evaluation rules, tail calls in constant space, budgets,
// run-time errors with codes, the resolver for @hash and invoke, effect
// handlers a sandbox can wrap, replay from a log.
import { describe, it, expect } from '@jest/globals';
import { CaxError } from '../../host/errors.js';
import { loadProgram, runMain, type Resolver } from '../../host/tel/interp.js';
import { parseExpression, parseProgram, parseTypeScheme } from '../../host/tel/parser.js';
import { PERIOD_STEPS } from '../../host/tel/machine.js';
import { MemoryWorld, parseWorld, replayHandlers, type EffectHandlers } from '../../host/tel/world.js';
import { evalShown, outcome, run } from './helpers.js';

describe('evaluation', () => {
  it('equations, guards falling through, where, let-polymorphism, closures', () => {
    const src = [
      'classify :: Int -> Text',
      'classify x | x > 10 = "big"',
      'classify 0 = "zero"',
      'classify x | x < 0 = "negative"',
      '           | otherwise = small',
      '  where small = "small " ++ show x',
      'pair = let id = \\x -> x in (id 1, id True)',
      'adders = map (\\n -> \\x -> x + n) [1, 2, 3]',
      'applied = map (\\f -> f 10) adders',
      'main = (map classify [20, 0, -3, 4], pair, applied, (+) 1 2, (`mod`) 7 4)',
    ].join('\n');
    expect(() => run(src)).toThrow(CaxError);
    const ok = src.replace(', (`mod`) 7 4', ', mod 7 4');
    expect(evalShown(ok)).toBe('(["big","zero","negative","small 4"],(1,True),[11,12,13],3,3)');
  });

  it('case with guards, nested patterns, lists and tuples', () => {
    const src = [
      'f xs = case xs of',
      '  [] -> "empty"',
      '  [(a, _)] | a > 0 -> "one positive"',
      '  (a, b) : _ : rest -> "many " ++ show (a + b + length rest)',
      '  _ -> "other"',
      'main = map f [[], [(1, 2)], [(-1, 2)], [(1, 2), (3, 4), (5, 6)]]',
    ].join('\n');
    expect(evalShown(src)).toBe('["empty","one positive","other","many 4"]');
  });

  it('a ten-million-iteration tail loop runs in constant space', () => {
    const r = run('loop :: Int -> Int -> Int\nloop 0 acc = acc\nloop n acc = loop (n - 1) (acc + 2)\n', 'loop', ['10000000', '0']);
    expect(r.shown).toBe('20000000');
    expect(r.memory).toBe(0);
  });

  it('deep non-tail recursion ends in E_BUDGET (memory), not a JavaScript stack overflow', () => {
    const r = run('deep :: Int -> Int\ndeep 0 = 0\ndeep n = 1 + deep (n - 1)\n', 'deep', ['100000000'], { budget: { steps: 1e9, memory: 2_000_000 } });
    expect(r.error?.code).toBe('E_BUDGET');
    expect(r.error?.details).toEqual({ budget: 'memory', limit: 2_000_000 });
    expect(run('deep :: Int -> Int\ndeep 0 = 0\ndeep n = 1 + deep (n - 1)\n', 'deep', ['100000']).shown).toBe('100000');
  });

  it('an endless loop ends in E_BUDGET (steps), deterministically', () => {
    const a = run('spin :: Int -> Int\nspin n = spin (n + 1)\n', 'spin', ['0'], { budget: { steps: 100_000, memory: 1e6 } });
    const b = run('spin :: Int -> Int\nspin n = spin (n + 1)\n', 'spin', ['0'], { budget: { steps: 100_000, memory: 1e6 } });
    expect(a.error?.code).toBe('E_BUDGET');
    expect(a.steps).toBe(b.steps);
  });

  it('run-time errors carry their codes and locations', () => {
    expect(outcome(run('f 0 = 1\nmain = f 1\n'))).toBe('E_MATCH');
    expect(run('f 0 = 1\nmain = f 1\n').error?.span?.line).toBe(1);
    expect(evalShown('main = head (tail [1])\n')).toBe('E_EMPTY');
    expect(evalShown('main = minimumBy fst []\n')).toBe('E_EMPTY');
    expect(evalShown('x = x + 1\nmain = x\n')).toBe('E_CYCLE');
    expect(evalShown('main = let y = y + 1 in y\n')).toBe('E_CYCLE');
    expect(evalShown('main = 7 `mod` 0\n')).toBe('E_DIV_ZERO');
    expect(evalShown('main = hashOf (\\x -> x)\n')).toBe('E_UNSUPPORTED');
    expect(evalShown('main = do\n  (1, x) <- return (2, 3)\n  return x\n')).toBe('E_MATCH');
  });

  it('errors of pure code are fatal: <| does not catch them, only effect failures', () => {
    expect(evalShown('main = (do { x <- return 0; return (1 / x) }) <| return 5\n')).toBe('E_DIV_ZERO');
    expect(evalShown('main = fail "no" <| return 5\n')).toBe('5');
  });

  it('Double division by zero is IEEE; NaN is unordered', () => {
    expect(evalShown('nan = 0.0 / 0.0\nmain = (1.0 / 0.0, nan == nan, nan /= nan, nan < 1.0, [nan] == [nan])\n')).toBe('(Infinity,False,True,False,False)');
  });

  it('prelude functions', () => {
    expect(evalShown('main = (range 3 1, range (-2) 2, take 2 [1,2,3], drop 5 [1], zip [1,2,3] "ab" == [], concat [[1],[2,3]])\n'.replace(' "ab" == []', ' [True, False]'))).toBe(
      '([],[-2,-1,0,1,2],[1,2],[],[(1,True),(2,False)],[1,2,3])',
    );
    expect(evalShown('main = (sum (range 1 100), product [1,2,3,4], max 2 3, min "b" "a", abs (-3), negate 2.5, fst (1, 2), snd (1, 2))\n')).toBe('(5050,24,3,"a",3,-2.5,1,2)');
    expect(evalShown('main = (maximumBy negate [3, 1, 2], length (filter (\\x -> x > 2) (range 1 10)), foldl (-) 0 [1,2,3], elem "b" ["a","b"])\n')).toBe('(1,8,-6,True)');
    expect(evalShown('main = length (map (\\x -> x + 1) (range 1 100000))\n')).toBe('100000');
  });

  it('arguments are TEL expressions checked against the definition', () => {
    expect(evalShown('f :: [Int] -> Text -> Int\nf xs t = length xs + textLength t\n', 'f', ['[1, 2]', '"abc"'])).toBe('5');
    expect(() => run('f :: Int -> Int\nf x = x\n', 'f', ['"no"'])).toThrow(expect.objectContaining({ code: 'E_TYPE' }) as unknown as Error);
    expect(() => run('f = 1\n', 'nope')).toThrow(expect.objectContaining({ code: 'E_UNBOUND' }) as unknown as Error);
  });
});

describe('effects through handlers', () => {
  const world = parseWorld({ balances: { l: { a: { native: 10 } } }, latency: { l: 5 } });

  it('a sandbox can wrap the world: count and deny', () => {
    const inner = new MemoryWorld(world);
    let count = 0;
    const sandbox: EffectHandlers = {
      latency: (tl) => inner.latency(tl),
      deposit: (req, t) => {
        count++;
        return inner.deposit(req, t);
      },
      withdraw: () => ({ ok: false, code: 'E_DENIED', message: 'withdrawals are not granted' }),
      transfer: (req, t) => inner.transfer(req, t),
      observe: (req, t) => inner.observe(req, t),
    };
    const src = 'main = do\n  r <- deposit 1 to "a" on "l"\n  w <- withdraw 1 from "a" on "l" <| return "denied"\n  return (r, w)\n';
    const r = run(src, 'main', [], { handlers: sandbox });
    expect(r.shown).toBe('("l:1","denied")');
    expect(count).toBe(1);
    expect(r.effects.map((e) => e.error?.code ?? 'ok')).toEqual(['ok', 'E_DENIED']);
    expect(r.clock).toBe(10);
  });

  it('emit and now pass the optional handler hooks on every occurrence; a refusal is a catchable failure', () => {
    const inner = new MemoryWorld(world);
    const seen: string[] = [];
    const hooked: EffectHandlers = {
      latency: (tl) => inner.latency(tl),
      deposit: (req, t) => inner.deposit(req, t),
      withdraw: (req, t) => inner.withdraw(req, t),
      transfer: (req, t) => inner.transfer(req, t),
      observe: (req, t) => inner.observe(req, t),
      emit: (text, t) => {
        seen.push(`emit ${text}@${t}`);
        return text === '2' ? { ok: false, code: 'E_DENIED', message: 'no twos' } : { ok: true, result: text };
      },
      now: (t) => {
        seen.push(`now@${t}`);
        return t >= 5 ? { ok: false, code: 'E_DENIED', message: 'too late to ask' } : { ok: true, result: t };
      },
    };
    const src = [
      'main = do',
      '  emit 1',
      '  t <- now',
      '  r <- deposit 1 to "a" on "l"',
      '  x <- (emit 2 >> return "said") <| return "refused"',
      '  u <- now <| return (-1)',
      '  return (t, x, u)',
    ].join('\n');
    const r = run(`${src}\n`, 'main', [], { handlers: hooked });
    expect(r.shown).toBe('(0,"refused",-1)');
    expect(seen).toEqual(['emit 1@0', 'now@0', 'emit 2@5', 'now@5']);
    expect(r.effects.map((e) => [e.kind, e.error?.code ?? 'ok'])).toEqual([
      ['emit', 'ok'],
      ['deposit', 'ok'],
      ['emit', 'E_DENIED'],
    ]);
    // Without the hooks (the default world) emit and now always succeed.
    expect(run(`${src}\n`, 'main', [], { world }).shown).toBe('(0,"said",5)');
  });

  it('the machine calls its periodic hook every PERIOD_STEPS steps, and a throw from it stops the run', () => {
    const loaded = loadProgram(parseProgram('spin :: Int -> Int\nspin n = go n\n  where go k = if k == 0 then 0 else go (k - 1)\n', 'p.tel'));
    let calls = 0;
    const counted = runMain(loaded, 'spin', [parseExpression('100000', 'arg')], { periodic: () => void calls++ });
    expect(counted.shown).toBe('0');
    expect(calls).toBe(Math.floor(counted.steps / PERIOD_STEPS));
    const stopped = runMain(loaded, 'spin', [parseExpression('100000000', 'arg')], {
      periodic: () => {
        if (++calls > 100) throw new CaxError('E_TIMEOUT', 'wall clock');
      },
    });
    expect(stopped.error?.code).toBe('E_TIMEOUT');
    expect(stopped.steps).toBeLessThan(200 * PERIOD_STEPS);
  });

  it('a run replays from its effect log without a world; a divergence is E_REPLAY', () => {
    const src = 'main = do\n  x <- observe "p" on "l"\n  r <- deposit x to "a" on "l"\n  return (x, r)\n';
    const w = parseWorld({ facts: { l: { p: 42 } }, latency: { l: 7 } });
    const first = run(src, 'main', [], { world: w });
    const again = run(src, 'main', [], { handlers: replayHandlers(first.effects, first.latencies) });
    expect([again.shown, again.clock]).toEqual([first.shown, first.clock]);
    const other = run(src.replace('deposit x', 'deposit (x + 1)'), 'main', [], { handlers: replayHandlers(first.effects, first.latencies) });
    expect(other.error?.code).toBe('E_REPLAY');
  });

  it('the world input is validated', () => {
    expect(() => parseWorld({ balances: { l: { a: { native: 1.5 } } } })).toThrow(expect.objectContaining({ code: 'E_WORLD' }) as unknown as Error);
    expect(() => parseWorld({ latency: { l: -1 } })).toThrow(CaxError);
    expect(() => parseWorld({ extra: 1 })).toThrow(CaxError);
    expect(evalShown('main = withdraw (-1) from "a" on "l" <| return "bad amount"\n')).toBe('"bad amount"');
    expect(evalShown('main = observe "missing" on "l"\n')).toBe('E_NO_FACT');
  });
});

describe('resolver', () => {
  const hash = 'a'.repeat(64);
  const stored = parseProgram('double :: Int -> Int\ndouble x = x * 2\n', 'store').decls[0]!;
  const resolver = {
    definition: (h: string) => (h === hash ? stored : undefined),
    hashTypes: (h: string) => (h === hash ? parseTypeScheme('Int -> Int', 'store') : undefined),
  };

  it('@hash references are supplied by the resolver, with their stored type', () => {
    const loaded = loadProgram(parseProgram(`main = @${hash} 21\n`, 'p.tel'), resolver);
    expect(runMain(loaded, 'main', []).shown).toBe('42');
    expect(() => loadProgram(parseProgram(`main = @${hash} "x"\n`, 'p.tel'), resolver)).toThrow(expect.objectContaining({ code: 'E_TYPE' }) as unknown as Error);
    expect(() => loadProgram(parseProgram(`main = @${'b'.repeat(64)}\n`, 'p.tel'), resolver)).toThrow(expect.objectContaining({ code: 'E_MISSING_HASH' }) as unknown as Error);
  });

  it('invoke runs inline by default and through the hook when given; a denial is a catchable failure', () => {
    const src = 'step :: Int -> Effect Int\nstep n = emit n >> return (n + 1)\nmain = do\n  a <- invoke step 1\n  b <- invoke step a <| return 0\n  return (a, b)\n';
    expect(evalShown(src)).toBe('(2,3)');
    let calls = 0;
    const deny: Resolver = {
      definition: () => undefined,
      invoke: (call, m) => {
        calls++;
        if (calls === 2) throw new CaxError('E_DENIED', 'no grant left');
        return m.apply(call.fn, [...call.args]);
      },
    };
    const loaded = loadProgram(parseProgram(src, 'p.tel'), deny);
    const r = runMain(loaded, 'main', []);
    expect(r.shown).toBe('(2,0)');
    expect(calls).toBe(2);
  });
});
