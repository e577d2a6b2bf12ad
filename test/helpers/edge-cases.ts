// Edge cases of the TEL reference (tel-language.md sections 5, 6, 8 and 9),
// each worked out by hand: run by the interpreter's semantics test against
// the expected outcome, and by the agreement test on iss and sim (value,
// effect log, clock, error code and message must be identical).

export interface EdgeCase {
  readonly name: string;
  readonly source: string;
  readonly world: Record<string, unknown>;
  /** The shown value, or the error code and message. */
  readonly expected: { readonly value: string } | { readonly code: string; readonly message: string };
  readonly clock: number;
}

const CLOCK_MAX = 2147483647;

export const EDGE_CASES: readonly EdgeCase[] = [
  { name: 'the world start is the first clock reading', source: 'main :: Effect Int\nmain = now\n', world: { start: 5000 }, expected: { value: '5000' }, clock: 5000 },
  {
    name: 'show of a hash prints its 64 hex digits',
    source: 'main :: Effect Int\nmain = do { emit (hashOf ()); return (textLength (show (hashOf ()))) }\n',
    world: {},
    expected: { value: '65' },
    clock: 0,
  },
  {
    name: 'show escapes C0, DEL and C1 controls, not U+00A0',
    source: 'main :: Text\nmain = show "a\\u{85}b\\u{9f}\\u{7f}\\u{1}\\u{a0}\\u{80}"\n',
    world: {},
    expected: { value: '"\\"a\\\\u{85}b\\\\u{9f}\\\\u{7f}\\\\u{1}\u00a0\\\\u{80}\\""' },
    clock: 0,
  },
  {
    name: 'a deposit that would end past 2^31 - 1 is E_CLOCK',
    source: 'main :: Effect Int\nmain = do { at 2147483000 (deposit 1 to "a" on "T"); now }\n',
    world: {},
    expected: { code: 'E_CLOCK', message: `the clock would pass ${CLOCK_MAX} (at 2147484000)` },
    clock: 2147483000,
  },
  {
    name: 'a wait to exactly 2^31 - 1 is fine',
    source: 'main :: Effect Int\nmain = at 2147483647 now\n',
    world: {},
    expected: { value: String(CLOCK_MAX) },
    clock: CLOCK_MAX,
  },
  { name: 'mod by zero is division by zero', source: 'main :: Int\nmain = 7 `mod` (3 - 3)\n', world: {}, expected: { code: 'E_DIV_ZERO', message: 'division by zero' }, clock: 0 },
  { name: 'head of an empty list', source: 'main :: Int\nmain = head (tail [1])\n', world: {}, expected: { code: 'E_EMPTY', message: 'empty list' }, clock: 0 },
  { name: 'no equation matches', source: 'f :: Int -> Int\nf 1 = 2\nmain :: Int\nmain = f 3\n', world: {}, expected: { code: 'E_MATCH', message: 'no pattern matched' }, clock: 0 },
  {
    name: 'a value defined in terms of itself',
    source: 'main :: Int\nmain = let xs = 1 : xs in length xs\n',
    world: {},
    expected: { code: 'E_CYCLE', message: 'a value is used before it is defined (a value defined in terms of itself)' },
    clock: 0,
  },
  {
    name: 'a rollback whose funds a concurrent branch moved on is E_ROLLBACK, nothing created',
    source: [
      'main :: Effect (Text, Text)',
      'main = ((transfer 50 from "x" to "y" on "T" >> after (500 milliseconds) (fail "late")) <| return "caught")',
      '  <|> after (150 milliseconds) (withdraw 50 from "y" on "T")',
      '',
    ].join('\n'),
    world: { balances: { T: { x: { native: 100 } } }, latency: { T: 100 } },
    expected: { code: 'E_ROLLBACK', message: 'cannot roll back: the balance of y on T is 0 native and would become -50 (a concurrent branch moved the funds on)' },
    clock: 600,
  },
  {
    name: 'a rollback that can be done restores both sides of a transfer',
    source: [
      'main :: Effect (Text, Text)',
      'main = ((transfer 50 from "x" to "y" on "T" >> after (500 milliseconds) (fail "late")) <| withdraw 100 from "x" on "T")',
      '  <|> after (150 milliseconds) (deposit 5 to "y" on "T")',
      '',
    ].join('\n'),
    world: { balances: { T: { x: { native: 100 } } }, latency: { T: 100 } },
    expected: { value: '("T:3","T:2")' },
    clock: 700,
  },
  {
    name: 'a rollback inside race is all or nothing too',
    source: 'main :: Effect Text\nmain = race ((deposit 5 to "a" on "T" >> fail "no") <| return "back") (after (2 seconds) (return "late"))\n',
    world: { latency: { T: 100 } },
    expected: { value: '"back"' },
    clock: 100,
  },
  {
    name: 'within one instant effects come before deadlines: the right side of a race wins',
    source: 'main :: Effect Int\nmain = race (within (100 milliseconds) (after (200 milliseconds) (return 1))) (after (100 milliseconds) (return 2))\n',
    world: {},
    expected: { value: '2' },
    clock: 100,
  },
  {
    name: 'two deadlines at one instant: the outermost fires first',
    source: 'main :: Effect Int\nmain = within (100 milliseconds) (after (50 milliseconds) (within (50 milliseconds) (after (100 milliseconds) (return 1)) <| return 5))\n',
    world: {},
    expected: { code: 'E_TIMEOUT', message: 'deadline of 100 ms passed' },
    clock: 100,
  },
  {
    name: 'an effect ending at its deadline happens',
    source: 'main :: Effect Text\nmain = within (100 milliseconds) (deposit 1 to "a" on "T")\n',
    world: { latency: { T: 100 }, start: 7 },
    expected: { value: '"T:1"' },
    clock: 107,
  },
];
