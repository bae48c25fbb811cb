// Real photos against an independent runtime: for every image in shared/images, our float
// SSDLite with the reference's preprocessing (the whole image resized to 300x300 with the
// antialiased triangle filter) must agree with shared/reference/ssdlite_mobilenet_v2_voc_300.jsonl
// (Arm NN CpuRef, integer arithmetic, the model's own postprocess op, score >= 0.7): the same
// set of classes at minScore 0.7, every reference box matched by a box of its class with
// IoU >= 0.85, scores within 0.08 (float against int8 arithmetic).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadDetector } from '../../web/index.js';
import { readImage } from '../../web/decode-image.js';
import { testEveryPhoto } from './reference-photos.js';
import { corners, imagePaths, iou, readReference } from './shared-data.js';

const reference = readReference('ssdlite_mobilenet_v2_voc_300.jsonl');
let detector;

before(async () => { detector = await loadDetector(); });
after(() => detector.dispose());

testEveryPhoto(reference, (name) => `${name} finds the reference's objects`,
  async (imagePath, expected, t) => {
    const image = await readImage(imagePath);
    assert.deepEqual([image.width, image.height], [expected.width, expected.height]);
    const found = await detector.detect(image, { minScore: 0.7 });
    const ours = found.map((d) => `${d.class} ${d.score.toFixed(3)}`).join(', ') || 'nothing';
    const theirs = expected.detections.map((d) => `${d.label} ${d.score}`).join(', ') || 'nothing';
    assert.deepEqual(new Set(found.map((d) => d.class)), new Set(expected.detections.map((d) => d.label)),
      `classes: ours ${ours}, reference ${theirs}`);
    for (const want of expected.detections) {
      const candidates = found.filter((d) => d.class === want.label)
        .map((d) => ({ d, overlap: iou(corners(d), want.box_xyxy_px) }))
        .sort((a, b) => b.overlap - a.overlap);
      const best = candidates[0];
      assert.ok(best.overlap >= 0.85, `${want.label} ${want.box_xyxy_px}: best IoU ${best.overlap.toFixed(3)} (${corners(best.d).map((v) => v.toFixed(1))})`);
      const difference = best.d.score - want.score;
      assert.ok(Math.abs(difference) <= 0.08, `${want.label}: score ${best.d.score.toFixed(4)}, reference ${want.score}`);
      t.diagnostic(`${want.label}: IoU ${best.overlap.toFixed(3)}, score ${best.d.score.toFixed(4)} vs ${want.score} (${difference >= 0 ? '+' : ''}${difference.toFixed(4)})`);
    }
  });

test('cat.bmp: one cat close to [34, 37, 357, 343]', async () => {
  const found = await detector.detect(await readImage(path.join(path.dirname(imagePaths()[0]), 'cat.bmp')));
  assert.equal(found.length, 1, JSON.stringify(found));
  assert.equal(found[0].class, 'cat');
  assert.equal(found[0].classIndex, 7);
  const box = corners(found[0]);
  [34, 37, 357, 343].forEach((want, i) => assert.ok(Math.abs(box[i] - want) <= 5, `box ${box}`));
});

test('pets.jpg: two dogs', async () => {
  const found = await detector.detect(await readImage(path.join(path.dirname(imagePaths()[0]), 'pets.jpg')));
  assert.deepEqual(found.map((d) => d.class), ['dog', 'dog'], JSON.stringify(found));
  assert.ok(iou(corners(found[0]), corners(found[1])) < 0.1, 'two different dogs');
});
