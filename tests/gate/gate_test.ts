/**
 * The gate end to end through the CLI: a baseline made by `--update-baseline`
 * passes on its own results and fails on planted regressions (a worse loss in
 * the result files, a flipped claim) with a table that names what moved.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { cli } from "../runner/_cli.ts";
import { readBaseline } from "../../src/gate/mod.ts";

const gateArgs = (dir: string, ...extra: string[]) => [
  "gate",
  "--scale",
  "smoke",
  "--results",
  join(dir, "results"),
  "--baseline",
  join(dir, "baseline.json"),
  "--quiet",
  ...extra,
];

async function rewriteJsonl(path: string, edit: (row: Record<string, unknown>) => void): Promise<void> {
  const rows = (await Deno.readTextFile(path)).trim().split("\n").map((l) => JSON.parse(l));
  rows.forEach(edit);
  await Deno.writeTextFile(path, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
}

Deno.test("gate: --update-baseline writes measured bands; the gate passes on its own results, fails on planted regressions", async () => {
  const dir = await Deno.makeTempDir({ prefix: "polycom-gate-test-" });
  try {
    // A private job summary, so a test run inside GitHub Actions leaves the real one alone.
    const stepSummary = join(dir, "step-summary.md");
    const ci = { GITHUB_STEP_SUMMARY: stepSummary };
    const made = await cli(gateArgs(dir, "--update-baseline"), ci);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /baseline written/);
    const baseline = await readBaseline(join(dir, "baseline.json"));
    assert.deepEqual(baseline.seeds, [0, 1]);
    assert.equal(baseline.runs.length, 6);
    assert.deepEqual(baseline.method.driftRuns, ["6 runs repeated on wasm", "3 runs repeated on cpu"]);
    const loss = baseline.bands.finalTrainLoss;
    // Seeds differ, so the spread is real; a second backend reorders float sums, so drift is small but not huge.
    assert.ok(loss.seedStd > 0, "seed spread measured");
    assert.ok(loss.sameSeedDrift < 1e-2, `drift ${loss.sameSeedDrift}`);
    assert.equal(loss.band, Math.max(3 * loss.sameSeedDrift, 2 * loss.seedStd * Math.sqrt(2 / 2), 1e-4));

    // The same results again: every run is skipped and every number is identical.
    const json = join(dir, "gate.json");
    const summary = join(dir, "summary.md");
    const junit = join(dir, "junit.xml");
    await Deno.writeTextFile(stepSummary, "an earlier step's summary\n");
    const again = await cli(gateArgs(dir, "--json", json, "--summary", summary, "--junit", junit), ci);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /gate: PASSED/);
    const result = JSON.parse(await Deno.readTextFile(json));
    assert.equal(result.passed, true);
    assert.ok(result.metrics.every((m: { delta: number }) => m.delta === 0));
    const table = again.stdout.slice(again.stdout.indexOf("## polycom-repro gate"));
    assert.equal(await Deno.readTextFile(summary), table);
    // In GitHub Actions the table is appended to the job summary; the JUnit file has a test case per gated metric.
    assert.equal(await Deno.readTextFile(stepSummary), "an earlier step's summary\n" + table);
    const cases = (await Deno.readTextFile(junit)).match(/<testcase classname="gate\.(?!claims)/g) ?? [];
    assert.equal(cases.length, result.metrics.length);
    assert.ok(result.metrics.length >= 3 * Object.keys(baseline.bands).length, "every activation's metrics gated");

    // Planted regression: PolyNorm's logged training loss is worse by twice its band.
    const suiteDir = join(dir, "results", "gate");
    const worse = 2 * loss.band;
    for (const entry of Deno.readDirSync(suiteDir)) {
      if (!entry.name.startsWith("polynorm-")) continue;
      await rewriteJsonl(join(suiteDir, entry.name, "metrics.jsonl"), (row) => {
        row.ce = (row.ce as number) + worse;
        row.loss = (row.loss as number) + worse;
      });
    }
    const regressed = await cli(gateArgs(dir, "--junit", junit), ci);
    assert.equal(regressed.code, 1, regressed.stderr);
    assert.match(
      await Deno.readTextFile(junit),
      /<testcase classname="gate\.polynorm" name="finalTrainLoss"><failure message="regressed: /,
    );
    assert.match(regressed.stdout, /gate: FAILED/);
    assert.match(
      regressed.stdout,
      /\| polynorm \| finalTrainLoss \| [\d.]+ \| [\d.]+ \| \+[\d.]+ \| ±[\d.]+ \| lower \| \*\*regressed\*\* \|/,
    );
    assert.doesNotMatch(regressed.stdout, /\| swiglu \| finalTrainLoss [^\n]*regressed/);

    // Planted flipped claim: the baseline says a claim was reproduced; the current results do not reproduce it.
    const text = JSON.parse(await Deno.readTextFile(join(dir, "baseline.json")));
    const claim = Object.keys(text.verdicts).find((k) => text.verdicts[k] !== "reproduced")!;
    text.verdicts[claim] = "reproduced";
    text.runs = text.runs.map((r: { activation: string; metrics: Record<string, number> }) =>
      r.activation === "polynorm"
        ? { ...r, metrics: { ...r.metrics, finalTrainLoss: r.metrics.finalTrainLoss + worse } }
        : r
    );
    await Deno.writeTextFile(join(dir, "baseline.json"), JSON.stringify(text));
    const flipped = await cli(gateArgs(dir), ci);
    assert.equal(flipped.code, 1);
    assert.match(
      flipped.stdout,
      new RegExp(
        `\\| ${claim.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} \\| reproduced \\| \\w+ \\| \\*\\*flipped\\*\\* \\|`,
      ),
    );
    assert.match(flipped.stdout, /1 claim\(s\) flipped/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("gate: bad input exits 2 with one line", async () => {
  const dir = await Deno.makeTempDir({ prefix: "polycom-gate-test-" });
  try {
    await Deno.writeTextFile(join(dir, "broken.json"), '{"schema": "nope"}');
    const cases: Array<[string[], RegExp]> = [
      [["gate", "--baseline", join(dir, "none.json"), "--results", join(dir, "r")], /none\.json/],
      [["gate", "--baseline", join(dir, "broken.json"), "--results", join(dir, "r")], /broken\.json/],
      [["gate", "--scale", "paper"], /argument 'paper' is invalid/],
      [["gate", "--suite", "nope", "--update-baseline", "--baseline", join(dir, "b.json")], /unknown suite 'nope'/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
