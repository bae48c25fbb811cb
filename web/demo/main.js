// The demo: loads the models (on the main thread or in Web Workers), runs them on the chosen
// image or on the webcam, and shows the results. Everything happens in this tab.
import * as mnv2 from '../index.js';
import * as view from './view.js';
import * as architecture from './architecture-view.js';
import { watchImageInputs, showSamples } from './image-input.js';
import { startWebcam } from './webcam.js';
import { createTeachPanel } from './teach-panel.js';
import { engineOptions, showBackend, watchEngineOptions } from './engine-options.js';

const $ = (id) => document.getElementById(id);
const preview = $('preview');
const video = $('video');
const workerToggle = $('worker-toggle');
const webcamButton = $('webcam-button');
const teach = createTeachPanel({ preview, video });

// Detection appears in the demo as soon as the package exports it.
const canDetect = typeof mnv2.loadDetector === 'function';
const DETECT_OPTIONS = { minScore: 0.5, maxDetections: 20 };

let modelsPromise = null;   // {classifier, detector, worker}
let generation = 0;         // bumped by every new image, so a late result never overwrites a newer one
let previewUrl = null;
let previewName = '';
let stopWebcam = null;

function megabytes(bytes) {
  return (bytes / 1e6).toFixed(1);
}

function progressReporter(what) {
  return ({ loaded, total }) => {
    view.setProgress(total ? loaded / total : NaN);
    view.setStatus(`Downloading the ${what} weights: ${megabytes(loaded)}${total ? ` of ${megabytes(total)}` : ''} MB…`);
  };
}

function placeName(worker) {
  return worker ? 'in a Web Worker' : 'on the main thread';
}

async function loadModels(worker) {
  view.showError(null);
  view.setProgress(0);
  view.setStatus('Loading the model…');
  showBackend(null);
  const classifier = await mnv2.load({ worker, ...engineOptions(), onProgress: progressReporter('classifier') });
  showBackend(classifier.backend);
  let detector = null;
  if (canDetect) {
    try {
      detector = await mnv2.loadDetector({ worker, onProgress: progressReporter('detector') });
    } catch (error) {
      view.showError(`Object detection is unavailable: ${error.message}`);
    }
  }
  const where = placeName(worker);
  view.setProgress(null);
  view.setStatus(`Ready: inference runs ${where}.`);
  view.setModelInfo(`MobileNetV2 ${classifier.alpha.toFixed(2).replace(/0$/, '')} at ${classifier.inputSize}×${classifier.inputSize}, ` +
    `${classifier.numClasses} classes${detector ? ', SSDLite object detector' : ''}; ${classifier.precision}, ` +
    `${classifier.threads} thread${classifier.threads > 1 ? 's' : ''}, backend ${classifier.backend}, ${where}.`);
  teach.attach(classifier);
  // The panel is extra: a failure there must not take the models down.
  await showArchitecture(classifier, detector, worker).catch((error) => view.showError(`Architecture panel: ${error.message}`));
  return { classifier, detector, worker };
}

// The Architecture panel (summary() and memoryStats() are Promises in worker mode).
async function showArchitecture(classifier, detector, worker) {
  const [summary, memory] = await Promise.all([classifier.summary(), classifier.memoryStats()]);
  const alpha = classifier.alpha.toFixed(2).replace(/0$/, '');
  architecture.renderArchitecture(summary, memory,
    `MobileNetV2 ${alpha}, ${classifier.inputSize}×${classifier.inputSize}, fused execution${worker ? ' (in a Web Worker)' : ''}`);
  if (detector && typeof detector.summary === 'function') {
    const [detectorSummary, detectorMemory] = await Promise.all([detector.summary(), detector.memoryStats()]);
    architecture.renderDetectorTotals(detectorSummary, detectorMemory);
  } else {
    architecture.renderDetectorTotals(null);
  }
}

const PROFILE_RUNS = 5;

/** The image on screen, or a neutral gray one when there is none yet. */
function profileInput(classifier) {
  if (!preview.hidden && preview.naturalWidth > 0 && !$('frame').hidden) return preview;
  const size = classifier.inputSize;
  return { data: new Uint8Array(size * size * 4).fill(128), width: size, height: size };
}

async function profileLayers() {
  const models = modelsPromise;
  const { classifier } = await models;
  architecture.setProfileStatus(`Profiling: ${PROFILE_RUNS} runs…`, true);
  try {
    const profile = await classifier.profile(profileInput(classifier), { runs: PROFILE_RUNS });
    if (models === modelsPromise) architecture.renderProfile(profile, PROFILE_RUNS);
  } catch (error) {
    // Models switched meanwhile: the new panel is already drawn, the failure is expected.
    if (models !== modelsPromise) return;
    architecture.setProfileStatus('', false);
    view.showError(`Profiling failed: ${error.message}`);
  }
}

