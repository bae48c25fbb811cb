// The browser benchmark's page (index.html): builds every engine, runs each on every shared
// photo, times them in interleaved rounds on one photo, and returns plain data for
// scripts/bench-browser.mjs to check and write up. window.runBrowserBench(config) is what the
// driver calls; config is documented in that script (pageConfig()).
//
// Engines: this engine through its public API (bench/peer-ours.mjs, loadDetector),
// tfjs-backend-wasm (the network from tf ops, bench/tfjs-forward.mjs, SIMD, 1 thread) and
// LiteRT.js on .tflite files (litert-frame.mjs, one frame per LiteRT.js build).
import { loadDetector } from '../../web/index.js';
import { profileReport } from '../../web/profile-report.js';
import { parseWeights } from '../mnv2-format.mjs';
import { createOursPeer } from '../peer-ours.mjs';
import { timeEngines } from '../stats.mjs';
import { createTfjsForward } from '../tfjs-forward.mjs';
import { attributeMemory, wasmMemoryBytes } from '../wasm-memory.mjs';

async function fetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

// ---- the pixels, in each engine's input form ------------------------------------------------

// The RGBA pixels the driver resized once (bench/images.mjs), at 224 and 300 pixels square.
async function loadImages({ dataUrl, images }) {
  return Promise.all(images.map(async (name) => ({
    name,
    rgba224: await fetchBytes(`${dataUrl}${encodeURIComponent(name)}.224.rgba`),
    rgba300: await fetchBytes(`${dataUrl}${encodeURIComponent(name)}.300.rgba`),
  })));
}

function rgbBytes(rgba) {
  const rgb = new Uint8Array((rgba.length / 4) * 3);
  for (let p = 0, q = 0; p < rgba.length; p += 4) { rgb[q++] = rgba[p]; rgb[q++] = rgba[p + 1]; rgb[q++] = rgba[p + 2]; }
  return rgb;
}

// (x - mean) / std as float32 NHWC: the float models' input.
function normalized(rgba, mean, std) {
  const out = new Float32Array((rgba.length / 4) * 3);
  for (let p = 0, q = 0; p < rgba.length; p += 4) {
    for (let c = 0; c < 3; ++c) out[q++] = Math.fround(Math.fround(rgba[p + c] - mean) / std);
  }
  return out;
}

// ---- engines ----------------------------------------------------------------------------------
// Each: {id, library, task, model, threadsRequested, backend, ...; scores(image) (classifiers:
// probabilities by class index), detections(image) (detectors: [{classIndex, score, box}],
// box [x0, y0, x1, y1] in the 300x300 input's pixels), once() (one timed call on the timed
// image)}.

async function oursClassifier(id, model, weights, precision, threads, timed) {
  const peer = await createOursPeer(weights, { precision, threads });
  return {
    id, library: 'ours', task: 'classify', model, precision, threadsRequested: threads,
    backend: peer.model.backend, threads: peer.model.threads, peer,
    scores: (image) => peer.run(image.rgba224),
    once: () => peer.classify(timed.rgba224),
  };
}

async function oursDetector(id, model, weights, precision, timed) {
  const detector = await loadDetector({ weights, precision });
  const detect = (image) => detector.detect({ data: image.rgba300, width: 300, height: 300 }, { minScore: 0.3, maxDetections: 10 });
  return {
    id, library: 'ours', task: 'detect', model, precision, threadsRequested: 1,
    backend: detector.backend ?? 'simd', threads: detector.threads ?? 1, detector,
    detections: async (image) => (await detect(image)).map(({ bbox: [x, y, w, h], classIndex, score }) =>
      ({ classIndex, score, box: [x, y, x + w, y + h] })),
    once: () => detect(timed),
  };
}

async function tfjsClassifier(weightsUrl, timed) {
  const tf = window.tf;
  tf.wasm.setWasmPaths('/tfjs-backend-wasm/');
  tf.env().set('WASM_HAS_SIMD_SUPPORT', true);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  tf.wasm.setThreadsCount(1);
  await attributeMemory('tfjs', async () => {
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend did not initialize');
    await tf.ready();
  });
  const weights = parseWeights(await fetchBytes(weightsUrl), weightsUrl);
  const run = createTfjsForward(tf, weights);
  const input = normalized(timed.rgba224, 128, 128);
  return {
    id: 'tfjs-float32-1t', library: 'tfjs', task: 'classify', model: 'float32', precision: 'float32',
    threadsRequested: 1, backend: 'wasm simd (XNNPACK)', threads: 1,
    scores: async (image) => run(normalized(image.rgba224, 128, 128)),
    once: async () => run(input),
  };
}

