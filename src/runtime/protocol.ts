// Messages between the kernel thread and a process worker (everything else goes over the SyscallChannel).

export interface StartMessage {
  type: 'start';
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  channel: SharedArrayBuffer;
  /** "module.name" -> kernel ABI call index, for every import the kernel serves. */
  calls: Record<string, number>;
  argv: string[];
  env: string[];
}

export type WorkerReport =
  | { type: 'exited'; code: number }
  | { type: 'trapped'; signal: number; message: string }
  | { type: 'failed'; message: string };
