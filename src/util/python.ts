/**
 * Finding the Python environment of the optional peers and checks (PyTorch,
 * transformers), made by `tools/python_env.sh`.
 * @module
 */
import { fileURLToPath } from "node:url";

/** The repository root, from this file's place in it. */
const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** What {@linkcode findPython} found: an interpreter that imports the modules, or why there is none. */
export type PythonLookup = { ok: true; python: string; versions: Record<string, string> } | {
  ok: false;
  reason: string;
};

function candidates(): string[] {
  const list: string[] = [];
  try {
    const fromEnv = Deno.env.get("POLYCOM_PYTHON");
    if (fromEnv) list.push(fromEnv);
    const venv = Deno.env.get("POLYCOM_VENV");
    if (venv) list.push(`${venv}/bin/python`);
  } catch {
    // No --allow-env: only the default place.
  }
  list.push(`${REPO_ROOT}.venv/bin/python`);
  return list;
}

/**
 * The first interpreter (`$POLYCOM_PYTHON`, `$POLYCOM_VENV/bin/python`, then
 * `.venv/bin/python` at the repository root) that imports every module named,
 * with the modules' versions; otherwise a reason that names the setup command.
 *
 * @example
 * ```ts
 * const py = await findPython(["torch", "transformers"]);
 * if (py.ok) console.log(py.python, py.versions.torch);
 * else console.log(`skipped: ${py.reason}`);
 * ```
 */
export async function findPython(modules: readonly string[]): Promise<PythonLookup> {
  const tried: string[] = [];
  const script = `import importlib, json, sys
out = {}
for name in sys.argv[1:]:
    m = importlib.import_module(name)
    out[name] = getattr(m, "__version__", "")
print(json.dumps(out))`;
  for (const python of candidates()) {
    try {
      const out = await new Deno.Command(python, { args: ["-c", script, ...modules], stdout: "piped", stderr: "piped" })
        .output();
      if (out.success) {
        return { ok: true, python, versions: JSON.parse(new TextDecoder().decode(out.stdout)) };
      }
      tried.push(`${python} lacks ${modules.join("/")}`);
    } catch {
      tried.push(`${python} not found`);
    }
  }
  return { ok: false, reason: `no Python with ${modules.join(", ")} (${tried.join("; ")}); run tools/python_env.sh` };
}
