// The one error type of cax: every failure a user can see carries a stable
// code (E_PARSE, E_BUDGET, …), a one-line message, and where it has one a
// source location. The CLI prints these; scripts read them from --json.
// Every code is declared once, below, with its meaning, cause and fix:
// docs/errors.md (the troubleshooting guide) is generated from that table.
import { z } from 'zod';

/** The areas docs/errors.md groups the codes by. */
export const ERROR_AREAS = [
  'usage and files',
  'TEL',
  'store',
  'execution and world',
  'resources',
  'co-processor',
  'serial link',
  'simulation and hardware',
  'proofs',
  'regressions and caches',
  'debugging',
] as const;
export type ErrorArea = (typeof ERROR_AREAS)[number];

/** One error code: where it comes from, what it means, its usual cause and its fix. */
export interface ErrorEntry {
  readonly area: ErrorArea;
  readonly meaning: string;
  readonly cause: string;
  readonly fix: string;
}

/** Every code cax reports. `CaxError` takes only these (`npm run docs:errors` writes docs/errors.md from them). */
export const ERROR_CODES = {
  E_USAGE: {
    area: 'usage and files',
    meaning: 'a command line that cax cannot take',
    cause: 'an unknown option, a missing argument, a value of the wrong form, or a reference that names nothing',
    fix: 'read the message and `cax COMMAND --help`; docs/cli.md lists every command',
  },
  E_IO: {
    area: 'usage and files',
    meaning: 'a file or directory that cannot be read or written',
    cause: 'a missing directory, no permission, a full disk, or a directory where a file belongs (such as `store.sqlite`)',
    fix: 'check the path and its permissions; move away what is in the way',
  },
  E_CONFIG: {
    area: 'usage and files',
    meaning: 'a configuration file or variable that is malformed',
    cause: 'a `cache.json` that is not JSON or not of its schema, or a bad `CAX_REDIS_URL`',
    fix: 'fix the file or the variable as docs/cache.md describes',
  },
  E_ARTEFACT: {
    area: 'usage and files',
    meaning: 'a native artefact or tool that cax needs is missing',
    cause: 'the simulator, firmware or TEL runtime was not built, or a tool such as vcd2fst is not installed',
    fix: 'run `make build` (or the make target the message names), or `bash scripts/setup` for tools',
  },
  E_MISSING_TOOL: {
    area: 'usage and files',
    meaning: 'a program cax drives is not installed',
    cause: 'Verilator, the RISC-V toolchain, yosys/nextpnr, circom, redis-server or gdb-multiarch is missing',
    fix: 'run `bash scripts/setup` (Debian) or install what the message lists; `cax doctor` checks them all',
  },
  E_INTERNAL: {
    area: 'usage and files',
    meaning: 'a bug in cax: a state it should never reach',
    cause: 'an invariant of cax itself broke',
    fix: 'report it with the command and its input; nothing stored is changed by it',
  },
  E_UNSUPPORTED: {
    area: 'usage and files',
    meaning: 'something cax does not do (yet), said rather than done wrongly',
    cause: 'a feature the docs list as not done (executor snapshots of co-processor runs, debugging runs of more than 200 000 events)',
    fix: 'use the alternative the message or the docs name',
  },
  E_PARSE: {
    area: 'TEL',
    meaning: 'text that does not parse: TEL source, an argument expression, a report file',
    cause: 'a syntax error at the location given',
    fix: 'fix the text at `file:line:col`; docs/tel.md and the TEL reference give the grammar',
  },
  E_TYPE: {
    area: 'TEL',
    meaning: 'a TEL program or argument that does not type-check',
    cause: 'two types that cannot be the same, a missing class (Num, Ord), or a signature the body does not meet',
    fix: 'the message shows both types and the span: change the expression or the signature',
  },
  E_TYPE_SIZE: {
    area: 'TEL',
    meaning: 'a type too large to infer within bounds',
    cause: 'nested lets or arguments whose inferred type doubles at each level (past 10,000 nodes)',
    fix: 'give the definition a signature, or split the expression',
  },
  E_UNBOUND: {
    area: 'TEL',
    meaning: 'a name that is not defined',
    cause: 'a typo, a definition not added to the store, or in `cax debug` a name that is not an argument of the current call',
    fix: 'define the name, `cax add` the file that has it, or look with `cax ls`',
  },
  E_DUPLICATE: { area: 'TEL', meaning: 'a name defined twice in one file', cause: 'two definitions of one name (equations of one definition must be together)', fix: 'rename or merge them' },
  E_MATCH: { area: 'TEL', meaning: 'no equation or case alternative matched the value', cause: 'a partial function applied outside its patterns', fix: 'add the missing case, or guard the call' },
  E_DIV_ZERO: { area: 'TEL', meaning: 'division or remainder by zero', cause: '`/` or `mod` with a zero divisor, at the span given', fix: 'test the divisor first' },
  E_EMPTY: { area: 'TEL', meaning: '`head` or `tail` of an empty list', cause: 'a list that was empty where the program assumed an element', fix: 'match on `[]` first' },
  E_FAIL: {
    area: 'TEL',
    meaning: 'the program called `fail` and nothing caught it',
    cause: "the program's own failure, with its message",
    fix: 'catch it with `<|`, or fix what made the program fail',
  },
  E_CYCLE: {
    area: 'TEL',
    meaning: 'a value defined in terms of itself, or stored code that depends on itself outside a recursive group',
    cause: 'a top-level value evaluated while it is being evaluated',
    fix: 'make the recursion go through a function',
  },
  E_CLOCK: {
    area: 'TEL',
    meaning: "a logical time outside the clock's range",
    cause: 'a start time, `after` or `at` below 0 or past the largest time docs/tel.md gives',
    fix: 'keep times within the range',
  },
  E_NOT_FOUND: {
    area: 'store',
    meaning: 'a reference that names nothing in the store',
    cause: 'a name not defined, or a hash (prefix) of no stored definition',
    fix: '`cax ls` lists the names; `cax add` the file first',
  },
  E_AMBIGUOUS: { area: 'store', meaning: 'a hash prefix that matches several definitions', cause: 'a prefix too short', fix: 'give more digits of the hash' },
  E_MISSING_HASH: {
    area: 'store',
    meaning: 'code that depends on hashes the store does not hold',
    cause: 'a file pinning `@hash` references that were never added here',
    fix: 'add the definitions they name first (the message lists them)',
  },
  E_CORRUPT: {
    area: 'store',
    meaning: 'stored bytes that fail their check',
    cause: 'a store file, receipt, snapshot or value that was damaged, truncated, edited, or is empty',
    fix: 'restore it from a copy; a 0-byte `store.sqlite` is refused rather than taken for a new store (remove it to start anew)',
  },
  E_HASH: {
    area: 'store',
    meaning: 'bytes that do not hash to what they claim',
    cause: 'a device that received a damaged image, or a file whose content does not match its name',
    fix: 'load or fetch it again; check the line or the file',
  },
  E_DENIED: {
    area: 'execution and world',
    meaning: 'the sandbox refused: a policy rule or budget',
    cause: 'an effect the policy does not allow, or a budget (steps, memory, effects, wall clock) exhausted; the rule is in the message',
    fix: 'allow it in the policy (docs/store.md), or raise the budget',
  },
  E_BUDGET: {
    area: 'execution and world',
    meaning: 'a run ran out of something it was given',
    cause: "steps or memory of a context's grant, the co-processor's cycles, stack, heap or RAM, or the run's wall-clock watchdog (the message names which)",
    fix: 'raise the budget or grant, use a backend with more RAM (the simulation and the ISS have 4 MiB, the board 128 KiB), or make the program use less',
  },
  E_CANCELLED: {
    area: 'execution and world',
    meaning: 'a context or invocation cut off before it ended',
    cause: 'a `race`, `within` or failing sibling branch ended it (not an error of its own)',
    fix: "nothing: it is how the program's concurrency ended that branch",
  },
  E_CONTEXT_DESTROYED: { area: 'execution and world', meaning: 'a context used after it was destroyed', cause: 'a host program holding on to a context of a finished run', fix: 'open a new context' },
  E_POLICY: {
    area: 'execution and world',
    meaning: 'a sandbox policy file that cannot be used',
    cause: 'not JSON, or not of the policy schema (docs/store.md)',
    fix: 'fix the file at the path the message gives',
  },
  E_WORLD: {
    area: 'execution and world',
    meaning: 'a world file that cannot be used',
    cause: 'not JSON, or not of the world schema (balances, facts, latencies, start: docs/tel.md)',
    fix: 'fix the file at the field the message gives',
  },
  E_AMOUNT: { area: 'execution and world', meaning: 'a ledger effect with a negative amount', cause: 'the program asked to move a negative amount', fix: 'move a positive amount the other way' },
  E_BALANCE: { area: 'execution and world', meaning: 'a withdrawal or transfer larger than the balance', cause: 'the account holds less than the program moves', fix: 'deposit first, or move less' },
  E_OVERFLOW: { area: 'execution and world', meaning: 'a balance that would leave the Int range', cause: 'a deposit that makes a balance exceed 2^31 - 1', fix: 'keep balances within range' },
  E_NO_FACT: {
    area: 'execution and world',
    meaning: 'an `observe` of a fact the world does not have',
    cause: 'the world file has no fact of that key on that timeline',
    fix: 'add the fact to the world',
  },
  E_ROLLBACK: {
    area: 'execution and world',
    meaning: "a branch's ledger effects could not be undone",
    cause: 'a concurrent branch moved the funds on, so undoing would make a balance negative',
    fix: 'avoid moving the same funds in both branches of a choice or race',
  },
  E_REPLAY: {
    area: 'execution and world',
    meaning: 'a replayed run asked for other effects than the recorded one',
    cause: 'the program or its inputs changed since the trace or snapshot was made',
    fix: 'replay with the same program, arguments and world',
  },
  E_RESOURCE_INSUFFICIENT: {
    area: 'resources',
    meaning: 'a grant has less left than was requested',
    cause: 'a child context asked for more than its parent has',
    fix: 'request less, or give the parent more',
  },
  E_RESOURCE_REQUEST: {
    area: 'resources',
    meaning: 'a resource request that is malformed',
    cause: 'a negative or non-integer amount, or an unknown kind',
    fix: 'request whole, non-negative amounts of the kinds docs/store.md lists',
  },
  E_RESOURCE_RELEASED: {
    area: 'resources',
    meaning: 'a grant used after it was released',
    cause: 'a host program releasing twice, or using a released grant',
    fix: 'keep each grant until it is released, once',
  },
  E_RESOURCE_UNKNOWN: { area: 'resources', meaning: 'a grant id the allocator does not know', cause: 'an id from another allocator, or a typo', fix: 'use ids the allocator returned' },
  E_TRAP: {
    area: 'co-processor',
    meaning: 'the compiled program trapped on the core',
    cause: 'an illegal instruction or an access fault in compiled code: a compiler or runtime bug, or memory corrupted',
    fix: 'report it with the program; the span points at the TEL source of the faulting pc',
  },
  E_ADDRESS: {
    area: 'co-processor',
    meaning: 'an address the device or loader refuses',
    cause: 'an image or memory access below the program base or beyond the RAM',
    fix: 'link programs with `firmware/programs/program.ld`; keep accesses inside RAM',
  },
  E_IMAGE: { area: 'co-processor', meaning: 'a compiled or proving image cannot be made', cause: 'the TEL runtime is missing or not the expected build', fix: 'run `make tel-runtime`' },
  E_ELF: {
    area: 'co-processor',
    meaning: 'an ELF cax cannot load',
    cause: 'not a 32-bit RISC-V executable, an entry point other than 0x80000000, or segments outside RAM',
    fix: 'build it as docs/iss.md says (rv32im, linked at 0x80000000)',
  },
  E_RANGE: { area: 'co-processor', meaning: "an address range outside the ISS's RAM", cause: 'a host read or write of memory that is not there', fix: 'read and write inside the RAM from 0x80000000' },
  E_ISS: {
    area: 'co-processor',
    meaning: 'a Linux-style system call the ISS cannot serve',
    cause: 'a `write()` from a buffer outside RAM, or an unknown system call',
    fix: "fix the program's arguments",
  },
  E_PROGRAM_FAILED: {
    area: 'co-processor',
    meaning: 'a bare-metal program ended with a failure code',
    cause: 'the program wrote an odd value other than 1 to EXIT or tohost (its own test failed)',
    fix: "see the program's failure code in the message",
  },
  E_LINK: {
    area: 'serial link',
    meaning: 'the serial link to a co-processor failed',
    cause: 'a port that cannot be opened, a device that does not answer, or a link closed mid-run',
    fix: 'check the port (`--port`), the cable and the board; `cax device info` tests the link',
  },
  E_PROTOCOL: {
    area: 'serial link',
    meaning: 'a device said something the protocol does not allow',
    cause: "a broken or hostile device: an INFO whose limits make no sense, an effect request before the reply, a value that contains itself, is not of the result's type, or points outside the heap",
    fix: 'use a device running the cax firmware; the message says what it sent',
  },
  E_TIMEOUT: {
    area: 'serial link',
    meaning: 'no answer within the time allowed',
    cause: 'a regression test or a device request that took longer than its timeout',
    fix: 'raise the timeout, or find why it hangs',
  },
  E_ABORTED: { area: 'serial link', meaning: 'a request cancelled by the host', cause: 'the command was interrupted or its run abandoned', fix: 'run it again' },
  E_SIM: {
    area: 'simulation and hardware',
    meaning: 'the Verilator simulation failed or cannot run the program',
    cause: 'cax-sim exited with an error, or the program lacks what the simulation needs',
    fix: "see the simulator's message; rebuild with `make sim`",
  },
  E_TRACE_DIFFERS: {
    area: 'simulation and hardware',
    meaning: 'two retirement traces differ',
    cause: 'the RTL and the ISS (or two runs) disagree at the record given',
    fix: '`cax trace diff` shows the first divergence: a bug in one of them',
  },
  E_BRIDGE_BUILD: {
    area: 'simulation and hardware',
    meaning: 'a Verilog block could not be built for the signal bridge',
    cause: "Verilator errors in the block, or Node's C headers missing for the in-process transport",
    fix: 'read the Verilator log in the message, or use the process transport',
  },
  E_BRIDGE_DIED: {
    area: 'simulation and hardware',
    meaning: 'the simulation behind the signal bridge stopped',
    cause: 'the model process or addon crashed or was closed',
    fix: 'run again; a `$fatal` in the Verilog shows in the message',
  },
  E_BRIDGE_SIGNAL: {
    area: 'simulation and hardware',
    meaning: 'a bridge call that does not fit the signal',
    cause: 'waiting for an edge of a multi-bit signal, or driving an output',
    fix: 'use `.until()` or `.changed()` for buses; drive inputs only',
  },
  E_BRIDGE_SIM: { area: 'simulation and hardware', meaning: 'the simulation reported an error to the bridge', cause: 'a harness request the model refused', fix: 'see the message' },
  E_BRIDGE_TIMEOUT: {
    area: 'simulation and hardware',
    meaning: 'a bridge wait did not end within its cycle limit',
    cause: 'the awaited signal never came',
    fix: 'check the design, or raise the limit',
  },
  E_BRIDGE_WIDTH: { area: 'simulation and hardware', meaning: 'a wide signal read as a number', cause: 'a signal wider than 32 bits', fix: 'read it with `.bigValue`' },
  E_FPGA_NO_BUILD: { area: 'simulation and hardware', meaning: 'no FPGA build to report on', cause: '`make fpga` was not run for that board', fix: 'run `make fpga BOARD=NAME`' },
  E_FPGA_TIMING: {
    area: 'simulation and hardware',
    meaning: 'the FPGA build does not meet its clock',
    cause: 'a design change made the critical path too long for 12 MHz',
    fix: 'see `cax fpga report`; shorten the path',
  },
  E_SETUP: {
    area: 'proofs',
    meaning: 'proving keys missing or not usable',
    cause: 'no `cax zk setup` for this circuit size, or a ceremony file too small or of another curve',
    fix: 'run `cax zk setup --steps N` (with `--ptau FILE` for real use; docs/proofs.md gives the size per chunk)',
  },
  E_CIRCUIT: { area: 'proofs', meaning: 'the step circuit could not be compiled', cause: 'circom failed', fix: "see circom's output in the message; rebuild with `make proof-keys`" },
  E_PROOF_REJECTED: {
    area: 'proofs',
    meaning: 'a trace that does not satisfy the step circuit',
    cause: 'an instruction the circuit does not model, or a trace that was tampered with',
    fix: 'docs/proofs.md lists what the circuit proves',
  },
  E_RECEIPT: { area: 'proofs', meaning: 'a receipt file that cannot be read', cause: 'not msgpack, not of the receipt schema, or an older format', fix: 'make the receipt again with this cax' },
  E_VERIFY: {
    area: 'proofs',
    meaning: 'a receipt that does not verify',
    cause: 'a forged or altered claim, another circuit or key, or a broken proof',
    fix: 'trust nothing it says; docs/receipt.md explains each check',
  },
  E_OUTPUT: { area: 'proofs', meaning: "a proved run's output cannot be decoded", cause: "a value that points outside the proving image's memory", fix: 'report it with the program' },
  E_MANIFEST: {
    area: 'regressions and caches',
    meaning: 'a regression suite that cannot be used',
    cause: 'YAML or JSON that does not parse or fit the schema, an unknown backend or kind, an include cycle, an alias bomb',
    fix: 'fix the file at the line and column given (docs/regress.md)',
  },
  E_REGRESS: {
    area: 'regressions and caches',
    meaning: 'some regression tests did not pass',
    cause: 'failing or erroring tests, listed in the summary and reports',
    fix: 'open the HTML report and the failure artefacts',
  },
  E_WORKER: {
    area: 'regressions and caches',
    meaning: 'a regression worker process died during a test',
    cause: 'a crash or kill of the worker (the test is retried, then reported)',
    fix: "see the worker's stderr in the test's artefacts",
  },
  E_CACHE: {
    area: 'regressions and caches',
    meaning: 'the result cache cannot be used',
    cause: 'Redis unreachable or refusing, or a cache entry that fails its checks',
    fix: 'check `CAX_REDIS_URL` and the server; `cax cache clear` drops bad entries',
  },
  E_FARM_BOARD: {
    area: 'regressions and caches',
    meaning: "a farm worker's board is absent: it does not answer on its port",
    cause: 'the board was unplugged, lost power or hung, its port disappeared, or no worker has a board that answers',
    fix: "`cax farm status` shows each worker's boards and why one is absent; check the board with `cax device info --port PORT` and restart its worker (docs/farm.md)",
  },
  E_FARM_CONTENT: {
    area: 'regressions and caches',
    meaning: "a farm test's content is missing or does not match its hash",
    cause: 'the bytes in Redis under a hash were changed, lost (Redis restarted, entry expired) or never uploaded',
    fix: 'run `cax regress --farm` again: the submitter uploads the content anew; check who can write to the Redis (docs/farm.md)',
  },
  E_FARM_IDENTITY: {
    area: 'regressions and caches',
    meaning: 'no farm worker can reproduce these tests',
    cause: "no worker is up, or the workers' compiler, runtime, firmware or RTL hashes differ from the submitter's",
    fix: '`cax farm status` shows the workers and their identities; start workers built from the same checkout (docs/farm.md)',
  },
  E_FARM_WORKER: {
    area: 'regressions and caches',
    meaning: 'a farm worker could not start or stopped',
    cause: 'Redis unreachable or refusing the password, or the worker process crashed while starting',
    fix: "check the --redis URL, the password and ACL user (docs/farm.md); the worker's stderr is in the message",
  },
  E_SNAPSHOT: {
    area: 'debugging',
    meaning: 'a snapshot that cannot be restored',
    cause: 'truncated, tampered with, of another program, or a replay that does not reproduce it',
    fix: 'take the snapshot again with the same program',
  },
  E_BREAKPOINT: {
    area: 'debugging',
    meaning: 'a breakpoint that names nothing',
    cause: 'an unknown definition, line, effect kind or time',
    fix: 'use names and lines of the program being debugged (docs/debugging.md)',
  },
  E_TRACE: {
    area: 'debugging',
    meaning: 'a trace file that cannot be read',
    cause: 'not a trace of `cax run --trace` or a retirement trace, or a line that is not a record',
    fix: 'make the trace again; the message gives the line',
  },
} as const satisfies Record<string, ErrorEntry>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** A registered code, at a boundary (files, frames, JSON): anything else is not one of cax's errors. */
export const ErrorCodeSchema = z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]);

