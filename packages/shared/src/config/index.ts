export { CommonEnv } from './common-env.js';
export { ENV } from './env-keys.js';
export { blankToUndefined, envBool, envInt, envNumber, envString, envUrl, parseEnv } from './parse-env.js';
