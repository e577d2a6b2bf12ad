// `cax trace show|diff`, `cax zk setup`, `cax prove`, `cax verify`: the
// execution traces and proofs of execution (docs/trace.md, docs/proofs.md,
// docs/receipt.md). Parsing of arguments here; the work in host/proof/.
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import { CaxError } from '../../errors.js';
import { parseOptions } from '../options.js';
import { disassemble } from '../../riscv/disasm.js';
import { formatTraceRecord, type TraceRecord } from '../../trace/record.js';
import { storeDirectory } from '../../store/repository.js';
import { compileCircuit, DEFAULT_SIZE, ptauPower, type Circuit } from '../../proof/circuit.js';
import { chooseCircuit, provingCircuits } from '../../proof/chunk-size.js';
import { releaseCurve } from '../../proof/curve.js';
import { firstDivergence } from '../../trace/diff.js';
import { programImage } from '../../proof/image.js';
import { DEFAULT_PROVED_CYCLES, MAX_PROVED_CYCLES, proveRun, traceOnIss, traceOnSim } from '../../proof/prove.js';
import { outputJson, readReceipt, storeReceipt, uartInputJson, uartLine } from '../../proof/receipt.js';
import { circuitKeys, contributeToCachedKey, devPtau, devPtauPath, keyPaths, readVerificationKey, verifyCachedKey } from '../../proof/setup.js';
import { printable } from '../../printable.js';
import { describeTelClaim } from '../../proof/tel-output.js';
import { parseWorld } from '../../tel/world.js';
import { loadTrace, readTrace } from '../../trace/read.js';
import { parseVerificationKey, verifyingKeyHash, verifyReceipt } from '../../proof/verify.js';
import { readJson, readText } from '../files.js';
import { progress, type CliIO } from '../io.js';
import type { Register } from '../program.js';
import { runTelProvingImage, TEL_MAX_CYCLES, recompiledClaim, telProvingImage, type TelTarget } from '../../proof/tel-prove.js';
import { withStore } from './store.js';
import { registerTraceView } from './trace-view.js';
import { parseFarmUrl } from '../../farm/connection.js';
import { proveChunksOnFarm } from '../../farm/prove.js';

const ShowOptions = z.object({
  from: z.coerce.number().int().nonnegative().default(0),
  count: z.coerce.number().int().positive().optional(),
});

const DiffOptions = z.object({ context: z.coerce.number().int().nonnegative().max(1000).default(5) });

