// Everything the demo shows, written to the DOM as text (textContent only: labels come from a
// weight file, which is data, never markup). Tests read the same text.

const $ = (id) => document.getElementById(id);

const BOX_COLORS = 5;  // demo.css defines .box-color-0 ... -4, all with white text at >= 4.5:1

function percent(score) {
  return `${(score * 100).toFixed(1)}%`;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function setStatus(text) {
  $('status').textContent = text;
}

/** fraction in [0, 1], or null to hide the bar (done), or NaN for "size unknown". */
export function setProgress(fraction) {
  const bar = $('download');
  bar.hidden = fraction === null;
  if (Number.isNaN(fraction)) bar.removeAttribute('value');
  else if (fraction !== null) bar.value = fraction;
}

export function showError(message) {
  const box = $('error');
  box.hidden = !message;
  box.textContent = message ?? '';
}

export function setModelInfo(text) {
  $('model-info').textContent = text;
}

export function announce(text) {
  $('announce').textContent = text;
}

/**
 * The top classes as a list: label, percentage, and a bar (decorative: the text says it all).
 * list: the <ol> to fill (default #classes; the Teach panel has its own).
 */
export function renderClasses(top, list = $('classes')) {
  const rows = top.map(({ label, score }) => {
    const row = element('li', 'class-row');
    row.append(element('span', 'class-label', label), element('span', 'class-score', percent(score)));
    const bar = element('span', 'bar');
    bar.setAttribute('aria-hidden', 'true');
    const fill = element('span', 'bar-fill');
    fill.style.width = `${Math.max(0, Math.min(100, score * 100))}%`;
    bar.append(fill);
    row.append(bar);
    return row;
  });
  list.replaceChildren(...rows);
}

/**
 * Detections as boxes over the image and as a list. Boxes are positioned in percent of the
 * image size, so they follow the image as the layout resizes it.
 * detections: [{label, score, box: {x, y, width, height}}] in image pixels.
 */
export function renderDetections(detections, imageWidth, imageHeight) {
  $('detections-section').hidden = false;
  const boxes = [];
  const items = [];
  detections.forEach(({ label, score, box }, i) => {
    const color = `box-color-${i % BOX_COLORS}`;
    // Near the top edge the label would leave the image; it goes inside the box there.
    const inside = box.y < 0.08 * imageHeight ? ' label-inside' : '';
    const frame = element('div', `box ${color}${inside}`);
    frame.style.left = `${(100 * box.x) / imageWidth}%`;
    frame.style.top = `${(100 * box.y) / imageHeight}%`;
    frame.style.width = `${(100 * box.width) / imageWidth}%`;
    frame.style.height = `${(100 * box.height) / imageHeight}%`;
    frame.append(element('span', 'box-label', `${label} ${percent(score)}`));
    boxes.push(frame);
    const where = [box.x, box.y, box.width, box.height].map((v) => Math.round(v)).join(', ');
    items.push(element('li', 'detection', `${label} ${percent(score)} at x, y, width, height = ${where}`));
  });
  if (items.length === 0) items.push(element('li', 'detection none', 'No objects found.'));
  $('boxes').replaceChildren(...boxes);
  $('detections').replaceChildren(...items);
}

export function clearResults() {
  $('classes').replaceChildren();
  $('boxes').replaceChildren();
  $('detections').replaceChildren();
  $('latency').textContent = '–';
  $('detect-latency').textContent = '–';
  $('ran-in').textContent = '–';
}

export function renderTiming({ classifyMs, detectMs, where }) {
  $('latency').textContent = `${classifyMs.toFixed(1)} ms`;
  $('ran-in').textContent = where;
  const hasDetect = detectMs !== undefined;
  $('detect-latency-label').hidden = !hasDetect;
  $('detect-latency').hidden = !hasDetect;
  if (hasDetect) $('detect-latency').textContent = `${detectMs.toFixed(1)} ms`;
}

export function renderFps(fps) {
  $('fps').textContent = fps === null ? '–' : `${fps.toFixed(1)} fps`;
}

export function setCaption(text) {
  $('caption').textContent = text;
}
