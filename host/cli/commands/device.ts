// `cax device info | load | run --port PATH [--baud N]`: drives a cax
// co-processor (a board's serial port, or the simulation's pseudo-terminal)
// with the serial protocol of docs/protocol.md; --baud other than 115200 is
// asked for at HELLO and both ends switch after the answer. Effect requests of a program
// run from here have no handler: they are answered with -1 and listed.
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { CaxError } from '../../errors.js';
import { parseOptions } from '../options.js';
import type { CoprocessorClient } from '../../protocol/client.js';
import { readDeviceInfo, withDevice } from '../../protocol/device-link.js';
import { describeRun, loadProgram, programImage, recordEffects, runFailure } from '../../protocol/program-file.js';
import { BaudRate, DEFAULT_BAUD } from '../../protocol/serial.js';
import { progress } from '../io.js';
import type { CommandContext, Register } from '../program.js';

const number = z.union([
  z.number(),
  z
    .string()
    .regex(/^(0x[0-9a-f]+|\d+)$/i, 'a decimal or 0x hex number')
    .transform((s) => Number(s)),
]);
const u32 = number.pipe(z.number().int().min(0).max(0xffffffff));

const LinkOptions = z.object({
  port: z.string().min(1),
  baud: BaudRate.default(DEFAULT_BAUD),
  timeout: number.pipe(z.number().int().positive()).default(1000),
});
const RunOptions = LinkOptions.extend({
  entry: u32.optional(),
  args: z
    .string()
    .default('')
    .transform((s, c) => {
      const parts = s === '' ? [] : s.split(',');
      const values = parts.map((p) => u32.safeParse(p.trim()));
      if (parts.length > 8 || values.some((v) => !v.success)) {
        c.addIssue({ code: 'custom', message: 'at most 8 comma-separated 32-bit numbers' });
        return z.NEVER;
      }
      return values.map((v) => v.data as number);
    }),
  budget: number.pipe(z.number().int().positive().max(Number.MAX_SAFE_INTEGER)).default(100_000_000),
  runTimeout: number.pipe(z.number().int().positive()).default(60_000),
});

function linkOptions(command: Command): Command {
  return command
    .requiredOption('--port <path>', 'serial device or pseudo-terminal of the co-processor')
    .option('--baud <n>', `line speed in baud: the port opens at ${DEFAULT_BAUD} and HELLO asks the board to switch (default ${DEFAULT_BAUD}; 1000000 is exact on the iCEBreaker)`)
    .option('--timeout <ms>', 'quiet time before a request is sent again (default 1000)')
    .exitOverride();
}

const withClient = <T>(options: z.infer<typeof LinkOptions>, work: (client: CoprocessorClient) => Promise<T>): Promise<T> =>
  withDevice(options.port, { baud: options.baud, timeoutMs: options.timeout }, work);

function readProgram(ctx: CommandContext, path: string): Uint8Array {
  const file = resolve(ctx.io.cwd, path);
  if (!existsSync(file)) throw new CaxError('E_USAGE', `no such program: ${path}`);
  return new Uint8Array(readFileSync(file));
}

async function load(ctx: CommandContext, client: CoprocessorClient, file: Uint8Array): Promise<{ entry: number; segments: { addr: number; size: number; sha256: string }[] }> {
  const image = programImage(file, client.info.programBase);
  const total = image.segments.reduce((n, s) => n + s.data.length, 0);
  const bar = progress(ctx.io, ctx.json(), 'load', total);
  let shown = 0;
  try {
    const loaded = await loadProgram(client, image, (n) => {
      bar.tick(n - shown);
      shown = n;
    });
    return { entry: image.entry, segments: loaded.map((l) => ({ addr: l.addr, size: l.size, sha256: l.sha256 })) };
  } finally {
    bar.done();
  }
}

export const registerDevice: Register = (program, ctx) => {
  const device = program.command('device').description('drive a cax co-processor over a serial line (docs/protocol.md)');

  linkOptions(device.command('info').description('say hello: firmware and protocol versions, core, ISA, memory and frame limits')).action(async (raw: Record<string, unknown>) => {
    const options = parseOptions(LinkOptions, raw);
    const info = await readDeviceInfo(options.port, { baud: options.baud, timeoutMs: options.timeout });
    ctx.emit(info, () =>
      [
        `core ${info.core} (${info.isa}), firmware ${info.firmware}, protocol ${info.version}`,
        `RAM 0x${info.ramBase.toString(16)} +${info.ramBytes} bytes, programs from 0x${info.programBase.toString(16)}`,
        `largest message ${info.maxMessage} bytes, chunks of ${info.maxChunk} bytes`,
      ].join('\n'),
    );
  });

  linkOptions(device.command('load <program>').description('load an ELF or raw image (checked by SHA-256 on the device)')).action(async (path: string, raw: Record<string, unknown>) => {
    const options = parseOptions(LinkOptions, raw);
    const file = readProgram(ctx, path);
    const loaded = await withClient(options, (client) => load(ctx, client, file));
    ctx.emit(loaded, () => loaded.segments.map((s) => `loaded ${s.size} bytes at 0x${s.addr.toString(16)} (sha256 ${s.sha256})`).join('\n'));
  });

  linkOptions(
    device
      .command('run [program]')
      .description('load a program (ELF or raw image) if given, run it and print how it ended; effect requests are answered with -1 and listed')
      .option('--entry <addr>', 'entry address (default: the ELF entry, or the program base)')
      .option('--args <list>', 'up to 8 comma-separated arguments for a0..a7')
      .option('--budget <cycles>', 'cycle budget (default 100000000)')
      .option('--run-timeout <ms>', 'wall-clock watchdog of the whole run, from its start (default 60000)'),
  ).action(async (path: string | undefined, raw: Record<string, unknown>) => {
    const options = parseOptions(RunOptions, raw);
    const file = path === undefined ? undefined : readProgram(ctx, path);
    const effects = recordEffects();
    const { result, loaded } = await withClient(options, async (client) => {
      const loaded = file === undefined ? undefined : await load(ctx, client, file);
      const entry = options.entry ?? loaded?.entry;
      if (entry === undefined) throw new CaxError('E_USAGE', 'give a program to load or --entry');
      const result = await client.run({ entry, args: options.args, budget: options.budget, timeoutMs: options.runTimeout, onEffect: effects.handler });
      return { result, loaded };
    });
    ctx.emit({ ...(loaded ? { loaded: loaded.segments } : {}), result, effects: effects.effects }, () => [...effects.describe(), describeRun(result)].join('\n'));
    const failure = runFailure(result);
    if (failure) throw failure;
  });
};
