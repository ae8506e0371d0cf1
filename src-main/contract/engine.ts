/** Public types of the engine: plain data that crosses a boundary (IPC, HTTP, CLI --json), and the training-settings schema. Part of the contract: imports only zod. */
import { z } from 'zod';

/** Where tensors run, best first: CUDA through tfjs-node-gpu, native TensorFlow (CPU), WebAssembly, plain JS. */
export type BackendName = 'tensorflow-cuda' | 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow-cuda', 'tensorflow', 'wasm', 'cpu'];

export interface BackendAttempt {
  readonly name: BackendName;
  readonly ok: boolean;
  /** Why it did not load (missing package, missing CUDA libraries …). */
  readonly error?: string;
}

export interface BackendInfo {
  /** The backend in use; stored with every model and score. */
  readonly name: BackendName;
  /** tf.getBackend() ('tensorflow' for both native variants). */
  readonly tfBackend: string;
  /** True when chosen by `initBackend(force)` or RESIDUAL_BACKEND. */
  readonly forced: boolean;
  readonly tfjsVersion: string;
  /** wasm only: SIMD binary in use. */
  readonly simd: boolean | null;
  /** wasm only: worker threads (tfjs-backend-wasm 4.22 disables them under Node, so false here). */
  readonly threads: boolean | null;
  /** Every backend tried, in order, with the reason the better ones were skipped. */
  readonly attempts: readonly BackendAttempt[];
}

/**
 * Autoencoders ('ae', 'sparse', 'denoising', 'vae'; 'aae' adversarial and 'wae' Wasserstein, see engine/family) and classical
 * detectors ('iforest' IsolationForest, 'ecod' ECOD: no network, see engine/classical); one-class networks that learn a
 * boundary instead of reconstructing ('deepsvdd' Deep SVDD, 'ocnn' one-class neural network, see engine/family/oneclass.ts);
 * 'conv', the convolutional autoencoder for image datasets (engine/conv.ts).
 */
export type ModelKind = (typeof MODEL_KINDS)[number];
export type Activation = (typeof ACTIVATIONS)[number];
export type ScalerKind = (typeof SCALERS)[number];
export type LossKind = (typeof LOSSES)[number];
export type SplitKind = (typeof SPLITS)[number];
export type TrainOn = (typeof TRAIN_ON)[number];
/** Kinds an ensemble can hold. */
export type MemberKind = (typeof MEMBER_KINDS)[number];

/** Every model kind, in the order the app lists them. */
export const MODEL_KINDS = ['ae', 'sparse', 'denoising', 'vae', 'aae', 'wae', 'conv', 'deepsvdd', 'ocnn', 'iforest', 'ecod', 'ensemble'] as const;
/** The kinds an ensemble may have as members (the one-class networks score on another scale and are not among them). */
export const MEMBER_KINDS = ['ae', 'sparse', 'denoising', 'vae', 'aae', 'wae', 'iforest', 'ecod'] as const;
export const ACTIVATIONS = ['relu', 'elu', 'tanh', 'sigmoid', 'leakyRelu'] as const;
export const SCALERS = ['standard', 'minmax', 'robust'] as const;
export const LOSSES = ['mse', 'bce'] as const;
export const SPLITS = ['random', 'time'] as const;
export const TRAIN_ON = ['all', 'normal'] as const;
export const SVDD_OBJECTIVES = ['one-class', 'soft-boundary'] as const;

/**
 * Everything that defines a training run: the one definition. Requests are checked against it (unknown keys, types,
 * ranges) and TrainSettings is inferred from it. Defaults are those of `proposeSettings` unless noted.
 */