/** Whether `code` is a registered code (for codes that arrive as text: a device, a worker, a cache entry). */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}

/** A position in a source file, 1-based line and column. */
export interface SourceSpan {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly endLine?: number;
  readonly endCol?: number;
}

export function formatSpan(span: SourceSpan): string {
  return `${span.file}:${span.line}:${span.col}`;
}

export class CaxError extends Error {
  readonly code: ErrorCode;
  readonly span: SourceSpan | undefined;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: { span?: SourceSpan; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CaxError';
    this.code = code;
    this.span = options.span;
    this.details = options.details ?? {};
  }

  /** `file:line:col: E_CODE message`, or `E_CODE message` without a span. */
  format(): string {
    const where = this.span ? `${formatSpan(this.span)}: ` : '';
    return `${where}${this.code} ${this.message}`;
  }

  toJSON(): { code: ErrorCode; message: string; span?: SourceSpan; details?: Record<string, unknown> } {
    return {
      code: this.code,
      message: this.message,
      ...(this.span ? { span: this.span } : {}),
      ...(Object.keys(this.details).length > 0 ? { details: { ...this.details } } : {}),
    };
  }
}

/** What ran out, in an E_BUDGET error's details: interpreter steps or memory, co-processor cycles, the co-processor's RAM, the run's wall clock. */
export const BUDGET_KINDS = ['step', 'memory', 'cycles', 'ram', 'wallclock'] as const;
export type BudgetKind = (typeof BUDGET_KINDS)[number];

