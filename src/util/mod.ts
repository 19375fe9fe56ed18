/**
 * Small shared utilities: user errors, atomic writes, JSON file reads, hashes, seeded randomness, erf.
 * @module
 */
export { BackendUnavailableError, UsageError } from "./errors.ts";
export { replaceDirAtomic, writeFileAtomic, writeJsonAtomic } from "./atomic.ts";
export { readJsonFile } from "./json_file.ts";
export { canonicalJson, fnv1a32, sha256Hex } from "./hash.ts";
export { Rng } from "./rng.ts";
export { erf, erfc } from "./erf.ts";
export { findPython, type PythonLookup } from "./python.ts";
