import { controlCharacters, type MarkedPrediction } from '../index.js';

/**
 * A prediction as the service answers it, /v1/predict and the webhooks alike: predict --format
 * json's fields, with the marks the command line gives in the same names. `in_training`: the
 * model was trained on this report, so its answer is what it was taught; `control_characters`:
 * how many the text lost before it was read. Both absent otherwise, so answers on clean, new
 * reports are unchanged.
 */
export function answerOf(p: MarkedPrediction, text: string) {
  const { inTraining, ...prediction } = p;
  const removed = controlCharacters(text);
  return { ...prediction, ...(inTraining ? { in_training: true } : {}), ...(removed ? { control_characters: removed } : {}) };
}
