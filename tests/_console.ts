/**
 * Captures what code prints with console.log / console.error, for tests of
 * commands whose output is the thing under test.
 * @module
 */

/** Lines printed to each stream, and how the function ended. */
export type Captured<T> =
  & { out: string[]; err: string[] }
  & ({ threw: false; result: T } | { threw: true; error: unknown });

/**
 * Runs `fn` with console.log and console.error replaced by line collectors
 * (arguments joined by spaces, as the console would), restoring both after.
 * A thrown error is returned rather than rethrown, so the lines printed
 * before it are not lost.
 *
 * @example
 * ```ts
 * import { captureConsole } from "./_console.ts";
 * const r = await captureConsole(() => console.log("a", 1));
 * // r.out = ["a 1"], r.err = [], r.threw = false
 * ```
 */
export async function captureConsole<T>(fn: () => T | Promise<T>): Promise<Captured<T>> {
  const out: string[] = [];
  const err: string[] = [];
  const [log, error] = [console.log, console.error];
  console.log = (...a: unknown[]) => out.push(a.join(" "));
  console.error = (...a: unknown[]) => err.push(a.join(" "));
  try {
    return { out, err, threw: false, result: await fn() };
  } catch (e) {
    return { out, err, threw: true, error: e };
  } finally {
    [console.log, console.error] = [log, error];
  }
}