// A LiteRT.js build in a frame of its own: {info, runtime} or {failed}.
async function liteRtFrame(threads) {
  const frame = document.createElement('iframe');
  frame.src = `./litert.html?threads=${threads}`;
  const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
  document.body.append(frame);
  await loaded;
  const runtime = frame.contentWindow.liteRt;
  if (!runtime) return { failed: 'litert-frame.mjs did not load' };
  try {
    return { info: await runtime.start(), runtime };
  } catch (error) {
    return { failed: String(error?.message ?? error) };
  }
}

// Classifier files: uint8 in and out (scores = q / 256: the softmax output's scale), or float.
async function liteRtClassifier(frame, id, model, url, timed) {
  const compiled = await frame.runtime.compile(url);
  const [input] = compiled.inputs;
  const pixels = input.dtype === 'uint8' ? (image) => rgbBytes(image.rgba224) : (image) => normalized(image.rgba224, 128, 128);
  const form = (image) => compiled.adopt(pixels(image));
  const probabilities = ([out]) => (out instanceof Uint8Array ? Float32Array.from(out, (q) => q / 256) : out);
  const timedInput = form(timed);
  return {
    id, library: 'litert', task: 'classify', model, precision: input.dtype === 'float32' && model === 'float32' ? 'float32' : 'int8',
    threadsRequested: frame.runtime.threads, backend: `${frame.info.wasmFile}`, threads: frame.info.threadCount,
    io: compiled,
    scores: async (image) => probabilities(await compiled.infer([form(image)])),
    once: () => compiled.infer([timedInput]),
  };
}

// SSDLite with TFLite_Detection_PostProcess: float input (x - 127.5) / 127.5; outputs boxes
// [1,N,4] (ymin, xmin, ymax, xmax, normalized), classes [1,N], scores [1,N], count [1].
async function liteRtDetector(frame, id, model, url, timed) {
  const compiled = await frame.runtime.compile(url);
  const form = (image) => compiled.adopt(normalized(image.rgba300, 127.5, 127.5));
  const timedInput = form(timed);
  return {
    id, library: 'litert', task: 'detect', model, precision: model === 'float32' ? 'float32' : 'int8',
    threadsRequested: frame.runtime.threads, backend: frame.info.wasmFile, threads: frame.info.threadCount,
    io: compiled,
    detections: async (image) => {
      const [boxes, classes, scores, count] = await compiled.infer([form(image)]);
      const found = [];
      for (let i = 0; i < count[0]; ++i) {
        const [y0, x0, y1, x1] = boxes.subarray(4 * i, 4 * i + 4);
        found.push({ classIndex: classes[i], score: scores[i], box: [x0 * 300, y0 * 300, x1 * 300, y1 * 300] });
      }
      return found;
    },
    once: () => compiled.infer([timedInput]),
  };
}

// Builds an engine, or records why it could not be built (the report says so).
async function attempt(list, failures, id, build) {
  try {
    list.push(await build());
  } catch (error) {
    failures.push({ id, reason: String(error?.message ?? error) });
  }
}

async function liteRtEngines(frame, suffix, config, timed, classifiers, detectors, failures) {
  const { tflite } = config;
  await attempt(classifiers, failures, `litert-uint8-${suffix}`, () => liteRtClassifier(frame, `litert-uint8-${suffix}`, 'uint8', tflite.uint8, timed));
  await attempt(classifiers, failures, `litert-ptq-${suffix}`, () => liteRtClassifier(frame, `litert-ptq-${suffix}`, 'ptq', tflite.ptq, timed));
  await attempt(classifiers, failures, `litert-float32-${suffix}`, () => liteRtClassifier(frame, `litert-float32-${suffix}`, 'float32', tflite.float32, timed));
  await attempt(detectors, failures, `litert-ssd-int8-${suffix}`, () => liteRtDetector(frame, `litert-ssd-int8-${suffix}`, 'ssd-int8', tflite.ssd, timed));
  await attempt(detectors, failures, `litert-ssd-float32-${suffix}`, () => liteRtDetector(frame, `litert-ssd-float32-${suffix}`, 'ssd-float32', tflite.ssdFloat32, timed));
}

// ---- the run ------------------------------------------------------------------------------------

const describeEngine = ({ id, library, task, model, precision, threadsRequested, backend, threads, io }) =>
  ({ id, library, task, model, precision, threadsRequested, backend, threads, io: io ? { inputs: io.inputs, outputs: io.outputs } : undefined });

