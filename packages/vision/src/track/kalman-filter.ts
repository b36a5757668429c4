import { choleskySolveInPlace, cholesky, diagonalOfSquares, identity, multiply, multiplyTransposed } from './matrix.js';

/**
 * A box as the Kalman filter measures it: centre x, centre y, aspect ratio (width / height), height.
 * Aspect ratio rather than width because it changes slowly for rigid and walking objects alike.
 */
export type BoxMeasurement = readonly [cx: number, cy: number, aspect: number, height: number];

/** Gaussian belief over [cx, cy, a, h, vcx, vcy, va, vh]: an 8-vector mean and a row-major 8×8 covariance. */
export interface KalmanState {
  mean: Float64Array;
  covariance: Float64Array;
}

const STATE_DIM = 8;
const MEASURE_DIM = 4;

/** Constant-velocity transition with a time step of one frame: position += velocity. */
const MOTION = (() => {
  const f = identity(STATE_DIM);
  for (let i = 0; i < MEASURE_DIM; i++) f[i * STATE_DIM + MEASURE_DIM + i] = 1;
  return f;
})();

/**
 * The constant-velocity box filter of SORT / DeepSORT / ByteTrack. Process and measurement noise scale
 * with the box height, so a distant (small) pedestrian and a near (large) one get the same relative
 * uncertainty. The aspect ratio gets small fixed noise because it barely changes.
 */
export class KalmanBoxFilter {
  constructor(
    /** Position noise per unit of box height (ByteTrack: 1/20). */
    readonly stdWeightPosition = 1 / 20,
    /** Velocity noise per unit of box height (ByteTrack: 1/160). */
    readonly stdWeightVelocity = 1 / 160,
  ) {}

  /** A new belief centred on a first measurement with zero velocity and a wide velocity prior. */
  initiate(measurement: BoxMeasurement): KalmanState {
    const mean = new Float64Array(STATE_DIM);
    mean.set(measurement);
    const h = measurement[3];
    const p = this.stdWeightPosition;
    const v = this.stdWeightVelocity;
    const covariance = diagonalOfSquares([2 * p * h, 2 * p * h, 1e-2, 2 * p * h, 10 * v * h, 10 * v * h, 1e-5, 10 * v * h]);
    return { mean, covariance };
  }

  /** Advance one frame: x' = F x, P' = F P Fᵀ + Q. Returns a new state; the input is untouched. */
  predict(state: KalmanState): KalmanState {
    const h = state.mean[3]!;
    const p = this.stdWeightPosition;
    const v = this.stdWeightVelocity;
    const q = diagonalOfSquares([p * h, p * h, 1e-2, p * h, v * h, v * h, 1e-5, v * h]);
    const mean = multiply(MOTION, state.mean, STATE_DIM, STATE_DIM, 1);
    const fp = multiply(MOTION, state.covariance, STATE_DIM, STATE_DIM, STATE_DIM);
    const covariance = multiplyTransposed(fp, MOTION, STATE_DIM, STATE_DIM, STATE_DIM);
    for (let i = 0; i < STATE_DIM * STATE_DIM; i++) covariance[i]! += q[i]!;
    return { mean, covariance };
  }

  /** The belief mapped into measurement space, with measurement noise added: (H x, H P Hᵀ + R). */
  project(state: KalmanState): { mean: Float64Array; covariance: Float64Array } {
    const h = state.mean[3]!;
    const p = this.stdWeightPosition;
    const r = diagonalOfSquares([p * h, p * h, 1e-1, p * h]);
    const mean = state.mean.slice(0, MEASURE_DIM);
    const covariance = new Float64Array(MEASURE_DIM * MEASURE_DIM);
    for (let i = 0; i < MEASURE_DIM; i++) {
      for (let j = 0; j < MEASURE_DIM; j++) {
        covariance[i * MEASURE_DIM + j] = state.covariance[i * STATE_DIM + j]! + r[i * MEASURE_DIM + j]!;
      }
    }
    return { mean, covariance };
  }

  /** Fuse a measurement into the belief (standard Kalman correction). Returns a new state. */
  update(state: KalmanState, measurement: BoxMeasurement): KalmanState {
    const projected = this.project(state);
    const chol = cholesky(projected.covariance, MEASURE_DIM);
    // Kᵀ = S⁻¹ (H P); H P is the first four rows of P because H = [I 0].
    const gainT = state.covariance.slice(0, MEASURE_DIM * STATE_DIM);
    choleskySolveInPlace(chol, gainT, MEASURE_DIM, STATE_DIM);

    const mean = state.mean.slice();
    for (let i = 0; i < MEASURE_DIM; i++) {
      const innovation = measurement[i]! - projected.mean[i]!;
      for (let j = 0; j < STATE_DIM; j++) mean[j]! += gainT[i * STATE_DIM + j]! * innovation;
    }
    // P' = P − K S Kᵀ
    const sGainT = multiply(projected.covariance, gainT, MEASURE_DIM, MEASURE_DIM, STATE_DIM);
    const covariance = state.covariance.slice();
    for (let a = 0; a < STATE_DIM; a++) {
      for (let b = 0; b < STATE_DIM; b++) {
        let s = 0;
        for (let i = 0; i < MEASURE_DIM; i++) s += gainT[i * STATE_DIM + a]! * sGainT[i * STATE_DIM + b]!;
        covariance[a * STATE_DIM + b]! -= s;
      }
    }
    return { mean, covariance };
  }
}
