// Test-only: makes writes to chosen files fail the way a full or failing disk makes them fail,
// in this process or, loaded with `node --import`, in a spawned CLI. It patches FileHandle#write,
// the one call every durable write and append goes through; nothing in the product knows of it.
//
// SKILL_METRICS_WRITE_FAULT='{"path":"<regex>","fault":"short|lie|zero|enospc|eio"}'
//   path   matched against the file being written (a temporary copy counts as its target)
//   short  the first write writes half and says so; the next fails with ENOSPC (a disk filling)
//   lie    writes half and reports the whole (a file system that loses data silently)
//   zero   writes nothing and reports 0 bytes
//   enospc, eio   fail at once with that error
import { readlinkSync } from 'node:fs'
import { open } from 'node:fs/promises'

const probe = await open('/dev/null', 'r')
const FileHandle = Object.getPrototypeOf(probe)
await probe.close()
const realWrite = FileHandle.write

/** The file a write goes to, a temporary copy named as its target (see writeFileDurably). */
function targetOf(fd) {
  let path
  try {
    path = readlinkSync(`/proc/self/fd/${fd}`)
  } catch {
    return ''
  }
  return path.replace(/\/\.([^/]+)\.tmp-\d+-[0-9a-f]+$/, '/$1')
}

function errno(code) {
  return Object.assign(new Error(`${code}: injected by inject-write-faults`), { code })
}

/** Installs a fault; returns a function that removes it and how many writes it hit. */
export function installWriteFault({ path, fault }) {
  const pattern = new RegExp(path)
  const shortened = new Set()
  let hits = 0
  FileHandle.write = async function write(buffer, offset = 0, length, position) {
    if (!Buffer.isBuffer(buffer) || !pattern.test(targetOf(this.fd))) {
      return realWrite.call(this, buffer, offset, length, position)
    }
    hits += 1
    const size = length ?? buffer.length - offset
    if (fault === 'enospc' || (fault === 'short' && shortened.has(this.fd))) throw errno('ENOSPC')
    if (fault === 'eio') throw errno('EIO')
    if (fault === 'zero') return { bytesWritten: 0, buffer }
    const half = Math.floor(size / 2)
    const { bytesWritten } = await realWrite.call(this, buffer, offset, half, position)
    if (fault === 'short') {
      shortened.add(this.fd)
      return { bytesWritten, buffer }
    }
    return { bytesWritten: size, buffer }
  }
  return () => {
    FileHandle.write = realWrite
    return hits
  }
}

if (process.env.SKILL_METRICS_WRITE_FAULT) {
  installWriteFault(JSON.parse(process.env.SKILL_METRICS_WRITE_FAULT))
}
