// The error registry and its guide: docs/errors.md is exactly what the
// registry generates (run `npm run docs:errors` after changing a code), every
// code has a meaning, a cause and a fix, every code the sources raise is
// registered, and an E_BUDGET's details are read through their schema.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { ERROR_AREAS, ERROR_CODES, budgetExhausted, budgetOf, isErrorCode, CaxError } from '../../host/errors.js';
import { errorsMarkdown } from '../../host/errors-doc.js';

describe('the error registry', () => {
  it('docs/errors.md is what the registry generates', () => {
    expect(readFileSync('docs/errors.md', 'utf8')).toBe(errorsMarkdown());
  });

  it('gives every code an area, a meaning, a cause and a fix, and lists each once in the guide', () => {
    const guide = errorsMarkdown();
    for (const [code, e] of Object.entries(ERROR_CODES)) {
      expect(ERROR_AREAS).toContain(e.area);
      for (const text of [e.meaning, e.cause, e.fix]) expect(text.length).toBeGreaterThan(5);
      expect(guide.split(`| \`${code}\` |`)).toHaveLength(2);
    }
  });

  it('registers every code the sources name, and no code that nothing raises', () => {
    const named = new Set(
      execSync('grep -rhoE "\'E_[A-Z_0-9]+\'" host --include=*.ts', { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean)
        .map((s) => s.slice(1, -1)),
    );
    named.delete('E_CODE');
    expect([...named].filter((c) => !isErrorCode(c))).toEqual([]);
    expect(Object.keys(ERROR_CODES).filter((c) => !named.has(c))).toEqual([]);
  });

  it('takes only registered codes and budget kinds (checked by tsc)', () => {
    // @ts-expect-error an unregistered code does not compile
    expect(new CaxError('E_NOT_A_CODE', 'x').code).toBe('E_NOT_A_CODE');
    // @ts-expect-error nor does a budget kind that is not one
    expect(budgetExhausted('x', { budget: 'steps' }).code).toBe('E_BUDGET');
  });

  it("reads what ran out from an E_BUDGET's typed details, and nothing from other codes or other shapes", () => {
    expect(budgetOf(budgetExhausted('out', { budget: 'cycles', limit: 5 }))).toEqual({ budget: 'cycles', limit: 5 });
    expect(budgetOf(new CaxError('E_BUDGET', 'the co-processor stack is exhausted'))).toBeUndefined();
    expect(budgetOf(new CaxError('E_DENIED', 'no', { details: { budget: 'cycles' } }))).toBeUndefined();
    expect(budgetOf(new CaxError('E_BUDGET', 'odd', { details: { budget: 123 } }))).toBeUndefined();
  });
});
