#!/usr/bin/env node
// The `taskmaster` command. The bin is this committed file rather than dist/bin.js so that
// `pnpm install` in a fresh clone can link it before anything is built (a bin pointing into
// dist/ made it warn "Failed to create bin … ENOENT"); the CLI itself is tsup's bundle.
import '../dist/bin.js';
