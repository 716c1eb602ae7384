/** A distributed training engine. */
export enum TrainingEngine {
  PYTORCH = 'pytorch',
  RAY = 'ray',
}
