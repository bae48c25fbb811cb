// The command line as a user runs it: real files, exit codes, stderr messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot, imagesDir } from './shared-data.js';
import { runCli as run, assertCleanFailure } from './run-cli.js';

const cat = path.join(imagesDir, 'cat.bmp');

test('classify --crop 0.875 cat.bmp prints Egyptian cat first', () => {
  const { code, stdout } = run('classify', '--crop', '0.875', cat);
  assert.equal(code, 0);
  const lines = stdout.trim().split('\n');
  assert.match(lines[0], /cat\.bmp/);
  assert.match(lines[1], /Egyptian cat/);
  assert.equal(lines.length, 1 + 5);
});

test('classify --json prints one object per image', () => {
  const owl = path.join(imagesDir, 'owl.jpg');
  const { code, stdout } = run('classify', '--json', '--top', '3', cat, owl);
  assert.equal(code, 0);
  const results = stdout.trim().split('\n').map((line) => JSON.parse(line));
  assert.equal(results.length, 2);
  assert.equal(results[0].image, cat);
  assert.equal(results[1].image, owl);
  for (const result of results) {
    assert.equal(result.top.length, 3);
    assert.ok(result.ms > 0);
    for (const entry of result.top) {
      assert.deepEqual(Object.keys(entry).sort(), ['index', 'label', 'score']);
    }
    assert.ok(result.top[0].score >= result.top[1].score);
  }
});

test('a missing file fails with a message', () => {
  assertCleanFailure(run('classify', '/nonexistent/photo.jpg'), /photo\.jpg: cannot read file/);
});

test('an undecodable file fails with a message', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mnv2-cli-'));
  const bogus = path.join(dir, 'bogus.jpg');
  writeFileSync(bogus, 'this is not an image');
  assertCleanFailure(run('classify', bogus), /bogus\.jpg: not a JPEG, PNG or BMP file/);
  const truncated = path.join(dir, 'truncated.jpg');
  writeFileSync(truncated, readFileSync(path.join(imagesDir, 'owl.jpg')).subarray(0, 200));
  assertCleanFailure(run('classify', truncated), /truncated\.jpg: cannot decode image/);
});

test('a bad weight file fails with a message', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mnv2-cli-'));
  const weights = path.join(dir, 'bad.mnv2');
  const good = readFileSync(path.join(repoRoot, 'weights/mobilenet_v2_1.0_224.mnv2'));
  const corrupted = Buffer.from(good);
  corrupted[corrupted.length >> 1] ^= 0xff;
  writeFileSync(weights, corrupted);
  assertCleanFailure(run('classify', '--weights', weights, cat), /checksum mismatch/);
  writeFileSync(weights, good.subarray(0, 1000));
  assertCleanFailure(run('classify', '--weights', weights, cat), /truncated/);
});

test('bad options fail with usage', () => {
  assertCleanFailure(run('classify', '--top', '0', cat), /--top must be a positive integer/);
  assertCleanFailure(run('classify', '--crop', '1.5', cat), /--crop must be in/);
  assertCleanFailure(run('frobnicate'), /unknown command/);
  assertCleanFailure(run('classify'), /needs at least one IMAGE/);
});

test('bench --runs 3 --json reports timings', () => {
  const { code, stdout } = run('bench', '--runs', '3', '--json');
  assert.equal(code, 0);
  const result = JSON.parse(stdout);
  assert.equal(result.model, 'mobilenet_v2_1_224');
  assert.equal(result.runs, 3);
  assert.ok(result.min_ms > 0 && result.min_ms <= result.median_ms && result.median_ms <= result.p90_ms);
});
