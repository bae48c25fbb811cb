// The int8 path (load({precision: 'int8'})) against the TFLite runtime itself, bit for bit:
// for both quantized classifiers and every shared photo, all 1001 uint8 scores must equal the
// ones TFLite computes from the same input bytes.
//
// The runtime is the WebAssembly TFLite of @tensorflow/tfjs-tflite (tflite-runtime.js), run
// with its builtin kernels: its runner's default XNNPACK delegate requantizes through float and
// is not TFLite's integer arithmetic (measured: up to 16/256 from the builtin kernels), so the
// model is handed over in a form XNNPACK does not take (tflite-without-xnnpack.js), and the
// profile must show that no XNNPACK node ran.
//
// The input bytes: the photo (JPEGs decoded by libjpeg-turbo's djpeg, as the reference
// results were) cropped and resized by pil-resize-u8.js to the engine's 224x224 RGB input.
// The engine gets those bytes as a 224x224 image with crop 1 (no resize then: PIL and the engine
// skip a pass of unchanged size), and must score them exactly like the photo itself with the
// 0.875 crop, which shows they are the bytes its own resize gives its network.
//
// Also printed: how far TFLite itself is from shared/reference (Arm NN CpuRef, which
// requantizes through float), per reference top-5 score in 1/256 steps.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { load } from '../../web/index.js';
import { readImage } from '../../web/decode-image.js';
import { decodeJpegWithLibjpeg, imagePaths, readReference, repoRoot, sharedDir } from './shared-data.js';
import { pilResizeU8, rgbToRgba } from './pil-resize-u8.js';
import { tfliteRunner } from './tflite-runtime.js';

const MODELS = [
  { tflite: 'mobilenet_v2_1.0_224_quant.tflite', weights: 'weights/mobilenet_v2_1.0_224.mnv2',
    reference: 'mobilenet_v2_1.0_224_quant.jsonl' },
  { tflite: 'tf2_mobilenet_v2_1.0_224_ptq.tflite', weights: 'weights/tf2_mobilenet_v2_1.0_224_ptq.mnv2',
    reference: 'tf2_mobilenet_v2_1.0_224_ptq.jsonl' },
];
const SIZE = 224;
const CROP = 0.875;

async function photoPixels(imagePath) {
  return /\.jpe?g$/i.test(imagePath) ? decodeJpegWithLibjpeg(imagePath) : readImage(imagePath);
}

// The engine's scores as the model's uint8 output values (score * 256), by class index.
async function engineSteps(model, pixels, crop) {
  const steps = new Uint8Array(model.numClasses);
  for (const { index, score } of await model.classify(pixels, { topK: model.numClasses, crop })) {
    assert.equal(score * 256, Math.round(score * 256), `score ${score} is not a multiple of 1/256`);
    steps[index] = Math.round(score * 256);
  }
  return steps;
}

for (const { tflite, weights, reference: referenceName } of MODELS) {
  const reference = readReference(referenceName);
  const modelBytes = readFileSync(path.join(sharedDir, 'models', tflite));
  let model;
  let runner;

  before(async () => {
    model = await load({ weights: path.join(repoRoot, weights), precision: 'int8' });
    runner = await tfliteRunner(modelBytes, { builtinKernels: true });
  });
  after(() => {
    model.dispose();
    runner.dispose();
  });

  test(`${tflite}: the runtime takes uint8 RGB ${SIZE}x${SIZE} and gives 1001 uint8 scores`, () => {
    const [{ dataType, shape }] = runner.inputs();
    assert.deepEqual({ dataType, shape }, { dataType: 'uint8', shape: `1,${SIZE},${SIZE},3` });
    assert.equal(model.numClasses, 1001);
  });

  for (const imagePath of imagePaths()) {
    const name = path.basename(imagePath);
    test(`${tflite}: ${name} (int8) equals TFLite's builtin kernels bit for bit`, async (t) => {
      const pixels = await photoPixels(imagePath);
      const input = pilResizeU8(pixels, SIZE, CROP);
      const ours = await engineSteps(model, rgbToRgba(input, SIZE, SIZE), 1);
      assert.deepEqual(await engineSteps(model, pixels, CROP), ours,
        'the engine scores the photo differently from pil-resize-u8.js\'s bytes of it');
      const [theirs] = runner.run(input);
      assert.equal(theirs.length, ours.length);
      const differing = [];
      for (let i = 0; i < ours.length; i++) if (ours[i] !== theirs[i]) differing.push(`${i}: ${ours[i]} vs ${theirs[i]}`);
      assert.deepEqual(differing, [], `${differing.length} of ${ours.length} scores differ from TFLite (ours vs TFLite, /256)`);

      const expected = reference.get(name);
      const steps = expected.top5.map((index, i) => theirs[index] - Math.round(expected.scores[i] * 256));
      t.diagnostic(`TFLite minus reference (Arm NN), reference top-5, /256: ${steps.join(' ')}`);
    });
  }

  test(`${tflite}: only TFLite's builtin kernels ran (no XNNPACK)`, () => {
    const kinds = runner.nodeTypes();
    assertBuiltinOnly(kinds);
  });
}

function assertBuiltinOnly(kinds) {
  assert.ok((kinds.CONV_2D ?? 0) > 0 && (kinds.DEPTHWISE_CONV_2D ?? 0) > 0, `kernels that ran: ${JSON.stringify(kinds)}`);
  assert.equal(kinds.TfLiteXNNPackDelegate, undefined, `XNNPACK ran: ${JSON.stringify(kinds)}`);
}

test('without the change, tfjs-tflite runs the quantized convolutions on XNNPACK', async () => {
  const runner = await tfliteRunner(readFileSync(path.join(sharedDir, 'models', MODELS[0].tflite)),
    { builtinKernels: false });
  try {
    runner.run(new Uint8Array(SIZE * SIZE * 3).fill(128));
    const kinds = runner.nodeTypes();
    assert.ok(kinds.TfLiteXNNPackDelegate > 0, `kernels that ran: ${JSON.stringify(kinds)}`);
    assert.equal(kinds.CONV_2D, undefined, `kernels that ran: ${JSON.stringify(kinds)}`);
  } finally {
    runner.dispose();
  }
});
