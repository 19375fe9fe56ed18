/**
 * Number and table formatting for the markdown report. Plain ASCII signs so
 * numbers can be searched for and checked by tests.
 * @module
 */
import type { Interval } from "../judge/stats.ts";

/**
 * A number with fixed decimals; "n/a" when not finite.
 *
 * @example
 * ```ts
 * num(2.123456); // "2.1235"
 * ```
 */
export function num(value: number, digits = 4): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "n/a";
}

/**
 * A signed number (+0.0123 / -0.0123).
 *
 * @example
 * ```ts
 * signed(0.0123); // "+0.0123"
 * ```
 */
export function signed(value: number, digits = 4): string {
  if (!Number.isFinite(value)) return "n/a";
  const s = value.toFixed(digits);
  return value >= 0 && !s.startsWith("-") ? `+${s}` : s;
}

/**
 * Mean with its 95% interval: `2.1234 [2.1000, 2.1468]`, or just the mean for n < 2.
 *
 * @example
 * ```ts
 * withInterval({ n: 3, mean: 2, sd: 1, lo: 1.5, hi: 2.5 }); // "2.0000 [1.5000, 2.5000]"
 * ```
 */
export function withInterval(iv: Interval, digits = 4, sign = false): string {
  const f = sign ? signed : num;
  if (iv.n === 0) return "n/a";
  if (iv.n < 2 || !Number.isFinite(iv.lo)) return `${f(iv.mean, digits)} (n=1)`;
  return `${f(iv.mean, digits)} [${f(iv.lo, digits)}, ${f(iv.hi, digits)}]`;
}

/**
 * Token counts in words (12.3k, 4.19M, 250B).
 *
 * @example
 * ```ts
 * tokens(4_194_304); // "4.19M"
 * ```
 */
export function tokens(value: number): string {
  if (!Number.isFinite(value)) return "n/a";
  if (Math.abs(value) >= 1e9) return `${(value / 1e9).toFixed(value >= 1e11 ? 0 : 2)}B`;
  if (Math.abs(value) >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (Math.abs(value) >= 1e3) return `${(value / 1e3).toFixed(1)}k`;
  return value.toFixed(0);
}

/**
 * Parameter counts (1.35B, 120.0k).
 *
 * @example
 * ```ts
 * count(1_345_423_360); // "1.35B"
 * ```
 */
export const count = tokens;

function cell(value: unknown): string {
  return String(value ?? "").replaceAll("|", "\\|").replaceAll("\n", " ");
}

/**
 * A markdown table.
 *
 * @example
 * ```ts
 * table(["a", "b"], [[1, 2]]); // "| a | b |\n| --- | --- |\n| 1 | 2 |"
 * ```
 */
export function table(headers: string[], rows: unknown[][]): string {
  const lines = [`| ${headers.map(cell).join(" | ")} |`, `| ${headers.map(() => "---").join(" | ")} |`];
  for (const row of rows) lines.push(`| ${row.map(cell).join(" | ")} |`);
  return lines.join("\n");
}

/**
 * A value in inline code.
 *
 * @example
 * ```ts
 * code("dense.train_loss_gap"); // "`dense.train_loss_gap`"
 * ```
 */
export function code(value: unknown): string {
  return `\`${String(value).replaceAll("`", "'")}\``;
}
