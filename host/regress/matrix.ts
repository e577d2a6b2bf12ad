// The test matrix: every case on every backend it names (or the command
// line's --backend list instead), kept when --filter matches its name or one
// of its tags. A kind a backend cannot run (an ELF on the interpreter) is a
// skipped test with the reason, so the report shows the hole.
import type { RegressBackend } from './manifest.js';
import type { TestCase } from './suite.js';

export interface MatrixTest {
  /** `suite/entry@backend`: unique in a run. */
  readonly id: string;
  readonly test: TestCase;
  readonly backend: RegressBackend;
  /** Why it is not run, when it cannot be. */
  readonly skip?: string;
}

export interface MatrixOptions {
  readonly backends?: readonly RegressBackend[];
  readonly filter?: RegExp;
}

export function buildMatrix(cases: readonly TestCase[], options: MatrixOptions = {}): MatrixTest[] {
  const tests: MatrixTest[] = [];
  const ids = new Set<string>();
  for (const test of cases) {
    if (options.filter && !options.filter.test(test.name) && !test.tags.some((t) => options.filter!.test(t))) continue;
    for (const backend of options.backends ?? test.backends) {
      const id = `${test.name}@${backend}`;
      if (ids.has(id)) continue;
      ids.add(id);
      const skip =
        test.spec.kind === 'elf' && backend === 'interp'
          ? 'an ELF does not run on the TEL interpreter'
          : test.spec.kind === 'elf' && backend === 'device'
            ? 'ELF entries run on iss and sim; the device runs compiled TEL'
            : undefined;
      tests.push({ id, test, backend, ...(skip ? { skip } : {}) });
    }
  }
  return tests;
}
