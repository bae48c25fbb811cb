// The relaxed-SIMD kernel module and the backends built on it:
//  - its ABI, read with wasm-objdump from the shipped files: it imports the engine's memory
//    and nothing else, has no data, never touches a global (so it has no stack: it cannot
//    write anywhere but into the buffers it is given) and exports exactly the micro-kernels
//    of src/kernels/relaxed/microkernels.def;
//  - feature detection in this process (Node 20 without a flag lacks relaxed SIMD): 'auto'
//    falls back to 'simd', an explicit 'relaxed-simd' fails saying why;
//  - in a child Node with --experimental-wasm-relaxed-simd, every shared photo through
//    'relaxed-simd' and forced 'simd': the same top-1 and features within the float
//    tolerance; relaxed fused and layer-by-layer bit-identical, and 2 threads bit-identical to
//    one; int8 identical on both backends (it has no relaxed kernels); and a relaxed model
//    still right after the engine's memory grew under it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { load } from '../../web/index.js';
import { repoRoot } from './shared-data.js';

const MODULES = { plain: 'dist/relaxed-kernels.wasm', shared: 'dist/relaxed-kernels-shared.wasm' };
const MICROKERNELS = [...readFileSync(path.join(repoRoot, 'src/kernels/relaxed/microkernels.def'), 'utf8')
  .matchAll(/^MNV2_RELAXED_MICROKERNEL\((\w+),/gm)].map((match) => match[1]);
const FLOAT_TOLERANCE = 1e-4;

const objdump = (file, flag) => execFileSync('wasm-objdump', [flag, path.join(repoRoot, file)], { encoding: 'utf8' });

for (const [kind, file] of Object.entries(MODULES)) {
  test(`${file}: imports only the engine's memory, no data, no stack, the listed kernels`, () => {
    const details = objdump(file, '-x');
    const imports = [...details.matchAll(/^ - (\w+)\[\d+\] (.*) <- ([\w.]+)$/gm)];
    assert.equal(imports.length, 1, details);
    assert.equal(imports[0][1], 'memory');
    assert.equal(imports[0][3], 'env.memory');
    assert.equal(/\bshared\b/.test(imports[0][2]), kind === 'shared', imports[0][2]);
    assert.doesNotMatch(details, /^Data\[/m);
    const exports = [...details.matchAll(/^ - func\[\d+\] <\w+> -> "(\w+)"$/gm)].map((match) => match[1]);
    assert.deepEqual(exports.sort(), [...MICROKERNELS].sort());
    const code = objdump(file, '-d');
    assert.doesNotMatch(code, /global\.(get|set)/, 'a kernel uses the stack pointer');
    assert.match(code, /f32x4\.relaxed_madd/);
  });
}

test("without relaxed SIMD (Node 20, no flag) 'auto' runs 'simd' and 'relaxed-simd' fails", async (t) => {
  const supported = WebAssembly.validate(readFileSync(path.join(repoRoot, MODULES.plain)));
  const model = await load({ threads: 1 });
  try {
    assert.equal(model.backend, supported ? 'relaxed-simd' : 'simd');
  } finally {
    model.dispose();
  }
  if (supported) {
    t.diagnostic('this Node supports relaxed SIMD without a flag: the failure case is not reachable');
    return;
  }
  await assert.rejects(load({ backend: 'relaxed-simd' }), /relaxed SIMD.*--experimental-wasm-relaxed-simd/);
  await assert.rejects(load({ backend: 'fast' }), /backend must be 'auto', 'simd' or 'relaxed-simd'/);
});

test('relaxed-simd against simd on every shared photo (child Node with relaxed SIMD)', () => {
  const configs = [
    { name: 'simd', options: { backend: 'simd', threads: 1 } },
    { name: 'relaxed', options: { backend: 'relaxed-simd', threads: 1 } },
    { name: 'relaxed-layers', options: { backend: 'relaxed-simd', threads: 1, execution: 'layer-by-layer' } },
    { name: 'relaxed-2', options: { backend: 'relaxed-simd', threads: 2 } },
    { name: 'int8-simd', options: { backend: 'simd', precision: 'int8' } },
    { name: 'int8-relaxed', options: { backend: 'auto', precision: 'int8' } },
    // Loaded last, after four other models: the engine's memory has grown since the relaxed
    // module was instantiated on it, and the relaxed kernels must still see all of it.
    { name: 'relaxed-grown', options: { backend: 'relaxed-simd', threads: 1 } },
  ];
  const out = execFileSync(process.execPath, ['--experimental-wasm-relaxed-simd', path.join(repoRoot, 'tests/node/relaxed-run.js'), JSON.stringify(configs)],
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const r = JSON.parse(out);
  assert.equal(r.simd.backend, 'simd');
  assert.equal(r.relaxed.backend, 'relaxed-simd');
  assert.equal(r['relaxed-layers'].backend, 'relaxed-simd');
  assert.deepEqual([r['relaxed-2'].backend, r['relaxed-2'].threads], ['relaxed-simd-threads', 2]);
  assert.equal(r['int8-simd'].backend, 'simd');
  assert.equal(r['int8-relaxed'].backend, 'simd', 'int8 has no relaxed kernels: it must not claim them');
  assert.ok(r['relaxed-grown'].memory > r.relaxed.memory, `memory ${r.relaxed.memory} -> ${r['relaxed-grown'].memory}: it did not grow`);

  let differs = 0;
  for (const [photo, plain] of Object.entries(r.simd.photos)) {
    const relaxed = r.relaxed.photos[photo];
    assert.equal(relaxed.top[0].index, plain.top[0].index, `${photo}: top-1 ${relaxed.top[0].label} vs ${plain.top[0].label}`);
    for (const [i, entry] of relaxed.top.entries()) {
      const same = plain.top.find((other) => other.index === entry.index);
      if (same) assert.ok(Math.abs(same.score - entry.score) <= FLOAT_TOLERANCE, `${photo} class ${entry.index}: ${entry.score} vs ${same.score}`);
      else assert.ok(i > 0 && entry.score <= plain.top[4].score + FLOAT_TOLERANCE, `${photo}: ${JSON.stringify(relaxed.top)} vs ${JSON.stringify(plain.top)}`);
    }
    const scale = Math.max(1, ...plain.features.map(Math.abs));
    const worst = Math.max(...relaxed.features.map((value, i) => Math.abs(value - plain.features[i])));
    assert.ok(worst <= FLOAT_TOLERANCE * scale, `${photo}: features differ by ${worst}`);
    if (worst > 0) ++differs;
    assert.deepEqual(r['relaxed-layers'].photos[photo], relaxed, `${photo}: fused and layer-by-layer differ`);
    assert.deepEqual(r['relaxed-2'].photos[photo], relaxed, `${photo}: 2 threads and 1 differ`);
    assert.deepEqual(r['relaxed-grown'].photos[photo], relaxed, `${photo}: different after memory growth`);
    assert.deepEqual(r['int8-relaxed'].photos[photo], r['int8-simd'].photos[photo], `${photo}: int8 differs`);
  }
  // With FMA (x86's fma flag) V8 fuses relaxed_madd, whose single rounding shows somewhere:
  // proof that the relaxed kernels ran. Without FMA it is mul + add, the same as 'simd'.
  if (/^flags\s*:.*\bfma\b/m.test(readFileSync('/proc/cpuinfo', 'utf8'))) {
    assert.ok(differs > 0, 'relaxed-simd computed exactly what simd did: were its kernels used?');
  }
});
