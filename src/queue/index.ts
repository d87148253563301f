// queue/ owns the command queue: single-producer single-consumer rings, channels, how a side waits, whether its peer lives.
// It must not know what a record means (the component protocol is wire/'s) nor how its peer was launched.
export * from "../wire/ring.ts";
export * from "./channel.ts";
export * from "./errors.ts";
export * from "./message.ts";
export * from "./peer.ts";
export * from "./ring.ts";
export * from "./wait-strategy.ts";
