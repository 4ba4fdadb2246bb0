export { buildTimeline, type Timeline, type TimelineDecision, type TimelineModelCall, type TimelineStep, type TimelineToolCall } from './timeline.js';
export { formatTimeline } from './format-timeline.js';
export { createFork, type ForkOptions } from './fork-session.js';
