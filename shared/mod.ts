/**
 * The cohesive runtime: backend choice, the BERT-family model, tokenizer, checkpoints and
 * training utilities.
 *
 * @module
 */
export {
  type BackendName,
  BACKENDS,
  initRuntime,
  type RuntimeInfo,
  useBackend,
  webgpuAdapter,
} from "./runtime.ts";
export { dataDir, REPO_ROOT, requireDataDir } from "./data_dir.ts";
export { writeAtomic, writeDirAtomic, writeFileAtomic } from "./atomic.ts";
export { type BertConfig, resolveBertConfig } from "./bert_config.ts";
export {
  requireOneOf,
  requirePositiveIntegers,
  resolveStrict,
  type StrictOptions,
} from "./strict_config.ts";
export {
  type Scalar,
  type Tensor,
  type Tensor1D,
  type Tensor2D,
  type Tensor3D,
  type Variable,
} from "./tensor_types.ts";
export {
  type BertInputs,
  BertModel,
  type ForwardOptions,
  type HostTensor,
  tfSeed,
} from "./model.ts";
export { Rng } from "./rng.ts";
export { AdamW } from "./optim.ts";
export { Progress } from "./progress.ts";
export { MetricsLog } from "./metrics_log.ts";
export {
  lineSplit,
  maskRows,
  type MlmBatch,
  MlmStream,
  type MlmStreamState,
  type MlmTokenizer,
} from "./mlm_data.ts";
export { sparseCrossEntropy } from "./losses.ts";
export {
  readSafetensors,
  readSafetensorsFile,
  type SafetensorsContents,
  type SafetensorsDtype,
  type SafetensorsTensor,
  type TensorData,
  writeSafetensors,
  writeSafetensorsFile,
} from "./safetensors.ts";
export {
  type BertHead,
  type Checkpoint,
  CheckpointError,
  loadCheckpoint,
  type LoadCheckpointOptions,
  type LoadedCheckpoint,
  saveCheckpoint,
} from "./checkpoint.ts";
export { loadTrainingState, saveTrainingState, type TrainingState } from "./training_state.ts";
export {
  latestCheckpoint,
  resolveRunConfig,
  train,
  type TrainConfig,
  type TrainHooks,
  type TrainOptions,
  type TrainResult,
} from "./trainer.ts";
export {
  batchTensors,
  fixedBatches,
  heldoutEvaluator,
  type HeldoutMetrics,
  mlmHeldoutLoss,
  shuffledBatches,
} from "./mlm_eval.ts";
export {
  basicTokenize,
  type BasicTokenizeOptions,
  type BatchEncodeOptions,
  type BatchEncoding,
  type BatchInput,
  type DecodeOptions,
  type EncodeOptions,
  type Encoding,
  type TruncationStrategy,
  WordPieceTokenizer,
} from "./tokenizer.ts";
export {
  trainWordPiece,
  trainWordPieceFromFolder,
  type TrainWordPieceOptions,
} from "./wordpiece_trainer.ts";
export { runCli, usage, UsageError } from "./cli.ts";
export { kdLossTopK } from "./kernels/kd_loss.ts";
export { type LineChart, lineChartSvg, type Series } from "./svg_plot.ts";
