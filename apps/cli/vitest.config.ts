import { defineConfig, mergeConfig } from 'vitest/config'
import shared from '../../vitest.shared.ts'

// Commands run in the test's process (runCommand) colour their output as ansis decided when
// oclif loaded it, from this process's environment: under CI it would colour. Tests of colour
// spawn the CLI with the environment they want.
export default mergeConfig(shared, defineConfig({ test: { env: { FORCE_COLOR: '0' } } }))
