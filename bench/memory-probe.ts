// Run by bench/tel.bench.ts in a child process of its own: runs one TEL
// program on the interpreter and prints, as JSON, the memory the executor
// would charge for it (Machine.footprint × CELL_BYTES) and how much the
// process's peak resident memory grew meanwhile.
import { CELL_BYTES } from '../host/execution/executor.js';
import { loadProgram, runMain } from '../host/tel/interp.js';
import { parseExpression, parseProgram } from '../host/tel/parser.js';

/** The programs the memory bench measures: deep non-tail recursion, a hashed list, retained lists of tuples and texts. */
export const MEMORY_PROGRAMS = `
deep n = if n == 0 then 0 else 1 + deep (n - 1)
hashRange n = hashOf (range 1 n)
pairs n = length (map (\\i -> (i, i)) (range 1 n))
texts n = length (map (\\i -> show i) (range 1 n))
`;

const [main, arg] = process.argv.slice(2);
if (main !== undefined && arg !== undefined) {
  const loaded = loadProgram(parseProgram(MEMORY_PROGRAMS, 'memory.tel'));
  const before = process.memoryUsage().rss;
  const r = runMain(loaded, main, [parseExpression(arg, '<probe>')], { jit: 'off', budget: { steps: 2_000_000_000, memory: 1_000_000_000 } });
  if (r.error) throw r.error;
  const peak = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(`${JSON.stringify({ chargedBytes: r.memory * CELL_BYTES, rssBytes: Math.max(0, peak - before) })}\n`);
}
