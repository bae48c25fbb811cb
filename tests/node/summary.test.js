// summary() and memoryStats() of both models on the real weight files, as the package and the
// CLI expose them: every row's parameters and multiply-adds follow from its shapes, the
// classifier's expandedBytes from its expansion, the detector's head rows from the SSDLite
// architecture, and the activation bytes stay within what memoryStats() says is allocated.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { load, loadDetector } from '../../web/index.js';
import { runCli as run } from './run-cli.js';
import { checkTotals, pixels } from './summary-checks.js';

const models = {};

before(async () => {
  models.classifier = await load();
  models.classifierLayered = await load({ execution: 'layer-by-layer' });
  models.detector = await loadDetector();
  models.detectorLayered = await loadDetector({ execution: 'layer-by-layer' });
});
after(() => Object.values(models).forEach((model) => model.dispose()));

const volume = ([h, w, c]) => h * w * c;
const pointwise = (inC, outC) => inC * outC + outC;
const depthwise = (channels) => 10 * channels;

/** Parameters and multiply-adds a row must have, from its type and shapes alone. */
function expectedCost(row, extraMid) {
  const [inC, outC] = [row.input[2], row.output[2]];
  switch (row.type) {
    case 'conv3x3':
      return { params: 27 * outC + outC, macs: volume(row.output) * 27 };
    case 'bottleneck': {
      const expanded = inC * row.expansion;
      const expand = row.expansion === 1 ? { params: 0, macs: 0 } : { params: pointwise(inC, expanded), macs: pixels(row.input) * inC * expanded };
      return {
        params: expand.params + depthwise(expanded) + pointwise(expanded, outC),
        macs: expand.macs + pixels(row.output) * expanded * (9 + outC),
      };
    }
    case 'conv1x1':
      return { params: pointwise(inC, outC), macs: pixels(row.output) * inC * outC };
    case 'avgpool':
      return { params: 0, macs: 0 };
    case 'fc':
      return { params: pointwise(inC, outC), macs: inC * outC };
    case 'ssd-extra':
      return {
        params: pointwise(inC, extraMid) + depthwise(extraMid) + pointwise(extraMid, outC),
        macs: pixels(row.input) * inC * extraMid + pixels(row.output) * extraMid * (9 + outC),
      };
    case 'ssd-box':
    case 'ssd-class':
      return { params: depthwise(inC) + pointwise(inC, outC), macs: pixels(row.input) * inC * (9 + outC) };
    default:
      throw new Error(`unexpected row type ${row.type}`);
  }
}

test('classifier rows: costs from shapes, expandedBytes from each expansion', () => {
  const fused = models.classifier.summary();
  const layered = models.classifierLayered.summary();
  checkTotals(fused);
  assert.equal(fused.layers.length, layered.layers.length);
  fused.layers.forEach((row, i) => {
    const other = layered.layers[i];
    assert.deepEqual(expectedCost(row), { params: row.params, macs: row.macs }, row.name);
    assert.equal(row.expandedBytes, other.expandedBytes, row.name);
    if (row.type !== 'bottleneck') {
      assert.equal(row.expandedBytes, 0, row.name);
      return;
    }
    const expanded = row.input[2] * row.expansion;
    assert.equal(row.expandedBytes, (pixels(row.input) + pixels(row.output)) * expanded * 4, row.name);
    // Layer by layer the expansion and the depthwise output are both held while it runs.
    assert.ok(other.activationBytes >= row.expandedBytes, row.name);
  });
  // Fused, the expansions of the high-resolution blocks never exist whole.
  for (const name of ['block1', 'block2', 'block3']) {
    const row = fused.layers.find((layer) => layer.name === name);
    assert.ok(row.activationBytes < row.expandedBytes / 2, `${name}: ${row.activationBytes} >= ${row.expandedBytes} / 2`);
  }
});

test('detector rows: backbone to the head conv, extra layers, two predictors per map', () => {
  const { layers } = models.detector.summary();
  const names = layers.map((row) => row.name);
  const maps = ['box', 'class'];
  assert.deepEqual(names, ['stem', ...Array.from({ length: 17 }, (_, i) => `block${i}`), 'head',
    'extra0', 'extra1', 'extra2', 'extra3',
    ...Array.from({ length: 6 }, (_, m) => maps.map((kind) => `${kind}${m}`)).flat()]);
  // The feature maps: block 13's 19x19x576 expansion, the 10x10x1280 head, then the extras'.
  const block13 = layers[14];
  const predictorInputs = layers.filter((row) => row.type === 'ssd-box').map((row) => row.input);
  assert.deepEqual(predictorInputs, [
    [block13.input[0], block13.input[1], block13.input[2] * block13.expansion],
    layers[18].output, ...layers.slice(19, 23).map((row) => row.output)]);
  assert.deepEqual(predictorInputs.map((shape) => shape[0]), [19, 10, 5, 3, 2, 1]);
  // The TF Object Detection API's SSDLite extras: 1x1 convs to half the output depth.
  const mids = [256, 128, 128, 64];
  layers.slice(19, 23).forEach((row, i) => {
    assert.equal(row.input.join(), layers[18 + i].output.join());
    assert.deepEqual(expectedCost(row, mids[i]), { params: row.params, macs: row.macs }, row.name);
  });
  for (const row of layers.filter((r) => r.type !== 'ssd-extra')) {
    assert.deepEqual(expectedCost(row), { params: row.params, macs: row.macs }, row.name);
  }
  // A x 4 box encodings and A x 21 class logits per cell: 3 anchors on map 0, 6 elsewhere.
  layers.filter((row) => row.type === 'ssd-box').forEach((row, m) => assert.equal(row.output[2], (m === 0 ? 3 : 6) * 4));
  layers.filter((row) => row.type === 'ssd-class').forEach((row, m) => assert.equal(row.output[2], (m === 0 ? 3 : 6) * 21));
});

