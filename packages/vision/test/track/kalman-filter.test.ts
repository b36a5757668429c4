import { describe, expect, it } from 'vitest';
import { KalmanBoxFilter } from '../../src/track/kalman-filter.js';
import { cholesky, choleskySolveInPlace, multiply } from '../../src/track/matrix.js';

const at = (m: Float64Array, r: number, c: number) => m[r * 8 + c]!;

describe('KalmanBoxFilter', () => {
  // A 100 px tall box: position std 1/20 · h = 5 px, velocity std 1/160 · h = 0.625 px/frame.
  const filter = new KalmanBoxFilter();
  const start = filter.initiate([100, 200, 0.5, 100]);

  it('initiates at the measurement with zero velocity and height-scaled uncertainty', () => {
    expect([...start.mean]).toEqual([100, 200, 0.5, 100, 0, 0, 0, 0]);
    expect(at(start.covariance, 0, 0)).toBeCloseTo(100, 10); // (2 · 5)²
    expect(at(start.covariance, 2, 2)).toBeCloseTo(1e-4, 12);
    expect(at(start.covariance, 3, 3)).toBeCloseTo(100, 10);
    expect(at(start.covariance, 4, 4)).toBeCloseTo(39.0625, 10); // (10 · 0.625)²
    expect(at(start.covariance, 6, 6)).toBeCloseTo(1e-10, 15);
    expect(at(start.covariance, 0, 4)).toBe(0);
  });

  it('predicts constant velocity and grows the covariance by F P Fᵀ + Q', () => {
    const moving = { mean: Float64Array.from([100, 200, 0.5, 100, 3, -2, 0, 1]), covariance: start.covariance };
    const p = filter.predict(moving);
    expect([...p.mean]).toEqual([103, 198, 0.5, 101, 3, -2, 0, 1]);
    // Q uses the height before the step (100): position 25, velocity 0.390625.
    expect(at(p.covariance, 0, 0)).toBeCloseTo(100 + 39.0625 + 25, 9);
    expect(at(p.covariance, 0, 4)).toBeCloseTo(39.0625, 9);
    expect(at(p.covariance, 4, 4)).toBeCloseTo(39.0625 + 0.390625, 9);
    expect(at(p.covariance, 0, 1)).toBe(0);
    expect(moving.mean[0]).toBe(100); // input untouched
  });

  it('updates towards the measurement with the Kalman gain', () => {
    const predicted = filter.predict(start);
    const updated = filter.update(predicted, [110, 200, 0.5, 100]);
    const pxx = 164.0625; // predicted var(x)
    const pxv = 39.0625; // predicted cov(x, vx)
    const s = pxx + 25; // + measurement noise (0.05 · 100)²
    expect(updated.mean[0]).toBeCloseTo(100 + (10 * pxx) / s, 9);
    expect(updated.mean[4]).toBeCloseTo((10 * pxv) / s, 9);
    expect(updated.mean[1]).toBeCloseTo(200, 9);
    expect(updated.mean[3]).toBeCloseTo(100, 9);
    expect(at(updated.covariance, 0, 0)).toBeCloseTo(pxx - (pxx * pxx) / s, 9);
    expect(at(updated.covariance, 0, 4)).toBeCloseTo(pxv - (pxx * pxv) / s, 9);
    // The covariance stays symmetric.
    for (let r = 0; r < 8; r++) for (let c = 0; c < r; c++) expect(at(updated.covariance, r, c)).toBeCloseTo(at(updated.covariance, c, r), 9);
  });

  it('learns a steady velocity from repeated measurements', () => {
    let state = filter.initiate([0, 0, 0.5, 80]);
    for (let k = 1; k <= 40; k++) state = filter.update(filter.predict(state), [5 * k, 2 * k, 0.5, 80]);
    expect(state.mean[4]).toBeCloseTo(5, 1);
    expect(state.mean[5]).toBeCloseTo(2, 1);
  });
});

describe('matrix helpers', () => {
  it('solves a symmetric positive-definite system through Cholesky', () => {
    const a = Float64Array.from([4, 2, 0, 2, 5, 1, 0, 1, 3]);
    const x = Float64Array.from([1, -2, 3]);
    const b = multiply(a, x, 3, 3, 1);
    const solved = choleskySolveInPlace(cholesky(a, 3), b.slice(), 3, 1);
    [...solved].forEach((v, i) => expect(v).toBeCloseTo(x[i]!, 12));
  });

  it('rejects a matrix that is not positive definite', () => {
    expect(() => cholesky(Float64Array.from([1, 2, 2, 1]), 2)).toThrow(/positive definite/);
  });
});
