import { registerBackendSmoke } from "./_backend_smoke.ts";

registerBackendSmoke("wasm", null);
