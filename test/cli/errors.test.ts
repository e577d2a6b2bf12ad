// CaxError: formatting with and without a location, and its JSON form.
import { describe, it, expect } from '@jest/globals';
import { CaxError, unsupported, isCaxError, formatSpan } from '../../host/errors.js';

describe('CaxError', () => {
  it('formats with a source location', () => {
    const e = new CaxError('E_PARSE', 'unexpected token', { span: { file: 'a.tel', line: 3, col: 7 } });
    expect(e.format()).toBe('a.tel:3:7: E_PARSE unexpected token');
    expect(e.toJSON()).toEqual({ code: 'E_PARSE', message: 'unexpected token', span: { file: 'a.tel', line: 3, col: 7 } });
    expect(formatSpan({ file: 'x', line: 1, col: 2 })).toBe('x:1:2');
  });

  it('formats without a location and keeps details', () => {
    const e = new CaxError('E_BUDGET', 'out of steps', { details: { used: 10 } });
    expect(e.format()).toBe('E_BUDGET out of steps');
    expect(e.toJSON()).toEqual({ code: 'E_BUDGET', message: 'out of steps', details: { used: 10 } });
    expect(isCaxError(e)).toBe(true);
    expect(isCaxError(new Error('x'))).toBe(false);
  });

  it('names what is unsupported', () => {
    expect(unsupported('FPGA flashing over JTAG').format()).toBe('E_UNSUPPORTED FPGA flashing over JTAG is not supported');
  });
});
