export * from "../wire/ring.ts";
export * from "./channel.ts";
export * from "./errors.ts";
export * from "./message.ts";
export * from "./peer.ts";
export * from "./ring.ts";
export * from "./wait-strategy.ts";