async function runBrowserBench(config) {
  const images = await loadImages(config);
  const timedImage = images.find((image) => image.name === config.timedImage) ?? images[0];
  const { weights, threads } = config;
  const classifiers = [];
  const detectors = [];
  const failures = [];

  await attempt(classifiers, failures, 'ours-float32-1t', () => oursClassifier('ours-float32-1t', 'uint8', weights.classifier, 'float32', 1, timedImage));
  await attempt(classifiers, failures, `ours-float32-${threads}t`, () => oursClassifier(`ours-float32-${threads}t`, 'uint8', weights.classifier, 'float32', threads, timedImage));
  await attempt(classifiers, failures, 'ours-int8-1t', () => oursClassifier('ours-int8-1t', 'uint8', weights.classifier, 'int8', 1, timedImage));
  await attempt(classifiers, failures, `ours-int8-${threads}t`, () => oursClassifier(`ours-int8-${threads}t`, 'uint8', weights.classifier, 'int8', threads, timedImage));
  await attempt(classifiers, failures, 'ours-int8-ptq-1t', () => oursClassifier('ours-int8-ptq-1t', 'ptq', weights.ptq, 'int8', 1, timedImage));
  await attempt(classifiers, failures, 'tfjs-float32-1t', () => tfjsClassifier(weights.classifier, timedImage));
  await attempt(detectors, failures, 'ours-ssd-float32-1t', () => oursDetector('ours-ssd-float32-1t', 'ssd-float32', weights.detector, 'float32', timedImage));
  await attempt(detectors, failures, 'ours-ssd-int8-1t', () => oursDetector('ours-ssd-int8-1t', 'ssd-int8', weights.detector, 'int8', timedImage));

  const frames = { plain: await liteRtFrame(1), threaded: await liteRtFrame(threads) };
  for (const [name, frame] of Object.entries(frames)) {
    if (frame.failed) continue;
    await liteRtEngines(frame, name === 'plain' ? '1t' : `${threads}t`, config, timedImage, classifiers, detectors, failures);
  }

  // Every engine on every photo; an engine that fails on one is reported and left out.
  const results = images.map((image) => ({ image: image.name, scores: {}, detections: {} }));
  for (const [list, output, method] of [[classifiers, 'scores', 'scores'], [detectors, 'detections', 'detections']]) {
    for (const engine of [...list]) {
      try {
        for (const [i, image] of images.entries()) {
          const value = await engine[method](image);
          results[i][output][engine.id] = output === 'scores' ? Array.from(value) : value;
        }
      } catch (error) {
        failures.push({ id: engine.id, reason: `failed to run: ${String(error?.message ?? error).split('\n')[0]}` });
        list.splice(list.indexOf(engine), 1);
        for (const result of results) delete result[output][engine.id];
      }
    }
  }

  const timing = { classify: {}, detect: {} };
  if (config.runs > 0) {
    const options = { runs: config.runs, warmupMs: config.warmupMs, rounds: config.rounds };
    timing.classify = Object.fromEntries(await timeEngines(classifiers.map(({ id, once }) => ({ name: id, once })), options));
    timing.detect = Object.fromEntries(await timeEngines(detectors.map(({ id, once }) => ({ name: id, once })), options));
  }

  const byId = (id) => classifiers.find((engine) => engine.id === id);
  const memory = {
    oursSingleThread: byId('ours-float32-1t')?.peer.memoryStats().wasmMemoryBytes,
    oursThreads: classifiers.find((e) => e.library === 'ours' && e.backend === 'simd-threads')?.peer.memoryStats().wasmMemoryBytes,
    oursModels: Object.fromEntries(classifiers.filter((e) => e.library === 'ours').map((e) => [e.id, e.peer.memoryStats()])),
    oursDetectors: Object.fromEntries(detectors.filter((e) => e.library === 'ours').map((e) => [e.id, e.detector.memoryStats()])),
    tfjs: wasmMemoryBytes('tfjs'),
    litert: Object.fromEntries(Object.entries(frames).filter(([, f]) => !f.failed).map(([name, f]) => [name, f.runtime.wasmMemoryBytes()])),
  };

  const profiles = {};
  if (config.profileRuns > 0) {
    const image = { data: timedImage.rgba224, width: 224, height: 224 };
    for (const id of ['ours-float32-1t', 'ours-int8-1t']) {
      if (byId(id)) profiles[id] = await profileReport(byId(id).peer.model, image, { runs: config.profileRuns, warmupMs: config.warmupMs });
    }
  }

  const brands = await navigator.userAgentData?.getHighEntropyValues(['fullVersionList']);
  return {
    userAgent: navigator.userAgent,
    browserVersions: brands?.fullVersionList ?? [],
    hardwareConcurrency: navigator.hardwareConcurrency,
    crossOriginIsolated: self.crossOriginIsolated,
    timedImage: timedImage.name,
    engines: [...classifiers, ...detectors].map(describeEngine),
    failures,
    liteRt: Object.fromEntries(Object.entries(frames).map(([name, f]) => [name, f.failed ? { failed: f.failed } : f.info])),
    results,
    timing,
    memory,
    profiles,
  };
}

window.runBrowserBench = runBrowserBench;
window.benchPageReady = true;
