export { type AdmissionProblem, admitBatch, type AdmittedInput } from './admit-batch.js';
export { capViolation, DEFAULT_INPUT_CAPS, depthOf, type InputCaps, resolveInputCaps } from './input-caps.js';
