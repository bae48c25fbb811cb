// summary() and memoryStats() of the int8 engines on the real weight files: the int8 detector
// reports the float detector's layers, parameters and multiply-adds with its own (int8, 1 byte
// per value) activation memory, the int8 classifier's blocks say what their int8 expansions
// would cost materialized whole, and the CLI's summary takes --precision for both models.
// The int8 backbone materializes every tensor, as the float one does layer by layer, so memory
// is compared with that execution (fused, the float backbone streams its expansions through
// row rings and at 300x300 peaks below the int8 arena; not assumed either way here).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { load, loadDetector } from '../../web/index.js';
import { repoRoot } from './shared-data.js';
import { runCli as run } from './run-cli.js';
import { checkTotals, pixels } from './summary-checks.js';

const ptqWeights = path.join(repoRoot, 'weights/tf2_mobilenet_v2_1.0_224_ptq.mnv2');
const models = {};

before(async () => {
  models.detector = await loadDetector({ execution: 'layer-by-layer' });
  models.detectorInt8 = await loadDetector({ precision: 'int8' });
  models.classifier = await load({ weights: ptqWeights });
  models.classifierInt8 = await load({ weights: ptqWeights, precision: 'int8' });
});
after(() => Object.values(models).forEach((model) => model.dispose()));

test('int8 detector summary: the float layers and costs, int8 activation bytes', () => {
  assert.equal(models.detectorInt8.precision, 'int8');
  const float = models.detector.summary();
  const int8 = models.detectorInt8.summary();
  checkTotals(int8);
  assert.deepEqual(int8.layers.map((row) => row.name), float.layers.map((row) => row.name));
  int8.layers.forEach((row, i) => {
    const other = float.layers[i];
    for (const key of ['type', 'input', 'output', 'expansion', 'stride', 'params', 'macs']) {
      assert.deepEqual(row[key], other[key], `${row.name}.${key}`);
    }
    assert.ok(row.activationBytes > 0 && row.activationBytes < other.activationBytes, row.name);
    assert.equal(row.expandedBytes * 4, other.expandedBytes, row.name);
  });
  assert.equal(int8.totals.params, float.totals.params);
  assert.equal(int8.totals.macs, float.totals.macs);
  assert.ok(int8.totals.peakActivationBytes < float.totals.peakActivationBytes);
});

test('int8 detector memoryStats: sane and smaller than the layer-by-layer float detector\'s', () => {
  const summary = models.detectorInt8.summary();
  const stats = models.detectorInt8.memoryStats();
  const float = models.detector.memoryStats();
  assert.deepEqual(Object.keys(stats).sort(), ['activationPeakBytes', 'scratchBytes', 'wasmMemoryBytes', 'weightsBytes']);
  assert.ok(stats.activationPeakBytes > 0 && stats.activationPeakBytes < float.activationPeakBytes,
    `${stats.activationPeakBytes} vs float ${float.activationPeakBytes}`);
  assert.ok(stats.weightsBytes >= 2 * summary.totals.params && stats.weightsBytes < float.weightsBytes);
  assert.ok(stats.scratchBytes > 0);
  assert.ok(summary.totals.peakActivationBytes <= stats.activationPeakBytes + stats.scratchBytes);
  assert.ok(stats.wasmMemoryBytes >= stats.weightsBytes + stats.activationPeakBytes + stats.scratchBytes);
  // The predictors hold 1917 anchors x (4 + 21) outputs, as int8 codes and as floats.
  assert.ok(summary.layers.at(-1).activationBytes >= 1917 * 25 * 5);
});

test('int8 detector summary survives detection and matches in a worker', async () => {
  const before = models.detectorInt8.summary();
  const rgba = new Uint8Array(300 * 300 * 4).fill(128);
  await models.detectorInt8.detect({ data: rgba, width: 300, height: 300 });
  assert.deepEqual(models.detectorInt8.summary(), before);
  const inWorker = await loadDetector({ worker: true, precision: 'int8' });
  try {
    assert.deepEqual(await inWorker.summary(), before);
    assert.equal((await inWorker.memoryStats()).activationPeakBytes, models.detectorInt8.memoryStats().activationPeakBytes);
  } finally {
    inWorker.dispose();
  }
});

test('int8 classifier: bottleneck rows report their int8 expansions', () => {
  const float = models.classifier.summary().layers;
  const int8 = models.classifierInt8.summary().layers;
  assert.equal(int8.at(-1).name, 'logits');
  assert.equal(int8.length, float.length);
  const blocks = int8.filter((row) => row.type === 'bottleneck');
  assert.equal(blocks.length, 17);
  int8.forEach((row, i) => {
    if (row.type !== 'bottleneck') {
      assert.equal(row.expandedBytes, 0, row.name);
      return;
    }
    const expanded = row.input[2] * row.expansion;
    assert.equal(row.expandedBytes, (pixels(row.input) + pixels(row.output)) * expanded, row.name);
    assert.equal(row.expandedBytes * 4, float[i].expandedBytes, row.name);
  });
});

test('CLI summary --precision int8 prints the int8 models\' rows and memory', () => {
  for (const [args, api] of [[['--model', 'detect'], models.detectorInt8], [['--weights', ptqWeights], models.classifierInt8]]) {
    const json = run('summary', ...args, '--precision', 'int8', '--json');
    assert.equal(json.code, 0, json.stderr);
    const printed = JSON.parse(json.stdout);
    assert.equal(printed.precision, 'int8');
    assert.deepEqual(printed.layers, api.summary().layers);
    assert.deepEqual(printed.totals, api.summary().totals);
    assert.equal(printed.memory.activationPeakBytes, api.memoryStats().activationPeakBytes);
    const text = run('summary', ...args, '--precision', 'int8');
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^\S+ \(int8, fused\)\n/);
  }
  const bad = run('summary', '--model', 'detect', '--precision', 'int4');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--precision must be float32 or int8, got int4/);
});
