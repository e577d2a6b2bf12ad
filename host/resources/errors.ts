// Typed resource errors: each has a stable code and carries the numbers
// involved, so a user (or a script reading --json) sees what ran out.
import { CaxError } from '../errors.js';
import type { AdditiveKind } from './vector.js';

/** A subdivision asked for more than the parent has left. */
export function insufficient(grantId: string, kind: AdditiveKind | 'wallClockMs', requested: number, available: number): CaxError {
  return new CaxError('E_RESOURCE_INSUFFICIENT', `grant ${grantId} has ${available} ${kind} left, ${requested} requested`, {
    details: { grantId, kind, requested, available },
  });
}

/** Consumption past what the grant holds: the budget is exhausted. */
export function overConsumed(grantId: string, kind: AdditiveKind, requested: number, available: number): CaxError {
  return new CaxError('E_BUDGET', `grant ${grantId} exhausted its ${kind}: ${requested} more needed, ${available} left`, {
    details: { grantId, kind, requested, available },
  });
}

export function unknownGrant(grantId: string): CaxError {
  return new CaxError('E_RESOURCE_UNKNOWN', `no grant ${grantId}`, { details: { grantId } });
}

export function alreadyReleased(grantId: string): CaxError {
  return new CaxError('E_RESOURCE_RELEASED', `grant ${grantId} was already released`, { details: { grantId } });
}

export function badRequest(message: string): CaxError {
  return new CaxError('E_RESOURCE_REQUEST', message);
}
