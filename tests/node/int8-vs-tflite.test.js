// The int8 path (load({precision: 'int8'}), loadDetector({precision: 'int8'})) against the
// TFLite runtime itself, bit for bit, on every shared photo: for both quantized classifiers all
// 1001 uint8 scores must equal the ones TFLite computes from the same input bytes; for the int8
// SSDLite, the raw head tensors (7668 box encodings, 1917 x 21 sigmoid scores, int8) must equal
// TFLite's, and the detections its TFLite_Detection_PostProcess makes of them must be ours
// (same classes and scores, boxes within float rounding).
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
import { singleThreadModule } from '../../web/wasm-module.js';
import { imagePaths, readReference, referencePixels, repoRoot, sharedDir } from './shared-data.js';
import { pilResizeU8, rgbToRgba } from './pil-resize-u8.js';
import { tfliteRunner } from './tflite-runtime.js';
import { describeModel } from './tflite-without-xnnpack.js';

const MODELS = [
  { tflite: 'mobilenet_v2_1.0_224_quant.tflite', weights: 'weights/mobilenet_v2_1.0_224.mnv2',
    reference: 'mobilenet_v2_1.0_224_quant.jsonl' },
  { tflite: 'tf2_mobilenet_v2_1.0_224_ptq.tflite', weights: 'weights/tf2_mobilenet_v2_1.0_224_ptq.mnv2',
    reference: 'tf2_mobilenet_v2_1.0_224_ptq.jsonl' },
];
const SIZE = 224;
const CROP = 0.875;

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
      const pixels = await referencePixels(imagePath);
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

// ---- the int8 SSDLite ------------------------------------------------------------------------

const DETECTOR = 'ssdlite_mobilenet_v2_voc_300_integer_quant_with_postprocess.tflite';
const DETECTOR_SIZE = 300;
// The model's TFLite_Detection_PostProcess keeps scores above its nms_score_threshold, 0.7
// (shared/models/SOURCES.md); scores are multiples of 1/256, so > and >= agree.
const POSTPROCESS_MIN_SCORE = 0.7;
const BUILTIN_CONCATENATION = 2;
const BUILTIN_LOGISTIC = 14;

{
  const modelBytes = readFileSync(path.join(sharedDir, 'models', DETECTOR));
  // The postprocess op's integer inputs: the two concatenations (box encodings, class logits)
  // and the LOGISTIC's output (scores), before the graph dequantizes them.
  const { operators } = describeModel(modelBytes);
  const concatenations = operators.filter((op) => op.builtin === BUILTIN_CONCATENATION);
  const logistics = operators.filter((op) => op.builtin === BUILTIN_LOGISTIC);
  let detector;
  let runner;

  before(async () => {
    const module = await singleThreadModule();
    detector = new module.Detector(readFileSync(path.join(repoRoot, 'weights/ssdlite_mobilenet_v2_voc_300.mnv2')),
      { precision: 'int8' });
    runner = await tfliteRunner(modelBytes, {
      builtinKernels: true,
      extraOutputs: [concatenations[0].outputs[0], logistics[0].outputs[0]],
    });
  });
  after(() => {
    detector.dispose();
    runner.dispose();
  });

  test(`${DETECTOR}: one box concatenation and one LOGISTIC feed the postprocess`, () => {
    assert.equal(concatenations.length, 2, 'box encodings and class logits');
    assert.equal(logistics.length, 1);
    assert.equal(detector.numAnchors, 1917);
    const [{ dataType, shape }] = runner.inputs();
    assert.deepEqual({ dataType, shape }, { dataType: 'float32', shape: `1,${DETECTOR_SIZE},${DETECTOR_SIZE},3` });
  });

  for (const imagePath of imagePaths()) {
    const name = path.basename(imagePath);
    test(`${DETECTOR}: ${name} (int8) head tensors and detections equal TFLite's`, async () => {
      const pixels = await referencePixels(imagePath);
      const input = pilResizeU8(pixels, DETECTOR_SIZE, 1);  // the whole image, as the detector resizes it
      const resized = rgbToRgba(input, DETECTOR_SIZE, DETECTOR_SIZE);
      const options = { minScore: POSTPROCESS_MIN_SCORE, maxDetections: 10 };
      const ours = detector.detect(resized.data, DETECTOR_SIZE, DETECTOR_SIZE, options);
      const codes = detector.headCodes();
      detector.detect(pixels.data, pixels.width, pixels.height, options);
      assert.deepEqual(detector.headCodes(), codes, 'the engine sees the photo differently from pil-resize-u8.js\'s bytes of it');

      // The model's float input, (x - 127.5) / 127.5 in float32: its first op quantizes it.
      const [boxes, classes, scores, count, boxCodes, scoreCodes] =
        runner.run(Float32Array.from(input, (x) => (x - 127.5) / 127.5));
      const differing = (a, b) => a.reduce((n, value, i) => n + (value !== b[i] ? 1 : 0), 0);
      assert.equal(boxCodes.length, codes.boxCodes.length);
      assert.equal(scoreCodes.length, codes.scoreCodes.length);
      assert.equal(differing(codes.boxCodes, boxCodes), 0, 'box encodings differ from TFLite\'s');
      assert.equal(differing(codes.scoreCodes, scoreCodes), 0, 'class scores differ from TFLite\'s');

      // TFLite's detections: normalized [ymin, xmin, ymax, xmax], class, score.
      const theirs = Array.from({ length: count[0] }, (_, k) => ({
        classIndex: classes[k], score: scores[k], box: Array.from(boxes.subarray(4 * k, 4 * k + 4)) }));
      assert.deepEqual(ours.map(({ classIndex, score }) => ({ classIndex, score })),
        theirs.map(({ classIndex, score }) => ({ classIndex, score })));
      ours.forEach(({ bbox: [x, y, width, height] }, k) => {
        const box = [y, x, y + height, x + width].map((v) => v / DETECTOR_SIZE);
        box.forEach((v, j) => assert.ok(Math.abs(v - theirs[k].box[j]) < 1e-5,
          `detection ${k}: box ${box} vs TFLite's ${theirs[k].box}`));
      });
    });
  }

  test(`${DETECTOR}: only TFLite's builtin kernels ran (no XNNPACK)`, () => {
    assertBuiltinOnly(runner.nodeTypes());
  });
}
