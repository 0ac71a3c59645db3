import type { Command } from 'commander';

/** Every CLI command module exports a function that adds its commands to the program. */
export type RegisterCommands = (program: Command) => void;

export const registry: RegisterCommands[] = [];
