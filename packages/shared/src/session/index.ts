export { parseSession, SessionStore } from './session-store.js';
