// The BN254 curve of snarkjs/ffjavascript is a process-wide singleton with
// worker threads of its own; releasing it lets the process exit.
export async function releaseCurve(): Promise<void> {
  const g = globalThis as { curve_bn128?: { terminate(): Promise<void> } | null };
  const curve = g.curve_bn128;
  if (curve) {
    g.curve_bn128 = null;
    await curve.terminate();
  }
}
