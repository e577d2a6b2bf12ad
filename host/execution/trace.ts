// The trace of a run: invocations and returns (with hashes and names),
// effect applications, sandbox denials and errors, in order, each tagged
// with the context it happened in. Filterable by kind, context, definition.

export type TraceEvent =
  | {
      readonly seq: number;
      readonly kind: 'invoke';
      readonly context: string;
      readonly parent: string | undefined;
      readonly hash: string;
      readonly name: string | undefined;
      readonly args: readonly string[];
    }
  | {
      readonly seq: number;
      readonly kind: 'return';
      readonly context: string;
      readonly hash: string;
      readonly name: string | undefined;
      readonly value: string;
      readonly usage: Readonly<Record<string, number>>;
    }
  | {
      readonly seq: number;
      readonly kind: 'effect';
      readonly context: string;
      readonly hash: string | undefined;
      readonly effect: string;
      readonly timeline: string | undefined;
      readonly at: number;
      readonly detail: string;
    }
  | { readonly seq: number; readonly kind: 'denied'; readonly context: string; readonly hash: string | undefined; readonly rule: string; readonly message: string }
  | { readonly seq: number; readonly kind: 'error'; readonly context: string; readonly hash: string | undefined; readonly code: string; readonly message: string }
  /** A result taken from the result cache instead of running `hash` (docs/cache.md): the level it came from and the steps it saved. */
  | {
      readonly seq: number;
      readonly kind: 'memo';
      readonly context: string;
      readonly hash: string;
      readonly name: string | undefined;
      readonly key: string;
      readonly level: string;
      readonly value: string;
      readonly saved: number;
    };

export type TraceKind = TraceEvent['kind'];
export const TRACE_KINDS: readonly TraceKind[] = ['invoke', 'return', 'effect', 'denied', 'error', 'memo'];

/** Distributes Omit over the union. */
type WithoutSeq<T> = T extends unknown ? Omit<T, 'seq'> : never;
export type TraceInput = WithoutSeq<TraceEvent>;

export interface TraceFilter {
  readonly kinds?: readonly TraceKind[];
  readonly context?: string;
  /** A hash, or a name the definition was invoked under. */
  readonly definition?: string;
}

export class Trace {
  private readonly entries: TraceEvent[] = [];

  record(event: TraceInput): TraceEvent {
    const full = { ...event, seq: this.entries.length } as TraceEvent;
    this.entries.push(full);
    return full;
  }

  get events(): readonly TraceEvent[] {
    return this.entries;
  }

  filter(f: TraceFilter): TraceEvent[] {
    // A definition given by name matches every event of the hashes invoked under that name.
    const named = new Set(this.entries.flatMap((e) => ('name' in e && e.name === f.definition ? [e.hash] : [])));
    return this.entries.filter((e) => {
      if (f.kinds && !f.kinds.includes(e.kind)) return false;
      if (f.context !== undefined && e.context !== f.context) return false;
      if (f.definition !== undefined) {
        const hash = e.hash ?? '';
        if (!named.has(hash) && !(f.definition.length >= 4 && hash.startsWith(f.definition.replace(/^@/, '')))) return false;
      }
      return true;
    });
  }
}
