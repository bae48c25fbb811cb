// Types of the public API of mobilenetv2-wasm (web/index.js). Kept by hand next to the code;
// tests/package checks that every export of index.js is declared here and type-checks a
// consumer against it.
/// <reference lib="dom" />

/** RGBA pixels, 4 bytes per pixel, rows top to bottom (an ImageData has this shape). */
export interface RgbaImage {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}

/** Everything classify/embed accept. Drawable sources are read back through a canvas. */
export type ImageInput =
  | RgbaImage
  | ImageData
  | HTMLImageElement
  | HTMLCanvasElement
  | HTMLVideoElement
  | ImageBitmap
  | OffscreenCanvas;

export interface Progress {
  /** Bytes received so far. */
  loaded: number;
  /** Total bytes, or 0 when the server did not say (no Content-Length). */
  total: number;
}

export interface LoadOptions {
  /**
   * The .mnv2 weight file: a URL (string or URL; relative to the page in browsers), a file
   * path (Node), or its bytes. Default: the MobileNetV2 1.0/224 file shipped in the package.
   */
  weights?: string | URL | Uint8Array | ArrayBuffer;
  /** Called as the weight file downloads (once with the full size when it is read from disk). */
  onProgress?: (progress: Progress) => void;
  /**
   * Run the model in a dedicated Web Worker (a worker thread in Node): same API, the pixels are
   * transferred to it, and the calling thread never blocks on inference. Methods that are
   * synchronous on the in-thread model return Promises there (see InWorker).
   */
  worker?: boolean;
  /**
   * 'fused' (default): each inverted residual block is computed a few rows at a time, so its
   * expanded tensor never exists whole (MobileNetV2 paper, section 5.1). 'layer-by-layer':
   * every layer's output is materialized (the reference for tests and memory comparisons).
   */
  execution?: 'fused' | 'layer-by-layer';
  /**
   * Threads for one inference: 1 (default), a number, or 'auto' (every hardware thread). More
   * than one needs the pthreads build: Node, or a cross-origin isolated page (COOP/COEP
   * headers); elsewhere the model runs on one thread and warns once on the console.
   */
  threads?: number | 'auto';
  /**
   * 'float32' (default): the weights dequantized, float arithmetic. 'int8': the quantized model
   * with TFLite's integer arithmetic (int8/uint8 activations, fixed-point requantization;
   * scores are the model's uint8 softmax outputs, multiples of 1/256); it needs a weight file
   * converted with activation quantization.
   */
  precision?: 'float32' | 'int8';
  /**
   * The kernels: 'auto' (default) uses the relaxed-SIMD kernels where the JavaScript engine
   * supports relaxed SIMD (Chromium 114+; Node 20 only with --experimental-wasm-relaxed-simd),
   * else SIMD128; 'simd' always SIMD128 (bit for bit the reference's float arithmetic);
   * 'relaxed-simd' the relaxed kernels or a rejected load where they are missing. Relaxed SIMD
   * speeds up float32 (fused multiply-add: results differ from 'simd' in the last bits, and
   * from machine to machine) and int8 where the CPU multiplies bytes exactly (x86 with
   * AVX-VNNI; checked at load, else int8 runs SIMD128): int8 results are bit for bit the same
   * on every backend.
   */
  backend?: 'auto' | 'simd' | 'relaxed-simd';
}

export interface ClassifyOptions {
  /** How many classes to return, 1 ... numClasses. Default 5. */
  topK?: number;
  /** Central fraction of width and height kept before resizing, in (0, 1]. Default 1. */
  crop?: number;
}

export interface EmbedOptions {
  /** Central fraction of width and height kept before resizing, in (0, 1]. Default 1. */
  crop?: number;
}

export interface Classification {
  /** Class index in the model's label list (0 = background for the ImageNet models). */
  index: number;
  label: string;
  /** Softmax probability in [0, 1]. */
  score: number;
}

/** Memory of a loaded model, in bytes. */
export interface MemoryStats {
  /** The dequantized, packed weights. */
  weightsBytes: number;
  /** The most activation memory alive at once, as planned at load. */
  activationPeakBytes: number;
  scratchBytes: number;
  /** The whole WebAssembly memory of the module (shared by every model in the thread). */
  wasmMemoryBytes: number;
}

