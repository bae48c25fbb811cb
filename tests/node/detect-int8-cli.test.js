// detect and bench --model detect with --precision int8, as a user runs them: the int8
// detector's results on real files, the precision in bench's report, and bad values refused
// with a message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { imagesDir } from './shared-data.js';
import { runCli as run } from './run-cli.js';

const cat = path.join(imagesDir, 'cat.bmp');
const pets = path.join(imagesDir, 'pets.jpg');

test('detect --precision int8 --json finds the cat and the two dogs', () => {
  const { code, stdout, stderr } = run('detect', '--precision', 'int8', '--json', '--min-score', '0.7', cat, pets);
  assert.equal(code, 0, stderr);
  const [catResult, petsResult] = stdout.trim().split('\n').map((line) => JSON.parse(line));
  assert.deepEqual(catResult.detections.map((d) => d.class), ['cat']);
  assert.deepEqual(petsResult.detections.map((d) => d.class), ['dog', 'dog']);
  for (const { score } of [...catResult.detections, ...petsResult.detections]) {
    assert.equal(score * 256, Math.round(score * 256), `int8 score ${score} is not a multiple of 1/256`);
  }
  // The float run of the same image: same box to within a few pixels.
  const float = JSON.parse(run('detect', '--json', '--min-score', '0.7', cat).stdout);
  catResult.detections[0].bbox.forEach((v, i) => assert.ok(Math.abs(v - float.detections[0].bbox[i]) < 8,
    `int8 ${catResult.detections[0].bbox} vs float ${float.detections[0].bbox}`));
});

test('bench --model detect reports the precision it ran', () => {
  for (const precision of ['int8', 'float32']) {
    const { code, stdout, stderr } = run('bench', '--model', 'detect', '--precision', precision, '--runs', '2', '--json');
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout);
    assert.equal(result.precision, precision);
    assert.ok(result.min_ms > 0 && result.min_ms <= result.median_ms);
  }
});

test('a bad --precision fails with a message', () => {
  for (const args of [['detect', '--precision', 'int4', cat], ['bench', '--model', 'detect', '--precision', 'int4']]) {
    const { code, stdout, stderr } = run(...args);
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.match(stderr, /--precision must be float32 or int8, got int4/);
    assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
  }
});
