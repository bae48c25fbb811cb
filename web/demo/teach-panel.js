// The Teach panel: name classes, give each examples (image files, or webcam frames while the
// record button is held), train a head on the classifier's embeddings, and watch its predictions
// for the preview image and, live, for the webcam's frames; export the head as a file and
// import one. Everything stays in this tab.
//
// The panel keeps every example's embedding, so when the demo switches between the main thread
// and a Web Worker (a new model) it rebuilds the same head on the new model.
import { loadHead } from '../index.js';
import { augmentedCopies } from '../head-augment.js';
import { toRgba } from '../pixels.js';
import { renderClasses } from './view.js';

const $ = (id) => document.getElementById(id);

const AUGMENTED_COPIES = 4;  // mirrored / cropped copies per file when the box is ticked
const RECORD_FRAMES_MAX = 200;  // a held record button stops adding after this many frames

function nextFrame(video) {
  return new Promise((resolve) => {
    if (typeof video.requestVideoFrameCallback === 'function') video.requestVideoFrameCallback(() => resolve());
    else requestAnimationFrame(() => resolve());
  });
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function decodeFile(file) {
  const image = new Image();
  const url = URL.createObjectURL(file);
  image.src = url;
  return image.decode().then(() => image, () => {
    throw new Error(`${file.name}: this browser cannot decode the image`);
  }).finally(() => URL.revokeObjectURL(url));
}

export function createTeachPanel({ preview, video }) {
  let model = null;
  let head = null;
  let building = Promise.resolve();  // the current head's construction (after a model switch)
  const classes = [];      // [{label, row, count}] in the order added
  const examples = [];     // [{label, features}]: everything the head was given
  let imported = null;     // the JSON of an imported head, the base the examples add to
  let trainedWith = null;  // train() options of the current model, or null when untrained
  let liveLoop = false;

  const status = (text) => { $('teach-status').textContent = text; };
  const showError = (message) => {
    $('teach-error').hidden = !message;
    $('teach-error').textContent = message ?? '';
  };
  const webcamRunning = () => !!video.srcObject && !video.paused && video.readyState >= 2;

  function updateControls() {
    const ready = !!model;
    $('teach-add-class').querySelector('button').disabled = !ready;
    $('teach-train').disabled = !ready || classes.length < 2;
    $('teach-export').disabled = !trainedWith && !imported;
    $('teach-import').disabled = !ready;
    for (const { row } of classes) {
      row.querySelector('.teach-record').disabled = !ready;
      row.querySelector('.teach-files').disabled = !ready;
    }
  }

  function setCount(entry) {
    const n = examples.filter(({ label }) => label === entry.label).length;
    entry.count.textContent = `${n} example${n === 1 ? '' : 's'}`;
  }

  /** Builds the head the panel's state describes on the current model. */
  async function rebuild() {
    head?.dispose();
    head = null;
    const fresh = imported ? await loadHead(model, imported) : model.createHead();
    for (const { label, features } of examples) await fresh.addExample(features, label);
    if (trainedWith) await fresh.train(trainedWith);
    head = fresh;
  }

  async function addFeatures(label, featureList) {
    await building;
    for (const features of featureList) {
      await head.addExample(features, label);
      examples.push({ label, features });
    }
    setCount(classes.find((entry) => entry.label === label));
  }

  async function addFiles(label, files) {
    showError(null);
    const augment = $('teach-augment').checked;
    let added = 0;
    for (const file of files) {
      status(`Adding ${file.name} to "${label}"…`);
      const image = toRgba(await decodeFile(file));
      const sources = [image, ...(augment ? augmentedCopies(image, { copies: AUGMENTED_COPIES, jitter: 0.2, flip: true, seed: examples.length }) : [])];
      const featureList = [];
      for (const source of sources) featureList.push(await model.embed(source));
      await addFeatures(label, featureList);
      added += featureList.length;
    }
    status(`Added ${added} example${added === 1 ? '' : 's'} to "${label}".`);
  }

  /** Adds a webcam frame to `label` on every video frame until stop() is called. */
  function record(label) {
    let recording = true;
    const done = (async () => {
      if (!webcamRunning()) throw new Error('Start the webcam first (above): recording takes its frames.');
      let frames = 0;
      while (recording && frames < RECORD_FRAMES_MAX && webcamRunning()) {
        await addFeatures(label, [await model.embed(video)]);
        frames += 1;
        status(`Recording "${label}": ${frames} frame${frames === 1 ? '' : 's'}…`);
        await nextFrame(video);
      }
      status(`Recorded ${frames} frame${frames === 1 ? '' : 's'} of "${label}".`);
    })();
    return { stop: () => { recording = false; return done; }, done };
  }

  function holdToRecord(button, label) {
    let session = null;
    const start = (event) => {
      if (session || button.disabled) return;
      event.preventDefault();
      showError(null);
      button.setAttribute('aria-pressed', 'true');
      session = record(label);
      session.done.catch((error) => showError(error.message)).finally(() => {
        button.setAttribute('aria-pressed', 'false');
        session = null;
      });
    };
    const stop = () => session?.stop();
    button.addEventListener('pointerdown', start);
    for (const type of ['pointerup', 'pointerleave', 'pointercancel']) button.addEventListener(type, stop);
    button.addEventListener('keydown', (event) => {
      if ((event.key === ' ' || event.key === 'Enter') && !event.repeat) start(event);
    });
    button.addEventListener('keyup', (event) => {
      if (event.key === ' ' || event.key === 'Enter') stop();
    });
  }

  function addClass(label) {
    if (classes.some((entry) => entry.label === label)) {
      showError(`There is already a class "${label}".`);
      return;
    }
    const row = element('li', 'teach-class');
    const name = element('span', 'teach-class-name', label);
    const count = element('span', 'teach-count');
    const files = element('input', 'teach-files');
    files.type = 'file';
    files.accept = 'image/*';
    files.multiple = true;
    files.setAttribute('aria-label', `Add images of ${label}`);
    const fileLabel = element('label', 'teach-file-label', 'Add images ');
    fileLabel.append(files);
    const recordButton = element('button', 'teach-record', 'Hold to record');
    recordButton.type = 'button';
    recordButton.setAttribute('aria-pressed', 'false');
    recordButton.setAttribute('aria-label', `Hold to record webcam frames of ${label}`);
    const remove = element('button', 'teach-remove', 'Remove');
    remove.type = 'button';
    remove.setAttribute('aria-label', `Remove the class ${label}`);
    row.append(name, count, fileLabel, recordButton, remove);
    const entry = { label, row, count };
    classes.push(entry);
    setCount(entry);
    $('teach-classes').append(row);

    files.addEventListener('change', () => {
      const chosen = [...files.files];
      files.value = '';
      addFiles(label, chosen).catch((error) => showError(error.message));
    });
    holdToRecord(recordButton, label);
    remove.addEventListener('click', async () => {
      await building;
      if (examples.some((example) => example.label === label)) await head.removeExamples(label);
      for (let i = examples.length - 1; i >= 0; i--) if (examples[i].label === label) examples.splice(i, 1);
      classes.splice(classes.indexOf(entry), 1);
      row.remove();
      updateControls();
    });
    updateControls();
  }

  async function predict(source, caption) {
    if (!head || (!trainedWith && !imported)) return;
    const top = await head.classify(source, { topK: Math.min(5, head.labels.length) });
    renderClasses(top, $('teach-predictions'));
    $('teach-source').textContent = caption;
  }

  function predictPreview() {
    if (webcamRunning() || preview.hidden || !preview.naturalWidth) return;
    predict(preview, `For the preview image (${preview.alt.replace(/^The image being analyzed: /, '')})`).catch((error) => showError(error.message));
  }

  async function liveLoopRun() {
    if (liveLoop) return;
    liveLoop = true;
    try {
      while (webcamRunning() && head && (trainedWith || imported)) {
        await predict(video, 'Live, for the webcam’s frames');
        await nextFrame(video);
      }
    } catch (error) {
      showError(`Live predictions stopped: ${error.message}`);
    } finally {
      liveLoop = false;
    }
  }

  async function train() {
    showError(null);
    const button = $('teach-train');
    button.disabled = true;
    try {
      await building;
      const empty = classes.filter(({ label }) => !examples.some((example) => example.label === label));
      if (empty.length > 0 && !imported) throw new Error(`Add examples to ${empty.map(({ label }) => `"${label}"`).join(', ')} first.`);
      const options = { method: $('teach-method').value };
      status('Training…');
      const report = await head.train(options);
      trainedWith = options;
      const fit = report.method === 'softmax' ? `, ${(report.accuracy * 100).toFixed(0)}% of them right after training` : ` (k = ${report.k})`;
      status(`Trained ${report.method === 'softmax' ? 'a softmax regression' : 'k nearest neighbours'} on ${report.examples} examples of ${report.labels.length} classes in ${report.ms.toFixed(0)} ms${fit}.`);
      updateControls();
      if (webcamRunning()) liveLoopRun();
      else predictPreview();
    } catch (error) {
      showError(error.message);
    } finally {
      updateControls();
    }
  }

  function exportHead() {
    const blob = new Blob([JSON.stringify(head)], { type: 'application/json' });
    const link = element('a');
    link.href = URL.createObjectURL(blob);
    link.download = 'mobilenetv2-head.json';
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 0);
  }

  async function importHead(file) {
    showError(null);
    await building;
    const text = await file.text();
    const loaded = await loadHead(model, text);  // refuses a bad file before anything changes
    head?.dispose();
    head = loaded;
    imported = loaded.toJSON();
    trainedWith = null;
    examples.length = 0;
    for (const { row } of classes.splice(0)) row.remove();
    for (const label of loaded.labels) addClass(label);
    for (const entry of classes) entry.count.textContent = 'imported';
    status(`Imported ${file.name}: ${loaded.method === 'softmax' ? 'a softmax regression' : 'k nearest neighbours'} over ${loaded.labels.length} classes.`);
    updateControls();
    predictPreview();
  }

  $('teach-add-class').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $('teach-class-name');
    const label = input.value.trim();
    if (!label) return;
    showError(null);
    addClass(label);
    input.value = '';
  });
  $('teach-train').addEventListener('click', train);
  $('teach-export').addEventListener('click', exportHead);
  $('teach-import').addEventListener('change', () => {
    const [file] = $('teach-import').files;
    $('teach-import').value = '';
    if (file) importHead(file).catch((error) => showError(`${file.name}: ${error.message}`));
  });
  // main.js sets the preview's alt text once an image is decoded and shown (also when the same
  // image is analyzed again), which is when the head should look at it too.
  new MutationObserver(predictPreview).observe(preview, { attributes: true, attributeFilter: ['alt'] });
  video.addEventListener('playing', () => liveLoopRun());
  updateControls();

  return {
    /** Uses `classifier` (in-thread or worker model) from now on, rebuilding the head on it. */
    attach(classifier) {
      model = classifier;
      building = rebuild().catch((error) => showError(`Teach panel: ${error.message}`));
      updateControls();
      return building;
    },
  };
}
