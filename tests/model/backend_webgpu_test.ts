import { NO_WEBGPU } from "../_backend_harness.ts";
import { registerBackendSmoke } from "./_backend_smoke.ts";

registerBackendSmoke("webgpu", NO_WEBGPU);
