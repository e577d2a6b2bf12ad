// Builds the `cax` command tree and runs it. Each subsystem registers its
// subcommands from its own file in host/cli/commands/; this file only wires
// them up and turns errors into messages and exit codes (docs/cli.md).
import { printableJson } from '../printable.js';
import { Command, CommanderError } from 'commander';
import { CaxError } from '../errors.js';
import { ShownError, type CliIO } from './io.js';
import { registerCache } from './commands/cache.js';
import { registerCompile } from './commands/compile.js';
import { registerDebug } from './commands/debug.js';
import { registerCoverage } from './commands/coverage.js';
import { registerDevice } from './commands/device.js';
import { registerDoctor } from './commands/doctor.js';
import { registerFarm } from './commands/farm.js';
import { registerFpga } from './commands/fpga.js';
import { registerIss } from './commands/iss.js';
import { registerProfile } from './commands/profile.js';
import { registerProof } from './commands/proof.js';
import { registerRegress } from './commands/regress.js';
import { registerSim } from './commands/sim.js';
import { registerSnapshot } from './commands/snapshot.js';
import { registerStore } from './commands/store.js';
import { registerTel } from './commands/tel.js';

/** Exit codes, documented in docs/cli.md. */
export const EXIT = { ok: 0, failed: 1, usage: 2, internal: 70 } as const;

/** What every command's action gets: the IO and the global flags. */
export interface CommandContext {
  readonly io: CliIO;
  /** True when --json was given: print one JSON document on stdout. */
  json(): boolean;
  /** Prints `value` as JSON under --json, else the human text. */
  emit(value: unknown, human: () => string): void;
}

export type Register = (program: Command, ctx: CommandContext) => void;

// One line per subsystem's command file.
const REGISTRY: readonly Register[] = [
  registerCache,
  registerCompile,
  registerCoverage,
  registerDebug,
  registerDevice,
  registerDoctor,
  registerFarm,
  registerFpga,
  registerIss,
  registerProfile,
  registerProof,
  registerRegress,
  registerSim,
  registerSnapshot,
  registerStore,
  registerTel,
];

export function buildProgram(io: CliIO): Command {
  const program = new Command('cax');
  const ctx: CommandContext = {
    io,
    json: () => Boolean(program.opts<{ json?: boolean }>().json),
    emit(value, human) {
      io.out(this.json() ? printableJson(value) : human());
    },
  };
  program
    .description('content-addressed execution on a RISC-V co-processor')
    .version('0.1.0')
    .option('--json', 'print machine-readable JSON on stdout')
    .showHelpAfterError()
    .exitOverride()
    // With --json a usage error is one JSON document on stdout (runCli), not commander's text.
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, '')), writeErr: (s) => (ctx.json() ? undefined : io.err(s.replace(/\n$/, ''))) });
  for (const register of REGISTRY) register(program, ctx);
  for (const sub of program.commands) sub.exitOverride();
  return program;
}

/** Runs `cax ARGV…`; resolves to the exit code, never throws. */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const program = buildProgram(io);
  const json = argv.includes('--json');
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return EXIT.ok;
      // commander.help: no command given, so commander showed the help instead
      const message = e.code === 'commander.help' ? 'a command is required (`cax --help` lists them)' : e.message.replace(/^error: /, '');
      if (json) io.out(printableJson({ error: new CaxError('E_USAGE', message).toJSON() }));
      return EXIT.usage;
    }
    const shown = e instanceof ShownError;
    const error = shown ? e.error : e;
    if (error instanceof CaxError) {
      if (json) io.out(printableJson({ error: error.toJSON() }));
      else if (!shown) io.err(`error: ${error.format()}`);
      return error.code === 'E_USAGE' ? EXIT.usage : EXIT.failed;
    }
    io.err(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return EXIT.internal;
  }
}
