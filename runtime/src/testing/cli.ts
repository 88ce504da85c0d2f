#!/usr/bin/env node
import { runEnvtestCli } from './cli-main.js';

process.exitCode = await runEnvtestCli(process.argv.slice(2));
