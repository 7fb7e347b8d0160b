import { describeLifecycle } from './lifecycle.js'

describeLifecycle(
  { writers: 3, afterCutover: 200 },
  300_000,
  ' (the soak run has 8 and 1,000 writes after cutover)',
)
