// The under-relaxed step every acceleration takes when it has nothing better:
// x_{k+1} = ω x̃_{k+1} + (1 − ω) x_k, sample by sample. ω comes in a
// one-element array rather than as a number: a double passed to a call that
// is not inlined is boxed, which would allocate once per iteration.

/** previous[i] ← ω values[i] + (1 − ω) previous[i] for i < length, ω = omega[0]. */
export function underRelax(previous: Float64Array, values: Float64Array, length: number, omega: Float64Array): void {
  const factor = omega[0] as number;
  const keep = 1 - factor;
  for (let index = 0; index < length; index++) {
    previous[index] = factor * (values[index] as number) + keep * (previous[index] as number);
  }
}
