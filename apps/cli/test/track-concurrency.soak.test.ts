import { describeConcurrentTracks } from './track-concurrency.js'

describeConcurrentTracks(20)
