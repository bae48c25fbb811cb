// Where images come from: the file input, drag and drop onto the preview, paste, and the
// sample photos the local server lists at /samples/index.json (absent elsewhere: then the
// samples section simply stays hidden).

const $ = (id) => document.getElementById(id);

function firstImage(files) {
  return [...(files ?? [])].find((file) => file.type.startsWith('image/')) ?? null;
}

/** Calls onImage(url, name) with an object URL (the caller revokes it) for each chosen image. */
export function watchImageInputs(onImage, onRejected) {
  const offer = (file) => {
    if (file) onImage(URL.createObjectURL(file), file.name || 'pasted image');
    else onRejected('That is not an image file.');
  };

  const input = $('file-input');
  input.addEventListener('change', () => {
    if (input.files.length) offer(firstImage(input.files));
  });

  const zone = $('dropzone');
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('dragging');
    offer(firstImage(event.dataTransfer.files));
  });
  // A file dropped beside the zone must not make the browser navigate away from the demo.
  window.addEventListener('dragover', (event) => event.preventDefault());
  window.addEventListener('drop', (event) => event.preventDefault());

  document.addEventListener('paste', (event) => {
    const file = firstImage(event.clipboardData?.files);
    if (file) offer(file);
  });
}

/** Lists the server's sample photos as buttons; onSample(url, name) when one is chosen. */
export async function showSamples(onSample) {
  let samples = [];
  try {
    const response = await fetch(new URL('/samples/index.json', location.href));
    if (response.ok) samples = await response.json();
  } catch {
    return;  // Served by another server: no samples, the file input still works.
  }
  if (!Array.isArray(samples) || samples.length === 0) return;
  const buttons = samples.map(({ name, url }) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'sample';
    const thumbnail = document.createElement('img');
    thumbnail.src = url;
    thumbnail.alt = '';
    thumbnail.loading = 'lazy';
    thumbnail.decoding = 'async';
    const caption = document.createElement('span');
    caption.textContent = name;
    button.append(thumbnail, caption);
    button.addEventListener('click', () => onSample(url, name));
    const item = document.createElement('li');
    item.append(button);
    return item;
  });
  $('sample-list').replaceChildren(...buttons);
  $('samples').hidden = false;
}
