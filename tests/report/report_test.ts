import assert from "node:assert/strict";
import { join } from "node:path";
import { createCanvas, loadImage } from "@napi-rs/canvas";
import { addReportCommand } from "../../src/cli/commands/report.ts";
import { chartFont } from "../../src/report/charts/mod.ts";
import { claimsFor, claimVerdicts, countVerdicts, type Verdict } from "../../src/judge/mod.ts";
import { writeReports } from "../../src/report/mod.ts";
import { loadRuns } from "../../src/results/io.ts";
import { PLAN_SCHEMA, writePlan } from "../../src/results/plan.ts";
import { runCommands } from "../_cli.ts";
import { type FixtureRun, writeFixtureSuite } from "./_fixtures.ts";

// Independent references: written out here rather than imported, so a bug in the report's code cannot hide.
const T975: Record<number, number> = { 2: 12.706204736, 3: 4.302652730 };

function finalCe(run: FixtureRun): number {
  const n = Math.max(1, Math.round(run.metrics.length * 0.05));
  const tail = run.metrics.slice(-n).map((m) => m.ce);
  return tail.reduce((a, b) => a + b, 0) / tail.length;
}

function meanValLoss(run: FixtureRun): number {
  const last = run.evals[run.evals.length - 1];
  const losses = Object.values(last.sources).map((s) => s.loss);
  return losses.reduce((a, b) => a + b, 0) / losses.length;
}

function ci(values: number[], digits: number, sign: boolean): string {
  const n = values.length;
  const m = values.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (n - 1));
  const h = (T975[n] * sd) / Math.sqrt(n);
  const f = (v: number) => (sign && v >= 0 ? "+" : "") + v.toFixed(digits);
  return `${f(m)} [${f(m - h)}, ${f(m + h)}]`;
}

