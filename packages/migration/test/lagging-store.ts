import { type DatabaseTarget, SkillMetricsStore } from '@skill-metrics/db-store'

/**
 * A dual-writer's store opener whose copies (`mirrorWrites`, every dual-write's database side)
 * land `ms` after the file's rewrite, as a slow database's would.
 */
export const laggingStore = (target: DatabaseTarget, ms: number) => async () => {
  const store = await SkillMetricsStore.open({ target })
  const mirror = store.mirrorWrites.bind(store)
  return Object.assign(store, {
    mirrorWrites: async (...args: Parameters<typeof mirror>) => {
      await new Promise((resolve) => setTimeout(resolve, ms))
      return mirror(...args)
    },
  })
}