export const trainSettingsSchema = z
  .object({
    /** 'ae' plain, 'sparse' (L1 on the code), 'denoising' (Gaussian input noise), 'vae' (variational), 'aae' (adversarial: a discriminator pulls the codes towards a standard normal), 'wae' (Wasserstein: an MMD penalty does); 'iforest', 'ecod' classical detectors (the network and training settings do not apply). Default 'ae'. */
    kind: z.enum(MODEL_KINDS),
    /**
     * conv: the encoder's 3×3 convolution filters, each layer followed by 2×2 max-pooling; the decoder mirrors them with
     * 2×2 up-sampling. Default [16, 8, 8] (seed 003's network; for 28×28 images a 4×4×8 = 128-value code).
     */
    filters: z.array(z.number().int().min(1).max(512)).min(1).max(6).readonly(),
    /** Encoder widths, the last is the bottleneck; the decoder mirrors them. Default from the input width (e.g. [16, 8] for 30 inputs). */
    layers: z.array(z.number().int().min(1).max(65_536)).min(1).max(16).readonly(),
    /** Hidden activation (the output is linear, or sigmoid with BCE). Default 'relu'. */
    activation: z.enum(ACTIVATIONS),
    /** Dropout rate after each hidden layer while training, 0 = none. Default 0. */
    dropout: z.number().min(0).lt(1),
    /** sparse: weight of the L1 penalty on the code activations (mean over rows of their sum). Default 0.001. */
    l1: z.number().min(0).finite(),
    /** denoising: std of the Gaussian noise added to the (scaled) inputs while training. Default 0.1. */
    noiseStd: z.number().min(0).finite(),
    /** vae: weight of the KL term (per input dimension, like the MSE). Default 1. */
    beta: z.number().min(0).finite(),
    /** vae: score = reconstruction error + KL/dims instead of the reconstruction error alone. Default false. */
    scoreWithKl: z.boolean(),
    /**
     * aae: score = reconstruction error + the code's negative log-density under the standard normal prior / dims
     * (½‖z‖² + ½·d_z·log 2π) instead of the reconstruction error alone. Default false.
     */
    scoreWithPrior: z.boolean(),
    /**
     * wae: weight λ of the MMD between the batch's codes and as many standard normal samples, next to the reconstruction
     * error (mean squared error per input, as every kind reports it). Default 10 (see wizard.ts).
     */
    mmdLambda: z.number().min(0).max(1e6).finite(),
    /** 'mse', or 'bce' (sigmoid output; needs scaler 'minmax'). Default 'mse'. */
    loss: z.enum(LOSSES),
    /** Numeric scaling fitted on the training rows. Default 'standard'. */
    scaler: z.enum(SCALERS),
    /** log1p before scaling: 'auto' (training skewness > 2 and min ≥ 0), 'none', or column names. Default 'auto'. */
    log1p: z.union([z.enum(['auto', 'none']), z.array(z.string()).readonly()]),
    /** Most frequent categories one-hot encoded per categorical column; the rest share "other". Default 20. */
    maxCategories: z.number().int().min(1).max(1000),
    /** Add a 0/1 "was missing" input for numeric columns with missing training values. Default true. */
    missingIndicators: z.boolean(),
    /** Maximum epochs. Default 50 (the wizard may raise it for small data). */
    epochs: z.number().int().min(1).max(100_000),
    /** Rows per step. Default 256 (the wizard lowers it for small data). */
    batchSize: z.number().int().min(1).max(1_048_576),
    /** Adam learning rate. Default 0.001. */
    learningRate: z.number().gt(0).finite(),
    /** Epochs without a validation improvement before stopping (best weights restored); 0 = off (train all epochs, keep the last weights). Default 5. */
    patience: z.number().int().min(0),
    /** Smallest validation-loss decrease that counts as an improvement. Default 0.0001. */
    minDelta: z.number().min(0).finite(),
    /** Fraction of the training candidates held out for validation; 0 = none (early stopping off). Default 0.2. */
    validation: z.number().min(0).lt(1),
    /** 'random' (seeded) or 'time' (the latest rows by the timestamp column validate). Default 'random'. */
    split: z.enum(SPLITS),
    /**
     * Train on a seeded, uniform sample of this many rows when the dataset has more training candidates; 0 = all rows.
     * The training/validation split is applied within the sample; every row of the dataset is still scored. Default
     * from the wizard: 1,000,000 for datasets of more rows than that (see wizard.ts), else 0.
     */
    sampleRows: z.number().int().min(0).max(2 ** 31 - 1),
    /** 'all' rows (unsupervised), or 'normal': rows not labelled anomalous (needs a label column). Default 'all'. */
    trainOn: z.enum(TRAIN_ON),
    /** Seeds init, split, shuffling, dropout, noise and VAE sampling: the same seed repeats a run exactly on the same backend. Default 0. */
    seed: z.number().int().min(0).max(2 ** 32 - 1),
    /**
     * Scaled numeric inputs are clipped to ±clip (in scaler units) before they reach the network, so a value at 100σ
     * neither blows up training nor drowns every other column in the score; 0 = off. Default from the wizard.
     */
    clip: z.number().min(0).max(1e6).finite(),
    /**
     * Robust training: from the second epoch on, this fraction of the training rows with the largest reconstruction
     * errors (by the model as it stands at the start of the epoch) is left out of that epoch's gradient steps, so the
     * network does not learn to reconstruct the anomalies it trains on; 0 = off. Default from the wizard.
     */
    trim: z.number().min(0).max(0.5),
    /**
     * ensemble: the members' kinds, in order (each gets the ensemble's seed + its position), e.g. three autoencoders,
     * IsolationForest and ECOD. Empty for other kinds.
     */
    members: z.array(z.enum(MEMBER_KINDS)).max(16).readonly(),
    /**
     * deepsvdd: 'one-class' (minimise the mean squared distance of the rows' representations to the centre c) or
     * 'soft-boundary' (a sphere of radius R that a fraction ν of the rows may lie outside; scores minus R²). Default 'one-class'.
     */
    objective: z.enum(SVDD_OBJECTIVES),
    /** deepsvdd soft-boundary and ocnn: ν in (0, 1], the share of training rows allowed outside the boundary. Default 0.1. */
    nu: z.number().gt(0).max(1),
    /** deepsvdd: λ of the weight decay λ/2 Σ‖W‖² (Ruff et al.'s 1e-6). Default 1e-6. */
    weightDecay: z.number().min(0).max(1e3).finite(),
    /** deepsvdd and ocnn: epochs of autoencoder pre-training of the network's layers before the one-class objective; 0 = off. */
    pretrainEpochs: z.number().int().min(0).max(10_000),
  })
  .strict();

