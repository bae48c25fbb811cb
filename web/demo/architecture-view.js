// The "Architecture" panel: the loaded classifier layer by layer (model.summary()), a bar
// chart of each block's activation memory (what the fused execution keeps live next to what
// the block's expanded tensor would take materialized whole), per-layer times from
// model.profile(), and the detector's totals. Built with DOM APIs only (the page's CSP allows
// no inline markup or styles); every number is also in the table, the chart is a picture of it.

const SVG = 'http://www.w3.org/2000/svg';
const $ = (id) => document.getElementById(id);

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = String(text);
  return node;
}

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = String(text);
  return node;
}

/** 896, 4.9K, 300.8M */
export function compact(value) {
  if (value >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)}K`;
  return String(value);
}

const kib = (bytes) => Math.round(bytes / 1024);

/** A cell showing `text` that keeps the exact number for readers and tests. */
function numberCell(tag, value, text) {
  const cell = element(tag, 'number', text);
  cell.dataset.value = String(value);
  return cell;
}

function layerRow(layer) {
  const row = element('tr');
  row.dataset.layer = layer.name;
  row.append(
    element('th', null, layer.name),
    element('td', null, layer.type),
    element('td', 'shape', `${layer.input.join('×')} → ${layer.output.join('×')}`),
    element('td', 'number', layer.expansion || '–'),
    element('td', 'number', layer.stride),
    numberCell('td', layer.params, compact(layer.params)),
    numberCell('td', layer.macs, compact(layer.macs)),
    numberCell('td', layer.activationBytes, kib(layer.activationBytes)),
    element('td', 'number time', '–'),
  );
  row.firstChild.scope = 'row';
  return row;
}

function totalsRow(totals) {
  const row = element('tr', 'totals');
  const label = element('th', null, 'Total');
  label.scope = 'row';
  label.colSpan = 5;
  const peak = numberCell('td', totals.peakActivationBytes, `${kib(totals.peakActivationBytes)} peak`);
  peak.id = 'architecture-peak';
  const params = numberCell('td', totals.params, compact(totals.params));
  params.id = 'architecture-params';
  const macs = numberCell('td', totals.macs, compact(totals.macs));
  macs.id = 'architecture-macs';
  const time = element('td', 'number time', '–');
  time.id = 'architecture-time';
  row.append(label, params, macs, peak, time);
  return row;
}

/** A "nice" axis step (1, 2 or 5 times a power of ten) giving about `ticks` ticks up to max. */
function niceStep(max, ticks) {
  const raw = max / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= raw);
}

/**
 * Grouped bars, one pair per bottleneck block: live bytes (as executed) and the bytes of the
 * block's expanded tensor plus depthwise output if materialized whole.
 */
function memoryChart(blocks) {
  const width = 720, height = 300;
  const margin = { left: 64, right: 12, top: 40, bottom: 52 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const maxKib = Math.max(1, ...blocks.map((b) => Math.max(b.activationBytes, b.expandedBytes) / 1024));
  const step = niceStep(maxKib, 5);
  const top = Math.ceil(maxKib / step) * step;
  const y = (valueKib) => margin.top + plotH - (valueKib / top) * plotH;

  const chart = svg('svg', {
    id: 'memory-chart', class: 'memory-chart', viewBox: `0 0 ${width} ${height}`,
    role: 'img', 'aria-labelledby': 'memory-chart-title memory-chart-desc',
  });
  chart.append(
    svg('title', { id: 'memory-chart-title' }, 'Activation memory per block: live versus fully expanded'),
    svg('desc', { id: 'memory-chart-desc' }, `For each of the ${blocks.length} bottleneck blocks, the activation KiB alive while it runs under ` +
      'the current execution, next to the KiB its expanded tensor and depthwise output would need if materialized whole. ' +
      'The table above lists the same numbers.'),
  );

  const axes = svg('g', { class: 'axes' });
  for (let value = 0; value <= top + 1e-9; value += step) {
    axes.append(
      svg('line', { class: 'grid', x1: margin.left, x2: width - margin.right, y1: y(value), y2: y(value) }),
      svg('text', { class: 'tick', x: margin.left - 6, y: y(value) + 4, 'text-anchor': 'end' }, Math.round(value)),
    );
  }
  axes.append(
    svg('line', { class: 'axis', x1: margin.left, x2: margin.left, y1: margin.top, y2: margin.top + plotH }),
    svg('line', { class: 'axis', x1: margin.left, x2: width - margin.right, y1: margin.top + plotH, y2: margin.top + plotH }),
    svg('text', { class: 'axis-label', x: 14, y: margin.top + plotH / 2, 'text-anchor': 'middle',
      transform: `rotate(-90 14 ${margin.top + plotH / 2})` }, 'KiB'),
    svg('text', { class: 'axis-label', x: margin.left + plotW / 2, y: height - 8, 'text-anchor': 'middle' }, 'Bottleneck block'),
  );
  chart.append(axes);

  const slot = plotW / blocks.length;
  const barW = Math.max(2, slot * 0.36);
  const bars = svg('g', { class: 'bars' });
  blocks.forEach((block, i) => {
    const pair = svg('g', { class: 'bar-pair', 'data-block': block.name });
    const x0 = margin.left + i * slot + (slot - 2 * barW) / 2;
    const live = block.activationBytes / 1024, expanded = block.expandedBytes / 1024;
    pair.append(
      svg('rect', { class: 'bar-live', x: x0, y: y(live), width: barW, height: y(0) - y(live) }),
      svg('rect', { class: 'bar-expanded', x: x0 + barW, y: y(expanded), width: barW, height: y(0) - y(expanded) }),
      svg('text', { class: 'tick', x: x0 + barW, y: margin.top + plotH + 16, 'text-anchor': 'middle' }, block.name.replace('block', '')),
    );
    pair.firstChild.append(svg('title', {}, `${block.name}: ${kib(block.activationBytes)} KiB live`));
    pair.children[1].append(svg('title', {}, `${block.name}: ${kib(block.expandedBytes)} KiB if expanded whole`));
    bars.append(pair);
  });
  chart.append(bars);

  const legend = svg('g', { class: 'legend' });
  const entries = [['bar-live', 'Live (as executed)'], ['bar-expanded', 'Expanded tensor materialized']];
  entries.forEach(([className, label], i) => {
    const x = margin.left + i * 230;
    legend.append(svg('rect', { class: className, x, y: 12, width: 14, height: 14 }),
      svg('text', { class: 'legend-label', x: x + 20, y: 24 }, label));
  });
  chart.append(legend);
  return chart;
}

/**
 * The classifier's table, chart and totals. summary: model.summary(); memory:
 * model.memoryStats(); title: e.g. "MobileNetV2 1.0, 224×224, fused execution".
 */
export function renderArchitecture(summary, memory, title) {
  $('architecture').hidden = false;
  const { layers, totals } = summary;
  $('architecture-model').textContent = `${title}: ${compact(totals.params)} parameters, ${compact(totals.macs)} multiply-adds, ` +
    `at most ${kib(totals.peakActivationBytes)} KiB of activations live at once; allocated: weights ${kib(memory.weightsBytes)} KiB, ` +
    `activations ${kib(memory.activationPeakBytes)} KiB, scratch ${kib(memory.scratchBytes)} KiB.`;
  $('architecture-rows').replaceChildren(...layers.map(layerRow));
  $('architecture-totals').replaceChildren(totalsRow(totals));
  const blocks = layers.filter((layer) => layer.type === 'bottleneck');
  $('memory-chart-box').replaceChildren(memoryChart(blocks));
  $('profile-button').disabled = false;
  $('profile-status').textContent = '';
}

/** Fills the time column from model.profile()'s rows (same order as the table's). */
export function renderProfile(profile, runs) {
  const rows = $('architecture-rows').children;
  profile.layers.forEach((layer, i) => {
    const cell = rows[i]?.querySelector('.time');
    if (cell) cell.textContent = layer.ms.toFixed(2);
  });
  $('architecture-time').textContent = profile.totals.ms.toFixed(1);
  $('profile-status').textContent = `Median of ${runs} runs per layer, in milliseconds.`;
  $('profile-button').disabled = false;
}

export function setProfileStatus(text, busy) {
  $('profile-status').textContent = text;
  $('profile-button').disabled = busy;
}

/** The detector's totals (or hides them: detector null). */
export function renderDetectorTotals(summary, memory) {
  const box = $('detector-architecture');
  box.hidden = !summary;
  if (!summary) return;
  const { layers, totals } = summary;
  const extras = layers.filter((layer) => layer.type === 'ssd-extra').length;
  const maps = layers.filter((layer) => layer.type === 'ssd-box').length;
  $('detector-totals').textContent = `SSDLite on the same backbone (up to its head conv), ${extras} extra layers, ` +
    `box and class predictors on ${maps} feature maps: ${compact(totals.params)} parameters, ${compact(totals.macs)} multiply-adds, ` +
    `at most ${kib(totals.peakActivationBytes)} KiB of activations live at once; allocated: weights ${kib(memory.weightsBytes)} KiB, ` +
    `activations ${kib(memory.activationPeakBytes)} KiB, scratch ${kib(memory.scratchBytes)} KiB.`;
  const totalsBox = $('detector-totals');
  totalsBox.dataset.params = String(totals.params);
  totalsBox.dataset.macs = String(totals.macs);
  totalsBox.dataset.peak = String(totals.peakActivationBytes);
}
