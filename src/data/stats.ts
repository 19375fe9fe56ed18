/**
 * Sizes of every source and split (documents, bytes, tokens), for
 * `deno task cli data stats`.
 * @module
 */
import type { CacheOptions } from "./corpus.ts";
import { tokenStream } from "./stream.ts";
import { syntheticLimits } from "./synthetic/source.ts";
import { ByteTokenizer } from "./tokenizer/byte.ts";
import { loadTokenizer } from "./tokenizer/load.ts";
import { type SourceName, type Split, SPLITS } from "./types.ts";

/** Sizes of one source's split. */
export interface SplitStats {
  source: SourceName;
  split: Split;
  documents: number;
  /** UTF-8 bytes of the text (no separators). */
  bytes: number;
  /** Tokens with the byte tokenizer (bytes + one `<|eos|>` per document). */
  byteTokens: number;
  /** Tokens with the BPE tokenizer, when one was asked for. */
  bpeTokens: number | null;
  /** SHA-256 of the split's content (documents in split order; synthetic: its config and length). */
  contentChecksum: string;
}

/**
 * Measures every split of the given sources.
 *
 * @example
 * ```ts
 * const rows = await dataStats(["brown"], { bpe: 4096 });
 * rows[0]; // { source: "brown", split: "train", documents: 458, bytes: 5452603, ... }
 * ```
 */
export async function dataStats(
  sources: SourceName[],
  options: CacheOptions & { bpe?: number } = {},
): Promise<SplitStats[]> {
  const byte = new ByteTokenizer();
  const bpe = options.bpe ? await loadTokenizer({ bpe: options.bpe }, options) : null;
  const rows: SplitStats[] = [];
  for (const source of sources) {
    for (const split of SPLITS) {
      const s = await tokenStream(source, split, byte, options);
      const separators = source === "synthetic" ? 0 : s.documents;
      rows.push({
        source,
        split,
        documents: s.documents,
        bytes: s.bytes - separators,
        byteTokens: s.tokens.length,
        bpeTokens: bpe ? (await tokenStream(source, split, bpe, options)).tokens.length : null,
        contentChecksum: s.contentChecksum,
      });
    }
  }
  return rows;
}

/**
 * The stats as an aligned text table, with the synthetic source's entropy rate.
 *
 * @example
 * ```ts
 * console.log(formatDataStats(await dataStats(["brown", "synthetic"])));
 * ```
 */
export function formatDataStats(rows: SplitStats[], bpe?: number): string {
  const header = [
    "source",
    "split",
    "documents",
    "bytes",
    "byte tokens",
    bpe ? `bpe-${bpe} tokens` : null,
    "bytes/token",
  ]
    .filter((h): h is string => h !== null);
  const body = rows.map((r) =>
    [
      r.source,
      r.split,
      r.documents.toLocaleString("en-US"),
      r.bytes.toLocaleString("en-US"),
      r.byteTokens.toLocaleString("en-US"),
      bpe ? (r.bpeTokens ?? 0).toLocaleString("en-US") : null,
      (r.bytes / (bpe ? r.bpeTokens! : r.byteTokens)).toFixed(3),
    ].filter((c): c is string => c !== null)
  );
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  const lines = [line(header), ...body.map(line)];
  if (rows.some((r) => r.source === "synthetic")) {
    const limits = syntheticLimits();
    lines.push(
      `synthetic: order-3 Markov source, entropy rate ${limits.entropyRateNats.toFixed(6)} nats/symbol ` +
        `= ${limits.entropyRateBitsPerByte.toFixed(6)} bits/byte (the Bayes limit)`,
    );
  }
  return lines.join("\n");
}