const SizeOptions = { steps: z.coerce.number().int().positive().max(4096).default(DEFAULT_SIZE.steps) };
const SetupOptions = z.object({ ...SizeOptions, ptau: z.string().min(1).optional() });
const ContributeOptions = z.object({ ...SizeOptions, name: z.string().min(1).max(200).default('cax zk contribute') });
const ProveOptions = z.object({
  /** Instructions per chunk; default: the size among those set up in $CAX_HOME that proves the run soonest (host/proof/chunk-size.ts). */
  steps: z.coerce.number().int().positive().max(4096).optional(),
  trace: z.string().min(1).optional(),
  image: z.string().min(1).optional(),
  workers: z.coerce.number().int().positive().max(64).optional(),
  maxCycles: z.coerce.number().int().positive().max(MAX_PROVED_CYCLES, `at most ${MAX_PROVED_CYCLES} cycles are proved (the trace is kept in memory)`).optional(),
  main: z
    .string()
    .regex(/^[a-z][A-Za-z0-9_']*$/, 'a definition name')
    .default('main'),
  /** Default: the simulation, or the ISS with UART input (whose receive timing the proofs model). */
  on: z.enum(['sim', 'iss']).optional(),
  /** The bytes the host sends the program on the UART from cycle 0 (a file, or text as UTF-8): a public input of the receipt. */
  uartInput: z.string().min(1).optional(),
  uartInputText: z.string().optional(),
  world: z.string().min(1).optional(),
  start: z.coerce.number().int().min(-2147483648).max(2147483647).optional(),
  farm: z.string().min(1).optional(),
});
const VerifyOptions = z.object({ oneByOne: z.boolean().default(false), vkey: z.string().min(1).optional(), program: z.string().min(1).optional(), recompile: z.boolean().default(false) });

function readBytes(io: CliIO, file: string, what: string): Uint8Array {
  try {
    return readFileSync(resolve(io.cwd, file));
  } catch (e) {
    throw new CaxError('E_IO', `cannot read the ${what} ${file}: ${(e as Error).message}`, { cause: e });
  }
}

/** Keys of `circuit` from the cache; E_SETUP when `cax zk setup` has not made them. */
function cachedKeys(home: string, circuit: Circuit): { zkey: string; vkey: string } {
  const keys = keyPaths(home, circuit);
  if (!existsSync(keys.zkey) || !existsSync(keys.vkey)) {
    throw new CaxError('E_SETUP', `no keys for circuit ${circuit.hash} (${circuit.size.steps} steps) in ${home}: run \`cax zk setup --steps ${circuit.size.steps}\``);
  }
  return keys;
}

/** `cax prove`'s PROGRAM as a TEL target: a FILE.tel (its --main), or a stored name, hash or prefix (a word that is not a file); undefined for an ELF. */
function telTarget(io: CliIO, target: string, main: string): TelTarget | undefined {
  if (target.endsWith('.tel')) return { name: main, source: { file: target, text: readText(io, target) } };
  return /^[A-Za-z0-9_']+$/.test(target) && !existsSync(resolve(io.cwd, target)) ? { name: target } : undefined;
}

function recordJson(r: TraceRecord): Record<string, unknown> {
  return { ...r, text: formatTraceRecord(r), asm: r.trap ? `trap ${r.cause}` : disassemble(r.insn, r.pc) };
}

function showLine(index: number, r: TraceRecord): string {
  const asm = r.trap ? `trap cause ${r.cause} tval 0x${(r.tval >>> 0).toString(16)}` : disassemble(r.insn, r.pc);
  const effect = [
    r.rd !== 0 ? `x${r.rd}=0x${(r.rdValue >>> 0).toString(16)}` : '',
    r.memMask !== 0 ? `${r.memWrite ? 'st' : 'ld'} [0x${(r.memAddr >>> 0).toString(16)}]=0x${(r.memData >>> 0).toString(16)}` : '',
  ]
    .filter((s) => s !== '')
    .join(' ');
  return `${String(index).padStart(8)}  ${(r.pc >>> 0).toString(16).padStart(8, '0')}  ${asm.padEnd(32)} ${effect}`.trimEnd();
}

export const registerProof: Register = (program, ctx) => {
  const trace = program.command('trace').description('retirement traces from the ISS or the simulation (docs/trace.md)');
  registerTraceView(trace, ctx);
  trace
    .command('show <file>')
    .description('print a trace (text form or VCD), one disassembled record a line')
    .option('--from <n>', 'first record to print (0-based)')
    .option('--count <n>', 'how many records to print (default: all)')
    .action(async (file: string, raw: Record<string, unknown>) => {
      const options = parseOptions(ShowOptions, raw);
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
      if (ctx.json())
        ctx.emit(
          shown.map((s) => ({ index: s.index, ...recordJson(s.record) })),
          () => '',
        );
    });
  trace
    .command('diff <a> <b>')
    .description('compare two traces record by record; print the first divergence with the records before it (exit 1 if they differ)')
    .option('--context <n>', 'records of context before the divergence (default 5)')
    .action(async (a: string, b: string, raw: Record<string, unknown>) => {
      const options = parseOptions(DiffOptions, raw);
      const result = await firstDivergence(readTrace(resolve(ctx.io.cwd, a)), readTrace(resolve(ctx.io.cwd, b)), options.context);
      const d = result.divergence;
      if (d === undefined) {
        ctx.emit({ same: true, records: result.compared }, () => `the traces agree: ${result.compared} records`);
        return;
      }
      ctx.emit(
        {
          same: false,
          index: d.index,
          fields: d.fields,
          a: d.a ? recordJson(d.a) : null,
          b: d.b ? recordJson(d.b) : null,
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

  const zk = program.command('zk').description('trusted setup for the proofs of execution (docs/proofs.md)');
  zk.command('setup')
    .description('compile the step circuit and make its proving and verifying keys (cached in $CAX_HOME by circuit hash); without --ptau, makes a DEVELOPMENT-ONLY powers-of-tau')
    .option('--steps <n>', `instructions per chunk proof (default ${DEFAULT_SIZE.steps})`)
    .option('--ptau <file>', 'a prepared (phase 2) powers-of-tau from a real ceremony, instead of the development one')
    .action(async (raw: Record<string, unknown>) => {
      const options = parseOptions(SetupOptions, raw);
      const home = storeDirectory(ctx.io.cwd, ctx.io.env);
      const circuit = await compileCircuit({ steps: options.steps }, home);
      const power = ptauPower(circuit);
      let ptau: string;
      if (options.ptau !== undefined) {
        ptau = resolve(ctx.io.cwd, options.ptau);
        if (!existsSync(ptau)) throw new CaxError('E_IO', `no ceremony file ${options.ptau}`);
      } else {
        if (!existsSync(devPtauPath(home, power)))
          ctx.io.err(
            `warning: making a powers-of-tau of 2^${power} for DEVELOPMENT ONLY (from a τ drawn here and discarded, not a ceremony: proofs made with it convince no one else). Use --ptau FILE with a ceremony file for real use.`,
          );
        const bar = progress(ctx.io, ctx.json(), 'powers of tau (per mille)', 1000);
        let shown = 0;
        try {
          ptau = await devPtau(home, power, (_stage, done, total) => {
            const now = Math.floor((1000 * done) / total);
            bar.tick(now - shown);
            shown = now;
          });
          ctx.io.err(`using the DEVELOPMENT powers-of-tau ${ptau}: not for proofs anyone else must trust`);
        } finally {
          bar.done();
        }
      }
      try {
        const keys = await circuitKeys(home, circuit, ptau);
        const vkHash = verifyingKeyHash(parseVerificationKey(readVerificationKey(keys.vkey)));
        ctx.emit(
          {
            circuit: circuit.hash,
            constraints: circuit.constraints,
            steps: circuit.size.steps,
            ptau,
            development: options.ptau === undefined,
            zkey: keys.zkey,
            vkey: keys.vkey,
            verifyingKey: vkHash,
            contributions: keys.contributions,
          },
          () =>
            [
              `circuit ${circuit.hash}: ${circuit.constraints} constraints (${Math.round(circuit.constraints / circuit.size.steps)} per step), keys in ${home}/keys${options.ptau === undefined ? ' (development setup)' : ''}`,
              ...(keys.contributions.length === 0
                ? ['(keys already made: `cax zk verify-setup` lists their contributions)']
                : keys.contributions.map((c) => `phase-2 contribution "${printable(c.name)}": ${c.hash}`)),
              `verifying key ${vkHash}`,
            ].join('\n'),
        );
      } finally {
        await releaseCurve();
      }
    });

  zk.command('contribute')
    .description('add a phase-2 contribution of fresh OS randomness to the cached proving key of the circuit (one party of a ceremony; the randomness is discarded), and remake its verifying key')
    .option('--steps <n>', `instructions per chunk proof (default ${DEFAULT_SIZE.steps})`)
    .option('--name <text>', 'a name recorded with the contribution')
    .action(async (raw: Record<string, unknown>) => {
      const options = parseOptions(ContributeOptions, raw);
      const home = storeDirectory(ctx.io.cwd, ctx.io.env);
      const circuit = await compileCircuit({ steps: options.steps }, home);
      const c = await contributeToCachedKey(home, circuit, options.name);
      const vkHash = verifyingKeyHash(parseVerificationKey(readVerificationKey(keyPaths(home, circuit).vkey)));
      ctx.emit({ circuit: circuit.hash, contribution: c, verifyingKey: vkHash }, () => `contribution "${printable(c.name)}": ${c.hash}\nverifying key ${vkHash}`);
    });
  zk.command('verify-setup')
    .description(
      "check the cached keys of the circuit: every phase-2 contribution is a valid step from the powers-of-tau (snarkjs zkey verify), the verifying key is the proving key's and had a contribution; lists the contributions",
    )
    .option('--steps <n>', `instructions per chunk proof (default ${DEFAULT_SIZE.steps})`)
    .option('--ptau <file>', 'the prepared powers-of-tau the keys were made from (default: the development one)')
    .action(async (raw: Record<string, unknown>) => {
      const options = parseOptions(SetupOptions, raw);
      const home = storeDirectory(ctx.io.cwd, ctx.io.env);
      const circuit = await compileCircuit({ steps: options.steps }, home);
      const ptau = options.ptau !== undefined ? resolve(ctx.io.cwd, options.ptau) : devPtauPath(home, ptauPower(circuit));
      const contributions = await verifyCachedKey(home, circuit, ptau);
      const vkHash = verifyingKeyHash(parseVerificationKey(readVerificationKey(keyPaths(home, circuit).vkey)));
      ctx.emit({ ok: true, circuit: circuit.hash, ptau, contributions, verifyingKey: vkHash }, () =>
        [`the keys of circuit ${circuit.hash} are a valid phase 2 from ${ptau}:`, ...contributions.map((c, i) => `  #${i + 1} "${printable(c.name)}": ${c.hash}`), `verifying key ${vkHash}`].join(
          '\n',
        ),
      );
    });

  program
    .command('prove [program] [args...]')
    .description(
      'prove a run: PROGRAM (an ELF, or a TEL definition: name, hash or FILE.tel, applied to ARGS) is run on the simulation (or --on iss) and its trace proved, or --trace FILE --image ELF proves a trace already taken; stores a receipt in $CAX_HOME/receipts (docs/receipt.md)',
    )
    .option('--trace <file>', 'a trace (text form or VCD, docs/trace.md) to prove instead of running')
    .option('--image <elf>', 'with --trace: the program the trace ran')
    .option('--steps <n>', 'instructions per chunk proof (default: of the sizes set up with `cax zk setup`, the one that proves this run soonest on the workers)')
    .option('--workers <n>', 'worker threads proving chunks in parallel (default: one per core)')
    .option('--max-cycles <n>', 'cycle limit for the run (default and TEL 1e6, at most 4e6: the trace is held in memory); a run that does not end within it is E_BUDGET')
    .option('--main <name>', 'with PROGRAM.tel: the definition to prove (default main)')
    .option('--on <backend>', 'run PROGRAM on the Verilator simulation (sim, default) or the ISS (iss, the default with UART input)')
    .option('--uart-input <file>', 'an ELF program: the bytes the host sends it on the UART from cycle 0 (run on the ISS); they are public in the receipt, and the run must read them all')
    .option('--uart-input-text <text>', 'as --uart-input, the bytes of TEXT (UTF-8)')
    .option('--world <file>', 'a TEL definition with effects: the world that answers them, as JSON (docs/tel.md); its answers are public in the receipt')
    .option('--start <ms>', "a TEL definition with effects: the logical start time (default: the world's, else 0)")
    .option('--farm <url>', "prove the chunks on the farm's workers through Redis (redis://[user:password@]host:port; docs/farm.md) instead of local threads")
    .action(async (target: string | undefined, args: string[], raw: Record<string, unknown>) => {
      const options = parseOptions(ProveOptions, raw);
      const farm = options.farm === undefined ? undefined : parseFarmUrl(options.farm);
      if (farm && options.workers !== undefined) throw new CaxError('E_USAGE', "--workers with --farm: the farm's workers prove the chunks");
      if (options.trace !== undefined && target !== undefined) throw new CaxError('E_USAGE', 'give either a PROGRAM or --trace FILE --image ELF, not both');
      if (options.trace !== undefined && options.image === undefined) throw new CaxError('E_USAGE', '--trace needs --image ELF (the program the trace ran)');
      if (options.trace === undefined && target === undefined) throw new CaxError('E_USAGE', 'give a PROGRAM (ELF) or --trace FILE --image ELF');
      const telAim = target !== undefined ? telTarget(ctx.io, target, options.main) : undefined;
      const tel = telAim !== undefined;
      if (!tel && args.length > 0) throw new CaxError('E_USAGE', 'ARGS are given to a TEL definition, not to an ELF program');
      const home = storeDirectory(ctx.io.cwd, ctx.io.env);
      // the size asked for, or the sizes set up (the choice follows the run's length, below)
      const asked = options.steps !== undefined ? await compileCircuit({ steps: options.steps }, home) : undefined;
      if (asked !== undefined) cachedKeys(home, asked);
      const setUp = asked !== undefined ? [asked] : provingCircuits(home);
      if (setUp.length === 0) throw new CaxError('E_SETUP', `no proving keys in ${home}: run \`cax zk setup --steps N\` (docs/proofs.md "Chunk size" says which N)`);
      const maxCycles = options.maxCycles ?? (tel ? TEL_MAX_CYCLES : DEFAULT_PROVED_CYCLES);
      if (options.uartInput !== undefined && options.uartInputText !== undefined) throw new CaxError('E_USAGE', 'give either --uart-input FILE or --uart-input-text TEXT, not both');
      const uartInput =
        options.uartInput !== undefined
          ? readBytes(ctx.io, options.uartInput, 'UART input')
          : options.uartInputText !== undefined
            ? new Uint8Array(Buffer.from(options.uartInputText, 'utf8'))
            : undefined;
      if (tel && uartInput !== undefined) throw new CaxError('E_USAGE', "--uart-input is for an ELF program: a TEL definition's input is its arguments (and its effects' answers)");
      if (uartInput !== undefined && options.on === 'sim') {
        throw new CaxError('E_UNSUPPORTED', "UART input on the simulation: its UART receives bit by bit, the proofs model the ISS's frame times (docs/proofs.md); use --on iss");
      }
      const on = options.on ?? (uartInput !== undefined ? 'iss' : 'sim');
      if (!tel && (options.world !== undefined || options.start !== undefined)) throw new CaxError('E_USAGE', '--world and --start are for a TEL definition');
      const world = options.world !== undefined ? parseWorld(readJson(ctx.io, options.world), options.world) : undefined;
      const telRun = tel
        ? await runTelProvingImage(await withStore(ctx, (repo) => telProvingImage(repo, telAim, args)), telAim.name, {
            on,
            maxCycles,
            ...(world ? { world } : {}),
            ...(options.start !== undefined ? { start: options.start } : {}),
          })
        : undefined;
      const elf = telRun ? telRun.run.image.bytes : readBytes(ctx.io, target ?? options.image!, 'program');
      const image = telRun ? telRun.run.image : programImage(elf);
      const run =
        telRun !== undefined
          ? telRun.run
          : options.trace !== undefined
            ? { trace: await loadTrace(resolve(ctx.io.cwd, options.trace)), cycles: 0 }
            : on === 'iss'
              ? traceOnIss(elf, maxCycles, uartInput !== undefined ? { uartInput } : {})
              : await traceOnSim(resolve(ctx.io.cwd, target!), maxCycles);
      // (on the farm too: its chunks are spread over its workers as over local threads)
      const circuit = chooseCircuit(run.trace.length, options.workers ?? availableParallelism(), setUp);
      const keys = cachedKeys(home, circuit);
      let bar = progress(ctx.io, ctx.json(), 'prove', 1);
      try {
        const proved = await proveRun({ ...run, image, ...(uartInput !== undefined ? { uartInput } : {}) }, circuit, keys, {
          workers: options.workers,
          ...(farm ? { prover: (inputs, o) => proveChunksOnFarm(farm, inputs, o) } : {}),
          onStart: (chunks) => {
            bar = progress(ctx.io, ctx.json(), 'prove', chunks);
          },
          onChunk: () => bar.tick(),
        });
        bar.done();
        const receipt = telRun ? { ...proved, tel: telRun.claim } : proved;
        const stored = storeReceipt(home, receipt);
        ctx.emit(
          {
            receipt: stored.hash,
            path: stored.path,
            bytes: stored.bytes,
            program: receipt.program.hash,
            steps: receipt.steps,
            chunks: receipt.chunks.length,
            chunkSteps: circuit.size.steps,
            output: outputJson(receipt.output),
            ...uartInputJson(receipt.uartInput),
            exitCode: receipt.output.exitValue >>> 1,
            ...(receipt.tel ? { tel: receipt.tel } : {}),
          },
          () =>
            `${receipt.tel ? `${describeTelClaim(receipt.tel, telRun?.name)}\n` : ''}${uartLine(receipt)}receipt ${stored.hash}: ${receipt.steps} instructions in ${receipt.chunks.length} chunks of ${circuit.size.steps}, a0=${receipt.output.a0}, exit code ${receipt.output.exitValue >>> 1} (${stored.bytes} bytes, ${stored.path})`,
        );
      } finally {
        bar.done();
        await releaseCurve();
      }
    });

  program
    .command('verify <receipt>')
    .description('verify a receipt (a file, or a hash in $CAX_HOME/receipts): every chunk proof (batched), the chaining of states, the program hash and the claimed output; exit 1 if it does not hold')
    .option('--one-by-one', 'verify each chunk proof on its own instead of in one batch')
    .option('--vkey <file>', "the verifying key (default: the one in $CAX_HOME/keys for the receipt's circuit)")
    .option('--program <elf>', 'also require the receipt to be about this program')
    .option('--recompile', 'a TEL receipt: also require its definition (from the store) compiled with its arguments to be the proved image')
    .action(async (ref: string, raw: Record<string, unknown>) => {
      const options = parseOptions(VerifyOptions, raw);
      const home = storeDirectory(ctx.io.cwd, ctx.io.env);
      const { receipt } = readReceipt(home, ref, ctx.io.cwd);
      // The receipt must name the step circuit of its size as these sources build it, not any circuit with a key at hand.
      const circuit = await compileCircuit({ steps: receipt.circuit.steps }, home);
      if (circuit.hash !== receipt.circuit.hash) {
        throw new CaxError('E_VERIFY', `the receipt names circuit ${receipt.circuit.hash}, but the step circuit of its size is ${circuit.hash}`);
      }
      const vkeyFile = options.vkey !== undefined ? resolve(ctx.io.cwd, options.vkey) : `${home}/keys/${receipt.circuit.hash}.vkey.json`;
      if (!existsSync(vkeyFile)) throw new CaxError('E_SETUP', `no verifying key for circuit ${receipt.circuit.hash}: give --vkey FILE or run \`cax zk setup --steps ${receipt.circuit.steps}\``);
      const vk = parseVerificationKey(readVerificationKey(vkeyFile));
      if (options.recompile && receipt.tel === undefined) throw new CaxError('E_USAGE', '--recompile is for the receipt of a TEL definition');
      const recompiled = options.recompile ? await withStore(ctx, (repo) => recompiledClaim(repo, receipt.tel!)) : undefined;
      if (recompiled !== undefined && recompiled.type !== receipt.tel!.type) {
        throw new CaxError('E_VERIFY', `the receipt claims the type ${printable(receipt.tel!.type)}, but the definition applied to its arguments has type ${recompiled.type}`);
      }
      const programHash = options.program !== undefined ? programImage(readBytes(ctx.io, options.program, 'program')).hash : recompiled?.hash;
      try {
        const verdict = await verifyReceipt(receipt, vk, { batch: !options.oneByOne, programHash });
        const summary = {
          ok: verdict.ok,
          program: receipt.program.hash,
          output: outputJson(receipt.output),
          ...uartInputJson(receipt.uartInput),
          ...(receipt.tel ? { tel: receipt.tel } : {}),
          steps: receipt.steps,
          chunks: receipt.chunks.length,
          ...(verdict.reason ? { reason: verdict.reason } : {}),
        };
        if (!verdict.ok) throw new CaxError('E_VERIFY', `the receipt does not hold: ${verdict.reason}`, { details: summary });
        // What the proofs do not bind without --program/--recompile: said plainly, never printed as verified.
        const unchecked = [
          ...(receipt.tel && !options.recompile ? ['whether the proved image is the compiled definition it names, and the type: the image is not recompiled (give --recompile)'] : []),
          ...(options.program === undefined && !options.recompile ? ['which program the image is: only its hash is proved (give --program ELF or, for TEL, --recompile)'] : []),
        ];
        const hostWrites = receipt.hostWrites.flatMap((list, ecall) => list.map((w) => ({ ecall, addr: w.addr, bytes: w.bytes.length })));
        const writeLines = hostWrites.map((w) => `host write at ecall ${w.ecall}: ${w.bytes} bytes at 0x${w.addr.toString(16).padStart(8, '0')}\n`).join('');
        const telLine = receipt.tel ? `${options.recompile ? 'verified' : 'claimed, NOT verified'}: ${describeTelClaim(receipt.tel)}\n` : '';
        ctx.emit(
          { ...summary, hostWrites, unchecked },
          () =>
            `${telLine}${writeLines}${uartLine(receipt)}${unchecked.map((u) => `not checked: ${u}\n`).join('')}verified: program ${receipt.program.hash} ran ${receipt.steps} instructions (${receipt.chunks.length} chunk proofs) to a0=${receipt.output.a0}, exit code ${verdict.exitCode}`,
        );
      } finally {
        await releaseCurve();
      }
    });
};
