// The demo's Architecture panel in Debian's Chromium: the table has one row per row of the
// classifier's summary(), its totals are what summary() returns in the same page, the chart
// draws one pair of bars per block with heights in the ratio of the numbers, the Profile
// button fills in per-layer times, the detector's totals match its summary(), all without a
// console error (the page runs under the demo's strict CSP). Screenshot in test-artifacts/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, screenshotPath, useBrowserSession } from './support.js';

const LOAD_TIMEOUT = 60_000;

const session = useBrowserSession();

/** summary() and memoryStats() of fresh models loaded in the page itself. */
async function summariesInPage(page) {
  return page.evaluate(async () => {
    const api = await import('/web/index.js');
    const classifier = await api.load();
    const detector = await api.loadDetector();
    try {
      return { classifier: classifier.summary(), detector: detector.summary() };
    } finally {
      classifier.dispose();
      detector.dispose();
    }
  });
}

async function checkPanel(query, screenshot) {
  const { page, errors } = await openPage(session.context);
  await page.goto(`${session.url}/${query}`);
  await page.locator('#status', { hasText: 'Ready' }).waitFor({ timeout: LOAD_TIMEOUT });
  const panel = page.getByRole('region', { name: 'Architecture', exact: true });
  await panel.waitFor({ timeout: LOAD_TIMEOUT });
  await page.locator('#architecture-rows tr').first().waitFor({ timeout: LOAD_TIMEOUT });
  const expected = await summariesInPage(page);

  // One table row per summary row, in order, with the same numbers.
  const rows = await page.locator('#architecture-rows tr').evaluateAll((trs) => trs.map((tr) => ({
    name: tr.dataset.layer,
    values: [...tr.querySelectorAll('[data-value]')].map((cell) => Number(cell.dataset.value)),
  })));
  assert.deepEqual(rows, expected.classifier.layers.map((layer) => ({
    name: layer.name, values: [layer.params, layer.macs, layer.activationBytes],
  })));
  const total = async (id) => Number(await page.locator(`#${id}`).getAttribute('data-value'));
  assert.equal(await total('architecture-params'), expected.classifier.totals.params);
  assert.equal(await total('architecture-macs'), expected.classifier.totals.macs);
  assert.equal(await total('architecture-peak'), expected.classifier.totals.peakActivationBytes);
  assert.match(await page.locator('#architecture-params').textContent(), /^3\.5M$/);
  assert.match(await page.locator('#architecture-macs').textContent(), /^300\.8M$/);

  // The chart: an accessible image with one bar pair per block, heights proportional.
  const chart = page.getByRole('img', { name: /Activation memory per block/ });
  assert.equal(await chart.count(), 1);
  const blocks = expected.classifier.layers.filter((layer) => layer.type === 'bottleneck');
  const pairs = await page.locator('#memory-chart .bar-pair').evaluateAll((groups) => groups.map((g) => ({
    block: g.dataset.block,
    live: Number(g.querySelector('.bar-live').getAttribute('height')),
    expanded: Number(g.querySelector('.bar-expanded').getAttribute('height')),
  })));
  assert.equal(pairs.length, blocks.length);
  assert.deepEqual(pairs.map((pair) => pair.block), blocks.map((block) => block.name));
  // Pixels per byte from the y axis (its length is the top tick's KiB), not from any bar, so
  // every block's bars are checked against it.
  const axis = await page.locator('#memory-chart .axes').evaluate((axes) => ({
    length: Math.abs(Number(axes.querySelector('line.axis').getAttribute('y2')) - Number(axes.querySelector('line.axis').getAttribute('y1'))),
    topKib: Math.max(...[...axes.querySelectorAll('text.tick')].map((tick) => Number(tick.textContent))),
  }));
  assert.ok(axis.length > 0 && axis.topKib > 0, JSON.stringify(axis));
  const scale = axis.length / (axis.topKib * 1024);
  pairs.forEach((pair, i) => {
    assert.ok(Math.abs(pair.live - blocks[i].activationBytes * scale) < 0.01, `${pair.block} live bar`);
    assert.ok(Math.abs(pair.expanded - blocks[i].expandedBytes * scale) < 0.01, `${pair.block} expanded bar`);
  });
  assert.match(await page.locator('#memory-chart').textContent(), /KiB.*Bottleneck block/s);
  assert.match(await page.locator('#memory-chart .legend').textContent(), /Live.*Expanded/);

  // The detector's totals, when the demo has a detector.
  const detectorTotals = page.locator('#detector-totals');
  assert.equal(Number(await detectorTotals.getAttribute('data-params')), expected.detector.totals.params);
  assert.equal(Number(await detectorTotals.getAttribute('data-macs')), expected.detector.totals.macs);
  assert.equal(Number(await detectorTotals.getAttribute('data-peak')), expected.detector.totals.peakActivationBytes);
  assert.match(await detectorTotals.textContent(), /6 feature maps: 3\.3M parameters, 645\.2M multiply-adds/);

  // Profiling fills the time column.
  await page.getByRole('button', { name: 'Profile layers' }).click();
  await page.locator('#profile-status', { hasText: /Median of \d+ runs/ }).waitFor({ timeout: LOAD_TIMEOUT });
  const times = await page.locator('#architecture-rows .time').allTextContents();
  assert.equal(times.length, expected.classifier.layers.length);
  for (const time of times) assert.match(time, /^\d+\.\d\d$/);
  assert.ok(times.map(Number).reduce((a, b) => a + b, 0) > 0);
  assert.match(await page.locator('#architecture-time').textContent(), /^\d+\.\d$/);

  await panel.scrollIntoViewIfNeeded();
  await panel.screenshot({ path: screenshotPath(screenshot) });
  assert.deepEqual(errors, []);
  await page.close();
}

test('the Architecture panel shows summary(), its chart and the profile (main thread)', async () => {
  await checkPanel('', 'architecture.png');
});

test('the Architecture panel works with the models in Web Workers', async () => {
  await checkPanel('?worker=1', 'architecture-worker.png');
});
