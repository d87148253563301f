// bspline/ owns interpolation in time: the weights with which a waveform's samples give its value at a time.
// It must not import anything: the SDK reads waveforms with it and the driver resamples them with it.
export * from "./time-interpolation.ts";
