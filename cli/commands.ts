import type { Command } from 'commander';
import { registerCohortCommands } from './cohort.ts';
import { registerDemoCommands } from './demo.ts';
import { registerModelCommands } from './model.ts';
import { registerPredict } from './predict.ts';
import { registerUserCommands } from './user.ts';

/**
 * Every CLI command module exports a function that adds its commands to the program. Modules
 * import their heavy dependencies (database, ONNX Runtime, HDF5) inside the actions, so
 * `faceage --help` stays fast.
 */
export type RegisterCommands = (program: Command) => void;

export const registry: RegisterCommands[] = [registerPredict, registerModelCommands, registerCohortCommands, registerDemoCommands, registerUserCommands];
