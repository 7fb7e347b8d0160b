import { hostname, userInfo } from 'node:os'

/** Who is acting, for audit rows: user, host and process. */
export function currentActor(): string {
  let user = 'unknown user'
  try {
    user = userInfo().username
  } catch {
    // Containers without a passwd entry for the uid: the host and pid still identify the actor.
  }
  return `${user}@${hostname()} (pid ${process.pid})`
}