/** One layer of the network as it runs. Shapes are [height, width, channels]. */
export interface LayerSummary {
  name: string;
  type: string;
  input: number[];
  output: number[];
  /** Expansion factor t of an inverted residual block (0 elsewhere). */
  expansion: number;
  stride: number;
  params: number;
  /** Multiply-adds. */
  macs: number;
  /** Activation bytes alive while this layer runs, under the current execution plan. */
  activationBytes: number;
  /**
   * Bytes the layer's expanded tensor (at its input resolution) plus its depthwise output
   * would take materialized whole, as layer-by-layer runtimes hold them; 0 without an
   * expansion. Compare with activationBytes to see what fused execution saves.
   */
  expandedBytes: number;
}

export interface SummaryTotals {
  params: number;
  macs: number;
  peakActivationBytes: number;
}

export interface Summary {
  layers: LayerSummary[];
  totals: SummaryTotals;
}

/** summary() with the median time of each layer (profile()). */
export interface Profile {
  layers: Array<LayerSummary & { ms: number }>;
  totals: SummaryTotals & { ms: number };
}

export interface ProfileOptions {
  /** How many timed runs the median is taken over. Default 10. */
  runs?: number;
}

/** A loaded classifier. Methods reject with an Error saying what was wrong with an argument. */
export interface MobileNetV2 {
  /**
   * The kernels that run: 'simd' or 'relaxed-simd' (float32 with relaxed SIMD's fused
   * multiply-add; int8 with its integer dot product, where exact), with '-threads' for the
   * pthreads build.
   */
  readonly backend: 'simd' | 'relaxed-simd' | 'simd-threads' | 'relaxed-simd-threads';
  /** Threads one inference uses. */
  readonly threads: number;
  /** The arithmetic load() chose: 'float32' or 'int8'. */
  readonly precision: 'float32' | 'int8';
  /** Side of the square image the network sees (224 for the default weights). */
  readonly inputSize: number;
  readonly numClasses: number;
  /** Length of embed()'s feature vector (1280 for alpha 1). */
  readonly featureSize: number;
  /** Width multiplier of the network (0.35 ... 1.4). */
  readonly alpha: number;
  /** Class names, indexed like Classification.index. */
  readonly labels: readonly string[];
  /** The top classes, sorted by score, highest first. */
  classify(input: ImageInput, options?: ClassifyOptions): Promise<Classification[]>;
  /** The pooled penultimate-layer features (a Float32Array of featureSize values). */
  embed(input: ImageInput, options?: EmbedOptions): Promise<Float32Array>;
  /** Memory use in bytes. */
  memoryStats(): MemoryStats;
  /** The network layer by layer, with parameters, multiply-adds and live activation bytes. */
  summary(): Summary;
  /** Times every layer over `runs` classifications of the input: summary() plus medians in ms. */
  profile(input: ImageInput, options?: ProfileOptions): Promise<Profile>;
  /**
   * A new head on this model's embeddings, to teach it custom classes from examples. Synchronous
   * in worker mode too (the head then lives in the model's worker).
   */
  createHead(): Head;
  /** Frees the model's WASM memory (or its worker); later calls reject. Idempotent. */
  dispose(): void;
}

export interface AddExampleOptions {
  /** Central fraction of width and height kept, as for classify(). Default 1. */
  crop?: number;
  /** How many augmented copies to add besides the image itself, 0 ... 64. Default 0. */
  augment?: number;
  /** Mirror about half of the copies left-right. Default true (needs augment > 0). */
  flip?: boolean;
  /** How much of each side a copy's random crop may lose, in [0, 0.9]. Default 0.2 (needs augment > 0). */
  jitter?: number;
  /** Seed of the copies' random crops and flips; default: the head's own sequence, so the same calls give the same copies. */
  seed?: number;
}

