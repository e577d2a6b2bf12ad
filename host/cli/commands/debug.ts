// `cax debug FILE [ARGS…]`: the time-travel debugger over stdin/stdout
// (docs/debug.md). Commands come from --commands FILE, else from piped stdin,
// else from the terminal with a prompt; every command's reply is printed
// after a `(cax) COMMAND` line, or with --json the whole transcript is one
// JSON document at the end.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { CaxError } from '../../errors.js';
import { parseWorld } from '../../tel/world.js';
import { DebugSession, type Reply } from '../../debug/session.js';
import { readJson, readText } from '../files.js';
import { parseOptions } from '../options.js';
import type { Register } from '../program.js';

const DebugOptions = z.object({
  main: z
    .string()
    .regex(/^[a-z_][A-Za-z0-9_']*$/, 'a definition name')
    .default('main'),
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

export const registerDebug: Register = (program, ctx) => {
  program
    .command('debug <file> [args...]')
    .description('time-travel debugger for a TEL definition: step, next, finish, continue and their reverse (rstep …), breakpoints, locals, effects, clock (docs/debug.md)')
    .option('--main <name>', 'the definition to debug; ARGS are TEL expressions passed to it', 'main')
    .option('--world <file>', 'the world as JSON (docs/tel.md)')
    .option('--commands <file>', 'read the commands from this file instead of stdin')
    .option('--backend <name>', 'interp (the reference interpreter); iss is not supported yet (use `cax iss gdb`)', 'interp')
    .exitOverride()
    .action(async (path: string, args: string[], raw: Record<string, unknown>) => {
      const o = parseOptions(DebugOptions, raw);
      if (o.backend === 'iss') throw new CaxError('E_UNSUPPORTED', '`cax debug --backend iss` is not supported: debug compiled code with `cax iss gdb` (docs/debug.md)');
      if (!existsSync(resolve(ctx.io.cwd, path)) && !path.endsWith('.tel')) {
        throw new CaxError('E_UNSUPPORTED', `debugging a stored definition (${path}) is not supported yet: debug its .tel file`);
      }
      const source = readText(ctx.io, path);
      const world = o.world ? parseWorld(readJson(ctx.io, o.world), o.world) : undefined;
      const session = new DebugSession({ file: path, source, main: o.main, args, world }, (file, bytes) => writeFileSync(resolve(ctx.io.cwd, file), bytes));
      const transcript: Reply[] = [];
      const answer = (line: string, echo: boolean): boolean => {
        if (line.trim().startsWith('#')) return false;
        const reply = session.execute(line);
        transcript.push(reply);
        if (!ctx.json()) ctx.io.out(echo ? `(cax) ${reply.command}\n${reply.text}` : reply.text);
        return reply.quit === true;
      };
      if (!ctx.json()) ctx.io.out(`debugging ${o.main} in ${path}: ${session.eventCount} events (calls and effects); type a command, quit to leave`);
      const lines = scriptedLines(o.commands, ctx.io.cwd);
      if (lines) {
        for (const line of lines) if (line.trim() !== '' && answer(line, true)) break;
      } else {
        const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: '(cax) ' });
        rl.prompt();
        for await (const line of rl) {
          if (answer(line, false)) break;
          rl.prompt();
        }
        rl.close();
      }
      if (ctx.json()) ctx.io.out(JSON.stringify({ transcript }, null, 2));
    });
};
