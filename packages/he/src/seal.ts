/**
 * The node-seal (Microsoft SEAL 4.1 compiled to WebAssembly) library, loaded once per process. Loading
 * compiles the wasm module (tens of milliseconds), so it is asynchronous; everything else in this package is
 * synchronous and needs `await loadSeal()` to have finished first.
 *
 * Every SEAL object lives on the wasm heap until `.delete()` is called; the heap never shrinks, so a
 * forgotten object is a permanent leak. `scope()` tracks the objects a computation creates and frees them
 * in `finally`.
 */
import SEAL from 'node-seal/throws_wasm_node_umd.js';
import type { SEALLibrary } from 'node-seal/implementation/seal.js';
import { HeError } from './errors.js';

export type SealLibrary = SEALLibrary;

/** Anything with a wasm-side allocation. */
export interface Deletable {
  delete(): void;
}

let library: SealLibrary | undefined;
let loading: Promise<SealLibrary> | undefined;
/** The few WebAssembly globals used here (the base tsconfig has no DOM lib, so they are not typed). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmGlobal {
  instantiate: (...args: unknown[]) => Promise<unknown>;
  Memory: abstract new (...args: never[]) => WasmMemory;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmGlobal }).WebAssembly;

let memory: WasmMemory | undefined;

/**
 * Loads node-seal once (later calls return the same library). While it loads, `WebAssembly.instantiate` is
 * wrapped so that the module's exported `Memory` is remembered for `wasmHeapBytes()`; the original is
 * restored before the promise settles.
 */
export function loadSeal(): Promise<SealLibrary> {
  if (library) return Promise.resolve(library);
  if (!loading) {
    loading = (async () => {
      const original = wasm.instantiate;
      wasm.instantiate = async (...args: unknown[]) => {
        const result = (await original.apply(wasm, args)) as { instance?: { exports?: object }; exports?: object };
        const exports = result.instance?.exports ?? result.exports ?? {};
        for (const value of Object.values(exports)) if (value instanceof wasm.Memory) memory = value;
        return result;
      };
      try {
        // The UMD bundle's module.exports is the loader function; TypeScript sees it through the d.ts's `export
        // default`.
        const load = ((SEAL as unknown as { default?: () => Promise<SealLibrary> }).default ??
          SEAL) as unknown as () => Promise<SealLibrary>;
        library = await load();
        return library;
      } catch (e) {
        loading = undefined;
        throw e;
      } finally {
        wasm.instantiate = original;
      }
    })();
  }
  return loading;
}

/** The loaded library; throws a `HeError('not-loaded')` when `await loadSeal()` has not completed. */
export function seal(): SealLibrary {
  if (!library)
    throw new HeError('not-loaded', 'node-seal is not loaded: call `await loadSeal()` once before using @tessera/he');
  return library;
}

/** True once `loadSeal()` has completed. */
export function sealLoaded(): boolean {
  return library !== undefined;
}

/**
 * Current size of the SEAL wasm heap in bytes (the Memory buffer's byteLength; it only ever grows). When the
 * Memory could not be captured at load time, an approximation: process external memory minus ArrayBuffers.
 */
export function wasmHeapBytes(): number {
  if (memory) return memory.buffer.byteLength;
  const usage = process.memoryUsage();
  return usage.external - usage.arrayBuffers;
}

/** Frees every argument that is defined, in order; later objects are freed even if an earlier `delete` throws. */
export function free(...objects: (Deletable | undefined | null)[]): void {
  let failure: unknown;
  for (const o of objects) {
    try {
      o?.delete();
    } catch (e) {
      failure ??= e;
    }
  }
  if (failure !== undefined) throw failure;
}

/**
 * Runs `body` with a `keep` function that registers SEAL objects; all registered objects are freed (in
 * reverse order) when `body` returns or throws. Use it for temporaries: `scope((keep) => { const pt =
 * keep(encoder.encode(words) as PlainText); ... })`.
 */
export function scope<T>(body: (keep: <O extends Deletable>(o: O) => O) => T): T {
  const kept: Deletable[] = [];
  try {
    return body((o) => {
      kept.push(o);
      return o;
    });
  } finally {
    free(...kept.reverse());
  }
}

/**
 * The parms id of a SEAL object as 32 bytes (little-endian words). Reads it from the raw embind instance
 * and frees the temporary: node-seal's `parmsId` getters copy the id and never free the original.
 */
export function parmsIdBytes(raw: { values(): Iterable<bigint> | ArrayLike<bigint> } & Deletable): Uint8Array {
  try {
    const words = BigUint64Array.from(raw.values() as Iterable<bigint>);
    return new Uint8Array(words.buffer.slice(0));
  } finally {
    raw.delete();
  }
}
