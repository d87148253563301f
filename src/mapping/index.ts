// mapping/ owns transfer operators between point clouds: spatial indexes, linear algebra, kernels, operators.
// It must not know components, segments or runs; other layers reach it only through this file.
export * from "./csv-format.ts";
export * from "./kernels/radial-kernel.ts";
export * from "./linalg/compressed-rows.ts";
export * from "./mapping-error.ts";
export {
  type NumericBackend,
  numericBackend,
  setNumericBackend,
  withNumericBackend,
} from "./numeric-backend.ts";
export * from "./operators/create-operator.ts";
export * from "./operators/moving-least-squares.ts";
export * from "./operators/nearest-neighbour.ts";
export { closeOperatorThreads } from "./operators/operator-threads.ts";
export * from "./operators/rbf-global.ts";
export * from "./operators/rbf-partition-of-unity.ts";
export * from "./operators/source-points-read.ts";
export * from "./operators/sparse-operator.ts";
export * from "./operators/transfer-operator.ts";
export * from "./operators/transfer-options.ts";
export * from "./operators/transfer-spec.ts";
export * from "./spatial/kd-tree.ts";
export * from "./spatial/point-set.ts";
