#!/usr/bin/env node
// Thin launcher of the compiled CLI (built by `npm ci` through the prepare script).
import { main } from '../dist/cli/main.js';
import { realContext } from '../dist/cli/context.js';

process.exitCode = await main(process.argv.slice(2), realContext());
