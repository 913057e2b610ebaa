import { useBackend } from '../src/backend.js';

// Every test runs on the default Node backend, the one users get.
await useBackend('wasm');
