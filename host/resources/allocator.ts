// The resource model's interface: grants carved from a parent's, consumption
// charged against a grant and all its ancestors, and release returning what
// is unused. StaticAllocator (static-allocator.ts) implements it, and
// GrowingAllocator (growing-allocator.ts) with grants that grow on demand.
import type { Amounts, ResourceRequestInput } from './vector.js';

/** A live or released share of resources. Read-only view; the allocator owns the numbers. */
export interface ResourceGrant {
  readonly id: string;
  /** The grant this one was carved from; undefined for a root grant. */
  readonly parentId: string | undefined;
  readonly label: string;
  /** The additive amounts this grant holds in all. */
  readonly limits: Amounts;
  /** Absolute deadline in the allocator's clock (ms), or undefined when unlimited. */
  readonly deadline: number | undefined;
}

/** One thing that happened to a grant, with the allocator clock's time. */
export interface UsageEvent {
  readonly at: number;
  readonly kind: 'allocate' | 'subdivide' | 'grow' | 'consume' | 'release';
  readonly amounts: Amounts;
  /** For subdivide: the child grant. A grow event (GrowingAllocator) records what a grant took from its parent. */
  readonly childId?: string;
}

export interface ResourceUsage {
  readonly grantId: string;
  readonly limits: Amounts;
  /** Consumed by the grant itself and its whole subtree, live or released. */
  readonly consumed: Amounts;
  /** Held by live children (their limits), not yet consumed or returned. */
  readonly reserved: Amounts;
  /** What the grant can still consume or give to new children. */
  readonly available: Amounts;
  readonly deadline: number | undefined;
  readonly released: boolean;
  readonly liveChildren: readonly string[];
  readonly events: readonly UsageEvent[];
  /** Events not kept because the per-grant history is bounded. */
  readonly droppedEvents: number;
}

export interface ResourceAllocator {
  /** A root grant from the allocator's own capacity. */
  allocate(request: ResourceRequestInput, label?: string): ResourceGrant;
  /** A child grant carved from `parent`: reserved from it until released. */
  subdivide(parent: ResourceGrant, request: ResourceRequestInput, label?: string): ResourceGrant;
  /** Charges `amounts` to the grant (and so to all its ancestors); all or nothing. */
  consume(grant: ResourceGrant, amounts: Partial<Amounts>): void;
  /** Releases the grant and its live subtree (deepest first), returning the final usage. */
  release(grant: ResourceGrant): ResourceUsage;
  checkUsage(grant: ResourceGrant): ResourceUsage;
  /** Whether `grant` could give `request` to a new child (or consume it) right now. */
  hasEnoughResources(grant: ResourceGrant, request: ResourceRequestInput): boolean;
}
