// The schema of a `cax regress` suite manifest (YAML or JSON) and its parser:
// zod validates the document, and every mistake is reported with its place
// in the file (line and column from the `yaml` package's node ranges), all at
// once in one E_MANIFEST error. docs/regress.md describes the format.
import { readFileSync } from 'node:fs';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { CaxError, formatSpan, type SourceSpan } from '../errors.js';

export const REGRESS_BACKENDS = ['interp', 'iss', 'sim', 'device'] as const;
export type RegressBackend = (typeof REGRESS_BACKENDS)[number];

const Name = z.string().regex(/^[A-Za-z0-9_.:/-]+$/, 'a name of letters, digits and _ . : / -');
const Tags = z.array(z.string().min(1)).default([]);
const Backends = z.array(z.enum(REGRESS_BACKENDS)).min(1).optional();
const Common = { name: Name, tags: Tags, backends: Backends, timeoutMs: z.number().int().positive().optional() };

/** A TEL definition (a file, or a store reference `store:HASH`) run with arguments, a world and a start time. */
const TelEntry = z.strictObject({
  ...Common,
  kind: z.literal('tel'),
  file: z.string().min(1),
  main: z
    .string()
    .regex(/^[a-z_][A-Za-z0-9_']*$/, 'a definition name')
    .default('main'),
  args: z.array(z.string()).default([]),
  world: z.string().min(1).optional(),
  start: z.number().int().optional(),
  expect: z
    .strictObject({
      value: z.string().optional(),
      effects: z.array(z.unknown()).optional(),
      clock: z.number().int().optional(),
      error: z
        .string()
        .regex(/^E_[A-Z_]+$/, 'an error code like E_BUDGET')
        .optional(),
    })
    .refine((e) => e.value !== undefined || e.effects !== undefined || e.clock !== undefined || e.error !== undefined, 'expect at least one of value, effects, clock, error'),
});

/** An ELF run from reset, its arguments in a0…; expecting a0, an exit code (tohost/EXIT), or a trap (its mcause; the run ends at the first trap). */
const ElfEntry = z.strictObject({
  ...Common,
  kind: z.literal('elf'),
  file: z.string().min(1),
  args: z.array(z.number().int().min(-2147483648).max(4294967295)).max(8).default([]),
  maxCycles: z.number().int().positive().default(10_000_000),
  expect: z
    .strictObject({
      a0: z.number().int().optional(),
      exitCode: z.number().int().min(0).optional(),
      trap: z.number().int().min(0).optional(),
    })
    .refine((e) => e.a0 !== undefined || e.exitCode !== undefined || e.trap !== undefined, 'expect at least one of a0, exitCode, trap')
    .refine((e) => e.trap === undefined || e.exitCode === undefined, 'a run that ends at a trap has no exit code: expect trap or exitCode'),
});

/** A folder of ISA test ELFs in the riscv-tests convention: each passes when it writes 1 to `tohost`. */
const IsaEntry = z.strictObject({
  ...Common,
  kind: z.literal('isa'),
  dir: z.string().min(1),
  maxCycles: z.number().int().positive().default(10_000_000),
});

/** `count` random well-typed TEL programs from `seed`, each checked against the interpreter. */
const GenerateEntry = z.strictObject({
  ...Common,
  kind: z.literal('generate'),
  seed: z.number().int(),
  count: z.number().int().min(1).max(10_000),
  programs: z.enum(['pure', 'effect']).default('pure'),
});

export const ManifestEntry = z.discriminatedUnion('kind', [TelEntry, ElfEntry, IsaEntry, GenerateEntry]);
export type ManifestEntry = z.infer<typeof ManifestEntry>;

export const Manifest = z.strictObject({
  name: Name,
  backends: z.array(z.enum(REGRESS_BACKENDS)).min(1).default(['interp']),
  device: z.string().min(1).optional(),
  timeoutMs: z.number().int().positive().default(60_000),
  include: z.array(z.string().min(1)).default([]),
  entries: z.array(ManifestEntry).default([]),
});
export type Manifest = z.infer<typeof Manifest>;

/** The node at `path` in the YAML document (the deepest one that exists), for a location. */
function spanOf(doc: Document, lines: LineCounter, file: string, path: readonly PropertyKey[]): SourceSpan {
  let node: unknown = doc.contents;
  for (let depth = path.length; depth >= 0; depth--) {
    const found = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth) as (string | number)[], true);
    if (isNode(found) && found.range) {
      node = found;
      break;
    }
  }
  const offset = isNode(node) && node.range ? node.range[0] : 0;
  const { line, col } = lines.linePos(offset);
  return { file, line, col };
}

/** Parses and validates a manifest's text; E_MANIFEST with every problem and its place. */
export function parseManifest(text: string, file: string): Manifest {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => {
      const { line, col } = lines.linePos(e.pos[0]);
      return { span: { file, line, col }, message: e.message.split('\n')[0]! };
    });
    throw manifestError(problems);
  }
  let data: unknown;
  try {
    // an alias without its anchor, or aliases expanding past the limit (a "billion laughs" file), are refused here
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    throw manifestError([{ span: { file, line: 1, col: 1 }, message: (e as Error).message.split('\n')[0]! }]);
  }
  const parsed = Manifest.safeParse(data);
  if (!parsed.success) {
    throw manifestError(
      parsed.error.issues.map((issue) => ({
        span: spanOf(doc, lines, file, issue.path),
        message: `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`,
      })),
    );
  }
  return parsed.data;
}

function manifestError(problems: readonly { span: SourceSpan; message: string }[]): CaxError {
  const first = problems[0]!;
  const more =
    problems.length > 1
      ? ` (and ${problems.length - 1} more: ${problems
          .slice(1)
          .map((p) => `${formatSpan(p.span)}: ${p.message}`)
          .join('; ')})`
      : '';
  return new CaxError('E_MANIFEST', `${first.message}${more}`, { span: first.span, details: { problems } });
}

/** Reads and parses a manifest file; E_IO when it cannot be read. */
export function readManifest(path: string): Manifest {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CaxError('E_IO', `cannot read the suite ${path}: ${(e as Error).message}`, { cause: e });
  }
  return parseManifest(text, path);
}
