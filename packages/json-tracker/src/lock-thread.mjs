// The writers' lock of a large legacy file, held from a worker thread. proper-lockfile refreshes
// the lock from timers on the event loop of the thread that took it; a holder that parses,
// encodes and writes hundreds of megabytes blocks its own loop for longer than the stale bound,
// and a waiter then takes the lock over while the holder still works (19 of 20 writers failed so
// on a 1M-invocation file, issue 17). Here the refresh runs on a loop the holder's work never
// blocks, and the holder reads "was it taken over?" from shared memory, without its loop.
// Plain JavaScript: a worker runs a file as it is, and the tests run the package from its sources.
import { parentPort, workerData } from 'node:worker_threads'
import lockfile from 'proper-lockfile'

const { file, options, lost } = workerData
let release

parentPort.on('message', async (request) => {
  try {
    if (request === 'lock') {
      release = await lockfile.lock(file, {
        ...options,
        onCompromised(error) {
          // Before the message: the holder, blocked, reads only this until its work returns.
          Atomics.store(lost, 0, 1)
          parentPort.postMessage({ compromised: error.message })
        },
      })
    } else {
      await release()
      release = undefined
    }
    parentPort.postMessage({ done: request })
  } catch (error) {
    parentPort.postMessage({ failed: request, code: error.code, message: error.message })
  }
})
