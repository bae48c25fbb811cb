// The command line's custom classes as a user runs them: `train` on a folder tree of crops of
// shared photos (one sub-folder per class), then `classify --head` on other crops, whose
// --json lines keep the shape of `classify --json`; and clean failures.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { runCli as run, assertCleanFailure } from './run-cli.js';
import { readPhotoClasses, trainingCrops, testCrops } from './head-photos.js';

const CLASSES = ['cat', 'parrot', 'hot dog'];
let dir;
let tree;
let tests;  // [{label, file}]

function writePng(file, { data, width, height }) {
  const png = new PNG({ width, height });
  png.data = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  writeFileSync(file, PNG.sync.write(png));
}

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'mnv2-head-cli-'));
  tree = path.join(dir, 'classes');
  tests = [];
  const photos = await readPhotoClasses();
  for (const label of CLASSES) {
    mkdirSync(path.join(tree, label), { recursive: true });
    trainingCrops(photos[label]).forEach((crop, i) => writePng(path.join(tree, label, `crop${i}.png`), crop));
    testCrops(photos[label]).slice(0, 2).forEach((crop, i) => {
      const file = path.join(dir, `${label.replace(' ', '-')}-test${i}.png`);
      writePng(file, crop);
      tests.push({ label, file });
    });
  }
  writeFileSync(path.join(tree, 'notes.txt'), 'not a class: files beside the class folders are ignored');
});

test('train --out writes a head that classify --head uses, printing classify --json lines', () => {
  const head = path.join(dir, 'softmax.json');
  const trained = run('train', '--out', head, '--augment', '2', tree);
  assert.equal(trained.code, 0, trained.stderr);
  assert.match(trained.stdout, /^cat: 6 examples from 2 images$/m);
  assert.match(trained.stdout, /^trained softmax on 18 examples of 3 labels in [\d.]+ ms: loss [\d.]+, training accuracy 100\.0%$/m);
  assert.deepEqual(JSON.parse(readFileSync(head, 'utf8')).labels, ['cat', 'hot dog', 'parrot']);

  const classified = run('classify', '--head', head, '--json', ...tests.map(({ file }) => file));
  assert.equal(classified.code, 0, classified.stderr);
  const lines = classified.stdout.trim().split('\n').map((line) => JSON.parse(line));
  assert.equal(lines.length, tests.length);
  lines.forEach((line, i) => {
    assert.deepEqual(Object.keys(line), ['image', 'top', 'ms']);
    assert.equal(line.image, tests[i].file);
    assert.equal(line.top.length, 3);
    for (const entry of line.top) assert.deepEqual(Object.keys(entry).sort(), ['index', 'label', 'score']);
    assert.equal(line.top[0].label, tests[i].label, `${tests[i].file}: ${JSON.stringify(line.top)}`);
    assert.ok(line.top[0].score > line.top[1].score);
  });
});

test('train --method knn --json reports the classes and times; classify --head prints text', () => {
  const head = path.join(dir, 'knn.json');
  const trained = run('train', '--out', head, '--method', 'knn', '--k', '1', '--json', tree);
  assert.equal(trained.code, 0, trained.stderr);
  const report = JSON.parse(trained.stdout);
  assert.equal(report.method, 'knn');
  assert.equal(report.k, 1);
  assert.equal(report.examples, 6);
  assert.deepEqual(report.classes.map(({ label, examples }) => [label, examples]), [['cat', 2], ['hot dog', 2], ['parrot', 2]]);
  assert.ok(report.embedMs > 0 && report.trainMs >= 0);

  const { code, stdout } = run('classify', '--head', head, '--top', '1', tests[2].file);
  assert.equal(code, 0);
  assert.match(stdout, /^\s+1\.0000\s+2\s+parrot$/m);
});

test('train and classify --head fail cleanly on bad input', () => {
  assertCleanFailure(run('train', tree), /train needs --out HEAD\.json/);
  assertCleanFailure(run('train', '--out', path.join(dir, 'x.json'), '--method', 'svm', tree), /--method must be softmax or knn/);
  assertCleanFailure(run('train', '--out', path.join(dir, 'x.json'), path.join(tree, 'cat')), /needs one sub-folder of images per class, at least 2 \(found 0\)/);
  mkdirSync(path.join(dir, 'one', 'cat', 'empty'), { recursive: true });
  mkdirSync(path.join(dir, 'one', 'dog'), { recursive: true });
  assertCleanFailure(run('train', '--out', path.join(dir, 'x.json'), path.join(dir, 'one')), /cat: the class folder has no JPEG, PNG or BMP files/);
  assertCleanFailure(run('classify', '--head', path.join(dir, 'missing.json'), tests[0].file), /missing\.json: cannot read the head file \(ENOENT\)/);
  writeFileSync(path.join(dir, 'broken.json'), '{"format": "mobilenetv2-wasm-head", "version": 1}');
  assertCleanFailure(run('classify', '--head', path.join(dir, 'broken.json'), tests[0].file), /broken\.json: head JSON: "model" must be an object/);
});
