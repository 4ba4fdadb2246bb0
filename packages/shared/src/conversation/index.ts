export { ASK_HUMAN_TOOL, MAX_MESSAGE_CHARS, Question } from './question.js';
export { QuestionStore, type AwaitInputResult, type SendResult } from './question-store.js';
export { sendMessage, type SendOptions, type SendOutcome } from './send-message.js';