function switchModels(worker) {
  const previous = modelsPromise;
  modelsPromise = (async () => {
    const old = await previous?.catch(() => null);
    old?.classifier.dispose();
    old?.detector?.dispose();
    return loadModels(worker);
  })();
  modelsPromise.catch((error) => {
    view.setProgress(null);
    view.setStatus('The model could not be loaded.');
    view.showError(error.message);
  });
  return modelsPromise;
}

async function timed(run) {
  const start = performance.now();
  const value = await run();
  return { value, ms: performance.now() - start };
}

/**
 * Classifies (and detects objects in) a source; in worker mode both models run in parallel.
 * Resolves to null when the models were switched meanwhile (their disposal failed the call).
 */
async function analyze(source) {
  const models = modelsPromise;
  const { classifier, detector, worker } = await models;
  try {
    const [classes, objects] = await Promise.all([
      timed(() => classifier.classify(source, { topK: 5 })),
      detector ? timed(() => detector.detect(source, DETECT_OPTIONS)) : null,
    ]);
    return { classes, objects, where: placeName(worker) };
  } catch (error) {
    if (models !== modelsPromise) return null;
    throw error;
  }
}

function render({ classes, objects, where }, width, height) {
  view.renderClasses(classes.value);
  if (objects) view.renderDetections(objects.value.map(toBox), width, height);
  view.renderTiming({ classifyMs: classes.ms, detectMs: objects?.ms, where });
}

/** The detector's {bbox: [x, y, width, height], label|class, score} as the view draws it. */
function toBox(detection) {
  const [x, y, width, height] = detection.bbox;
  return { label: detection.label ?? detection.class, score: detection.score, box: { x, y, width, height } };
}

function showFrame(kind) {
  $('frame').hidden = false;
  preview.hidden = kind !== 'image';
  video.hidden = kind !== 'video';
}

async function showImage(url, name) {
  const mine = ++generation;
  stopWebcamMode();
  view.showError(null);
  preview.src = url;
  try {
    await preview.decode();
  } catch {
    if (mine === generation) view.showError(`${name}: this browser cannot decode the image.`);
    return;
  } finally {
    if (previewUrl?.startsWith('blob:') && previewUrl !== url) URL.revokeObjectURL(previewUrl);
    previewUrl = url;
    previewName = name;
  }
  if (mine !== generation) return;
  const { naturalWidth: width, naturalHeight: height } = preview;
  preview.alt = `The image being analyzed: ${name}`;
  view.clearResults();
  showFrame('image');
  view.setCaption(`${name}, ${width}×${height} pixels`);
  try {
    const result = await analyze(preview);
    if (mine !== generation || !result) return;
    render(result, width, height);
    const top = result.classes.value[0];
    const found = result.objects?.value.map((d) => d.label ?? d.class) ?? [];
    view.announce(`Most likely: ${top.label}, ${(top.score * 100).toFixed(0)}%.` +
      (found.length ? ` Objects found: ${found.join(', ')}.` : ''));
  } catch (error) {
    if (mine === generation) view.showError(error.message);
  }
}

function stopWebcamMode() {
  if (!stopWebcam) return;
  stopWebcam();
  stopWebcam = null;
  webcamButton.textContent = 'Start webcam';
  webcamButton.setAttribute('aria-pressed', 'false');
  view.renderFps(null);
}

async function toggleWebcam() {
  if (stopWebcam) {
    stopWebcamMode();
    return;
  }
  const mine = ++generation;
  webcamButton.disabled = true;
  view.showError(null);
  try {
    const step = async () => {
      const result = await analyze(video);
      if (mine === generation && result) render(result, video.videoWidth, video.videoHeight);
    };
    const onFps = (fps, error) => {
      if (error) {
        view.showError(`Webcam stopped: ${error.message}`);
        stopWebcam = null;
        stopWebcamMode();
      } else {
        view.renderFps(fps);
      }
    };
    stopWebcam = await startWebcam(video, step, onFps);
    view.clearResults();
    showFrame('video');
    view.setCaption('Live webcam');
    webcamButton.textContent = 'Stop webcam';
    webcamButton.setAttribute('aria-pressed', 'true');
  } catch (error) {
    view.showError(`Cannot start the webcam: ${error.message}`);
  } finally {
    webcamButton.disabled = false;
  }
}

function main() {
  const params = new URLSearchParams(location.search);
  workerToggle.checked = params.get('worker') === '1';
  const reload = () => switchModels(workerToggle.checked).then(() => {
    if (!stopWebcam && previewUrl) showImage(previewUrl, previewName);
  }, () => {});
  workerToggle.addEventListener('change', () => {
    // Keep the choice in the address, so a reload or a shared link keeps the mode.
    const url = new URL(location.href);
    if (workerToggle.checked) url.searchParams.set('worker', '1');
    else url.searchParams.delete('worker');
    history.replaceState(null, '', url);
    reload();
  });
  watchEngineOptions(reload);
  webcamButton.addEventListener('click', toggleWebcam);
  $('profile-button').addEventListener('click', profileLayers);
  watchImageInputs(showImage, (message) => view.showError(message));
  showSamples(showImage);
  switchModels(workerToggle.checked);
}

main();
