/**
 * The piscina worker entry point of the `wasm` and `wasm-f32` backends. Each worker instantiates the
 * backend's module once, on the backend's shared memory (both come in piscina's workerData), and then
 * runs one chunk of a call per task: a pure function of the task's sizes and byte offsets.
 */
import { workerData } from 'piscina';

export type WasmTask = {
  op: 'forward' | 'backward' | 'lstmForward' | 'lstmBackward' | 'gruForward' | 'gruBackward';
  args: number[];
};
type Exports = Record<WasmTask['op'], (...args: number[]) => void>;

const { module, memory } = workerData as { module: WebAssembly.Module; memory: WebAssembly.Memory };
const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Exports;

export default function runWasmTask(task: WasmTask): number {
  kernels[task.op](...task.args);
  return task.args[0] as number;
}
