/**
 * Calibration of the planner's per-run estimates by the runs that already
 * trained: a probe times a few training steps, while a whole run also pays
 * what the probe cannot see (the neighbour job's evaluations, checkpoint
 * writes, the parent process). After a suite's pilot the planner scales its
 * later estimates by the pilot's measured wall time over its estimate.
 * @module
 */

/** One finished run: the seconds it was planned at and the wall seconds it took. */
export interface Timed {
  estimated: number;
  wall: number;
}

/** The range a factor is held to: a run that took 3× its estimate was disturbed, not mis-probed. */
export const CALIBRATION_LIMITS = [0.5, 2] as const;

/**
 * Per-suite factors: total wall time over total estimate of its measured runs; a suite with none takes the mean of
 * the others (the machine is the same), and with none at all the factor is 1.
 *
 * @example
 * ```ts
 * const c = new Calibration();
 * c.observe("dense", [{ estimated: 100, wall: 112 }, { estimated: 100, wall: 108 }]);
 * c.factor("dense"); // 1.1
 * c.factor("moe"); // 1.1
 * ```
 */
export class Calibration {
  readonly #factors = new Map<string, number>();

  /** Records a suite's finished runs (runs without an estimate or a wall time are left out). */
  observe(suite: string, runs: ReadonlyArray<Timed>): void {
    const usable = runs.filter((r) => r.estimated > 0 && r.wall > 0);
    if (!usable.length) return;
    const ratio = usable.reduce((a, r) => a + r.wall, 0) / usable.reduce((a, r) => a + r.estimated, 0);
    this.#factors.set(suite, Math.min(CALIBRATION_LIMITS[1], Math.max(CALIBRATION_LIMITS[0], ratio)));
  }

  /** The factor for a suite's estimates. */
  factor(suite: string): number {
    const own = this.#factors.get(suite);
    if (own !== undefined) return own;
    const all = [...this.#factors.values()];
    return all.length ? all.reduce((a, b) => a + b, 0) / all.length : 1;
  }

  /** The factors in one phrase for the plan's basis line, or "" before any. */
  describe(): string {
    return [...this.#factors].map(([suite, f]) => `${suite} ×${f.toFixed(2)}`).join(", ");
  }
}
