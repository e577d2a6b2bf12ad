// Seeded pseudo-random numbers for everything that must be reproducible from
// a seed (fault injection, generated instruction streams): mulberry32, small
// and good enough for tests and simulation, not for anything secret.

/** A generator of floats in [0, 1), a deterministic function of `seed`. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
