import { type Command, Option } from "@commander-js/extra-typings";
import { assertSource, DEFAULT_CACHE_DIR, type SourceName, SOURCES, vocabSizeFor } from "../../data/mod.ts";
import { dataStats, formatDataStats } from "../../data/stats.ts";
import { UsageError } from "../../util/errors.ts";

function parseSources(value: string): SourceName[] {
  const names = value.split(",").map((s) => s.trim()).filter((s) => s !== "");
  for (const name of names) assertSource(name);
  if (names.length === 0) throw new UsageError("--sources names no source");
  return names as SourceName[];
}

function parseVocab(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value)) throw new UsageError(`--bpe expects a vocabulary size, got '${value}'`);
  vocabSizeFor({ bpe: n });
  return n;
}

/** `data`: the offline corpora; `data stats` prints their sizes per source and split. */
export function addDataCommand(program: Command): void {
  const data = program.command("data").description("offline corpora, splits and tokenizers");
  data.command("stats")
    .description("print documents, bytes and tokens per source and split (builds caches as needed)")
    .addOption(
      new Option("--sources <list>", "comma-separated sources (also text:PATH, jsonl:PATH#FIELD, parquet:PATH#COLUMN)")
        .default(SOURCES.join(",")),
    )
    .addOption(new Option("--bpe <vocab>", "also count tokens of a BPE with this vocabulary (trained if not cached)"))
    .addOption(new Option("--cache-dir <dir>", "cache directory").default(DEFAULT_CACHE_DIR))
    .addOption(new Option("--json", "print JSON rows instead of a table"))
    .action(async (options) => {
      const sources = parseSources(options.sources);
      const bpe = options.bpe === undefined ? undefined : parseVocab(options.bpe);
      const log = (line: string) => console.error(line);
      const rows = await dataStats(sources, { bpe, cacheDir: options.cacheDir, log });
      console.log(options.json ? JSON.stringify(rows, null, 2) : formatDataStats(rows, bpe));
    });
}
