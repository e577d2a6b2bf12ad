// StaticAllocator: a fixed capacity, divided into a tree of grants.
// Invariant for every grant g: consumedHere(g) + settled(g) + Σ limits of
// live children ≤ limits(g), in every additive kind. Consumption is charged
// where it happens and shows in the totals of every ancestor; release of a
// child keeps what it consumed charged to the parent and frees the rest.
// Every operation is synchronous, so interleaved async callers stay exact.
import type { ResourceAllocator, ResourceGrant, ResourceUsage, UsageEvent } from './allocator.js';
import { alreadyReleased, badRequest, insufficient, overConsumed, unknownGrant } from './errors.js';
import { ADDITIVE_KINDS, ResourceRequestSchema, ZERO, add, amountsOf, firstShortfall, sub, type Amounts, type ResourceRequest, type ResourceRequestInput } from './vector.js';

/** The allocator's record of one grant (its limits may grow: GrowingAllocator). */
export interface GrantNode {
  grant: ResourceGrant;
  /** Consumed directly at this grant. */
  direct: Amounts;
  /** Consumed by children that have since been released. */
  settled: Amounts;
  /** Limits of live children. */
  reserved: Amounts;
  readonly children: Set<string>;
  released: boolean;
  readonly events: UsageEvent[];
  droppedEvents: number;
}

export interface StaticAllocatorOptions {
  /** Clock for timestamps and deadlines (ms); defaults to Date.now. */
  readonly now?: () => number;
  /** Events kept per grant (the oldest are dropped past this). */
  readonly maxEventsPerGrant?: number;
}

const ROOT_ID = 'root';

export class StaticAllocator implements ResourceAllocator {
  private readonly nodes = new Map<string, GrantNode>();
  protected readonly now: () => number;
  private readonly maxEvents: number;
  private nextId = 1;

  constructor(capacity: ResourceRequestInput, options: StaticAllocatorOptions = {}) {
    this.now = options.now ?? Date.now;
    this.maxEvents = options.maxEventsPerGrant ?? 1000;
    const request = parseRequest(capacity);
    const grant: ResourceGrant = { id: ROOT_ID, parentId: undefined, label: 'capacity', limits: amountsOf(request), deadline: undefined };
    this.nodes.set(ROOT_ID, this.newNode(grant));
  }

  /** The whole capacity, as a grant: root grants are its children. */
  get capacity(): ResourceGrant {
    return this.node(ROOT_ID).grant;
  }

  allocate(request: ResourceRequestInput, label = 'grant'): ResourceGrant {
    return this.carve(this.node(ROOT_ID), parseRequest(request), label, 'allocate');
  }

  subdivide(parent: ResourceGrant, request: ResourceRequestInput, label = 'grant'): ResourceGrant {
    return this.carve(this.live(parent.id), parseRequest(request), label, 'subdivide');
  }

  consume(grant: ResourceGrant, partial: Partial<Amounts>): void {
    const node = this.live(grant.id);
    const amounts = amountsOf(partial);
    for (const k of ADDITIVE_KINDS) {
      if (!Number.isSafeInteger(amounts[k]) || amounts[k] < 0) throw badRequest(`consume: ${k} must be a non-negative integer, got ${amounts[k]}`);
    }
    const available = this.available(node);
    const short = firstShortfall(available, amounts);
    if (short) throw overConsumed(grant.id, short, amounts[short], available[short]);
    node.direct = add(node.direct, amounts);
    this.record(node, { at: this.now(), kind: 'consume', amounts });
  }

  release(grant: ResourceGrant): ResourceUsage {
    const node = this.node(grant.id);
    if (node.released) throw alreadyReleased(grant.id);
    if (grant.id === ROOT_ID) throw badRequest('the capacity itself cannot be released');
    for (const childId of [...node.children]) this.release(this.node(childId).grant);
    const parent = this.node(node.grant.parentId ?? ROOT_ID);
    const used = this.total(node);
    parent.reserved = sub(parent.reserved, node.grant.limits);
    parent.settled = add(parent.settled, used);
    parent.children.delete(grant.id);
    node.released = true;
    this.record(node, { at: this.now(), kind: 'release', amounts: sub(node.grant.limits, used) });
    return this.usageOf(node);
  }

