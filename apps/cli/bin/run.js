#!/usr/bin/env node
import { execute, settings } from '@oclif/core'

// Always run the built commands: with NODE_ENV=test or development (vitest sets the former, and
// children inherit it) oclif would otherwise try to load ./src through tsx or ts-node.
settings.enableAutoTranspile = false

await execute({ dir: import.meta.url })
