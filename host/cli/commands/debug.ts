// `cax debug FILE|REF [ARGS…]`: the time-travel debugger over stdin/stdout
// (docs/debugging.md), on a .tel file or on a stored definition (by name or hash). Commands come from --commands FILE, else from piped stdin,
// else from the terminal with a prompt; every command's reply is printed
// after a `(cax) COMMAND` line, or with --json the whole transcript is one
// JSON document at the end.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { CaxError } from '../../errors.js';
import { parseWorld } from '../../tel/world.js';
import { DebugSession } from '../../debug/session.js';
import type { Reply, Timeline } from '../../debug/timeline.js';
import { storedProgram } from '../../debug/stored.js';
import { IssDebugSession } from '../../debug/iss-session.js';
import { readJson, readText } from '../files.js';
import { parseOptions } from '../options.js';
import type { CommandContext, Register } from '../program.js';
import { withStore } from './store.js';

const DebugOptions = z.object({
  main: z
    .string()
    .regex(/^[a-z_][A-Za-z0-9_']*$/, 'a definition name')
    .optional(),
  world: z.string().min(1).optional(),
  commands: z.string().min(1).optional(),
  backend: z.enum(['interp', 'iss']).default('interp'),
});

/** Command lines from the file, or piped stdin; null when stdin is a terminal (interactive). */
function scriptedLines(path: string | undefined, cwd: string): string[] | null {
  if (path !== undefined) return readFileSync(resolve(cwd, path), 'utf8').split('\n');
  if (process.stdin.isTTY) return null;
  return readFileSync(0, 'utf8').split('\n');
}

/** What to debug: a .tel file that exists (with its --main), else a stored definition by name or hash (its closure rebuilt as source). */
async function debugTarget(ctx: CommandContext, path: string, main: string | undefined): Promise<{ file: string; source: string; main: string }> {
  if (existsSync(resolve(ctx.io.cwd, path)) || path.endsWith('.tel')) return { file: path, source: readText(ctx.io, path), main: main ?? 'main' };
  if (main !== undefined) throw new CaxError('E_USAGE', `--main picks a definition of a file; ${path} is a stored reference, debugged itself`);
  const stored = await withStore(ctx, (repo) => storedProgram(repo, path));
  return { file: stored.file, source: stored.source, main: stored.entry };
}

export const registerDebug: Register = (program, ctx) => {
  program
    .command('debug <file|ref> [args...]')
    .description(
      'time-travel debugger for a TEL definition (a .tel file, or a stored NAME|HASH): step, next, finish, continue and their reverse (rstep …), breakpoints, watch expressions, locals, effects, clock (docs/debugging.md)',
    )
    .option('--main <name>', 'the definition of FILE to debug (default main); ARGS are TEL expressions passed to it')
    .option('--world <file>', 'the world as JSON (docs/tel.md)')
    .option('--commands <file>', 'read the commands from this file instead of stdin')
    .option('--backend <name>', 'interp (the reference interpreter), or iss (the program compiled for the co-processor, stepped by source position on the ISS)', 'interp')
    .exitOverride()
    .action(async (path: string, args: string[], raw: Record<string, unknown>) => {
      const o = parseOptions(DebugOptions, raw);
      const world = o.world ? parseWorld(readJson(ctx.io, o.world), o.world) : undefined;
      const target = await debugTarget(ctx, path, o.main);
      const spec = { ...target, args, world };
      const write = (file: string, bytes: Uint8Array): void => writeFileSync(resolve(ctx.io.cwd, file), bytes);
      const session: Timeline<{ readonly depth: number }> = o.backend === 'iss' ? await IssDebugSession.start(spec, write) : new DebugSession(spec, write);
      const transcript: Reply[] = [];
      const answer = async (line: string, echo: boolean): Promise<boolean> => {
        if (line.trim().startsWith('#')) return false;
        const reply = await session.run(line);
        transcript.push(reply);
        if (!ctx.json()) ctx.io.out(echo ? `(cax) ${reply.command}\n${reply.text}` : reply.text);
        return reply.quit === true;
      };
      const what = o.backend === 'iss' ? 'source positions of the compiled code on the ISS' : 'calls and effects';
      if (!ctx.json()) ctx.io.out(`debugging ${target.main} in ${target.file}: ${session.eventCount} events (${what}); type a command, quit to leave`);
      const lines = scriptedLines(o.commands, ctx.io.cwd);
      if (lines) {
        for (const line of lines) if (line.trim() !== '' && (await answer(line, true))) break;
      } else {
        const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: '(cax) ' });
        rl.prompt();
        for await (const line of rl) {
          if (await answer(line, false)) break;
          rl.prompt();
        }
        rl.close();
      }
      if (ctx.json()) ctx.io.out(JSON.stringify({ transcript }, null, 2));
    });
};
