// A minimal app as a package user writes it: the bare import, default weights, an <img>.
// ?image=URL names the photo; ?worker=1 runs the models in Web Workers. Shows the top class
// and the best detection: "Egyptian cat / cat".
import { load, loadDetector } from 'mobilenetv2-wasm';

async function main() {
  const params = new URLSearchParams(location.search);
  const worker = params.get('worker') === '1';
  const [model, detector] = await Promise.all([load({ worker }), loadDetector({ worker })]);
  const image = new Image();
  image.src = params.get('image');
  await image.decode();
  const [top] = await model.classify(image, { topK: 1 });
  const [object] = await detector.detect(image);
  model.dispose();
  detector.dispose();
  return `${top.label} / ${object?.class ?? 'nothing'}`;
}

const output = document.getElementById('result');
main().then(
  (label) => { output.textContent = label; },
  (error) => { output.textContent = `error: ${error.message}`; },
);