/** The details of an E_BUDGET error, typed: code that branches on what ran out reads them through `budgetOf`. */
export const BudgetDetailsSchema = z.object({
  budget: z.enum(BUDGET_KINDS),
  limit: z.number().optional(),
  /** The context whose grant ran out (set once the executor knows it). */
  context: z.string().optional(),
  heapBytes: z.number().optional(),
  restarted: z.boolean().optional(),
});
export type BudgetDetails = z.infer<typeof BudgetDetailsSchema>;

/** An E_BUDGET error saying what ran out. */
export function budgetExhausted(message: string, details: BudgetDetails, span?: SourceSpan): CaxError {
  return new CaxError('E_BUDGET', message, { details: { ...details }, ...(span ? { span } : {}) });
}

/** What ran out, when `e` is an E_BUDGET error that says (stack and heap of the core say it in the message only). */
export function budgetOf(e: CaxError | null | undefined): BudgetDetails | undefined {
  if (e?.code !== 'E_BUDGET') return undefined;
  const parsed = BudgetDetailsSchema.safeParse(e.details);
  return parsed.success ? parsed.data : undefined;
}

/** Something cax does not do (yet): always loud, never a silent stub. */
export function unsupported(what: string): CaxError {
  return new CaxError('E_UNSUPPORTED', `${what} is not supported`);
}

export function isCaxError(e: unknown): e is CaxError {
  return e instanceof CaxError;
}
