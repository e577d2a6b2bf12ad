// The example program the `cax debug` tests step through, on the interpreter
// (session.test.ts) and compiled on the ISS (iss-session.test.ts): main pays
// n and n - 1, each payment deposits and emits its factorial.
export const PAY_PROGRAM = [
  '-- pays k and emits k!',
  'fact :: Int -> Int',
  'fact n = if n <= 1 then 1 else n * fact (n - 1)',
  '',
  'pay :: Int -> Effect Int',
  'pay k = do',
  '  deposit k to "a" on "tl"',
  '  emit (fact k)',
  '  return k',
  '',
  'main :: Int -> Effect Int',
  'main n = do',
  '  x <- pay n',
  '  y <- pay (n - 1)',
  '  return (x + y)',
  '',
].join('\n');
