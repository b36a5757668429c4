/**
 * Small dense row-major matrices on Float64Array, just what a Kalman filter over an 8-dim state needs.
 * Sizes are passed explicitly so the helpers stay allocation-light and free of shape objects.
 */

/** out (n×m) = a (n×k) · b (k×m). `out` must not alias `a` or `b`. */
export function multiply(a: Float64Array, b: Float64Array, n: number, k: number, m: number, out = new Float64Array(n * m)): Float64Array {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += a[i * k + t]! * b[t * m + j]!;
      out[i * m + j] = s;
    }
  }
  return out;
}

/** out (n×m) = a (n×k) · bᵀ where b is (m×k). */
export function multiplyTransposed(a: Float64Array, b: Float64Array, n: number, k: number, m: number, out = new Float64Array(n * m)): Float64Array {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += a[i * k + t]! * b[j * k + t]!;
      out[i * m + j] = s;
    }
  }
  return out;
}

/** The n×n identity. */
export function identity(n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return out;
}

/** An n×n diagonal matrix holding the squares of `std` (a covariance from standard deviations). */
export function diagonalOfSquares(std: ArrayLike<number>): Float64Array {
  const n = std.length;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = std[i]! * std[i]!;
  return out;
}

/**
 * Lower-triangular L with L·Lᵀ = a for a symmetric positive-definite n×n matrix.
 * Throws when `a` is not positive definite, which for a covariance means the filter state is corrupt.
 */
export function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]!;
      for (let t = 0; t < j; t++) s -= l[i * n + t]! * l[j * n + t]!;
      if (i === j) {
        if (!(s > 0)) throw new RangeError('matrix is not positive definite');
        l[i * n + i] = Math.sqrt(s);
      } else {
        l[i * n + j] = s / l[j * n + j]!;
      }
    }
  }
  return l;
}

/**
 * Solve a·X = B for X given the Cholesky factor L of the n×n matrix a; B is n×m and is overwritten with X.
 * Forward then backward substitution, column by column.
 */
export function choleskySolveInPlace(l: Float64Array, b: Float64Array, n: number, m: number): Float64Array {
  for (let c = 0; c < m; c++) {
    for (let i = 0; i < n; i++) {
      let s = b[i * m + c]!;
      for (let t = 0; t < i; t++) s -= l[i * n + t]! * b[t * m + c]!;
      b[i * m + c] = s / l[i * n + i]!;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = b[i * m + c]!;
      for (let t = i + 1; t < n; t++) s -= l[t * n + i]! * b[t * m + c]!;
      b[i * m + c] = s / l[i * n + i]!;
    }
  }
  return b;
}