  checkUsage(grant: ResourceGrant): ResourceUsage {
    return this.usageOf(this.node(grant.id));
  }

  hasEnoughResources(grant: ResourceGrant, request: ResourceRequestInput): boolean {
    const node = this.node(grant.id);
    if (node.released) return false;
    const parsed = ResourceRequestSchema.safeParse(request);
    if (!parsed.success) return false;
    if (firstShortfall(this.available(node), amountsOf(parsed.data)) !== undefined) return false;
    const remaining = this.remainingTime(node);
    return parsed.data.wallClockMs === undefined || remaining === undefined || parsed.data.wallClockMs <= remaining;
  }

  /** Ids of the grants not yet released (the capacity excluded). */
  liveGrants(): string[] {
    return [...this.nodes.values()].filter((n) => !n.released && n.grant.id !== ROOT_ID).map((n) => n.grant.id);
  }

  private carve(parent: GrantNode, request: ResourceRequest, label: string, kind: 'allocate' | 'subdivide'): ResourceGrant {
    const limits = amountsOf(request);
    const available = this.available(parent);
    const short = firstShortfall(available, limits);
    if (short) throw insufficient(parent.grant.id, short, limits[short], available[short]);
    const now = this.now();
    const remaining = this.remainingTime(parent);
    if (request.wallClockMs !== undefined && remaining !== undefined && request.wallClockMs > remaining) {
      throw insufficient(parent.grant.id, 'wallClockMs', request.wallClockMs, remaining);
    }
    const own = request.wallClockMs === undefined ? undefined : now + request.wallClockMs;
    const deadline = own === undefined ? parent.grant.deadline : parent.grant.deadline === undefined ? own : Math.min(own, parent.grant.deadline);
    const grant: ResourceGrant = { id: `g${this.nextId++}`, parentId: parent.grant.id === ROOT_ID ? undefined : parent.grant.id, label, limits, deadline };
    const node = this.newNode(grant);
    this.nodes.set(grant.id, node);
    parent.reserved = add(parent.reserved, limits);
    parent.children.add(grant.id);
    this.record(parent, { at: now, kind: 'subdivide', amounts: limits, childId: grant.id });
    this.record(node, { at: now, kind, amounts: limits });
    return grant;
  }

  private newNode(grant: ResourceGrant): GrantNode {
    return { grant, direct: ZERO, settled: ZERO, reserved: ZERO, children: new Set(), released: false, events: [], droppedEvents: 0 };
  }

  protected node(id: string): GrantNode {
    const node = this.nodes.get(id);
    if (!node) throw unknownGrant(id);
    return node;
  }

  protected live(id: string): GrantNode {
    const node = this.node(id);
    if (node.released) throw alreadyReleased(id);
    return node;
  }

  protected available(node: GrantNode): Amounts {
    return sub(sub(sub(node.grant.limits, node.direct), node.settled), node.reserved);
  }

  /** Consumed by the grant and its whole subtree. */
  private total(node: GrantNode): Amounts {
    let sum = add(node.direct, node.settled);
    for (const childId of node.children) sum = add(sum, this.total(this.node(childId)));
    return sum;
  }

  private remainingTime(node: GrantNode): number | undefined {
    return node.grant.deadline === undefined ? undefined : Math.max(0, node.grant.deadline - this.now());
  }

  protected record(node: GrantNode, event: UsageEvent): void {
    node.events.push(event);
    if (node.events.length > this.maxEvents) {
      node.events.shift();
      node.droppedEvents++;
    }
  }

  protected usageOf(node: GrantNode): ResourceUsage {
    return {
      grantId: node.grant.id,
      limits: node.grant.limits,
      consumed: this.total(node),
      reserved: node.reserved,
      available: this.available(node),
      deadline: node.grant.deadline,
      released: node.released,
      liveChildren: [...node.children],
      events: [...node.events],
      droppedEvents: node.droppedEvents,
    };
  }
}

function parseRequest(input: ResourceRequestInput): ResourceRequest {
  const parsed = ResourceRequestSchema.safeParse(input);
  if (!parsed.success) throw badRequest(`bad resource request: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
