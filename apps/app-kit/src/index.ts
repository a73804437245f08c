export {
  type CliSpec,
  commonFlags,
  type FlagSpec,
  type Flags,
  type FlagValue,
  type FlagValues,
  type Parsed,
  PRODUCE_FLAGS,
  parseCliOrExit,
  parseFlags,
  SERVER_FLAGS,
  SERVER_FLAGS_USAGE,
  serverConfigOf,
  UsageError,
} from './cli.js';
export { committedLag, formatTable } from './demo-output.js';
export { mulberry32 } from './prng.js';
export { type ProduceCommandOptions, type ProduceFlagValues, produceCommand } from './produce-command.js';
export { type ProduceLoopOptions, produceLoop } from './produce-loop.js';
export {
  SECURITY_FLAGS,
  SECURITY_USAGE,
  type SecurityFlagValues,
  securityFromFlags,
  withSecurity,
} from './security-flags.js';
