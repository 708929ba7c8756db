import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import type { SchemaEngine } from "@prisma/schema-engine-wasm";
import type { ErrorCapturingSqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";

type WasmExports = Record<string, unknown>;

/** The part of the WebAssembly global used here; @types/node 20 does not declare it. */
declare const WebAssembly: {
  instantiate(
    bytes: Uint8Array,
    imports: Record<string, Record<string, unknown>>,
  ): Promise<{ instance: { exports: WasmExports } }>;
};

type BindingsModule = Record<string, unknown> & {
  __wbg_set_wasm(exports: WasmExports): void;
  SchemaEngine: typeof SchemaEngine;
};

let bindingsPromise: Promise<BindingsModule> | undefined;

/**
 * Loads the schema engine compiled to WebAssembly, once per process.
 *
 * The package's own entry imports the `.wasm` file as an ES module, which Node 20 cannot do,
 * so the module is instantiated here with the package's JavaScript glue as its import.
 */
function loadBindings(): Promise<BindingsModule> {
  bindingsPromise ??= (async () => {
    const require = createRequire(import.meta.url);
    // The package exports no package.json, so its folder is found through the glue file.
    const packageDir = path.dirname(require.resolve("@prisma/schema-engine-wasm/schema_engine_bg"));
    const glue =
      (await import("@prisma/schema-engine-wasm/schema_engine_bg")) as unknown as BindingsModule;
    const imports: Record<string, unknown> = { ...glue };
    // The engine arms 10 s timers (connection and lock timeouts) that would keep a finished
    // migrate command alive; unref'd timers still fire while other work keeps the process up.
    for (const [name, value] of Object.entries(glue)) {
      if (name.startsWith("__wbg_setTimeout") && typeof value === "function") {
        imports[name] = (...args: unknown[]) => {
          const timer = (value as (...a: unknown[]) => unknown)(...args);
          (timer as NodeJS.Timeout | undefined)?.unref?.();
          return timer;
        };
      }
    }
    const wasmBytes = await readFile(path.join(packageDir, "schema_engine_bg.wasm"));
    const { instance } = await WebAssembly.instantiate(wasmBytes, {
      "./schema_engine_bg.js": imports,
    });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return glue;
  })();
  return bindingsPromise;
}

/** Log line written by the engine, parsed from its JSON form. */
export interface EngineLogLine {
  level?: string;
  message?: string;
  [key: string]: unknown;
}

/** Creates a schema engine that talks to the database through the given adapter factory. */
export async function createSchemaEngine(
  adapterFactory: ErrorCapturingSqlMigrationAwareDriverAdapterFactory,
  onLog: (line: EngineLogLine) => void = () => {},
): Promise<SchemaEngine> {
  const bindings = await loadBindings();
  const logCallback = (raw: string) => {
    try {
      onLog(JSON.parse(raw) as EngineLogLine);
    } catch {
      onLog({ message: raw });
    }
  };
  return bindings.SchemaEngine.new({ datamodels: undefined }, logCallback, adapterFactory);
}
