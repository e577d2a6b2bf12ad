// GrowingAllocator: a StaticAllocator whose subdivided grants grow on
// demand. A child may start empty; when it consumes (or carves a child)
// past its limits, it takes the shortfall from its parent's available
// amounts — growing the parent first, up the tree, if the parent grows too —
// so its limit rises by exactly what its parent now reserves for it. The
// StaticAllocator invariant (direct + settled + reserved ≤ limit) holds at
// every grant; root grants (allocate) never grow, so a root bounds its whole
// tree. Concurrent children share what their parent has left first come,
// first served, instead of each holding a fixed share up front.
import type { ResourceGrant, ResourceUsage } from './allocator.js';
import { insufficient, overConsumed } from './errors.js';
import { StaticAllocator, type GrantNode } from './static-allocator.js';
import { ADDITIVE_KINDS, ResourceRequestSchema, add, amountsOf, firstShortfall, type Amounts, type ResourceRequestInput } from './vector.js';

export class GrowingAllocator extends StaticAllocator {
  override subdivide(parent: ResourceGrant, request: ResourceRequestInput, label = 'grant'): ResourceGrant {
    const parsed = ResourceRequestSchema.safeParse(request);
    if (parsed.success) this.growFor(this.live(parent.id), amountsOf(parsed.data), 'subdivide');
    return super.subdivide(parent, request, label);
  }

  override consume(grant: ResourceGrant, amounts: Partial<Amounts>): void {
    const full = amountsOf(amounts);
    if (ADDITIVE_KINDS.every((k) => Number.isSafeInteger(full[k]) && full[k] >= 0)) this.growFor(this.live(grant.id), full, 'consume');
    super.consume(grant, amounts);
  }

  override hasEnoughResources(grant: ResourceGrant, request: ResourceRequestInput): boolean {
    const node = this.node(grant.id);
    const parsed = ResourceRequestSchema.safeParse(request);
    if (node.released || !parsed.success) return false;
    const wall = parsed.data.wallClockMs;
    return firstShortfall(this.headroom(node), amountsOf(parsed.data)) === undefined && super.hasEnoughResources(grant, wall === undefined ? {} : { wallClockMs: wall });
  }

  /** A grant's usage; `available` counts what it could still grow by. */
  protected override usageOf(node: GrantNode): ResourceUsage {
    return { ...super.usageOf(node), available: this.headroom(node) };
  }

  /** Whether a grant grows: every subdivided grant (its parent is not the capacity). */
  private grows(node: GrantNode): boolean {
    return node.grant.parentId !== undefined;
  }

  /** What `node` can consume or carve now: its own available amounts, plus its parent's headroom while it is live and grows. */
  private headroom(node: GrantNode): Amounts {
    const own = this.available(node);
    return this.grows(node) && !node.released ? add(own, this.headroom(this.node(node.grant.parentId!))) : own;
  }

  /** Grows `node` (and its ancestors as needed) until `need` fits its available amounts; when even its root is short, nothing changes and it fails as the StaticAllocator would (E_BUDGET, E_RESOURCE_INSUFFICIENT). */
  private growFor(node: GrantNode, need: Amounts, why: 'consume' | 'subdivide'): void {
    const own = this.available(node);
    const short = amountsOf(Object.fromEntries(ADDITIVE_KINDS.map((k) => [k, Math.max(0, need[k] - own[k])])));
    if (ADDITIVE_KINDS.every((k) => short[k] === 0) || !this.grows(node)) return;
    const headroom = this.headroom(node);
    const kind = firstShortfall(headroom, need);
    if (kind !== undefined) throw why === 'consume' ? overConsumed(node.grant.id, kind, need[kind], headroom[kind]) : insufficient(node.grant.id, kind, need[kind], headroom[kind]);
    const parent = this.node(node.grant.parentId!);
    this.growFor(parent, short, 'subdivide');
    parent.reserved = add(parent.reserved, short);
    node.grant = { ...node.grant, limits: add(node.grant.limits, short) };
    this.record(node, { at: this.now(), kind: 'grow', amounts: short });
  }
}