function png(bytes: Uint8Array): { width: number; height: number } {
  assert.deepEqual([...bytes.slice(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "PNG signature");
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  assert.equal(new TextDecoder().decode(bytes.slice(12, 16)), "IHDR");
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/**
 * Runs the `report` command the way the CLI does (errors mapped to one printed line and an exit code), without
 * loading the other commands and with them tfjs.
 */
async function runReportCli(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const r = await runCommands([addReportCommand], args);
  return { code: r.code, out: r.out, err: [...r.err, ...(r.failure ?? [])] };
}

/** Counts dark pixels (text, axes, error bars) and saturated ones (data lines and bars) of a PNG. */
async function inks(bytes: Uint8Array): Promise<{ dark: number; colour: number; total: number }> {
  const image = await loadImage(bytes);
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext("2d");
  ctx.drawImage(image, 0, 0);
  const data = ctx.getImageData(0, 0, image.width, image.height).data;
  let dark = 0;
  let colour = 0;
  for (let i = 0; i < data.length; i += 4) {
    const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
    if (r < 90 && g < 90 && b < 90) dark++;
    if (Math.max(r, g, b) - Math.min(r, g, b) > 60) colour++;
  }
  return { dark, colour, total: image.width * image.height };
}

Deno.test("chart text renders: a font is available and draws ink", async () => {
  assert.ok(chartFont().length > 0);
  const canvas = createCanvas(200, 60);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, 200, 60);
  ctx.fillStyle = "#000";
  ctx.font = `24px "${chartFont()}"`;
  ctx.fillText("PolyNorm 2.17", 5, 40);
  const { dark } = await inks(new Uint8Array(await canvas.encode("png")));
  assert.ok(dark > 100, `only ${dark} dark pixels: text did not render`);
});

Deno.test("report from fixture results: numbers match the result files, missing runs listed, charts drawn", async () => {
  const root = await Deno.makeTempDir({ prefix: "polycom-report-" });
  const out = join(root, "reports");
  const results = join(root, "results");
  try {
    const runs = await writeFixtureSuite({
      root: results,
      effects: { swiglu: 0, polynorm: -0.05, polyrelu: -0.02, gelu: 0.03 },
      seeds: [0, 1, 2],
      omit: ["gelu/2"],
      withManifest: true,
    });
    await Deno.mkdir(join(results, "bench"), { recursive: true });
    await Deno.writeTextFile(
      join(results, "bench", "latest.json"),
      JSON.stringify([
        {
          name: "train-step",
          backend: "wasm",
          activation: "polynorm",
          msPerStepMedian: 12.345,
          tokensPerSecond: 5309,
          mfu: 0.0123,
          env: {},
        },
      ]),
    );
    const written = await writeReports({ resultsDir: results, outDir: out, now: new Date("2025-03-04T05:06:07Z") });
    assert.deepEqual(written, [join(out, "fixture-dense", "REPORT.md")]);
    const md = await Deno.readTextFile(written[0]);

    const of = (a: string) => runs.filter((r) => r.activation === a).sort((x, y) => x.seed - y.seed);
    // Final metrics per activation: mean [95% CI] of the final training loss and mean validation loss.
    for (const [a, name] of [["polynorm", "PolyNorm"], ["swiglu", "SwiGLU"], ["gelu", "GELU"]]) {
      const row = `| ${name} | ${of(a).map((r) => r.seed).join(", ")} | ${ci(of(a).map(finalCe), 4, false)} | ${
        ci(of(a).map(meanValLoss), 4, false)
      } |`;
      assert.ok(md.includes(row), `missing row: ${row}`);
    }
    // Paired gap to SwiGLU, per seed and with its interval, in the claim's table.
    const d = of("polynorm").map((r, i) => finalCe(r) - finalCe(of("swiglu")[i]));
    const gapRow = `| PolyNorm vs SwiGLU | -0.019 [der] | d < 0 | ${ci(d, 4, true)} | ${
      d.map((v, i) => `s${i}: ${v.toFixed(4)}`).join(", ")
    } | 3 | **reproduced** |`;
    assert.ok(md.includes(gapRow), `missing: ${gapRow}`);
    // GELU has two paired seeds (seed 2 is missing): its interval uses t(0.975, 1).
    const dg = of("gelu").map((r) => finalCe(r) - finalCe(of("swiglu")[r.seed]));
    assert.ok(md.includes(`| GELU vs SwiGLU | 0.018 [der] | d > 0 | ${ci(dg, 4, true)} |`));
    // Missing runs are listed, never filled in.
    assert.match(md, /1 expected run\(s\) have no usable result/);
    assert.ok(md.includes("| GELU | 2 | no result |"));
    assert.match(md, /from 11 finished run\(s\) of 12 expected/);
    // The verdicts in the report are those of claimVerdicts.
    const verdicts = claimVerdicts(await loadRuns(results));
    assert.equal(verdicts["dense.train_loss_gap/polynorm-vs-swiglu"], "reproduced");
    assert.ok(md.includes(`### C1. Training-loss gap to SwiGLU: **${verdicts["dense.train_loss_gap"]}**`));
    // The summary counts every category, over the claims' words and over all comparisons.
    const summary = md.split("\n").find((l) => l.startsWith("**Summary.**"))!;
    const [byClaim, byComparison] = summary.split(/All \d+ comparisons:/);
    const ids = claimsFor("dense_1B").map((c) => c.id);
    for (const [v, n] of countVerdicts(ids.map((id) => verdicts[id] as Verdict))) {
      assert.ok(
        byClaim.includes(`: ${n} ${v};`) || byClaim.includes(`; ${n} ${v};`) || byClaim.includes(`; ${n} ${v}.`),
        `${n} ${v}`,
      );
    }
    const keys = Object.keys(verdicts).filter((k) => k.includes("/"));
    for (const [v, n] of countVerdicts(keys.map((k) => verdicts[k] as Verdict))) {
      assert.ok(
        byComparison.includes(` ${n} ${v};`) || byComparison.includes(`; ${n} ${v}.`),
        `comparisons: ${n} ${v}`,
      );
    }
    // Every task states its chance level; mc4 ends above it, lastword4 at it.
    assert.match(md, /\| `mc4` \| 0\.250 \| 100 \| [^\n]* \| yes \|/);
    assert.match(md, /\| `lastword4` \| 0\.250 \| 100 \| [^\n]* \| no: at chance at this size \|/);
    // Method: manifest, fingerprint, rule; throughput and bench.
    assert.ok(md.includes("| parameter matching | 5504 vs 8256 | w vs 1.5 w | yes | fairness |"));
    assert.ok(md.includes("| CPU | Fixture CPU @ 2.0GHz (2 cores) |"));
    assert.match(md, /\*\*Verdict rule\.\*\* Each comparison pairs runs by seed/);
    assert.ok(md.includes("| train-step | wasm | PolyNorm | 12.35 | 5309 | 1.23% |"));
    const sw0 = of("swiglu")[0].record;
    assert.ok(md.includes(`| SwiGLU s0 | cpu | ${(sw0.timings.trainSeconds * 1000 / 200).toFixed(1)} |`));
    assert.match(md, /Generated 2025-03-04T05:06:07.000Z/);

    // Every chart the markdown references exists and is a drawn PNG.
    const referenced = [...md.matchAll(/!\[[^\]]*\]\(([^)]+\.png)\)/g)].map((m) => m[1]);
    for (
      const file of [
        "train_loss.png",
        "train_loss_tail.png",
        "val_loss_brown.png",
        "val_loss_nlp-corpus.png",
        "paper_overlay_train.png",
        "paper_overlay_val.png",
        "gap_vs_paper.png",
        "speedup.png",
        "coefficients_polynorm.png",
        "coefficients_polyrelu.png",
        "throughput.png",
      ]
    ) assert.ok(referenced.includes(file), `REPORT.md does not show ${file}`);
    for (const file of referenced) {
      const bytes = await Deno.readFile(join(out, "fixture-dense", file));
      assert.ok(bytes.length > 15_000, `${file}: ${bytes.length} bytes`);
      const { width, height } = png(bytes);
      assert.equal(width, 1200, file);
      assert.ok(height >= 420, file);
      const ink = await inks(bytes);
      assert.ok(ink.dark > 2_000, `${file}: ${ink.dark} dark pixels (no text?)`);
      assert.ok(ink.colour > 2_000, `${file}: ${ink.colour} coloured pixels (no data?)`);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("the plan record the runner wrote decides the expected runs", async () => {
  const root = await Deno.makeTempDir({ prefix: "polycom-report-" });
  try {
    // smoke-dense plans polynorm, polyrelu, swiglu × seeds 0, 1 at the smoke scale; only seed 0 of two exist here.
    await writeFixtureSuite({
      root,
      suite: "smoke-dense",
      scale: "smoke",
      effects: { swiglu: 0, polynorm: -0.05 },
      seeds: [0],
      steps: 40,
    });
    // Without a plan record the report infers the expected runs from those present.
    const [inferred] = await writeReports({ resultsDir: root, outDir: join(root, "out"), charts: false });
    assert.match(await Deno.readTextFile(inferred), /inferred from the runs present/);
    await writePlan(root, {
      schema: PLAN_SCHEMA,
      suite: "smoke-dense",
      experiment: "dense_1B",
      family: "dense",
      baseline: "swiglu",
      suiteHash: "test",
      suitePath: "suites/smoke.ts",
      code: { commit: "test", dirty: false, sourceHash: "test" },
      budgetSeconds: null,
      jobs: 1,
      estimateBasis: null,
      rungs: [{
        rung: "smoke",
        activations: ["polynorm", "polyrelu", "swiglu"],
        seeds: [0, 1],
        runs: [],
        leftOut: [{ activation: "gelu", seed: 0, estimatedSeconds: 5 }],
        seedChoice: {
          rule: "80% power for the paper's effect from the pilot's paired SD",
          pilotSd: 0.0131,
          target: 9,
          chosen: 2,
          cap: 12,
          reason: "The time budget fits 2.",
        },
        plannedAt: new Date().toISOString(),
      }],
    });
    const [path] = await writeReports({ resultsDir: root, outDir: join(root, "out"), charts: false });
    const md = await Deno.readTextFile(path);
    // The plan's seed choice is stated as the plan gives it.
    assert.ok(
      md.includes(
        "**Seeds.** 80% power for the paper's effect from the pilot's paired SD: pilot paired SD 0.0131; the rule " +
          "asked for 9 paired seed(s), 2 were run (at most 12). The time budget fits 2.",
      ),
    );
    assert.match(md, /plan record smoke-dense\/plan\.json, rung smoke; the time budget left out gelu seed 0/);
    for (
      const row of [
        "| PolyReLU | 0 | no result |",
        "| PolyReLU | 1 | no result |",
        "| SwiGLU | 1 | no result |",
        "| PolyNorm | 1 | no result |",
      ]
    ) {
      assert.ok(md.includes(row), row);
    }
    assert.match(md, /This is a smoke-scale run/);
    assert.deepEqual([...Deno.readDirSync(join(root, "out", "smoke-dense"))].map((e) => e.name), ["REPORT.md"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("degenerate results still give a report: nothing finished, or no baseline", async () => {
  const root = await Deno.makeTempDir({ prefix: "polycom-report-" });
  try {
    await writeFixtureSuite({
      root,
      suite: "all-running",
      effects: { swiglu: 0, polynorm: -0.05 },
      seeds: [0],
      status: { "swiglu/0": "running", "polynorm/0": "failed" },
    });
    await writeFixtureSuite({ root, suite: "only-polynorm", effects: { polynorm: 0 }, seeds: [0, 1] });
    const written = await writeReports({ resultsDir: root, outDir: join(root, "out") });
    assert.equal(written.length, 2);
    const running = await Deno.readTextFile(written[0]);
    assert.match(running, /from 0 finished run\(s\) of 2 expected/);
    assert.ok(
      running.includes(
        `0 inconclusive; 0 not judged; 0 untestable at this size; ${claimsFor("dense_1B").length} untested`,
      ),
      running.slice(0, 600),
    );
    assert.ok(running.includes("| PolyNorm | 0 | failed: Error: fixture failure |"));
    assert.ok(running.includes("| SwiGLU | 0 | unfinished (step 100 of 200) |"));
    assert.ok(
      running.includes("PolyNorm vs SwiGLU: no paired seed (no finished run of polynorm; no finished run of swiglu)"),
    );
    const lonely = await Deno.readTextFile(written[1]);
    assert.ok(lonely.includes("not testable here (SwiGLU, PolyReLU, GELU, ReLU)"));
    assert.match(lonely, /None: every expected run finished\./);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("cli report: writes reports, and bad input exits 2 with one line", async () => {
  const root = await Deno.makeTempDir({ prefix: "polycom-report-cli-" });
  try {
    await writeFixtureSuite({
      root: join(root, "results"),
      effects: { swiglu: 0, polynorm: -0.05 },
      seeds: [0, 1],
      steps: 40,
    });
    const ok = await runReportCli([
      "report",
      "--results",
      join(root, "results"),
      "--out",
      join(root, "r"),
      "--no-charts",
    ]);
    assert.equal(ok.code, 0);
    assert.deepEqual(ok.out, [`report: ${join(root, "r", "fixture-dense", "REPORT.md")}`]);
    assert.deepEqual(ok.err, []);
    const cases: Array<[string[], RegExp]> = [
      [["report", "--results", join(root, "nope")], /^error: results directory '.*nope' does not exist$/],
      [["report", "--results", join(root, "results"), "--suite", "other"], /^error: no runs of suite 'other'/],
      [
        ["report", "--results", join(root, "results"), "--scale", "gpu"],
        /^error: suite 'fixture-dense' has no runs at the 'gpu' scale$/,
      ],
      [["report", "--scale", "Huge!"], /^error: option '--scale <rung>' argument 'Huge!' is invalid/],
    ];
    for (const [args, pattern] of cases) {
      const r = await runReportCli(args);
      assert.equal(r.code, 2, args.join(" "));
      assert.equal(r.err.length, 1, r.err.join(" | "));
      assert.match(r.err[0], pattern);
      assert.deepEqual(r.out, []);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
