import { describeLifecycle } from './lifecycle.js'

describeLifecycle({ writers: 8, afterCutover: 1_000 }, 600_000)
