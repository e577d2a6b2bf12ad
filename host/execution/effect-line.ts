// How one entry of a run's effect log is printed for people: the same line
// for the interpreter and the co-processor backends (`cax run`).
import type { EffectEntry } from '../tel/scheduler.js';

/** `t=TIME KIND ARGS [on TIMELINE] [→ RESULT | failed E_CODE: message] [(rolled back)]`. */
export function effectLine(e: EffectEntry): string {
  const where = e.timeline === null ? '' : ` on ${e.timeline}`;
  const outcome = e.error ? ` failed ${e.error.code}: ${e.error.message}` : e.result === null ? '' : ` → ${JSON.stringify(e.result)}`;
  return `t=${e.time} ${e.kind} ${e.args.map((a) => JSON.stringify(a)).join(' ')}${where}${outcome}${e.rolledBack ? ' (rolled back)' : ''}`;
}
