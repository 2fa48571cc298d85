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
export { dataDir, defaultTextCorpus, REPO_ROOT, requireDataDir } from "./data_dir.ts";
export { replaceDir, writeAtomic, writeDirAtomic, writeFileAtomic } from "./atomic.ts";
export { bertTensorShapes, resolveBertConfig } from "./bert_config.ts";
export type { BertConfig } from "./bert_config.ts";
export { requireOneOf, requirePositiveIntegers, resolveStrict } from "./strict_config.ts";
export type { StrictOptions } from "./strict_config.ts";
export type { Scalar, Tensor, Tensor1D, Tensor2D, Tensor3D, Variable } from "./tensor_types.ts";
export { BertModel, tfSeed } from "./model.ts";
export type { BertInputs, ForwardOptions, HostTensor } from "./model.ts";
export { Rng } from "./rng.ts";
export { AdamW } from "./optim.ts";
export { Progress } from "./progress.ts";
export { MetricsLog } from "./metrics_log.ts";
export { lineSplit, maskRows, MlmStream } from "./mlm_data.ts";
export type { MlmBatch, MlmStreamState, MlmTokenizer } from "./mlm_data.ts";
export { sparseCrossEntropy } from "./losses.ts";
export { gelu, layerNorm } from "./fused_ops.ts";
export { readSafetensors, readSafetensorsFile, writeSafetensors } from "./safetensors.ts";
export { writeSafetensorsFile } from "./safetensors.ts";
export type { SafetensorsContents, SafetensorsDtype, SafetensorsTensor } from "./safetensors.ts";
export type { TensorData } from "./safetensors.ts";
export { CheckpointError, loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
export type { BertHead, Checkpoint, LoadCheckpointOptions } from "./checkpoint.ts";
export type { LoadedCheckpoint } from "./checkpoint.ts";
export { loadTrainingState, saveTrainingState } from "./training_state.ts";
export type { TrainingState } from "./training_state.ts";
export { latestCheckpoint, resolveRunConfig, train } from "./trainer.ts";
export type { TrainConfig, TrainHooks, TrainOptions, TrainResult } from "./trainer.ts";
export { batchTensors, fixedBatches, heldoutEvaluator, mlmHeldoutLoss } from "./mlm_eval.ts";
export { shuffledBatches } from "./mlm_eval.ts";
export type { HeldoutMetrics } from "./mlm_eval.ts";
export { basicTokenize, WordPieceTokenizer } from "./tokenizer.ts";
export type { BasicTokenizeOptions, BatchEncodeOptions, BatchEncoding } from "./tokenizer.ts";
export type { BatchInput, DecodeOptions, EncodeOptions, Encoding } from "./tokenizer.ts";
export type { TruncationStrategy } from "./tokenizer.ts";
export { trainWordPiece, trainWordPieceFromFolder } from "./wordpiece_trainer.ts";
export type { TrainWordPieceOptions } from "./wordpiece_trainer.ts";
export { BACKEND_FLAG, defineCommand, errorLine, execute, executeProgram } from "./cli.ts";
export { commandHelp, exitCode, parseFlags, programHelp, runCli, runMain } from "./cli.ts";
export { usage, UsageError } from "./cli.ts";
export type { BooleanFlag, Command, Flag, Flags, FlagValue, FlagValues } from "./cli.ts";
export type { NumberFlag, Program, StringFlag } from "./cli.ts";
export { resolveModelDir } from "./model_dir.ts";
export { kdLossTopK } from "./kernels/kd_loss.ts";
export { lineChartSvg } from "./svg_plot.ts";
export type { LineChart, Series } from "./svg_plot.ts";
