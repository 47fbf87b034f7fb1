// The core runs on bare ECMAScript. These two encoding classes are the only host APIs it may use
// (every runtime we target has them); nothing else from DOM or Node is declared, so a platform
// API in the core fails to compile.
declare class TextEncoder {
  encode(input?: string): Uint8Array
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean })
  decode(input?: Uint8Array, options?: { stream?: boolean }): string
}
