// The WebAssembly JS API as Node 20 provides it (@types/node 20 does not declare it; the DOM lib
// would bring in the whole browser). Only what this project uses.
declare namespace WebAssembly {
  type ImportExportKind = 'function' | 'table' | 'memory' | 'global' | 'tag';
  interface ModuleImportDescriptor { module: string; name: string; kind: ImportExportKind }
  interface ModuleExportDescriptor { name: string; kind: ImportExportKind }
  type BufferSource = ArrayBufferView | ArrayBuffer;

  class Module {
    constructor(bytes: BufferSource);
    static imports(module: Module): ModuleImportDescriptor[];
    static exports(module: Module): ModuleExportDescriptor[];
    static customSections(module: Module, name: string): ArrayBuffer[];
  }

  interface MemoryDescriptor { initial: number; maximum?: number; shared?: boolean }
  class Memory {
    constructor(desc: MemoryDescriptor);
    readonly buffer: ArrayBuffer | SharedArrayBuffer;
    grow(delta: number): number;
  }

  class Table { readonly length: number }
  class Global { value: unknown }

  type ExportValue = ((...args: never[]) => unknown) | Memory | Table | Global;
  type Exports = Record<string, ExportValue>;
  type ImportValue = ((...args: never[]) => unknown) | Memory | Table | Global | number | bigint;
  type Imports = Record<string, Record<string, ImportValue>>;

  class Instance {
    constructor(module: Module, imports?: Imports);
    readonly exports: Exports;
  }

  interface WebAssemblyInstantiatedSource { module: Module; instance: Instance }

  class CompileError extends Error {}
  class LinkError extends Error {}
  class RuntimeError extends Error {}

  function compile(bytes: BufferSource): Promise<Module>;
  function validate(bytes: BufferSource): boolean;
  function instantiate(bytes: BufferSource, imports?: Imports): Promise<WebAssemblyInstantiatedSource>;
  function instantiate(module: Module, imports?: Imports): Promise<Instance>;
}
