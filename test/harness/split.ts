/** Cut `all` at the given points (each taken modulo length + 1): views, in order, covering it all. */
export const splitAt = (all: Uint8Array, cuts: ReadonlyArray<number>): Uint8Array[] => {
  const points = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((x, y) => x - y)
  const pieces: Uint8Array[] = []
  let last = 0
  for (const p of points) {
    pieces.push(all.subarray(last, p))
    last = p
  }
  pieces.push(all.subarray(last))
  return pieces
}
