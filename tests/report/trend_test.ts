import assert from "node:assert/strict";
import { join } from "node:path";
import { describeTrend, sizeTrends } from "../../src/judge/trend.ts";
import { selectRuns } from "../../src/judge/select.ts";
import { buildReportData, writeReports } from "../../src/report/mod.ts";
import { estimateLines } from "../../src/report/_md_results.ts";
import { loadRuns } from "../../src/results/io.ts";
import { type FixtureRun, writeFixtureSuite } from "./_fixtures.ts";

const T975_2 = 4.302652730; // t(0.975, 2)

function finalCe(run: FixtureRun): number {
  const n = Math.max(1, Math.round(run.metrics.length * 0.05));
  const tail = run.metrics.slice(-n).map((m) => m.ce);
  return tail.reduce((a, b) => a + b, 0) / tail.length;
}

/** Mean and 95% interval of PolyNorm − SwiGLU final training loss, recomputed from the written rows. */
function expectedGap(runs: FixtureRun[]): { mean: number; lo: number; hi: number } {
  const d = [0, 1, 2].map((seed) => {
    const of = (a: string) => finalCe(runs.find((r) => r.activation === a && r.seed === seed)!);
    return of("polynorm") - of("swiglu");
  });
  const m = d.reduce((a, b) => a + b, 0) / 3;
  const sd = Math.sqrt(d.reduce((a, v) => a + (v - m) ** 2, 0) / 2);
  const h = (T975_2 * sd) / Math.sqrt(3);
  return { mean: m, lo: m - h, hi: m + h };
}

async function twoRungs(root: string) {
  const common = { root, seeds: [0, 1, 2], runNoise: 0.004, suite: "ladder-dense" };
  const small = await writeFixtureSuite({
    ...common,
    scale: "smoke",
    tag: "smoke",
    parameters: 120_000,
    steps: 120,
    effects: { swiglu: 0, polynorm: 0.01 },
  });
  const large = await writeFixtureSuite({
    ...common,
    scale: "cpu",
    tag: "cpu",
    parameters: 860_000,
    steps: 200,
    effects: { swiglu: 0, polynorm: -0.03 },
  });
  return { small, large };
}

Deno.test("the trend across two rungs: one point per rung, numbers from the result files, the paper's point", async () => {
  const root = await Deno.makeTempDir();
  try {
    const { small, large } = await twoRungs(join(root, "results"));
    const runs = await loadRuns(join(root, "results"));
    const trends = sizeTrends(runs, { parameters: 1.345e9, tokens: 250e9 });
    const gap = trends.find((t) => t.claim.id === "dense.train_loss_gap" && t.key === "polynorm-vs-swiglu")!;
    assert.ok(gap, trends.map((t) => `${t.claim.id}/${t.key}`).join(", "));
    assert.deepEqual(gap.points.map((p) => [p.scale, p.parameters]), [["smoke", 120_000], ["cpu", 860_000]]);
    assert.deepEqual(gap.points.map((p) => p.tokens), [
      small[0].record.progress.totalTokens,
      large[0].record.progress.totalTokens,
    ]);
    for (const [point, written] of [[gap.points[0], small], [gap.points[1], large]] as const) {
      const e = expectedGap(written);
      for (const k of ["mean", "lo", "hi"] as const) {
        assert.ok(Math.abs(point.interval[k] - e[k]) < 1e-12, `${point.scale} ${k}: ${point.interval[k]} vs ${e[k]}`);
      }
    }
    assert.deepEqual(gap.paper, { parameters: 1.345e9, tokens: 250e9, effect: -0.019 });
    // Worse than SwiGLU at the small rung, better at the large one: the gap grows in the paper's direction.
    const f = describeTrend(gap);
    assert.ok(f.first < 0 && f.last > 0, `${f.first} ${f.last}`);
    assert.equal(f.direction, "grows");
    assert.equal(f.signChange, true);
    // One rung only: no trend.
    assert.deepEqual(sizeTrends(runs.filter((r) => r.record.scale === "cpu"), null), []);

    await writeReports({ resultsDir: join(root, "results"), outDir: join(root, "reports"), now: new Date(0) });
    const text = await Deno.readTextFile(join(root, "reports", "ladder-dense", "REPORT.md"));
    assert.match(text, /### Trend across sizes/);
    assert.match(text, /!\[Training-loss gap to SwiGLU across sizes\]\(trend_dense_train_loss_gap\.png\)/);
    assert.match(
      text,
      /PolyNorm vs SwiGLU: in the paper's direction the gap grows with size, from -0\.\d{4} at 120\.0k parameters to 0\.\d{4} at 860\.0k, changing sign on the way; at the largest rung \(cpu\) the verdict is \w+; the paper's -0\.0190 is at 1\.35B parameters\./,
    );
    const png = await Deno.readFile(join(root, "reports", "ladder-dense", "trend_dense_train_loss_gap.png"));
    assert.ok(png.length > 10_000);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("estimated vs actual run time, when the records carry both", async () => {
  const root = await Deno.makeTempDir();
  try {
    await writeFixtureSuite({ root, effects: { swiglu: 0, polynorm: -0.02 }, seeds: [0, 1] });
    const runs = await loadRuns(root);
    assert.deepEqual(estimateLines(buildReportData(selectRuns(runs), null)), [], "older records: no table");
    runs.forEach((r, i) => Object.assign(r.record.timings, { estimatedSeconds: 100, wallSeconds: 90 + 10 * i }));
    const lines = estimateLines(buildReportData(selectRuns(runs), null));
    const text = lines.join("\n");
    assert.match(text, /\| PolyNorm s0 \| 100\.0 \| 90\.0 \| 0\.90 \|/);
    assert.match(text, /\| all of these runs \| 400\.0 \| 420\.0 \| 1\.05 \|/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
