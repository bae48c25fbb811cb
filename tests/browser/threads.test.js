// Threads in Chromium: on a cross-origin isolated page (scripts/serve.js sends COOP/COEP)
// load({threads: 2}) runs the pthreads build on two threads and classifies cat.bmp exactly
// like the single-threaded build; on a page without those headers it falls back to one
// thread and says why, once, in a console warning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, fixturesMount, openPage, useBrowserSession, withoutIsolation } from './support.js';

const session = useBrowserSession(() => startServer([fixturesMount]));

// Runs in the page: classifies cat.bmp with each requested thread count, in that order.
async function classifyCat(threadCounts) {
  const { load } = await import('/web/index.js');
  const image = new Image();
  image.src = '/samples/cat.bmp';
  await image.decode();
  const results = [];
  for (const threads of threadCounts) {
    const model = await load({ threads, weights: '/weights/mobilenet_v2_1.0_224.mnv2' });
    // Twice: the second call reuses the running worker pool.
    const first = await model.classify(image, { topK: 5 });
    const second = await model.classify(image, { topK: 5 });
    results.push({ requested: threads, backend: model.backend, threads: model.threads, first, second });
    model.dispose();
  }
  return { isolated: self.crossOriginIsolated, results };
}

// Console messages of one type, the page's workers' included.
function collect(page, type) {
  const messages = [];
  const watch = (message) => { if (message.type() === type) messages.push(message.text()); };
  page.on('console', watch);
  page.on('worker', (worker) => worker.on('console', watch));
  return messages;
}

test('a cross-origin isolated page runs two threads and classifies cat.bmp like one thread', async () => {
  const { page, errors } = await openPage(session.context);
  const warnings = collect(page, 'warning');
  await page.goto(`${session.url}/fixtures/blank.html`);
  const { isolated, results } = await page.evaluate(classifyCat, [1, 2]);
  assert.equal(isolated, true);
  const [one, two] = results;
  // Chromium has relaxed SIMD, so the default backend is the relaxed kernels, in the pthreads
  // build too (each worker installs the kernel module into its own instance).
  assert.deepEqual([one.backend, one.threads], ['relaxed-simd', 1]);
  assert.deepEqual([two.backend, two.threads], ['relaxed-simd-threads', 2]);
  assert.equal(one.first[0].label, 'Egyptian cat', JSON.stringify(one.first));
  // The threaded engine computes exactly what one thread does (each band recomputes the rows
  // it shares with its neighbour), and both builds run the same float operations.
  assert.deepEqual(two.first, one.first);
  assert.deepEqual(two.second, one.first);
  assert.deepEqual(warnings, []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('without cross-origin isolation threads fall back to one, with one warning naming COOP/COEP', async () => {
  const { page, errors } = await openPage(session.context);
  const warnings = collect(page, 'warning');
  // The same server, minus the two headers that make the page cross-origin isolated.
  await withoutIsolation(page);
  await page.goto(`${session.url}/fixtures/blank.html`);
  const { isolated, results } = await page.evaluate(classifyCat, [2, 2, 1]);
  assert.equal(isolated, false);
  for (const result of results) {
    assert.deepEqual([result.backend, result.threads], ['relaxed-simd', 1], `threads: ${result.requested}`);
    assert.equal(result.first[0].label, 'Egyptian cat');
    assert.deepEqual(result.first, results[2].first);
  }
  const threadWarnings = warnings.filter((text) => /thread/i.test(text));
  assert.equal(threadWarnings.length, 1, warnings.join('\n'));
  assert.match(threadWarnings[0], /Cross-Origin-Opener-Policy/);
  assert.match(threadWarnings[0], /Cross-Origin-Embedder-Policy/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('one page loads three 2-thread models at once (float32, int8, int8 detector); each computes what one thread does', async () => {
  const { page, errors } = await openPage(session.context);
  await page.goto(`${session.url}/fixtures/blank.html`);
  const r = await page.evaluate(async () => {
    const { load, loadDetector } = await import('/web/index.js');
    const image = new Image();
    image.src = '/samples/cat.bmp';
    await image.decode();
    const weights = '/weights/mobilenet_v2_1.0_224.mnv2';
    const makers = {
      float32: (threads) => load({ threads, weights }),
      int8: (threads) => load({ threads, weights, precision: 'int8' }),
      detector: (threads) => loadDetector({ threads, precision: 'int8' }),
    };
    const run = (model) => (model.detect ? model.detect(image, { minScore: 0.05 }) : model.classify(image, { topK: 10 }));
    // All three threaded loads in flight together, then all three models running together:
    // they share the module's one worker pool.
    const names = Object.keys(makers);
    const threaded = await Promise.all(names.map((name) => makers[name](2)));
    const together = await Promise.all(threaded.map(run));
    const result = {};
    for (const [i, name] of names.entries()) {
      const single = await makers[name](1);
      result[name] = { backend: threaded[i].backend, threads: threaded[i].threads, together: together[i],
        again: await run(threaded[i]), single: await run(single) };
      single.dispose();
    }
    threaded.forEach((model) => model.dispose());
    return result;
  });
  for (const [name, { backend, threads, together, again, single }] of Object.entries(r)) {
    assert.deepEqual([backend.endsWith('-threads'), threads], [true, 2], name);
    assert.ok(single.length > 0, `${name}: nothing found`);
    assert.deepEqual(together, single, name);
    assert.deepEqual(again, single, name);
  }
  assert.equal(r.float32.single[0].label, 'Egyptian cat');
  assert.equal(r.detector.single[0].class, 'cat');
  assert.deepEqual(errors, []);
  await page.close();
});
