export { livePage, type LivePageOptions } from './live-page.js';
export { startLiveExample, type LiveExample, type LiveExampleOptions } from './live-server.js';
