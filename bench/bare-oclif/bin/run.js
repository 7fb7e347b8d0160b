#!/usr/bin/env node
import { execute, settings } from '@oclif/core'

// As apps/cli/bin/run.js, so that both load the same way.
settings.enableAutoTranspile = false

await execute({ dir: import.meta.url })
