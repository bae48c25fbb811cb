// Type-checked against web/index.d.ts (tsc --noEmit, see types.test.js): the API as a
// TypeScript user writes it. Lines marked @ts-expect-error must stay errors.
import { load, loadDetector, loadHead, toRgba, summarize } from 'mobilenetv2-wasm';
import type { Classification, Detection, Detector, Head, HeadClassification, HeadJSON, ImageInput, InWorker, MobileNetV2, RgbaImage, TrainReport } from 'mobilenetv2-wasm';
import { readImage, decodeImage } from 'mobilenetv2-wasm/decode-image';

export async function inNode(path: string): Promise<string> {
  const model: MobileNetV2 = await load({ weights: 'weights/model.mnv2', onProgress: ({ loaded, total }) => void (loaded / total) });
  const image: RgbaImage = await readImage(path);
  const top: Classification[] = await model.classify(image, { topK: 3, crop: 0.875 });
  const features: Float32Array = await model.embed(decodeImage(new Uint8Array(8), 'x.bmp'));
  const bytes: number = model.memoryStats().activationPeakBytes + model.summary().totals.macs + features.length + model.threads;
  const backend: 'simd' | 'relaxed-simd' | 'simd-threads' | 'relaxed-simd-threads' = model.backend;
  const profiled: number = (await model.profile(image, { runs: 2 })).totals.ms + bytes;
  model.dispose();
  return `${top[0].label} ${top[0].score.toFixed(2)} ${model.labels[top[0].index]} ${profiled} ${backend}`;
}

export async function inBrowser(element: HTMLImageElement, video: HTMLVideoElement, canvas: OffscreenCanvas): Promise<void> {
  const model = await load({ worker: true, weights: new URL('https://example.org/w.mnv2'), execution: 'fused', threads: 'auto', backend: 'auto' });
  const remote: InWorker<MobileNetV2> = model;
  // In a worker even memoryStats() is asynchronous.
  const stats: Promise<{ wasmMemoryBytes: number }> = remote.memoryStats();
  const inputs: ImageInput[] = [element, video, canvas, await createImageBitmap(element), new ImageData(1, 1),
    { data: new Uint8ClampedArray(4), width: 1, height: 1 }, document.createElement('canvas')];
  for (const input of inputs) await model.classify(input);
  const pixels: RgbaImage = toRgba(element);
  const detector: InWorker<Detector> = await loadDetector({ worker: true, onProgress: ({ loaded }) => void loaded });
  const objects: Detection[] = await detector.detect(element, { minScore: 0.3, maxDetections: 5, iouThreshold: 0.5, classAgnostic: false });
  const [x, y, width, height] = objects[0].bbox;
  void `${objects[0].class} ${objects[0].classIndex} ${x + y + width + height} ${detector.labels.length}`;
  const remotePeak: number = (await detector.summary()).totals.peakActivationBytes;
  detector.dispose();
  const local: Detector = await loadDetector({ weights: new Uint8Array(8), execution: 'layer-by-layer' });
  const expanded: number = local.summary().layers[0].expandedBytes + local.memoryStats().scratchBytes + remotePeak;
  void expanded;
  local.dispose();
  await stats;
  summarize(model.inputSize > 0 ? [] : []);
  model.dispose();
  void pixels;
}

export async function customClasses(element: HTMLImageElement, features: Float32Array): Promise<string> {
  const model = await load({ worker: true });
  // createHead() stays synchronous in worker mode; the head's methods are Promises in both modes.
  const head: Head = model.createHead();
  const count: number = await head.addExample(element, 'thumbs up', { augment: 4, flip: true, jitter: 0.2, seed: 1 });
  await head.addExample(features, 'thumbs down');
  const report: TrainReport = await head.train({ method: 'softmax', epochs: 50, learningRate: 0.001, weightDecay: 0 });
  await head.train({ method: 'knn', k: 3 });
  const top: HeadClassification[] = await head.classify(element, { topK: 1, labels: ['thumbs up'] });
  const json: HeadJSON = head.toJSON();
  const again: Head = await loadHead(await load(), JSON.stringify(json));
  const counts = await again.exampleCounts();
  head.dispose();
  return `${count} ${report.loss ?? report.k} ${top[0].label} ${top[0].index} ${again.labels.join()} ${again.method} ${counts.length}`;
}

export async function mistakes(model: MobileNetV2): Promise<void> {
  // @ts-expect-error topK is a number
  await model.classify(new ImageData(1, 1), { topK: '5' });
  // @ts-expect-error a file name is not an image
  await model.classify('cat.jpg');
  // @ts-expect-error weights are a URL, a path or bytes
  await load({ weights: 42 });
  // @ts-expect-error there are two execution plans
  await load({ execution: 'fast' });
  // @ts-expect-error labels are read-only
  model.labels = [];
  // @ts-expect-error threads is a count or 'auto'
  await load({ threads: 'many' });
  const head = model.createHead();
  // @ts-expect-error labels are strings
  await head.addExample(new ImageData(1, 1), 3);
  // @ts-expect-error there are two methods
  await head.train({ method: 'svm' });
  const detector = await loadDetector();
  // @ts-expect-error minScore is a number
  await detector.detect(new ImageData(1, 1), { minScore: 'high' });
}
