// The mapping layer's public surface: point sets, the operator contract, the
// spec and its factory, each operator's setup, the spatial index, and the CSV
// point format of `conflux map`.
export * from "./create-operator.ts";
export * from "./csv-format.ts";
export * from "./kd-tree.ts";
export * from "./mapping-error.ts";
export * from "./moving-least-squares.ts";
export * from "./nearest-neighbour.ts";
export * from "./point-set.ts";
export * from "./radial-kernel.ts";
export * from "./rbf-global.ts";
export * from "./rbf-partition-of-unity.ts";
export * from "./sparse-operator.ts";
export * from "./transfer-operator.ts";
export * from "./transfer-spec.ts";
