// The profile's shadow call stack, shared by the collectors: frames by name
// with flat totals (exclusive, inclusive with recursion counted once, calls,
// tail self-calls, allocations), the call tree (direct recursion folded into
// one node, depth capped so deep mutual recursion stays small) and the call
// graph. Collectors say when cost accrued and when frames are entered and
// left; cost and allocation are absolute counters (steps, cycles, cells).
import type { CallEdge, CallNode, ProfileFrame } from './model.js';

/** Past this depth, new frames are charged to the deepest tree node (flat totals stay exact). */
const MAX_TREE_DEPTH = 256;

interface Entry {
  readonly frame: number;
  readonly node: CallNode;
  /** The collector's depth key (the interpreter's continuation depth). */
  readonly depth: number;
  /** Never replaced by a tail call (value definitions, run labels). */
  readonly pinned: boolean;
}

export class CallStack {
  readonly frames: ProfileFrame[] = [];
  readonly root: CallNode;
  private readonly byName = new Map<string, number>();
  private readonly children = new Map<CallNode, Map<number, CallNode>>();
  private readonly entries: Entry[] = [];
  private readonly onStack: number[] = [];
  private readonly since: number[] = [];
  private readonly edges = new Map<number, CallEdge>();
  private cost = 0;
  private alloc = 0;

  constructor(rootName: string) {
    const f = this.frame(rootName, null, 'pseudo');
    this.root = { frame: f, self: 0, calls: 1, alloc: 0, children: [] };
    this.frames[f]!.calls = 1;
    this.entries.push({ frame: f, node: this.root, depth: -Infinity, pinned: true });
    this.onStack[f] = 1;
    this.since[f] = 0;
  }

  /** The frame index of `name`, made on first use. */
  frame(name: string, where: string | null, kind: ProfileFrame['kind']): number {
    const have = this.byName.get(name);
    if (have !== undefined) return have;
    const f = this.frames.length;
    this.frames.push({ name, where, kind, self: 0, total: 0, calls: 0, selfTailCalls: 0, alloc: 0 });
    this.byName.set(name, f);
    this.onStack.push(0);
    this.since.push(0);
    return f;
  }

  get size(): number {
    return this.entries.length;
  }

  top(): Entry {
    return this.entries[this.entries.length - 1]!;
  }

  /** Charges what accrued since the last call to the frame on top. */
  charge(cost: number, alloc: number): void {
    const t = this.entries[this.entries.length - 1]!;
    const dc = cost - this.cost;
    const da = alloc - this.alloc;
    t.node.self += dc;
    t.node.alloc += da;
    const fr = this.frames[t.frame]!;
    fr.self += dc;
    fr.alloc += da;
    this.cost = cost;
    this.alloc = alloc;
  }

  push(frame: number, depth: number, pinned: boolean): void {
    const parent = this.top();
    let node: CallNode;
    if (parent.frame === frame || this.entries.length >= MAX_TREE_DEPTH) node = parent.node;
    else {
      let kids = this.children.get(parent.node);
      if (!kids) this.children.set(parent.node, (kids = new Map()));
      let child = kids.get(frame);
      if (!child) {
        child = { frame, self: 0, calls: 0, alloc: 0, children: [] };
        kids.set(frame, child);
        parent.node.children.push(child);
      }
      node = child;
    }
    node.calls++;
    this.frames[frame]!.calls++;
    const key = parent.frame * 0x100000 + frame;
    const edge = this.edges.get(key);
    if (edge) edge.calls++;
    else this.edges.set(key, { caller: parent.frame, callee: frame, calls: 1 });
    if (this.onStack[frame]!++ === 0) this.since[frame] = this.cost;
    this.entries.push({ frame, node, depth, pinned });
  }

  pop(): void {
    const e = this.entries.pop()!;
    if (--this.onStack[e.frame]! === 0) this.frames[e.frame]!.total += this.cost - this.since[e.frame]!;
  }

  /** A call in tail position: the top frame (unless pinned) is replaced; a frame calling itself counts a loop iteration. */
  tailCall(frame: number, depth: number): void {
    const t = this.top();
    if (t.frame === frame) {
      t.node.calls++;
      const fr = this.frames[frame]!;
      fr.calls++;
      fr.selfTailCalls++;
      return;
    }
    this.pop();
    this.push(frame, depth, false);
  }

  /** Closes every frame (after a last charge); the frames' totals are final. */
  finish(): { frames: ProfileFrame[]; root: CallNode; edges: CallEdge[] } {
    while (this.entries.length > 0) this.pop();
    return { frames: this.frames, root: this.root, edges: [...this.edges.values()] };
  }
}
