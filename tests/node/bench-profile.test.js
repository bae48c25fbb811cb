// `bench --profile` and the pieces behind it: the SIMD128 peak micro-benchmark exposed by the
// module and the per-layer report.
// Only shapes and sanity are checked: no timing assertions (machines and load differ).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './shared-data.js';
import { measureSimdPeak } from '../../web/simd-peak.js';

test('measureSimdPeak returns a positive, finite GMAC/s for float32 and int8', async () => {
  for (const precision of ['float32', 'int8']) {
    const { gmacs } = await measureSimdPeak({ warmupMs: 100, runs: 3, precision });
    assert.ok(Number.isFinite(gmacs) && gmacs > 0, `${precision}: gmacs = ${gmacs}`);
  }
  await assert.rejects(measureSimdPeak({ precision: 'fp16' }), /precision must be 'float32' or 'int8', got fp16/);
});

test('the relaxed peaks say why where they cannot run (Node 20 without its relaxed-SIMD flag)', async () => {
  // tests/browser/relaxed-simd.test.js measures them in Chromium, where they run.
  for (const precision of ['float32', 'int8']) {
    await assert.rejects(measureSimdPeak({ warmupMs: 10, runs: 1, precision, relaxed: true }),
      /simd peak: relaxed needs WebAssembly relaxed SIMD, which this JavaScript engine lacks/);
  }
});

test('bench --profile --json adds per-layer ms, GMAC/s and % of peak', () => {
  const result = spawnSync(process.execPath, [path.join(repoRoot, 'web/cli.js'), 'bench', '--runs', '2', '--threads', '1', '--profile', '--json'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  const { profile } = JSON.parse(result.stdout.trim().split('\n').pop());
  assert.ok(profile.peakGmacs > 0);
  assert.equal(profile.layers[0].name, 'stem');
  assert.equal(profile.layers.at(-1).name, 'logits');
  for (const layer of profile.layers) {
    assert.ok(layer.ms >= 0 && Number.isFinite(layer.gmacs) && Number.isFinite(layer.percentOfPeak), JSON.stringify(layer));
  }
  assert.ok(Math.abs(profile.totals.macs - 300.8e6) < 1e6, `total MACs ${profile.totals.macs}`);
});

test('bench --profile of the int8 model measures against the int8 peak', () => {
  const result = spawnSync(process.execPath, [path.join(repoRoot, 'web/cli.js'), 'bench', '--runs', '2', '--threads', '1', '--precision', 'int8', '--profile'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /SIMD128 int8 peak \(2x16 i32x4\.dot_i16x8_s \+ add tile, operands in L1\): \d+\.\d+ GMAC\/s/);
});
