// Memory (paper section 5.1): the fused execution holds a fraction of the activations a
// layer-by-layer runtime holds, computes the same classes, and WASM memory does not grow
// over a long run of inferences because every buffer is planned at load time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { load } from '../../web/index.js';
import { readImage } from '../../web/decode-image.js';
import { imagesDir } from './shared-data.js';

test('fused and layer-by-layer execution agree on the real model', async () => {
  const fused = await load();
  const layered = await load({ execution: 'layer-by-layer' });
  try {
    for (const name of ['cat.bmp', 'pets.jpg', 'kite_and_cold.jpg']) {
      const image = await readImage(path.join(imagesDir, name));
      const a = await fused.embed(image);
      const b = await layered.embed(image);
      const scale = Math.max(...b.map(Math.abs));
      const difference = Math.max(...a.map((value, i) => Math.abs(value - b[i])));
      assert.ok(difference <= 1e-4 * scale, `${name}: features differ by ${difference} (scale ${scale})`);
    }
    const f = fused.memoryStats();
    const l = layered.memoryStats();
    assert.equal(f.weightsBytes, l.weightsBytes);
    assert.ok(f.activationPeakBytes + f.scratchBytes <= 1.25 * 1024 * 1024,
      `fused activations ${f.activationPeakBytes} + scratch ${f.scratchBytes} bytes`);
    assert.ok(l.activationPeakBytes > 4 * (f.activationPeakBytes + f.scratchBytes));
    assert.ok(f.wasmMemoryBytes >= f.weightsBytes + f.activationPeakBytes);
  } finally {
    fused.dispose();
    layered.dispose();
  }
});

test('WASM memory stays flat over 1,000 inferences after the first', async () => {
  const model = await load();
  try {
    const sizes = [[640, 480], [224, 224], [97, 301], [1, 1], [300, 300]];
    const images = sizes.map(([width, height], i) => {
      const data = new Uint8Array(width * height * 4);
      for (let j = 0; j < data.length; ++j) data[j] = (j * 31 + i * 17) & 255;
      return { data, width, height };
    });
    await model.classify(images[0]);  // the largest image sizes the staging buffer once
    const before = model.memoryStats().wasmMemoryBytes;
    for (let call = 0; call < 1000; ++call) await model.classify(images[call % images.length]);
    assert.equal(model.memoryStats().wasmMemoryBytes, before);
  } finally {
    model.dispose();
  }
});