export type TrainSettings = Readonly<z.output<typeof trainSettingsSchema>>;

export interface TrainRequest {
  /** Dataset id or name. */
  readonly dataset: number | string;
  /** Model name; default "<kind> <layers> on <dataset>". */
  readonly name?: string;
  /** Overrides; the rest comes from `proposeSettings(dataset)`. */
  readonly settings?: Partial<TrainSettings>;
}

export interface TrainProgress {
  readonly epoch: number;
  readonly epochs: number;
  readonly trainLoss: number;
  /** null without a validation part. */
  readonly valLoss: number | null;
  readonly samplesPerSecond: number;
  readonly etaSeconds: number;
  /** Best epoch so far by validation loss (training loss without validation). */
  readonly bestEpoch: number;
  readonly bestLoss: number;
  readonly elapsedSeconds: number;
  /** tf.memory().numTensors after the epoch: stays flat unless something leaks. */
  readonly tensors: number;
  /** Training rows this epoch learned from (fewer than all with robust training: the worst-reconstructed left out). */
  readonly trainedRows: number;
  /**
   * Set while a step before the epochs proper runs ('pretrain': a one-class kind's autoencoder pre-training; then
   * epoch/epochs count its epochs and trainLoss is its reconstruction loss). Absent during the epochs proper.
   */
  readonly phase?: 'pretrain';
  /**
   * The epoch's mean of the loss terms beside the reconstruction, for kinds that have them: an AAE's 'discriminator' and
   * 'generator' losses, a WAE's 'mmd' (before λ). Its trainLoss and valLoss are the reconstruction loss alone.
   */
  readonly terms?: Readonly<Record<string, number>>;
}

