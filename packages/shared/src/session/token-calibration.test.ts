import { describe, expect, it } from 'vitest';
import { calibrationField, calibrationOf, calibrationValue } from './token-calibration.js';

describe('token calibration', () => {
  it("keeps two steps' calibrations, so a retried step still finds the one before its own", () => {
    const memory: Record<string, string> = {};
    memory[calibrationField(6)] = calibrationValue(6, { estimate: 1200, reported: 1500 });
    // Step 7 ran and saved its own: step 7's retry still finds step 6's.
    memory[calibrationField(7)] = calibrationValue(7, { estimate: 1300, reported: 1400 });
    expect(calibrationOf(memory, 6)).toEqual({ estimate: 1200, reported: 1500 });
    expect(calibrationOf(memory, 7)).toEqual({ estimate: 1300, reported: 1400 });
    // Step 5's was overwritten by step 7's; nothing is found rather than the wrong step's.
    expect(calibrationOf(memory, 5)).toBeUndefined();
    expect(calibrationOf({}, 3)).toBeUndefined();
    expect(calibrationOf({ [calibrationField(2)]: '2:0:10' }, 2)).toBeUndefined();
  });
});
