// What a CLI command may touch of the outside world: its output streams, the
// --json switch and progress bars. Commands get this instead of `process`, so
// tests run the whole CLI in-process and read what it printed.
import { SingleBar, Presets } from 'cli-progress';
import type { CaxError } from '../errors.js';

export interface CliIO {
  /** Writes a line (a newline is added) to standard output. */
  out(text: string): void;
  /** Writes a line to standard error. */
  err(text: string): void;
  /** True when standard error is a terminal: progress bars are shown only then. */
  readonly interactive: boolean;
  /** Working directory the command resolves relative paths and `.cax/` against. */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export function processIO(): CliIO {
  return {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    interactive: Boolean(process.stderr.isTTY),
    cwd: process.cwd(),
    env: process.env,
  };
}

/**
 * A CaxError a command has already shown in full (a diagnostic with its source
 * line, a run's summary with its error): the CLI prints it again only as the
 * --json document, so a user reads each error once.
 */
export class ShownError extends Error {
  constructor(readonly error: CaxError) {
    super(error.message);
    this.name = 'ShownError';
  }
}

/** A progress bar on stderr when interactive and not --json; otherwise silent. */
export interface Progress {
  tick(by?: number): void;
  done(): void;
}

/** A line that shows a count as it grows, with what `describe` makes of it (for work without a known total, such as a simulation running to its end). */
export interface Meter {
  update(value: number): void;
  done(): void;
}

export function meter(io: CliIO, json: boolean, label: string, describe: (value: number, seconds: number) => string): Meter {
  if (!io.interactive || json) return { update: () => undefined, done: () => undefined };
  const start = performance.now();
  const bar = new SingleBar({ format: `${label} {text}`, stream: process.stderr, hideCursor: true }, Presets.shades_classic);
  bar.start(1, 0, { text: describe(0, 0) });
  return {
    update: (value) => bar.update(0, { text: describe(value, (performance.now() - start) / 1000) }),
    done: () => bar.stop(),
  };
}

export function progress(io: CliIO, json: boolean, label: string, total: number): Progress {
  if (!io.interactive || json) return { tick: () => undefined, done: () => undefined };
  const bar = new SingleBar({ format: `${label} [{bar}] {value}/{total} {duration}s`, stream: process.stderr }, Presets.shades_classic);
  bar.start(total, 0);
  return { tick: (by = 1) => bar.increment(by), done: () => bar.stop() };
}
