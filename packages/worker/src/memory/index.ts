export { buildWorkingMemory, BRIDGE_NOTE, type WorkingMemory, type WorkingMemoryView } from './working-memory.js';
export { prepareWorkingMemory, ESTIMATE_CHECKPOINT_FIELD } from './prepare-working-memory.js';
export { planWindow, windowStarts, type WindowPlan, type WindowPlanInput } from './window-plan.js';
export { cutToolResults } from './cut-tool-results.js';
export { readMemoryState, advanceMemoryState, type MemoryState } from './memory-state.js';
export { SUMMARY_CHECKPOINT_FIELD, SUMMARY_USAGE_GUARD } from './summarize.js';
export { calibrationRatio, estimateMessageTokens } from './token-estimate.js';
