#!/usr/bin/env node
// The smtpure command: runs the built CLI (npm run build first when working from source).
import { main } from '../dist/cli.js'
main(process.argv.slice(2)).then((code) => process.exit(code), (e) => { console.error(e); process.exit(1) })
