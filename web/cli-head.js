// The command line's custom classes: `train` teaches a head from a folder with one sub-folder
// of images per class and writes its JSON; `classify --head` classifies with such a head,
// printing what `classify` prints (the same --json shape).
import { parseArgs } from 'node:util';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { load, loadHead } from './index.js';
import { readImage } from './decode-image.js';
import { UsageError, precisionOption, positiveInteger, cropOption, printClassifications } from './cli-common.js';

const IMAGE_FILE = /\.(jpe?g|png|bmp)$/i;

/** [{label, files}] of DIR's sub-folders (sorted by name), each with its image files. */
async function classFolders(dir) {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw new Error(`${dir}: cannot read the folder (${error.code ?? error.message})`);
  }
  const classes = [];
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const folder = path.join(dir, entry.name);
    const files = (await readdir(folder)).filter((name) => IMAGE_FILE.test(name)).sort().map((name) => path.join(folder, name));
    if (files.length === 0) throw new Error(`${folder}: the class folder has no JPEG, PNG or BMP files`);
    classes.push({ label: entry.name, files });
  }
  if (classes.length < 2) {
    throw new Error(`${dir}: needs one sub-folder of images per class, at least 2 (found ${classes.length})`);
  }
  return classes;
}

function modelOptions(values) {
  return { precision: precisionOption(values.precision), ...(values.weights ? { weights: values.weights } : {}) };
}

export async function trainCommand(args) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      method: { type: 'string', default: 'softmax' },
      epochs: { type: 'string' },
      k: { type: 'string' },
      augment: { type: 'string', default: '0' },
      crop: { type: 'string', default: '1' },
      json: { type: 'boolean', default: false },
      weights: { type: 'string' },
      precision: { type: 'string', default: 'float32' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('train needs one DIR (with one sub-folder of images per class)');
  if (!values.out) throw new UsageError('train needs --out HEAD.json');
  if (values.method !== 'softmax' && values.method !== 'knn') throw new UsageError(`--method must be softmax or knn, got ${values.method}`);
  const options = { method: values.method };
  if (values.epochs !== undefined) options.epochs = positiveInteger(values.epochs, 'epochs');
  if (values.k !== undefined) options.k = positiveInteger(values.k, 'k');
  const augment = Number(values.augment);
  if (!Number.isInteger(augment) || augment < 0) throw new UsageError(`--augment must be a whole number of copies, got ${values.augment}`);
  const crop = cropOption(values.crop);
  const classes = await classFolders(positionals[0]);

  const model = await load(modelOptions(values));
  const head = model.createHead();
  try {
    let embedMs = 0;
    const counts = [];
    for (const { label, files } of classes) {
      let count = 0;
      for (const file of files) {
        const image = await readImage(file);
        const start = performance.now();
        count = await head.addExample(image, label, { crop, augment });
        embedMs += performance.now() - start;
      }
      counts.push({ label, images: files.length, examples: count });
    }
    const report = await head.train(options);
    const text = JSON.stringify(head);
    await writeFile(values.out, text);
    if (values.json) {
      const { ms, ...rest } = report;
      console.log(JSON.stringify({ out: values.out, ...rest, classes: counts, embedMs: Number(embedMs.toFixed(3)), trainMs: Number(ms.toFixed(3)) }));
      return;
    }
    for (const { label, images, examples } of counts) console.log(`${label}: ${examples} examples from ${images} image${images === 1 ? '' : 's'}`);
    console.log(`embedded ${report.examples} examples in ${embedMs.toFixed(0)} ms (${(embedMs / report.examples).toFixed(1)} ms each)`);
    const fit = report.method === 'softmax' ? `loss ${report.loss.toFixed(4)}, training accuracy ${(report.accuracy * 100).toFixed(1)}%` : `k ${report.k}`;
    console.log(`trained ${report.method} on ${report.examples} examples of ${report.labels.length} labels in ${report.ms.toFixed(1)} ms: ${fit}`);
    console.log(`wrote ${values.out} (${(text.length / 1024).toFixed(1)} KiB)`);
  } finally {
    head.dispose();
    model.dispose();
  }
}

/** `classify --head HEAD.json ...`: values are classify's parsed options. */
export async function classifyWithHead(values, positionals) {
  let json;
  try {
    json = await readFile(values.head, 'utf8');
  } catch (error) {
    throw new Error(`${values.head}: cannot read the head file (${error.code ?? error.message})`);
  }
  const crop = cropOption(values.crop);
  const model = await load(modelOptions(values));
  try {
    const head = await loadHead(model, json).catch((error) => {
      throw new Error(`${values.head}: ${error.message}`);
    });
    const topK = values.top === undefined ? Math.min(5, head.labels.length) : positiveInteger(values.top, 'top');
    if (topK > head.labels.length) throw new UsageError(`--top must be at most ${head.labels.length} (the head's labels), got ${values.top}`);
    await printClassifications(positionals, (image) => head.classify(image, { topK, crop }), values.json);
    head.dispose();
  } finally {
    model.dispose();
  }
}