test('detector memory: rows within memoryStats, fused backbone smaller, same head', () => {
  for (const model of [models.detector, models.detectorLayered]) {
    const summary = model.summary();
    checkTotals(summary);
    const stats = model.memoryStats();
    assert.deepEqual(Object.keys(stats).sort(), ['activationPeakBytes', 'scratchBytes', 'wasmMemoryBytes', 'weightsBytes']);
    assert.ok(stats.weightsBytes >= 4 * summary.totals.params);
    assert.ok(summary.totals.peakActivationBytes <= stats.activationPeakBytes + stats.scratchBytes);
    assert.ok(stats.wasmMemoryBytes >= stats.weightsBytes + stats.activationPeakBytes + stats.scratchBytes);
    // The predictors hold both outputs (1917 anchors x (4 + 21) floats) and every feature map.
    const maps = summary.layers.filter((row) => row.type === 'ssd-box').reduce((sum, row) => sum + volume(row.input) * 4, 0);
    assert.ok(summary.layers.at(-1).activationBytes >= maps + 1917 * 25 * 4);
  }
  assert.equal(models.detector.execution, 'fused');
  assert.equal(models.detectorLayered.execution, 'layer-by-layer');
  const fused = models.detector.summary().layers;
  const layered = models.detectorLayered.summary().layers;
  fused.forEach((row, i) => {
    const { activationBytes, ...shapeAndCost } = row;
    const { activationBytes: other, ...otherShapeAndCost } = layered[i];
    assert.deepEqual(shapeAndCost, otherShapeAndCost, row.name);
    if (i >= 19) assert.equal(activationBytes, other, `${row.name}: the head runs the same way`);
  });
  const backbonePeak = (rows) => Math.max(...rows.slice(0, 19).map((row) => row.activationBytes));
  assert.ok(backbonePeak(layered) > 3 * backbonePeak(fused));
  assert.ok(models.detectorLayered.memoryStats().activationPeakBytes > models.detector.memoryStats().activationPeakBytes);
});

test('detector summary in a worker matches the in-thread one; bad options and disposal throw', async () => {
  const inWorker = await loadDetector({ worker: true, execution: 'layer-by-layer' });
  try {
    assert.deepEqual(await inWorker.summary(), models.detectorLayered.summary());
    assert.equal((await inWorker.memoryStats()).weightsBytes, models.detectorLayered.memoryStats().weightsBytes);
  } finally {
    inWorker.dispose();
  }
  await assert.rejects(loadDetector({ execution: 'fast' }), /execution must be 'fused' or 'layer-by-layer', got the string "fast"/);
  const disposed = await loadDetector();
  disposed.dispose();
  assert.throws(() => disposed.summary(), /this detector was disposed/);
  assert.throws(() => disposed.memoryStats(), /this detector was disposed/);
});

test('CLI summary --model detect|classify prints the same rows and totals as the API', () => {
  for (const [model, api] of [['detect', models.detector], ['classify', models.classifier]]) {
    const json = run('summary', '--model', model, '--json');
    assert.equal(json.code, 0, json.stderr);
    const printed = JSON.parse(json.stdout);
    const expected = api.summary();
    assert.deepEqual(printed.layers, expected.layers);
    assert.deepEqual(printed.totals, expected.totals);
    assert.equal(printed.memory.activationPeakBytes, api.memoryStats().activationPeakBytes);
    const text = run('summary', '--model', model);
    assert.equal(text.code, 0, text.stderr);
    const lines = text.stdout.trim().split('\n');
    // A title, the header, one line per row, the totals, the memory line.
    assert.equal(lines.length, 1 + 1 + expected.layers.length + 1 + 1);
    assert.match(lines[1], /live KiB\s+expanded KiB$/);
    assert.match(lines.at(-2), new RegExp(`^total .* ${Math.round(expected.totals.peakActivationBytes / 1024)} \\(peak\\)`));
    assert.match(lines.at(-1), /^memory: weights \d+ KiB, activations \d+ KiB \+ scratch \d+ KiB/);
  }
  const bad = run('summary', '--model', 'segment');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--model must be classify or detect, got segment/);
});

test('CLI bench --model detect reports memory', () => {
  const json = run('bench', '--model', 'detect', '--runs', '2', '--json');
  assert.equal(json.code, 0, json.stderr);
  const result = JSON.parse(json.stdout);
  assert.equal(result.execution, 'fused');
  assert.equal(result.memory.weightsBytes, models.detector.memoryStats().weightsBytes);
  assert.equal(result.memory.activationPeakBytes, models.detector.memoryStats().activationPeakBytes);
  const text = run('bench', '--model', 'detect', '--runs', '2', '--execution', 'layer-by-layer');
  assert.equal(text.code, 0, text.stderr);
  const expected = Math.round(models.detectorLayered.memoryStats().activationPeakBytes / 1024);
  assert.match(text.stdout, new RegExp(`\\(float32, layer-by-layer\\): median .*\\nmemory: weights \\d+ KiB, activations ${expected} KiB`));
});
