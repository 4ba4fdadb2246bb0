export { canonicalJson, sha256Hex } from './canonical-json.js';
export { LOOP_REFLECTIONS, type LoopKind, pingPongLength } from './loop-kind.js';
export { LoopDetector, type LoopVerdict } from './loop-detector.js';
export { toolSignature } from './tool-signature.js';