export interface JobOptions<P> {
  /** Cancels the job: training keeps the best-so-far model (status 'cancelled'); scoring writes nothing. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: P) => void;
}

export type ModelStatus = 'complete' | 'cancelled' | 'failed';

/** Which engine ran a job: the fused WebAssembly SIMD kernel (dense ae/sparse/denoising) or TensorFlow.js on `backend`. */
export type EnginePath = 'wasm-fused' | 'tfjs';

export interface TrainResult {
  readonly modelId: number;
  readonly backend: BackendName;
  /** The engine that trained it (the fused kernel where it supports the model and is the faster one); 'classical' for IsolationForest / ECOD (no network; stored as no path). */
  readonly path: EnginePath | 'classical';
  /** Why that path: e.g. 'faster than tfjs on the wasm backend', or what the fused kernel lacks. */
  readonly pathReason: string;
  readonly status: Exclude<ModelStatus, 'failed'>;
  /** Epochs completed. */
  readonly epochs: number;
  /** The epoch whose weights the model keeps: the best one with early stopping or a cancel, else the last. */
  readonly bestEpoch: number;
  /** That epoch's validation loss (its training loss when there is no validation part). */
  readonly bestValLoss: number;
  /** True when early stopping ended the run before `settings.epochs`. */
  readonly stoppedEarly: boolean;
  readonly seconds: number;
  readonly samplesPerSecond: number;
  readonly warnings: readonly string[];
}

export interface SettingRationale {
  readonly setting: keyof TrainSettings;
  readonly value: unknown;
  readonly why: string;
}

export interface Proposal {
  readonly settings: TrainSettings;
  /** One line per choice. */
  readonly rationale: readonly SettingRationale[];
  /** All of the proposal's warnings: about the network's shape (as the settings check words them) and about the data. */
  readonly warnings: readonly string[];
  /** The part of `warnings` about the data (no label column): true whatever settings are chosen, unlike the shape warnings. */
  readonly dataWarnings: readonly string[];
  /** Model inputs after one-hot encoding and missing indicators (estimated from the column stats). */
  readonly inputDims: number;
  readonly parameterCount: number;
}

// ---- preprocessing (stored as JSON with the model) ------------------------------------------

export interface NumericFeature {
  readonly kind: 'numeric';
  readonly name: string;
  readonly log1p: boolean;
  /** Median of the (log-transformed) training values: replaces missing ones. */
  readonly fill: number;
  /** scaled = (x - center) / scale. */
  readonly center: number;
  readonly scale: number;
  /** Model dim of the value, and of its missing indicator (-1 when none). */
  readonly dim: number;
  readonly indicatorDim: number;
}

export interface CategoricalFeature {
  readonly kind: 'categorical';
  readonly name: string;
  /** One-hot categories, most frequent first ("(missing)" stands for null); OTHER catches the rest. */
  readonly categories: readonly string[];
  /** First model dim; categories.length + 1 dims (the last = other). */
  readonly dim: number;
}

export type FeatureSpec = NumericFeature | CategoricalFeature;

export interface Preprocessing {
  readonly version: 1;
  readonly scaler: ScalerKind;
  readonly inputDims: number;
  /** Scaled numeric values are clipped to ±clip (absent or 0: not clipped, as before clipping existed). */
  readonly clip?: number;
  /** One entry per source column, in model order: the explained columns. */
  readonly features: readonly FeatureSpec[];
}

// ---- models ----------------------------------------------------------------------------------

export interface VariableSpec {
  readonly name: string;
  readonly shape: readonly number[];
}

export interface Architecture {
  readonly kind: ModelKind;
  readonly inputDims: number;
  /** conv: its filters (settings.filters). */
  readonly layers: readonly number[];
  readonly activation: Activation;
  readonly output: 'linear' | 'sigmoid';
  /** e.g. "30-16-8-16-30". */
  readonly summary: string;
  readonly parameterCount: number;
  readonly variables: readonly VariableSpec[];
  /** deepsvdd / ocnn, once trained: what the training fixed besides the weights (also in the weights blob). */
  readonly oneClass?: OneClassFit;
  /** conv: the image grid the model inputs are placed on. */
  readonly image?: ConvImage;
}

/**
 * Where a convolutional autoencoder's model inputs lie on the image: width × height × channels, channel-last (the import's
 * p0, p1, … row by row; p0_r, p0_g, p0_b, … in colour). The grid is zero-padded at the bottom and right to `paddedWidth` ×
 * `paddedHeight` (multiples of 2^filters, so every 2×2 pooling halves it exactly) and the output cropped back; pixels
 * that are not model inputs (constant, or set to ignored) are zeros in the input and left out of the loss and errors.
 */
export interface ConvImage {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  readonly paddedWidth: number;
  readonly paddedHeight: number;
  /** Per model input, its index in the unpadded channel-last image (y·width + x)·channels + c; absent: input j is pixel j (every pixel, in order). */
  readonly pixels?: readonly number[];
}

/** A trained one-class model's boundary and explanation baseline. */
export interface OneClassFit {
  /** deepsvdd: ‖c‖, the centre's distance from the origin of the representation. */
  readonly centerNorm?: number;
  /** deepsvdd soft-boundary: R² (scores are the squared distance minus it). */
  readonly radius2?: number;
  /** ocnn: r, the ν-quantile of the training rows' outputs (scores are r − ŷ). */
  readonly r?: number;
  /** The score of the explanations' baseline row (training medians): the part of every score no column is credited with. */
  readonly baselineScore: number;
  /** The encoder's reconstruction loss at the end of autoencoder pre-training (absent: no pre-training). */
  readonly pretrainLoss?: number;
}

export interface RowErrorStats {
  readonly count: number;
  readonly mean: number;
  readonly std: number;
}

export interface ModelSummary {
  readonly id: number;
  readonly name: string;
  readonly datasetId: number | null;
  readonly kind: ModelKind;
  readonly status: ModelStatus;
  readonly backend: BackendName;
  /** The training path that built it; null for models from before paths were recorded. */
  readonly path: EnginePath | null;
  readonly architecture: string;
  readonly parameterCount: number;
  readonly epochs: number;
  readonly bestValLoss: number | null;
  readonly createdAt: string;
}

/**
 * How ensemble training opens its line of figures on the members' agreement across seeds ("Stability across seeds:
 * 3 × ae: 100 % of their top 1 % agree."): a finding kept with the model's warnings, not a warning itself — a low
 * agreement adds its own "Unstable: …" warning.
 */
export const STABILITY_PREFIX = 'Stability across seeds:';

/** Whether one of a model's `warnings` is a plain finding (the stability figure), to show without ⚠ or "Warning:". */
export function isModelFinding(warning: string): boolean {
  return warning.startsWith(STABILITY_PREFIX);
}

export interface ModelInfo extends Omit<ModelSummary, 'architecture'> {
  readonly message: string | null;
  readonly seed: number;
  readonly settings: TrainSettings;
  readonly preprocessing: Preprocessing;
  readonly architecture: Architecture;
  readonly split: { readonly rows: number; readonly train: number; readonly validation: number; readonly excluded: number };
  readonly bestEpoch: number | null;
  readonly seconds: number;
  readonly samplesPerSecond: number;
  readonly warnings: readonly string[];
  /** Per explained column (preprocessing.features order): mean squared error over the training rows. */
  readonly featureErrorMean: readonly number[] | null;
  /** Row-error stats of the final model over its training and validation rows (for thresholds). */
  readonly errorStats: { readonly train: RowErrorStats; readonly validation: RowErrorStats | null } | null;
  readonly weightsSha256: string | null;
}

export interface HistoryEntry {
  readonly epoch: number;
  readonly trainLoss: number | null;
  readonly valLoss: number | null;
  /** Seconds since training started, at the end of this epoch. */
  readonly seconds: number;
}

/** Part of the training dataset a row was in. */
export const SPLIT_EXCLUDED = 0;
export const SPLIT_TRAIN = 1;
export const SPLIT_VALIDATION = 2;

export interface SplitInfo {
  readonly datasetId: number | null;
  readonly rows: number;
  /** Per row: SPLIT_TRAIN, SPLIT_VALIDATION or SPLIT_EXCLUDED (labelled anomalous with trainOn 'normal'). */
  readonly part: Uint8Array;
  readonly train: number;
  readonly validation: number;
}

// ---- scores ------------------------------------------------------------------------------------

export interface ScoreRequest {
  /** Default: the newest usable model (of `dataset` when given). */
  readonly modelId?: number;
  /** Dataset id or name. Default: the model's training dataset. */
  readonly dataset?: number | string;
}

export interface ScoreProgress {
  readonly rowsDone: number;
  readonly rows: number;
  readonly rowsPerSecond: number;
  readonly etaSeconds: number;
}

export interface ScoreResult {
  readonly scoreId: number;
  /** The engine that ran the forward passes. */
  readonly path?: EnginePath;
  readonly modelId: number;
  readonly datasetId: number;
  readonly rows: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
}

export interface ScoreInfo extends ScoreResult {
  readonly backend: BackendName;
  /** Explained (source) columns, the order of the per-feature errors. */
  readonly columns: readonly string[];
  readonly stats: { readonly mean: number; readonly std: number; readonly min: number; readonly max: number };
  readonly createdAt: string;
}

export interface RankWindow {
  readonly offset: number;
  readonly total: number;
  /** Row indices, highest error first. */
  readonly rows: Int32Array;
  readonly errors: Float32Array;
}

export interface FeatureErrors {
  readonly columns: readonly string[];
  readonly rowStart: number;
  readonly rowEnd: number;
  /** (rowEnd - rowStart) × columns.length, row-major. */
  readonly values: Float32Array;
  readonly normalized: boolean;
}

export interface Contribution {
  readonly column: string;
  readonly kind: 'numeric' | 'categorical';
  /** In the data's own units; for categoricals the category (null = missing). */
  readonly actual: number | string | null;
  /** Reconstruction in data units; for categoricals the most likely category ("other" when that bucket wins). */
  readonly reconstructed: number | string | null;
  /**
   * Squared error in model units, summed over the column's dims (a classical detector's or an ensemble's contribution;
   * a one-class model's integrated-gradients attribution in score units, which can be negative: see RowExplanation.method).
   */
  readonly error: number;
  /** error / the column's mean training error (a one-class model: its mean |attribution|). */
  readonly normalizedError: number;
  /** Share of the row's total positive normalized error (all columns sum to 1 when none is negative). */
  readonly share: number;
  /**
   * Numeric columns: actual − expected in the column's scale as the model's preprocessing fitted it (standard
   * deviations with the standard scaler, the interquartile range with robust, the range with min-max; on the log
   * scale where the column is log-transformed); positive = above expected. Null for categoricals and missing values.
   */
  readonly deviation?: number | null;
}

export interface RowExplanation {
  readonly row: number;
  readonly error: number;
  /** What `error`, the contributions and their expected values are for this model's kind (e.g. ECOD's tail scores). */
  readonly method?: string;
  /** Top columns by normalized error. */
  readonly contributions: readonly Contribution[];
}
