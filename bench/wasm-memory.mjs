// Finds each engine's WebAssembly memory without relying on its internals: while an engine is
// being created, every module instantiated is looked at, and any WebAssembly.Memory it
// imports or exports is recorded under that engine's name. A memory only grows, so its size
// after the timed runs is the engine's high-water mark.
const memories = new Map();  // engine name -> Set of WebAssembly.Memory
let current = null;

function record(imports, instance) {
  if (current === null) return;
  const found = memories.get(current) ?? new Set();
  for (const module of Object.values(imports ?? {})) {
    for (const value of Object.values(module ?? {})) if (value instanceof WebAssembly.Memory) found.add(value);
  }
  for (const value of Object.values(instance?.exports ?? {})) if (value instanceof WebAssembly.Memory) found.add(value);
  memories.set(current, found);
}

const original = {
  instantiate: WebAssembly.instantiate,
  instantiateStreaming: WebAssembly.instantiateStreaming,
};

WebAssembly.instantiate = async function instantiate(source, imports, ...rest) {
  const result = await original.instantiate.call(this, source, imports, ...rest);
  record(imports, result instanceof WebAssembly.Instance ? result : result.instance);
  return result;
};
if (original.instantiateStreaming) {
  WebAssembly.instantiateStreaming = async function instantiateStreaming(source, imports, ...rest) {
    const result = await original.instantiateStreaming.call(this, source, imports, ...rest);
    record(imports, result.instance);
    return result;
  };
}

/** Runs `create` with every module it instantiates attributed to `name`. */
export async function attributeMemory(name, create) {
  current = name;
  try {
    return await create();
  } finally {
    current = null;
  }
}

/** Bytes of all WebAssembly memories attributed to `name` (0 when none was seen). */
export function wasmMemoryBytes(name) {
  let total = 0;
  for (const memory of memories.get(name) ?? []) total += memory.buffer.byteLength;
  return total;
}
