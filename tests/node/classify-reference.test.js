// Real photos against an independent runtime: for every image in shared/images, our float
// engine with the reference's preprocessing (central 87.5% crop, antialiased bilinear resize)
// must agree with shared/reference/mobilenet_v2_1.0_224_quant.jsonl (Arm NN CpuRef, integer
// arithmetic). The tolerance on the top-1 score allows for float vs integer arithmetic.
//
// The reference scores are uint8 outputs (multiples of 1/256): where fewer than five classes
// reach 1/256 (dragonfly, parrot), its remaining top-5 entries are score-0 ties listed in
// index order (background, tench, ...), which carry no ranking. "At least 4 of the top-5
// agree" is therefore counted over the reference entries with a non-zero score, and any class
// we rank that the reference did not must score no more than its 5th entry + 0.08.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { load } from '../../web/index.js';
import { readImage } from '../../web/decode-image.js';
import { testEveryPhoto } from './reference-photos.js';
import { readReference } from './shared-data.js';

const reference = readReference('mobilenet_v2_1.0_224_quant.jsonl');
let model;

before(async () => { model = await load(); });
after(() => model.dispose());

testEveryPhoto(reference, (name) => `${name} matches the reference top-5`,
  async (imagePath, expected) => {
    const top = await model.classify(await readImage(imagePath), { topK: 5, crop: 0.875 });
    const indices = top.map((entry) => entry.index);
    assert.equal(indices[0], expected.top5[0],
      `top-1 ${top[0].label} (${top[0].score.toFixed(3)}), reference ${expected.labels[0]} (${expected.scores[0]})`);
    const ranked = expected.top5.filter((_, i) => expected.scores[i] > 0);
    const shared = indices.filter((index) => ranked.includes(index)).length;
    assert.ok(shared >= Math.min(4, ranked.length),
      `only ${shared} of the top-5 agree: ours ${indices}, reference ${expected.top5} (scores ${expected.scores})`);
    for (const { index, score } of top) {
      if (!ranked.includes(index)) {
        assert.ok(score <= expected.scores[4] + 0.08, `class ${index} scores ${score}, the reference ranks it below ${expected.scores[4]}`);
      }
    }
    assert.ok(Math.abs(top[0].score - expected.scores[0]) <= 0.08,
      `top-1 score ${top[0].score.toFixed(4)} vs reference ${expected.scores[0]}`);
  });
