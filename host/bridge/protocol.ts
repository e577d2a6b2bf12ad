// The line protocol between the bridge (TypeScript) and the generated C++
// harness (harness.ts): commands are encoded here, replies decoded and
// checked here. Values travel as lower-case hex without a prefix. Pure: no I/O.
import { z } from 'zod';
import { CaxError } from '../errors.js';

/** What `until` waits for on a signal, checked after each rising clock edge. */
export type Condition = { readonly kind: 'rising' } | { readonly kind: 'falling' } | { readonly kind: 'change' } | { readonly kind: 'equal'; readonly value: bigint };

const CONDITION_LETTER = { rising: 'r', falling: 'f', change: 'c', equal: 'e' } as const;

export const encode = {
  /** Sets an input; it takes effect at the next evaluation. No reply. */
  set: (port: number, value: bigint): string => `s ${port} ${value.toString(16)}\n`,
  /** Evaluates the model without a clock edge. */
  settle: (): string => 'e\n',
  /** `count` rising or falling edges of a clock input. */
  clock: (clock: number, count: number, edge: 'rising' | 'falling'): string => `c ${clock} ${count} ${edge === 'rising' ? 'r' : 'f'}\n`,
  /** Rising edges of `clock` until `condition` holds on `signal`, at most `max`. */
  until: (clock: number, signal: number, condition: Condition, max: number): string =>
    `u ${clock} ${signal} ${CONDITION_LETTER[condition.kind]} ${condition.kind === 'equal' ? condition.value.toString(16) : '0'} ${max}\n`,
  /** `count` rising edges, recording `signals` after each. */
  record: (clock: number, count: number, signals: readonly number[]): string => `w ${clock} ${count} ${signals.length} ${signals.join(' ')}\n`,
  quit: (): string => 'q\n',
};

/** A decoded reply: whether the condition was met (always true but for a timed-out `until`), edges run, all port values, recorded values. */
export interface Reply {
  readonly met: boolean;
  readonly edges: number;
  readonly snapshot: readonly bigint[];
  readonly records: readonly bigint[];
}

const HEX = /^[0-9a-f]{1,4096}$/;
const replyLine = z.tuple([z.enum(['=', 't']), z.string().regex(/^\d{1,15}$/)], z.string().regex(HEX));

/**
 * Decodes one reply line for a model with `portCount` ports, where the
 * command asked for `recordCount` recorded values. A `!` line is the
 * harness reporting an error (E_BRIDGE_SIM); anything malformed is E_PROTOCOL.
 */
export function decodeReply(line: string, portCount: number, recordCount: number): Reply {
  if (line.startsWith('! ')) throw new CaxError('E_BRIDGE_SIM', `simulation: ${line.slice(2)}`);
  const parsed = replyLine.safeParse(line.split(' '));
  const values = parsed.success ? parsed.data.slice(2) : [];
  if (!parsed.success || values.length !== portCount + recordCount) {
    throw new CaxError('E_PROTOCOL', `malformed reply from the simulation harness: ${JSON.stringify(line.slice(0, 200))}`, {
      details: { expectedValues: portCount + recordCount },
    });
  }
  const numbers = values.map((v) => BigInt(`0x${v}`));
  return {
    met: parsed.data[0] === '=',
    edges: Number(parsed.data[1]),
    snapshot: numbers.slice(0, portCount),
    records: numbers.slice(portCount),
  };
}