export interface TrainOptions {
  /** 'softmax' (default): softmax regression on the embeddings; 'knn': k nearest neighbours by cosine. */
  method?: 'softmax' | 'knn';
  /** Full-batch Adam steps (softmax). Default 100. */
  epochs?: number;
  /** Adam's step size (softmax). Default 0.001. */
  learningRate?: number;
  /** Weight of the L2 penalty on the weights (softmax). Default 0.0001. */
  weightDecay?: number;
  /** Neighbours that vote (knn), capped at the example count. Default 3. */
  k?: number;
}

export interface TrainReport {
  method: 'softmax' | 'knn';
  /** The head's labels, in the order of HeadClassification.index. */
  labels: string[];
  /** Examples trained on. */
  examples: number;
  /** Training time in milliseconds (the embeddings were computed by addExample). */
  ms: number;
  /** softmax: cross-entropy plus the L2 penalty on the examples after training. */
  loss?: number;
  /** softmax: share of the examples the trained head ranks first right. */
  accuracy?: number;
  /** knn: the k used. */
  k?: number;
}

export interface HeadClassifyOptions {
  /** How many labels to return. Default: all, up to 5. */
  topK?: number;
  /** Central fraction of an image's sides kept, as for classify(). Default 1. */
  crop?: number;
  /** Only these labels (each must be one of the head's). */
  labels?: string[];
}

export interface HeadClassification {
  /** Index of the label in head.labels. */
  index: number;
  label: string;
  /** softmax: probability; knn: the label's share of the k nearest examples' votes. */
  score: number;
}

/** A trained head as saved by toJSON(): base64 fields hold little-endian float32 values. */
export interface HeadJSON {
  format: 'mobilenetv2-wasm-head';
  version: 1;
  /** The model whose embeddings it was trained on (weightsCrc32: the weight file's CRC-32). */
  model: { weightsCrc32: string; featureSize: number; alpha: number; inputSize: number };
  method: 'softmax' | 'knn';
  labels: string[];
  softmax?: { mean: string; weights: string; bias: string };
  knn?: { k: number; features: string; exampleLabels: number[] };
}

/**
 * Custom classes taught on a model's embeddings (model.createHead(), loadHead()). The methods
 * are asynchronous in both modes; toJSON(), labels and method are synchronous in both.
 */
export interface Head {
  /** The trained head's labels ([] before training). */
  readonly labels: string[];
  /** 'softmax' or 'knn' once trained, else null. */
  readonly method: 'softmax' | 'knn' | null;
  /** Adds an example of `label` (an image, or an embedding of featureSize values); resolves to the label's example count. */
  addExample(input: ImageInput | Float32Array, label: string, options?: AddExampleOptions): Promise<number>;
  /** Forgets the examples of `label`, or all examples. */
  removeExamples(label?: string): Promise<void>;
  /** The examples so far per label, in the order the labels first appeared. */
  exampleCounts(): Promise<Array<{ label: string; count: number }>>;
  /** Trains on the examples (at least 2 labels). */
  train(options?: TrainOptions): Promise<TrainReport>;
  /** The trained head's labels with scores, highest first. */
  classify(input: ImageInput | Float32Array, options?: HeadClassifyOptions): Promise<HeadClassification[]>;
  /** The trained head as JSON (JSON.stringify(head) works). Throws before training. */
  toJSON(): HeadJSON;
  /** Frees the head's memory; later calls reject. Idempotent. */
  dispose(): void;
}

/**
 * A model running in a worker (load({worker: true})): the same properties and methods, every
 * method asynchronous.
 */
export type InWorker<Model> = {
  [Key in keyof Model]: Model[Key] extends (...args: infer Args) => infer Result
    ? Key extends 'dispose' | 'createHead' ? Model[Key] : (...args: Args) => Promise<Awaited<Result>>
    : Model[Key];
};

/**
 * Loads the classifier. Rejects with an Error that says so when the JavaScript engine lacks
 * WebAssembly SIMD128, and when the weight file is missing, truncated or corrupted.
 */
export function load(options: LoadOptions & { worker: true }): Promise<InWorker<MobileNetV2>>;
export function load(options?: LoadOptions): Promise<MobileNetV2>;

