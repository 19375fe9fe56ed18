/**
 * Errors that mean "the user gave bad input". The CLI prints their message
 * on one line and exits with code 2, without a stack trace.
 *
 * @example
 * ```ts
 * import { UsageError } from "./errors.ts";
 * throw new UsageError("unknown backend 'tpu' (expected auto, webgpu, wasm or cpu)");
 * ```
 */
export class UsageError extends Error {
  /** Exit code the CLI uses for this error. */
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * A backend or device that was asked for explicitly and cannot start.
 *
 * @example
 * ```ts
 * import { BackendUnavailableError } from "./errors.ts";
 * throw new BackendUnavailableError("webgpu", "navigator.gpu gave no adapter");
 * ```
 */
export class BackendUnavailableError extends UsageError {
  constructor(readonly backend: string, reason: string) {
    super(`backend '${backend}' is unavailable: ${reason}`);
    this.name = "BackendUnavailableError";
  }
}
