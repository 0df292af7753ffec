// Preloaded into the Azurite process: the test holds its stdin open, so when the test
// process dies, even by SIGKILL, stdin ends and the server exits instead of lingering.
process.stdin.on('end', () => process.exit(0))
process.stdin.on('error', () => process.exit(0))
process.stdin.resume()
