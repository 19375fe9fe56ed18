import { probeWebGPU } from "../../src/backend/mod.ts";
import { registerBackendSmoke } from "./_backend_smoke.ts";

const adapter = await probeWebGPU();
registerBackendSmoke("webgpu", adapter ? null : "no WebGPU adapter (install mesa-vulkan-drivers for lavapipe)");
