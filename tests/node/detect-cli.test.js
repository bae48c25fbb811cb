// The detect command and bench --model detect as a user runs them: real files, exit codes,
// stderr messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { repoRoot, imagesDir } from './shared-data.js';
import { runCli as run, assertCleanFailure } from './run-cli.js';

const cat = path.join(imagesDir, 'cat.bmp');
const pets = path.join(imagesDir, 'pets.jpg');

test('detect cat.bmp prints one cat', () => {
  const { code, stdout } = run('detect', cat);
  assert.equal(code, 0);
  const lines = stdout.trim().split('\n');
  assert.match(lines[0], /cat\.bmp 512x341 .*: 1 object$/);
  assert.match(lines[1], /^\s+0\.9\d+\s+cat\s+x 3\d\.\d\s+y 3\d\.\d/);
  assert.equal(lines.length, 2);
});

test('detect --json prints one line per image with pixel boxes', () => {
  const { code, stdout } = run('detect', '--json', '--min-score', '0.7', '--max', '5', cat, pets);
  assert.equal(code, 0);
  const results = stdout.trim().split('\n').map((line) => JSON.parse(line));
  assert.deepEqual(results.map((r) => [r.image, r.width, r.height]), [[cat, 512, 341], [pets, 512, 430]]);
  for (const result of results) {
    assert.deepEqual(Object.keys(result).sort(), ['detections', 'height', 'image', 'ms', 'width']);
    assert.ok(result.ms > 0);
    for (const d of result.detections) assert.deepEqual(Object.keys(d).sort(), ['bbox', 'class', 'classIndex', 'score']);
  }
  assert.deepEqual(results[0].detections.map((d) => d.class), ['cat']);
  assert.deepEqual(results[1].detections.map((d) => d.class), ['dog', 'dog']);
  const { stdout: one } = run('detect', '--json', '--max', '1', '--per-class', '--iou', '0.5', pets);
  assert.equal(JSON.parse(one).detections.length, 1);
});

test('bad detect options and files fail with a message', () => {
  assertCleanFailure(run('detect', '--min-score', '1.5', cat), /--min-score must be a number in \[0, 1\]/);
  assertCleanFailure(run('detect', '--min-score', 'abc', cat), /--min-score must be a number/);
  assertCleanFailure(run('detect', '--max', '0', cat), /--max must be a positive integer/);
  assertCleanFailure(run('detect', '--iou', '1.5', cat), /--iou must be a number in \[0, 1\]/);
  assertCleanFailure(run('detect'), /detect needs at least one IMAGE/);
  assertCleanFailure(run('detect', '/nonexistent/photo.jpg'), /photo\.jpg: cannot read file/);
  assertCleanFailure(run('detect', '--weights', path.join(repoRoot, 'weights/mobilenet_v2_1.0_224.mnv2'), cat),
    /holds a classifier, not a detector/);
});

test('bench --model detect --runs 3 --json reports timings', () => {
  const { code, stdout } = run('bench', '--model', 'detect', '--runs', '3', '--json');
  assert.equal(code, 0);
  const result = JSON.parse(stdout);
  assert.equal(result.model, 'ssdlite_mobilenet_v2_300');
  assert.equal(result.runs, 3);
  assert.ok(result.min_ms > 0 && result.min_ms <= result.median_ms && result.median_ms <= result.p90_ms);
  assertCleanFailure(run('bench', '--model', 'segment'), /--model must be classify or detect/);
});
