// What both `cax debug` sessions share (docs/debugging.md): a recorded run as a
// list of events, a position among them (-1 before the first, the count at
// the end), the moves over it — step, next, finish, continue and their
// reverse, each picking the nearest event in its direction that it accepts —
// and command lines answered one reply each, a failed command being a reply
// with its error code while the session goes on.
import { CaxError } from '../errors.js';

export interface Reply {
  readonly command: string;
  readonly text: string;
  readonly data: Record<string, unknown>;
  /** Set when the command failed; the session goes on. */
  readonly error?: { readonly code: string; readonly message: string };
  /** Set by `quit`. */
  readonly quit?: true;
}

export type Answer = Omit<Reply, 'command'>;

export abstract class Timeline<E extends { readonly depth: number }> {
  /** -1: before the first event; events.length: the run has ended. */
  protected pos = -1;

  protected abstract get events(): readonly E[];

  /** Goes to event `to` (or the start / the end) and describes it. */
  protected abstract move(to: number): Answer;

  /** Whether a breakpoint stops `continue` at `e`. */
  protected abstract hits(e: E): boolean;

  /** The session's own commands (all but the moves); throws E_USAGE for unknown ones. */
  protected abstract command(verb: string, args: readonly string[]): Answer;

  /** Where the session stands: an event index, or -1 (start) / events.length (end). */
  get position(): number {
    return this.pos;
  }

  get eventCount(): number {
    return this.events.length;
  }

  /** Runs one command line (the ones asyncCommand answers are only answered by `run`). */
  execute(line: string): Reply {
    const command = line.trim();
    const [verb = '', ...args] = command.split(/\s+/);
    try {
      return { command, ...(this.moveCommand(verb, args) ?? this.command(verb, args)) };
    } catch (e) {
      return failed(command, e);
    }
  }

  /** Runs one command line, the ones that take a while (asyncCommand) included. */
  async run(line: string): Promise<Reply> {
    const command = line.trim();
    const [verb = '', ...args] = command.split(/\s+/);
    const pending = this.asyncCommand(verb, args);
    if (!pending) return this.execute(line);
    try {
      return { command, ...(await pending) };
    } catch (e) {
      return failed(command, e);
    }
  }

  /** A command that runs the program again (a snapshot of a compiled run), answered when it is done; undefined for the others. */
  protected asyncCommand(_verb: string, _args: readonly string[]): Promise<Answer> | undefined {
    return undefined;
  }

  private moveCommand(verb: string, args: readonly string[]): Answer | undefined {
    const count = (): number => {
      if (args.length === 0) return 1;
      const n = Number(args[0]);
      if (!Number.isInteger(n) || n < 1) throw new CaxError('E_USAGE', `a count is a positive integer, not ${args[0]}`);
      return n;
    };
    switch (verb) {
      case 'step':
      case 's':
        return this.moveTimes(count(), () => this.pos + 1);
      case 'rstep':
      case 'rs':
        return this.moveTimes(count(), () => this.pos - 1);
      case 'next':
      case 'n':
        return this.moveTimes(count(), () => this.find(1, (e) => e.depth <= this.depth()));
      case 'rnext':
      case 'rn':
        return this.moveTimes(count(), () => this.find(-1, (e) => e.depth <= this.depth()));
      case 'finish':
        return this.move(this.find(1, (e) => e.depth < this.depth()));
      case 'rfinish':
        return this.move(this.find(-1, (e) => e.depth < this.depth()));
      case 'continue':
      case 'c':
        return this.move(this.find(1, (e) => this.hits(e)));
      case 'rcontinue':
      case 'rc':
        return this.move(this.find(-1, (e) => this.hits(e)));
      case 'quit':
      case 'q':
        return { text: 'bye', data: {}, quit: true };
      default:
        return undefined;
    }
  }

  private depth(): number {
    return this.pos >= 0 && this.pos < this.events.length ? this.events[this.pos]!.depth : 0;
  }

  /** The nearest event past the position in `dir` that `ok` accepts, else the end (or the start going back). */
  private find(dir: 1 | -1, ok: (e: E) => boolean): number {
    for (let i = this.pos + dir; i >= 0 && i < this.events.length; i += dir) if (ok(this.events[i]!)) return i;
    return dir > 0 ? this.events.length : -1;
  }

  private moveTimes(n: number, target: () => number): Answer {
    for (let i = 0; i < n; i++) this.pos = Math.max(-1, Math.min(this.events.length, target()));
    return this.move(this.pos);
  }
}

/** The reply to a command that failed with a CaxError (anything else is a bug and passes). */
function failed(command: string, e: unknown): Reply {
  if (!(e instanceof CaxError)) throw e;
  return { command, text: `error: ${e.code} ${e.message}`, data: {}, error: { code: e.code, message: e.message } };
}
