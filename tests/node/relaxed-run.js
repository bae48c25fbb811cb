// Child process of relaxed-simd.test.js, started with --experimental-wasm-relaxed-simd (Node
// 20 hides relaxed SIMD behind it): runs every shared photo through the configurations named
// in argv[2] (JSON: [{name, options}]) and prints one JSON object with, per configuration,
// the backend it got and per photo the top-5 and the 1,280 features. Models stay loaded until
// the end, so each load grows the engine's memory under the ones before.
import path from 'node:path';
import { load } from '../../web/index.js';
import { readImage } from '../../web/decode-image.js';
import { imagePaths } from './shared-data.js';

const configs = JSON.parse(process.argv[2]);
const images = await Promise.all(imagePaths().map(async (file) => ({ name: path.basename(file), image: await readImage(file) })));
const results = {};
const models = [];
for (const { name, options } of configs) {
  const model = await load(options);
  models.push(model);
  const photos = {};
  for (const { name: photo, image } of images) {
    photos[photo] = {
      top: await model.classify(image, { topK: 5, crop: 0.875 }),
      features: Array.from(await model.embed(image, { crop: 0.875 })),
    };
  }
  results[name] = { backend: model.backend, threads: model.threads, memory: model.memoryStats().wasmMemoryBytes, photos };
}
for (const model of models) model.dispose();
process.stdout.write(JSON.stringify(results));
