export { type LiveEvent, SESSION_END_EVENTS } from './live-event.js';
export { compareIds, isTextDelta, subscribeSession, type SubscribeOptions } from './subscribe-session.js';
export { createStreamToken, streamTokenSession, type StreamToken, type StreamTokenOptions } from './stream-token.js';
