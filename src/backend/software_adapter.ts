/**
 * Telling a software WebGPU adapter from a GPU by its description: a leaf
 * module (no imports), so the kernels can ask without loading the
 * fingerprint, which loads the kernels.
 * @module
 */

/**
 * Software rasterisers that some drivers do not flag as fallback adapters.
 *
 * @example
 * ```ts
 * isSoftwareDescription("llvmpipe (LLVM 15.0.6, 256 bits)"); // true
 * ```
 */
export function isSoftwareDescription(description: string): boolean {
  return /llvmpipe|lavapipe|swiftshader|software/i.test(description);
}
