/** The gpu.js backends' modes and options, apart from gpu.js's own types (an optional dependency). */
export const GPUJS_MODES = ['headlessgl', 'webasm', 'cpu'] as const;
export type GpujsMode = (typeof GPUJS_MODES)[number];
export type GpujsOptions = { mode?: GpujsMode };
