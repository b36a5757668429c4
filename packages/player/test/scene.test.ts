import { describe, expect, it } from 'vitest';
import { sceneFromCamera } from '../src/scene.js';

describe('zones and lines from a camera', () => {
  it('reads config.analytics', () => {
    const camera = {
      id: 'gate',
      config: {
        analytics: {
          zones: [{ id: 'dock', name: 'Dock', polygon: [[0, 0], [0.5, 0], [0.5, 0.5]], filter: { minConfidence: 0 } }],
          lines: [{ id: 'door', a: [0.1, 0.9], b: [0.9, 0.9], invert: true }],
        },
      },
    };
    expect(sceneFromCamera(camera)).toEqual({
      zones: [{ id: 'dock', name: 'Dock', polygon: [[0, 0], [0.5, 0], [0.5, 0.5]] }],
      lines: [{ id: 'door', name: undefined, a: [0.1, 0.9], b: [0.9, 0.9], invert: true }],
    });
  });

  it('leaves out malformed entries instead of failing', () => {
    const camera = {
      config: {
        analytics: {
          zones: [{ id: 'two-points', polygon: [[0, 0], [1, 1]] }, { id: 'outside', polygon: [[0, 0], [2, 0], [1, 1]] }, 'zone'],
          lines: [{ id: 'no-b', a: [0, 0] }, { id: 'ok', a: [0, 0], b: [1, 1] }],
        },
      },
    };
    expect(sceneFromCamera(camera)).toEqual({ zones: [], lines: [{ id: 'ok', name: undefined, a: [0, 0], b: [1, 1], invert: false }] });
    expect(sceneFromCamera(null)).toEqual({ zones: [], lines: [] });
    expect(sceneFromCamera({ config: {} })).toEqual({ zones: [], lines: [] });
  });
});
