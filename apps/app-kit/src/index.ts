export { mulberry32 } from './prng.js';
export { type ProduceLoopOptions, produceLoop } from './produce-loop.js';
