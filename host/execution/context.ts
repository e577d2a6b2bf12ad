// ExecutionContext: one node of the tree a run executes in. It owns a
// resource grant (carved from its parent's), its own state (variables, call
// stack, trace), and ends by releasing its grant and its whole subtree —
// on error paths too (see `withChild`). A child sees its parent only as an
// id: it cannot reach the parent's mutable state.
import type { ResourceAllocator, ResourceGrant, ResourceUsage } from '../resources/allocator.js';
import type { Amounts, ResourceRequestInput } from '../resources/vector.js';
import { CaxError } from '../errors.js';

/** One entry of a context's own trace. */
export interface ContextTraceEntry {
  readonly kind: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** What belongs to one context alone. */
export interface ContextState {
  readonly variables: Map<string, unknown>;
  readonly callStack: string[];
  readonly trace: ContextTraceEntry[];
}

export class ExecutionContext {
  readonly id: string;
  /** The parent's id only: a child never holds its parent's state. */
  readonly parentId: string | undefined;
  readonly grant: ResourceGrant;
  readonly allocator: ResourceAllocator;
  readonly state: ContextState;
  private readonly children = new Set<ExecutionContext>();
  private readonly detach: () => void;
  private destroyed: ResourceUsage | undefined;

  private constructor(allocator: ResourceAllocator, grant: ResourceGrant, parentId: string | undefined, variables: ReadonlyMap<string, unknown>, detach: () => void) {
    this.id = `ctx-${grant.id}`;
    this.parentId = parentId;
    this.grant = grant;
    this.allocator = allocator;
    this.state = { variables: new Map([...variables].map(([k, v]) => [k, structuredClone(v)])), callStack: [], trace: [] };
    this.detach = detach;
  }

  /** A root context on a fresh grant from the allocator. */
  static root(allocator: ResourceAllocator, request: ResourceRequestInput, label = 'root'): ExecutionContext {
    return new ExecutionContext(allocator, allocator.allocate(request, label), undefined, new Map(), () => undefined);
  }

  get isDestroyed(): boolean {
    return this.destroyed !== undefined;
  }

  /**
   * A child context whose grant is subdivided from this one's. `variables`
   * are copied by value (structured clone), so the child shares nothing.
   */
  createChild(request: ResourceRequestInput, label = 'child', variables: ReadonlyMap<string, unknown> = new Map()): ExecutionContext {
    this.assertLive();
    const grant = this.allocator.subdivide(this.grant, request, label);
    const child = new ExecutionContext(this.allocator, grant, this.id, variables, () => this.children.delete(child));
    this.children.add(child);
    return child;
  }

  /** Charges consumption to this context's grant (and so to every ancestor). */
  consume(amounts: Partial<Amounts>): void {
    this.assertLive();
    this.allocator.consume(this.grant, amounts);
  }

  usage(): ResourceUsage {
    return this.allocator.checkUsage(this.grant);
  }

  /** Destroys the whole subtree (deepest first) and releases the grant; returns the final usage. Idempotent. */
  destroy(): ResourceUsage {
    if (this.destroyed) return this.destroyed;
    for (const child of [...this.children]) child.destroy();
    this.destroyed = this.allocator.release(this.grant);
    this.detach();
    return this.destroyed;
  }

  /** Runs `body` in a new child context and destroys the child afterwards, whether `body` returns or throws. */
  async withChild<T>(request: ResourceRequestInput, label: string, body: (child: ExecutionContext) => Promise<T> | T): Promise<T> {
    const child = this.createChild(request, label);
    try {
      return await body(child);
    } finally {
      child.destroy();
    }
  }

  private assertLive(): void {
    if (this.destroyed) throw new CaxError('E_CONTEXT_DESTROYED', `context ${this.id} was destroyed`, { details: { contextId: this.id } });
  }
}
