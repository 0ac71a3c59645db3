import type { Command } from 'commander';
import { registerCohortCommands } from './cohort.ts';
import { registerDemoCommands } from './demo.ts';
import { registerModelCommands } from './model.ts';
import { registerPredict } from './predict.ts';
import { registerUserCommands } from './user.ts';

/** Every CLI command module exports a function that adds its commands to the program. */
export type RegisterCommands = (program: Command) => void;

export const registry: RegisterCommands[] = [registerUserCommands];
registry.push(registerModelCommands);
registry.push(registerDemoCommands);
registry.push(registerPredict);
registry.push(registerCohortCommands);
