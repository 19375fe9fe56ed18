/**
 * Typed loaders for the paper's data in `data/` (copied unchanged from the
 * paper package; see data/README.md). Files are read once and cached.
 * @module
 */
import { z } from "zod";

/**
 * The folder holding the published files.
 *
 * @example
 * ```ts
 * Deno.readTextFileSync(new URL("SUMMARY.md", PUBLISHED_DATA_DIR));
 * ```
 */
export const PUBLISHED_DATA_DIR: URL = new URL("./data/", import.meta.url);

/** The JSON documents of the paper package. */
export type PublishedDocument = "published.json" | "derived_from_curves.json" | "curves_index.json";

const Experiment = z.looseObject({
  id: z.string(),
  description: z.string(),
  training_tokens: z.looseObject({ paper: z.number().nullable().optional() }).optional(),
});

/**
 * The parts of published.json the project reads by name; the rest stays reachable by pointer.
 *
 * @example
 * ```ts
 * PublishedJson.parse(publishedDocument("published.json")).source.title;
 * ```
 */
export const PublishedJson = z.looseObject({
  schema_version: z.string(),
  source: z.looseObject({ title: z.string(), arxiv_id: z.string(), code: z.string(), venue: z.string() }),
  experiments: z.array(Experiment),
  results: z.looseObject({ figure_derived: z.record(z.string(), z.unknown()) }),
  missing: z.array(z.string()),
});
/** The parts of published.json the project reads by name. */
export type PublishedJson = z.infer<typeof PublishedJson>;

const cache = new Map<string, unknown>();

function readText(name: string): string {
  try {
    return Deno.readTextFileSync(new URL(name, PUBLISHED_DATA_DIR));
  } catch (error) {
    throw new Error(`published data file '${name}' is unreadable: ${(error as Error).message}`);
  }
}

/**
 * One JSON document of the paper package, parsed (cached).
 *
 * @example
 * ```ts
 * const derived = publishedDocument("derived_from_curves.json");
 * ```
 */
export function publishedDocument(name: PublishedDocument): unknown {
  if (!cache.has(name)) cache.set(name, JSON.parse(readText(name)));
  return cache.get(name);
}

/**
 * published.json, validated for the keys the project relies on.
 *
 * @example
 * ```ts
 * loadPublished().source.arxiv_id; // "2411.03884"
 * ```
 */
export function loadPublished(): PublishedJson {
  return PublishedJson.parse(publishedDocument("published.json"));
}

/** One row of a digitised curve file. */
export interface CurvePoint {
  x: number;
  y: number;
  /** Hidden by the axes in the published figure. */
  clipped: boolean;
}

/** One digitised series of a panel: a named activation and a trace (`bold` plotted, `faint` raw). */
export interface PublishedSeries {
  series: string;
  trace: "bold" | "faint";
  /** In file order (the MoE training loss is not monotone in x; see curves_index.json). */
  points: CurvePoint[];
}

/**
 * Reads a digitised curve file (`series,trace,x,y,clipped`), grouped by series and trace (cached).
 *
 * @example
 * ```ts
 * const series = readCurves("curves_dense_train_loss.csv");
 * series.find((s) => s.series === "PolyNorm")?.points.length;
 * ```
 */
export function readCurves(file: string): PublishedSeries[] {
  if (!/^curves_[a-z0-9_]+\.csv$/.test(file)) throw new Error(`'${file}' is not a curve file name`);
  const key = `csv:${file}`;
  if (cache.has(key)) return cache.get(key) as PublishedSeries[];
  const lines = readText(file).split("\n").map((l) => l.trim()).filter(Boolean);
  if (lines[0] !== "series,trace,x,y,clipped") throw new Error(`${file}: unexpected header '${lines[0]}'`);
  const bySeries = new Map<string, PublishedSeries>();
  for (let i = 1; i < lines.length; i++) {
    const [series, trace, x, y, clipped] = lines[i].split(",");
    if (trace !== "bold" && trace !== "faint") throw new Error(`${file}:${i + 1}: trace '${trace}'`);
    const point = { x: Number(x), y: Number(y), clipped: clipped === "1" };
    if (!Number.isFinite(point.x) || !Number.isFinite(point.y)) throw new Error(`${file}:${i + 1}: not a number`);
    const id = `${series}/${trace}`;
    if (!bySeries.has(id)) bySeries.set(id, { series, trace, points: [] });
    bySeries.get(id)!.points.push(point);
  }
  const result = [...bySeries.values()];
  cache.set(key, result);
  return result;
}
