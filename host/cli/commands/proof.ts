// `cax trace show|diff`, `cax zk setup`, `cax prove`, `cax verify`: the
// execution traces and proofs of execution (docs/trace.md, docs/proofs.md,
// docs/receipt.md). Parsing of arguments here; the work in host/proof/.
import { resolve } from 'node:path';
import { z } from 'zod';
import { CaxError } from '../../errors.js';
import { disassemble } from '../../riscv/disasm.js';
import { formatTraceRecord, type TraceRecord } from '../../riscv/trace.js';
import { firstDivergence } from '../../proof/diff.js';
import { readTrace } from '../../proof/trace.js';
import type { Register } from '../program.js';

function usage(error: z.ZodError): CaxError {
  return new CaxError('E_USAGE', `bad option: ${error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}`);
}

function parse<T extends z.ZodType>(schema: T, raw: unknown): z.infer<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw usage(parsed.error);
  return parsed.data;
}

const ShowOptions = z.object({
  from: z.coerce.number().int().nonnegative().default(0),
  count: z.coerce.number().int().positive().optional(),
});

const DiffOptions = z.object({ context: z.coerce.number().int().nonnegative().max(1000).default(5) });

function recordJson(r: TraceRecord): Record<string, unknown> {
  return { ...r, text: formatTraceRecord(r), asm: r.trap ? `trap ${r.cause}` : disassemble(r.insn, r.pc) };
}

function showLine(index: number, r: TraceRecord): string {
  const asm = r.trap ? `trap cause ${r.cause} tval 0x${(r.tval >>> 0).toString(16)}` : disassemble(r.insn, r.pc);
  const effect = [
    r.rd !== 0 ? `x${r.rd}=0x${(r.rdValue >>> 0).toString(16)}` : '',
    r.memMask !== 0 ? `${r.memWrite ? 'st' : 'ld'} [0x${(r.memAddr >>> 0).toString(16)}]=0x${(r.memData >>> 0).toString(16)}` : '',
  ].filter((s) => s !== '').join(' ');
  return `${String(index).padStart(8)}  ${(r.pc >>> 0).toString(16).padStart(8, '0')}  ${asm.padEnd(32)} ${effect}`.trimEnd();
}

export const registerProof: Register = (program, ctx) => {
  const trace = program.command('trace').description('retirement traces from the ISS or the simulation (docs/trace.md)');
  trace
    .command('show <file>')
    .description('print a trace (text form or VCD), one disassembled record a line')
    .option('--from <n>', 'first record to print (0-based)')
    .option('--count <n>', 'how many records to print (default: all)')
    .action(async (file: string, raw: Record<string, unknown>) => {
      const options = parse(ShowOptions, raw);
      const shown: Array<{ index: number; record: TraceRecord }> = [];
      const end = options.count === undefined ? Infinity : options.from + options.count;
      let index = 0;
      for await (const r of readTrace(resolve(ctx.io.cwd, file))) {
        if (index >= end) break;
        if (index >= options.from) {
          if (ctx.json()) shown.push({ index, record: r });
          else ctx.io.out(showLine(index, r));
        }
        index++;
      }
      if (ctx.json()) ctx.emit(shown.map((s) => ({ index: s.index, ...recordJson(s.record) })), () => '');
    });
  trace
    .command('diff <a> <b>')
    .description('compare two traces record by record; print the first divergence with the records before it (exit 1 if they differ)')
    .option('--context <n>', 'records of context before the divergence (default 5)')
    .action(async (a: string, b: string, raw: Record<string, unknown>) => {
      const options = parse(DiffOptions, raw);
      const result = await firstDivergence(readTrace(resolve(ctx.io.cwd, a)), readTrace(resolve(ctx.io.cwd, b)), options.context);
      const d = result.divergence;
      if (d === undefined) {
        ctx.emit({ same: true, records: result.compared }, () => `the traces agree: ${result.compared} records`);
        return;
      }
      ctx.emit(
        {
          same: false, index: d.index, fields: d.fields, a: d.a ? recordJson(d.a) : null, b: d.b ? recordJson(d.b) : null,
          before: d.before.map(recordJson),
        },
        () => {
          const lines = d.before.map((r, k) => `  ${showLine(d.index - d.before.length + k, r)}`);
          const what = d.a === undefined ? `${a} ends` : d.b === undefined ? `${b} ends` : `fields ${d.fields.join(', ')} differ`;
          lines.push(`first divergence at record ${d.index}: ${what}`);
          if (d.a) lines.push(`- ${showLine(d.index, d.a)}\n    ${formatTraceRecord(d.a)}`);
          if (d.b) lines.push(`+ ${showLine(d.index, d.b)}\n    ${formatTraceRecord(d.b)}`);
          return lines.join('\n');
        },
      );
      throw new CaxError('E_TRACE_DIFFERS', `the traces differ at record ${d.index}`, { details: { index: d.index, fields: d.fields } });
    });
};