/** The totals of summary rows (what summary() returns, from its layers). */
export function summarize(layers: LayerSummary[]): Summary;

export interface LoadDetectorOptions {
  /**
   * The detector's .mnv2 weight file: a URL, a path (Node) or its bytes. Default: the SSDLite
   * MobileNetV2 (Pascal VOC, 300x300) file shipped in the package.
   */
  weights?: string | URL | Uint8Array | ArrayBuffer;
  /** Called as the weight file downloads. */
  onProgress?: (progress: Progress) => void;
  /** Run the detector in a dedicated worker, as for load(). */
  worker?: boolean;
  /**
   * 'float32' (default): the weights dequantized, float arithmetic. 'int8': the quantized model
   * with TFLite's integer arithmetic (int8 activations, fixed-point requantization; scores are
   * the model's int8 sigmoid outputs, multiples of 1/256); needs a weight file converted with
   * activation quantization.
   */
  precision?: 'float32' | 'int8';
  /** How the backbone runs, as for load(): 'fused' (default) or 'layer-by-layer'. */
  execution?: 'fused' | 'layer-by-layer';
  /** Threads for one inference, as for load(): 1 (default), a number, or 'auto'. */
  threads?: number | 'auto';
  /** The kernels, as for load(): 'auto' (default), 'simd' or 'relaxed-simd'. */
  backend?: 'auto' | 'simd' | 'relaxed-simd';
}

export interface DetectOptions {
  /** Detections scoring below this are dropped, in [0, 1]. Default 0.5. */
  minScore?: number;
  /** At most this many detections are returned. Default 20. */
  maxDetections?: number;
  /** Non-maximum suppression overlap threshold, in [0, 1]. Default: the model's (0.6). */
  iouThreshold?: number;
  /** true: one class per box, NMS over all classes (the model's default); false: per class. */
  classAgnostic?: boolean;
}

/** One detected object, in the shape of @tensorflow-models/coco-ssd's detect(). */
export interface Detection {
  /** [x, y, width, height] in the input image's pixels. */
  bbox: [number, number, number, number];
  /** The class name, e.g. 'cat'. */
  class: string;
  /** Index of the class in the detector's labels. */
  classIndex: number;
  score: number;
}

/** A loaded object detector. */
export interface Detector {
  /** Side of the square image the network sees (300 for the default weights). */
  readonly inputSize: number;
  readonly numClasses: number;
  readonly labels: readonly string[];
  /** The arithmetic in use (loadDetector's precision option). */
  readonly precision: 'float32' | 'int8';
  /** How the backbone runs (loadDetector's execution option). */
  readonly execution: 'fused' | 'layer-by-layer';
  /** The kernels that run, as for the classifier. */
  readonly backend: 'simd' | 'relaxed-simd' | 'simd-threads' | 'relaxed-simd-threads';
  /** Threads one inference uses. */
  readonly threads: number;
  /** Objects found in the image, sorted by score, highest first. */
  detect(input: ImageInput, options?: DetectOptions): Promise<Detection[]>;
  /** Memory use in bytes, as for the classifier. */
  memoryStats(): MemoryStats;
  /**
   * The network layer by layer, as for the classifier: the backbone up to its head conv, the
   * SSD extra layers (extra0, ...) and each feature map's box and class predictors (box0,
   * class0, ...).
   */
  summary(): Summary;
  /** Frees the detector's WASM memory (or its worker); later calls reject. Idempotent. */
  dispose(): void;
}

/** Loads the SSDLite object detector; rejects like load() does. */
export function loadDetector(options: LoadDetectorOptions & { worker: true }): Promise<InWorker<Detector>>;
export function loadDetector(options?: LoadDetectorOptions): Promise<Detector>;

/** The RGBA pixels of any ImageInput (drawable sources are drawn to a canvas once). */
export function toRgba(input: ImageInput): RgbaImage;

/**
 * A head saved with toJSON() (the object or its text) on `model`. Rejects with an Error
 * starting "head JSON:" when the file is malformed or was made for another model.
 */
export function loadHead(model: MobileNetV2 | InWorker<MobileNetV2>, json: string | HeadJSON): Promise<Head>;
