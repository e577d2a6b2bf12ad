// `cax trace view FILE [--html OUT] [--from N] [--count N]`: a run's trace
// (the JSON of `cax run --trace`) as a timeline on the terminal, or as a
// self-contained HTML page (docs/debugging.md). Registered under `cax trace`.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { parseTraceFile, timeline, timelineHtml, timelineText } from '../../debug/trace-view.js';
import { readJson } from '../files.js';
import { parseOptions } from '../options.js';
import type { CommandContext } from '../program.js';

const ViewOptions = z.object({
  html: z.string().min(1).optional(),
  from: z.coerce.number().int().nonnegative().default(0),
  count: z.coerce.number().int().positive().optional(),
});

export function registerTraceView(trace: Command, ctx: CommandContext): void {
  trace
    .command('view <file>')
    .description("a run's trace (cax run --trace: calls, returns, effects, contexts, clock) as a timeline; --html writes a self-contained page (docs/debugging.md)")
    .option('--html <out>', 'write the timeline as a self-contained HTML page')
    .option('--from <n>', 'first event to print (0-based)')
    .option('--count <n>', 'how many events to print (default: all)')
    .action((file: string, raw: Record<string, unknown>) => {
      const o = parseOptions(ViewOptions, raw);
      const data = parseTraceFile(readJson(ctx.io, file), file);
      if (o.html) {
        writeFileSync(resolve(ctx.io.cwd, o.html), timelineHtml(data, `trace of ${data.hash.slice(0, 12)} (${file})`));
        ctx.emit({ html: o.html, events: data.events.length }, () => `wrote ${o.html} (${data.events.length} events)`);
        return;
      }
      const rows = timeline(data).slice(o.from, o.count === undefined ? undefined : o.from + o.count);
      ctx.emit(
        rows.map((r) => ({ seq: r.event.seq, depth: r.depth, clock: r.clock, kind: r.event.kind, context: r.event.context, text: r.text })),
        () => timelineText(data, o.from, o.count ?? Infinity),
      );
    });
}
