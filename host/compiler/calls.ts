// Arguments in registers (CodegenOptions.registerArguments, docs/compiler.md "Calls"): the registers that carry the
// payloads of a function's untagged Int parameters to its direct entry, and what registers are known to hold while a
// function's code is generated — those payloads and the return address in `ra`, from the function's start until they
// are overwritten, a call clobbers them, or control joins from a path where they were not known. Codegen reads a
// parameter from its register instead of its slot, and an epilogue on a path without a call keeps `ra`.
import { CaxError } from '../errors.js';
import { REG, type Asm, type Reg } from './asm.js';

/** The registers of Int parameters 0, 1, 2 passed in registers (a0 stays free: a local function's env). */
export const ARG_REGS: readonly Reg[] = [REG.a1, REG.a2, REG.a3];

/** The label of the direct entry of the function whose (generic) entry is `label`: a local label, no symbol. */
export const directEntry = (label: string): string => `.${label}$direct`;

/** What a register holds: the payload word of the frame slot at s0+off (a number), or the return address. */
type Fact = number | 'ra';

const RETURN_ADDRESS: Fact = 'ra';

/** The facts true on both of two paths. */
function common(a: ReadonlyMap<Reg, Fact>, b: ReadonlyMap<Reg, Fact>): Map<Reg, Fact> {
  return new Map([...a].filter(([r, f]) => b.get(r) === f));
}

/**
 * What the registers hold at the point of a function's code being emitted. A jump or branch to a label hands the
 * facts to it; a label takes what holds on every path to it: the jumps emitted before it and the fall-through. A label
 * no code has jumped to yet knows nothing (it may be a loop's head, reached from below), and a jump back to a label
 * that assumed a fact which does not hold there is an internal error, never wrong code.
 */
export class RegisterFacts {
  private facts = new Map<Reg, Fact>();
  private falls = true;
  private readonly incoming = new Map<string, Map<Reg, Fact>>();
  private readonly assumed = new Map<string, ReadonlyMap<Reg, Fact>>();

  constructor(
    private readonly owner: string,
    code: Asm,
  ) {
    code.onWrite = (rd) => {
      // only calls write ra (or the epilogue reloading it): every caller-saved register is gone
      if (rd === REG.ra) this.facts.clear();
      else this.facts.delete(rd);
    };
    code.onJump = (target, always) => {
      if (target !== undefined) this.jump(target);
      if (always) this.falls = false;
    };
    code.onLabel = (name) => {
      const from = this.incoming.get(name);
      this.incoming.delete(name);
      this.facts = from === undefined ? new Map() : this.falls ? common(this.facts, from) : new Map(from);
      this.falls = true;
      if (this.facts.size > 0) this.assumed.set(name, new Map(this.facts));
    };
  }

  private jump(target: string): void {
    const assumed = this.assumed.get(target);
    if (assumed !== undefined) {
      for (const [r, f] of assumed) {
        if (this.facts.get(r) !== f) throw new CaxError('E_INTERNAL', `${this.owner}: a jump back to ${target} without what its code assumes in register x${r}`);
      }
      return;
    }
    const had = this.incoming.get(target);
    this.incoming.set(target, had === undefined ? new Map(this.facts) : common(had, this.facts));
  }

  /** At the function's start: `ra` holds the return address, and `regs[i]` the payload of the parameter slot at s0+offs[i]. */
  start(params: readonly { readonly reg: Reg; readonly off: number }[]): void {
    this.facts.set(REG.ra, RETURN_ADDRESS);
    for (const p of params) this.facts.set(p.reg, p.off);
  }

  /** A store to s0+off: a register holding that word's earlier value no longer holds the slot's. */
  stored(off: number): void {
    for (const [r, f] of this.facts) if (f === off - 4) this.facts.delete(r);
  }

  /** The register holding the payload of the slot at s0+off, if one does. */
  payload(off: number): Reg | undefined {
    for (const [r, f] of this.facts) if (f === off) return r;
    return undefined;
  }

  /** Whether `ra` still holds the return address the function was called with. */
  get returnAddress(): boolean {
    return this.facts.get(REG.ra) === RETURN_ADDRESS;
  }
}
