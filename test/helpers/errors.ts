// The one test helper for "this must fail with this error code": the
// CaxError a call throws (anything else is rethrown), or its code.
import { CaxError } from '../../host/errors.js';

/** The CaxError `f` throws; fails the test if it returns or throws something else. */
export function caughtError(f: () => unknown): CaxError {
  try {
    f();
  } catch (e) {
    if (e instanceof CaxError) return e;
    throw e;
  }
  throw new Error('expected a CaxError, but the call returned');
}

/** The code of the CaxError `f` throws, or 'none' when it returns. */
export function errorCode(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof CaxError) return e.code;
    throw e;
  }
  return 'none';
}
